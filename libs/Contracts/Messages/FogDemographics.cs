namespace FogLens.Contracts.Messages;

/// <summary>
/// Aggregated demographics of one camera over one tumbling window (topic
/// <c>foglens/v1/fog/{fogId}/demographics</c>). The only thing about faces that leaves a fog.
/// </summary>
public sealed record FogDemographics(
    MessageHeader Header,
    string EdgeId,
    string CameraId,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    int Faces,
    double? MeanAge,
    IReadOnlyList<AgeGroupCount> AgeGroups,
    string ModelVersion) : IFogLensMessage
{
    /// <summary>Most age groups a message may carry.</summary>
    public const int MaxGroups = 32;

    public string? Validate()
    {
        if (!NodeId.IsValid(EdgeId) || !NodeId.IsValid(CameraId))
        {
            return "edgeId and cameraId must be valid ids";
        }

        if (WindowEnd <= WindowStart || WindowEnd - WindowStart > TimeSpan.FromDays(1))
        {
            return "window must end after it starts and last at most a day";
        }

        if (AgeGroups is null || AgeGroups.Count == 0 || AgeGroups.Count > MaxGroups)
        {
            return $"ageGroups must hold 1-{MaxGroups} groups";
        }

        long sum = 0;
        foreach (var g in AgeGroups)
        {
            if (g is null || string.IsNullOrEmpty(g.Label) || g.Label.Length > 16 || g.Count < 0 || g.MinAge < 0
                || (g.MaxAge is { } max && max < g.MinAge))
            {
                return "an age group is malformed";
            }

            sum += g.Count;
        }

        if (Faces < 0 || sum != Faces)
        {
            return $"faces ({Faces}) must equal the sum of the group counts ({sum})";
        }

        if (MeanAge is { } mean && (!double.IsFinite(mean) || mean < 0 || mean > 150))
        {
            return "meanAge out of range";
        }

        return string.IsNullOrEmpty(ModelVersion) || ModelVersion.Length > 64 ? "modelVersion missing or too long" : null;
    }
}
