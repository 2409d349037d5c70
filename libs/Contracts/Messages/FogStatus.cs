namespace FogLens.Contracts.Messages;

/// <summary>
/// Retained status of a fog service (topic <c>foglens/v1/fog/{fogId}/status</c>). <see cref="Site"/> came later: an
/// older fog omits it (null: the portal keeps what it knew, or <see cref="DefaultSite"/>), an older reader ignores it.
/// </summary>
public sealed record FogStatus(
    MessageHeader Header,
    NodeState State,
    string ModelVersion,
    int EdgesOnline,
    long CropsReceived,
    long CropsInferred,
    long CropsRejected,
    int QueueDepth,
    int OutboxDepth,
    double InferencePerSecond,
    bool Training,
    int LocalSamples,
    IReadOnlyList<EdgeSummary>? Edges = null,
    string? Site = null) : IFogLensMessage
{
    /// <summary>The site of a fog that does not say (Fog:Site's default): one site holding every such fog.</summary>
    public const string DefaultSite = "default";

    /// <summary>Most edges one fog reports (keeps the status well under the 64 KiB JSON limit).</summary>
    public const int MaxEdges = 128;

    public string? Validate()
    {
        if (Site is not null && !NodeId.IsValid(Site))
        {
            return $"site must be 1-{NodeId.MaxLength} characters of a-z, 0-9, '-' or '_'";
        }

        if (Edges is { Count: > MaxEdges })
        {
            return $"at most {MaxEdges} edges per fog status";
        }

        if (Edges?.Select(e => e.Validate()).FirstOrDefault(e => e is not null) is { } edgeError)
        {
            return edgeError;
        }

        if (EdgesOnline < 0 || CropsReceived < 0 || CropsInferred < 0 || CropsRejected < 0 || QueueDepth < 0
            || OutboxDepth < 0 || LocalSamples < 0)
        {
            return "counters must not be negative";
        }

        if (!SafeText.IsModelVersion(ModelVersion))
        {
            return "modelVersion must be 1-64 characters of A-Z, a-z, 0-9, '.', '-', '_'";
        }

        return !double.IsFinite(InferencePerSecond) ? "inferencePerSecond must be finite" : null;
    }
}

/// <summary>What a fog relays about one of its edges (from the edge's retained status); the source fields are null from older fogs and edges.</summary>
public sealed record EdgeSummary(
    string EdgeId,
    NodeState State,
    string CameraId,
    double CameraFps,
    double DetectionFps,
    int ActiveTracks,
    long FacesPublished,
    int OutboxDepth,
    DateTimeOffset LastSeen,
    SourceState? SourceState = null,
    string? SourceProblem = null)
{
    public string? Validate()
    {
        if (!NodeId.IsValid(EdgeId) || !NodeId.IsValid(CameraId))
        {
            return $"edge '{EdgeId}' / camera '{CameraId}' is not a valid id";
        }

        if (!double.IsFinite(CameraFps) || !double.IsFinite(DetectionFps) || CameraFps < 0 || DetectionFps < 0)
        {
            return "edge rates must be finite and not negative";
        }

        if (EdgeStatus.SourceProblemError(SourceState, SourceProblem) is { } problemError)
        {
            return problemError;
        }

        return ActiveTracks < 0 || FacesPublished < 0 || OutboxDepth < 0 ? "edge counters must not be negative" : null;
    }

    public static EdgeSummary From(EdgeStatus status, DateTimeOffset lastSeen)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new(status.Header.SenderId, status.State, status.CameraId, status.CameraFps, status.DetectionFps, status.ActiveTracks, status.FacesPublished, status.OutboxDepth, lastSeen, status.SourceState, status.SourceProblem);
    }
}
