namespace FogLens.PipelineEval;

/// <summary>Settings of one pipeline evaluation run.</summary>
/// <param name="DataDirectory">Labelled UTKFace-style folder; only its validation split is used.</param>
/// <param name="Sizes">Face box sides (pixels) to evaluate.</param>
/// <param name="ModelPath">Age model (ONNX) the fog runs.</param>
/// <param name="Detector">Edge detector name (as Edge:Detector).</param>
/// <param name="Limit">Faces per size (the same faces at every size); 0 = the whole validation split.</param>
/// <param name="Seed">Seed of the scene plan and the camera noise.</param>
/// <param name="SamplesFolder">Where Debian's opencv-doc sample photos and vtest.avi are.</param>
/// <param name="TileScale">Edge:TileScale for the cascade detector.</param>
/// <param name="ScoreThreshold">Edge:ScoreThreshold of the detector.</param>
/// <param name="TrackedScoreThreshold">Edge:TrackedScoreThreshold of the cascade detector.</param>
/// <param name="FlipAverage">Flip test-time augmentation, as the fog's Fog:FlipAverage (off by default there too).</param>
/// <param name="CompareModels">Further age models (ONNX) run on exactly the same published crops and aligned chips, for a paired comparison with <paramref name="ModelPath"/>.</param>
/// <param name="ExamplesFolder">If set, one frame and the published crops of the first clip of each size are written there (for looking at, never into the repository: they show dataset faces).</param>
public sealed record PipelineEvalOptions(
    string DataDirectory,
    IReadOnlyList<int> Sizes,
    string ModelPath,
    string Detector = "blazeface-cascade",
    int Limit = 200,
    int Seed = 7,
    string SamplesFolder = SceneBackgrounds.SamplesFolder,
    string? ExamplesFolder = null,
    double TileScale = FogLens.EdgeAgent.Detection.CascadeFaceDetector.DefaultTileScale,
    double ScoreThreshold = 0.6,
    double TrackedScoreThreshold = FogLens.EdgeAgent.Detection.CascadeFaceDetector.DefaultTrackedScoreThreshold,
    bool FlipAverage = false,
    IReadOnlyList<string>? CompareModels = null);
