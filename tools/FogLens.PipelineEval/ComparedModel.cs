namespace FogLens.PipelineEval;

/// <summary>
/// Another age model's result on exactly the crops the first model was scored on: the same scenes, the
/// same published tracks, so the two differ only by the model (a paired comparison).
/// </summary>
/// <param name="Model">Version of the compared model.</param>
/// <param name="Path">File it was loaded from.</param>
/// <param name="Sizes">Per face size, then all sizes together (last, Size null).</param>
/// <param name="Groups">Signed error per true age group over all sizes, with the first model's in <see cref="GroupComparison.BaselineSignedError"/>.</param>
/// <param name="AlignedMae">MAE of the same faces' aligned chips.</param>
/// <param name="AlignedSignedError">Signed error of the same faces' aligned chips.</param>
public sealed record ComparedModel(
    string Model,
    string Path,
    IReadOnlyList<PairedMetrics> Sizes,
    IReadOnlyList<GroupComparison> Groups,
    double AlignedMae,
    double AlignedSignedError);
