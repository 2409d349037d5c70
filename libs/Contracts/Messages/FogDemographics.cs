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

    /// <summary>
    /// Most faces a window may count per second of its length: one camera publishes one crop per person
    /// it tracked, so even a crowded gate stays far below this. Bounds forged counts such as 2×10⁹.
    /// </summary>
    public const int MaxFacesPerSecond = 100;

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
            if (g is null || !SafeText.IsGroupLabel(g.Label) || g.Count < 0 || g.MinAge < 0 || g.MinAge > 150
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

        var most = (long)Math.Ceiling(Math.Max(1, (WindowEnd - WindowStart).TotalSeconds) * MaxFacesPerSecond);
        if (Faces > most)
        {
            return $"faces ({Faces}) is more than a window of {(WindowEnd - WindowStart).TotalSeconds:0} s can hold ({most})";
        }

        if (MeanAge is { } mean && (!double.IsFinite(mean) || mean < 0 || mean > 150))
        {
            return "meanAge out of range";
        }

        return SafeText.IsModelVersion(ModelVersion) ? null : "modelVersion must be 1-64 characters of A-Z, a-z, 0-9, '.', '-', '_'";
    }
}
