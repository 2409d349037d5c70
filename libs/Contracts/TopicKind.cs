namespace FogLens.Contracts;

/// <summary>The kinds of FogLens MQTT topics.</summary>
public enum TopicKind
{
    /// <summary><c>foglens/v1/edge/{edgeId}/faces</c>: best face crop per track (binary frame).</summary>
    EdgeFaces,

    /// <summary><c>foglens/v1/edge/{edgeId}/status</c>: retained edge status (JSON), also the last will.</summary>
    EdgeStatus,

    /// <summary><c>foglens/v1/fog/{fogId}/demographics</c>: demographics windows (JSON).</summary>
    FogDemographics,

    /// <summary><c>foglens/v1/fog/{fogId}/status</c>: retained fog status (JSON), also the last will.</summary>
    FogStatus,

    /// <summary><c>foglens/v1/fl/round/{roundId}/task</c>: a federated round's task (JSON).</summary>
    RoundTask,

    /// <summary><c>foglens/v1/fl/round/{roundId}/update/{fogId}</c>: a fog's encoded update (binary frame).</summary>
    RoundUpdate,

    /// <summary><c>foglens/v1/models/age/current</c>: retained announcement of the current age model (JSON).</summary>
    ModelAnnouncement,

    /// <summary>
    /// <c>foglens/v1/fog/{fogId}/demographics/late</c>: demographics windows (JSON, as <see cref="FogDemographics"/>) that
    /// waited in the fog's outbox (an outage's backlog): the portal stores them after the live ones.
    /// </summary>
    FogLateDemographics,
}
