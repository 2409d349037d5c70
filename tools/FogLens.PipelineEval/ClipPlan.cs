namespace FogLens.PipelineEval;

/// <summary>
/// One short camera clip: a background (a still photo or consecutive frames of a busy video), the
/// people walking through it, and the camera's own degradations applied to every frame.
/// </summary>
/// <param name="Index">Clip number (also its random seed offset).</param>
/// <param name="Size">Face box side of its people (pixels), the size bucket it is scored in.</param>
/// <param name="Background">Index into the background photos, or -1 for the video.</param>
/// <param name="VideoStart">First video frame used as background when <paramref name="Background"/> is -1.</param>
/// <param name="Frames">Frames in the clip.</param>
/// <param name="People">The people walking through.</param>
/// <param name="Gain">Global light level (1 = as recorded; below 1 is a dim scene).</param>
/// <param name="NoiseSigma">Standard deviation of the sensor noise, in 8-bit levels.</param>
/// <param name="JpegQuality">Quality of the camera's JPEG compression of each frame.</param>
public sealed record ClipPlan(
    int Index,
    int Size,
    int Background,
    int VideoStart,
    int Frames,
    IReadOnlyList<PersonPlan> People,
    double Gain,
    double NoiseSigma,
    int JpegQuality);
