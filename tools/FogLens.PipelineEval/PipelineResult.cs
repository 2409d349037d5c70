namespace FogLens.PipelineEval;

/// <summary>The evaluation's outcome: per size and overall metrics, and the edge's speed.</summary>
/// <param name="Sizes">One entry per face size.</param>
/// <param name="Overall">All sizes together.</param>
/// <param name="Fps">Frames per second of the edge part (motion gate, detector, tracker, crop encoding) on one thread.</param>
/// <param name="Detector">Detector used.</param>
/// <param name="Model">Age model version used.</param>
/// <param name="Seed">Seed of the run.</param>
/// <param name="FacesPerSize">Labelled faces walked at each size.</param>
/// <param name="Clips">Clips rendered.</param>
public sealed record PipelineResult(
    IReadOnlyList<SizeMetrics> Sizes,
    SizeMetrics Overall,
    double Fps,
    string Detector,
    string Model,
    int Seed,
    int FacesPerSize,
    int Clips)
{
    /// <summary>MAE of the same faces' aligned chips (no camera, no detector): the model card's setting.</summary>
    public double AlignedMae { get; init; }

    /// <summary>Signed error of the same faces' aligned chips.</summary>
    public double AlignedSignedError { get; init; }

    /// <summary>Further models on the same crops (<see cref="PipelineEvalOptions.CompareModels"/>), paired with this run's model.</summary>
    public IReadOnlyList<ComparedModel> Comparisons { get; init; } = [];
}
