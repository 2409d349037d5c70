using System.Globalization;

namespace FogLens.Contracts;

/// <summary>
/// Builders and a parser for FogLens MQTT topics. Topics are versioned (<c>foglens/v1/...</c>);
/// a breaking change to a message gets a new topic version rather than a silent change.
/// </summary>
public static class Topics
{
    /// <summary>Prefix of every topic of this protocol version.</summary>
    public const string Prefix = "foglens/v1";

    /// <summary>Topic a fog subscribes to for all of its edges' face crops.</summary>
    public const string AllEdgeFaces = Prefix + "/edge/+/faces";

    /// <summary>Topic filter for all edge status messages.</summary>
    public const string AllEdgeStatus = Prefix + "/edge/+/status";

    /// <summary>Topic filter the cloud subscribes to for all fogs' demographics.</summary>
    public const string AllFogDemographics = Prefix + "/fog/+/demographics";

    /// <summary>Topic filter the cloud subscribes to for all fogs' late demographics (an outage's backlog).</summary>
    public const string AllFogLateDemographics = Prefix + "/fog/+/demographics/late";

    /// <summary>Topic filter for all fog status messages.</summary>
    public const string AllFogStatus = Prefix + "/fog/+/status";

    /// <summary>Topic filter for every round task.</summary>
    public const string AllRoundTasks = Prefix + "/fl/round/+/task";

    /// <summary>Topic filter for every update of every round.</summary>
    public const string AllRoundUpdates = Prefix + "/fl/round/+/update/+";

    /// <summary>Retained announcement of the current age model.</summary>
    public const string ModelAnnouncement = Prefix + "/models/age/current";

    public static string EdgeFaces(string edgeId) => $"{Prefix}/edge/{NodeId.Require(edgeId, nameof(edgeId))}/faces";

    public static string EdgeStatus(string edgeId) => $"{Prefix}/edge/{NodeId.Require(edgeId, nameof(edgeId))}/status";

    public static string FogDemographics(string fogId) => $"{Prefix}/fog/{NodeId.Require(fogId, nameof(fogId))}/demographics";

    /// <summary>Where a fog sends windows that waited in its outbox (<see cref="TopicKind.FogLateDemographics"/>).</summary>
    public static string FogLateDemographics(string fogId) => FogDemographics(fogId) + "/late";

    public static string FogStatus(string fogId) => $"{Prefix}/fog/{NodeId.Require(fogId, nameof(fogId))}/status";

    public static string RoundTask(long roundId) => $"{Prefix}/fl/round/{RequireRound(roundId)}/task";

    public static string RoundUpdate(long roundId, string fogId) =>
        $"{Prefix}/fl/round/{RequireRound(roundId)}/update/{NodeId.Require(fogId, nameof(fogId))}";

    /// <summary>Parses a topic. Returns false for anything that is not exactly a FogLens v1 topic.</summary>
    public static bool TryParse(string? topic, out TopicInfo info)
    {
        info = default;
        if (topic is null || topic.Length > 256 || !topic.StartsWith(Prefix + "/", StringComparison.Ordinal))
        {
            return false;
        }

        var parts = topic[(Prefix.Length + 1)..].Split('/');
        switch (parts)
        {
            case ["edge", var id, "faces"] when NodeId.IsValid(id):
                info = new TopicInfo(TopicKind.EdgeFaces, id, null);
                return true;
            case ["edge", var id, "status"] when NodeId.IsValid(id):
                info = new TopicInfo(TopicKind.EdgeStatus, id, null);
                return true;
            case ["fog", var id, "demographics"] when NodeId.IsValid(id):
                info = new TopicInfo(TopicKind.FogDemographics, id, null);
                return true;
            case ["fog", var id, "demographics", "late"] when NodeId.IsValid(id):
                info = new TopicInfo(TopicKind.FogLateDemographics, id, null);
                return true;
            case ["fog", var id, "status"] when NodeId.IsValid(id):
                info = new TopicInfo(TopicKind.FogStatus, id, null);
                return true;
            case ["fl", "round", var r, "task"] when TryParseRound(r, out var round):
                info = new TopicInfo(TopicKind.RoundTask, null, round);
                return true;
            case ["fl", "round", var r, "update", var id] when TryParseRound(r, out var round) && NodeId.IsValid(id):
                info = new TopicInfo(TopicKind.RoundUpdate, id, round);
                return true;
            case ["models", "age", "current"]:
                info = new TopicInfo(TopicKind.ModelAnnouncement, null, null);
                return true;
            default:
                return false;
        }
    }

    private static long RequireRound(long roundId) =>
        roundId > 0 ? roundId : throw new ArgumentOutOfRangeException(nameof(roundId), roundId, "Round ids start at 1.");

    private static bool TryParseRound(string text, out long round) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out round) && round > 0
        && text.Length <= 18 && text[0] != '0';
}
