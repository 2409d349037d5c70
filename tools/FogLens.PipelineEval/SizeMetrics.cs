namespace FogLens.PipelineEval;

/// <summary>
/// End-to-end numbers of one face size (or of all sizes): how many people were found, how many tracks
/// were published for them and for nobody, and how well the fog's ages match (per track, as the portal
/// counts them). Null where there is nothing to measure.
/// </summary>
public sealed record SizeMetrics(
    int? Size,
    int People,
    int Tracks,
    int Frames,
    double Recall,
    double? Mae,
    double? Cs5,
    double HistogramTv,
    double? SignedError,
    double DuplicatesPerPerson,
    double FalseTracksPerMin,
    double? MedianCropWidth,
    IReadOnlyList<GroupMetrics> Groups)
{
    /// <summary>Share of (person, visible frame) pairs in which the edge detected the face (before tracking).</summary>
    public double? FrameRecall { get; init; }

    /// <summary>Tracks of nobody per minute on photo backgrounds, where every face is a labelled person.</summary>
    public double? FalseTracksPerMinPhoto { get; init; }

    /// <summary>Tracks of nobody per minute on the video background, whose passers-by are real but unlabelled.</summary>
    public double? FalseTracksPerMinVideo { get; init; }
}
