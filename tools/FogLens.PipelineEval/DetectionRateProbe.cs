using System.Globalization;
using System.Text;
using FogLens.EdgeAgent.Detection;
using OpenCvSharp;

namespace FogLens.PipelineEval;

/// <summary>
/// How often a detector finds one rendered face in one frame, as a function of how many model-input
/// pixels the face covers: for each visible person of the planned clips, a square window centred on the
/// true face box is cut so that the face spans the given number of input pixels, and the detector runs
/// on it. Tells how far a region must be zoomed for faces of a size to be found.
/// </summary>
public static class DetectionRateProbe
{
    public static string Measure(BlazeFaceDetector detector, IReadOnlyList<ClipPlan> clips, SceneRenderer renderer, IReadOnlyList<int> inputFacePixels, int seed)
    {
        ArgumentNullException.ThrowIfNull(detector);
        ArgumentNullException.ThrowIfNull(clips);
        ArgumentNullException.ThrowIfNull(renderer);
        ArgumentNullException.ThrowIfNull(inputFacePixels);
        var c = CultureInfo.InvariantCulture;
        var hits = new Dictionary<(int Size, int Px), (int Hit, int All)>();
        foreach (var clip in clips)
        {
            for (var f = 0; f < clip.Frames; f += 2)
            {
                using var frame = renderer.Render(clip, f, seed);
                foreach (var person in clip.People)
                {
                    if (!person.IsVisible(f))
                    {
                        continue;
                    }

                    var box = GroundTruth.FaceBox(person, f);
                    foreach (var px in inputFacePixels)
                    {
                        var window = (int)Math.Round(box.Width * detector.InputSize / px);
                        var rect = new Rect((int)(box.CenterX - (window / 2.0)), (int)(box.CenterY - (window / 2.0)), window, window);
                        var found = detector.Detect(frame, rect).Any(d => d.IoU(box) >= GroundTruth.MinIoU);
                        var key = (clip.Size, px);
                        var (hit, all) = hits.GetValueOrDefault(key);
                        hits[key] = (hit + (found ? 1 : 0), all + 1);
                    }
                }
            }
        }

        var md = new StringBuilder();
        md.Append(c, $"{detector.Name} ({detector.InputSize} px input): share of (person, frame) pairs found, by face size in the frame (rows) and face size in the model input (columns)\n\n| frame px |");
        foreach (var px in inputFacePixels)
        {
            md.Append(c, $" {px} px in input |");
        }

        md.Append("\n|---|").Append(string.Concat(Enumerable.Repeat("---|", inputFacePixels.Count))).Append('\n');
        foreach (var size in clips.Select(x => x.Size).Distinct())
        {
            md.Append(c, $"| {size} |");
            foreach (var px in inputFacePixels)
            {
                var (hit, all) = hits.GetValueOrDefault((size, px));
                md.Append(c, $" {(all == 0 ? 0 : (double)hit / all):P0} |");
            }

            md.Append('\n');
        }

        return md.ToString();
    }
}
