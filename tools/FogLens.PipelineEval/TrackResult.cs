namespace FogLens.PipelineEval;

/// <summary>A published track and the age the fog gave it.</summary>
/// <param name="Size">Size bucket of the clip it came from.</param>
/// <param name="PersonId">The person it belongs to, or null for a false track.</param>
/// <param name="TrueAge">That person's age (null for a false track).</param>
/// <param name="PredictedAge">The fog's estimate, or null when the crop was unreadable.</param>
/// <param name="PredictedGroup">Age group the portal counts it in (-1 when unreadable).</param>
/// <param name="CropWidth">Width of the published crop in pixels.</param>
/// <param name="OnVideo">Whether the clip's background was the video (whose real passers-by are unlabelled faces).</param>
public sealed record TrackResult(int Size, int? PersonId, int? TrueAge, double? PredictedAge, int PredictedGroup, int CropWidth, bool OnVideo = false)
{
    /// <summary>The same crop's estimate by each compared model (<see cref="PipelineEvalOptions.CompareModels"/>), in order; null where unreadable.</summary>
    public IReadOnlyList<double?> OtherPredictedAges { get; init; } = [];
}
