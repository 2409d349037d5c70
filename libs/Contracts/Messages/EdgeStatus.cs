namespace FogLens.Contracts.Messages;

/// <summary>
/// Retained status of an edge agent (topic <c>foglens/v1/edge/{edgeId}/status</c>). <see cref="SourceState"/> and
/// <see cref="SourceProblem"/> came later: an older edge omits them (null), an older reader ignores them.
/// </summary>
public sealed record EdgeStatus(
    MessageHeader Header,
    NodeState State,
    string CameraId,
    string Source,
    string Detector,
    double CameraFps,
    double DetectionFps,
    double SkippedFps,
    int ActiveTracks,
    long FacesPublished,
    int OutboxDepth,
    long OutboxDropped,
    SourceState? SourceState = null,
    string? SourceProblem = null) : IFogLensMessage
{
    /// <summary>Longest <see cref="SourceProblem"/> (one line for a status table).</summary>
    public const int MaxProblemLength = 300;

    public string? Validate()
    {
        if (!NodeId.IsValid(CameraId))
        {
            return $"cameraId '{CameraId}' is not a valid id";
        }

        if (!double.IsFinite(CameraFps) || !double.IsFinite(DetectionFps) || !double.IsFinite(SkippedFps))
        {
            return "rates must be finite";
        }

        if (SourceProblemError(SourceState, SourceProblem) is { } problemError)
        {
            return problemError;
        }

        return ActiveTracks < 0 || FacesPublished < 0 || OutboxDepth < 0 || OutboxDropped < 0
            ? "counters must not be negative"
            : null;
    }

    /// <summary>Checks a reported source state and its one-line reason (shared with <see cref="EdgeSummary"/>).</summary>
    internal static string? SourceProblemError(SourceState? state, string? problem)
    {
        if (state is { } s && !Enum.IsDefined(s))
        {
            return "sourceState is not a known state";
        }

        if (problem is null)
        {
            return null;
        }

        return problem.Length > MaxProblemLength || problem.Any(char.IsControl)
            ? $"sourceProblem must be one line of at most {MaxProblemLength} characters"
            : null;
    }
}
