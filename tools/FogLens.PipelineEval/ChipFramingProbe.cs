using System.Globalization;
using FogLens.AgeModel.Data;
using FogLens.EdgeAgent.Detection;
using OpenCvSharp;

namespace FogLens.PipelineEval;

/// <summary>
/// Measures how UTKFace chips are framed relative to a face detector's box: each chip is pasted whole
/// (side <c>chipSide</c>) into a background photo and the detector runs on a window of twice the chip's
/// side around it (as the edge does around tracked faces). Reports the quartiles of chip side / box
/// side and of the vertical offset of the chip centre above the box centre (in box sides).
/// </summary>
public static class ChipFramingProbe
{
    public static string Measure(IFaceDetector detector, IReadOnlyList<FaceSample> chips, Mat background, int chipSide)
    {
        ArgumentNullException.ThrowIfNull(detector);
        ArgumentNullException.ThrowIfNull(chips);
        ArgumentNullException.ThrowIfNull(background);
        var ratios = new List<double>();
        var above = new List<double>();
        var right = new List<double>();
        var aspect = new List<double>();
        var x = (background.Width - chipSide) / 2;
        var y = (background.Height - chipSide) / 2;
        var window = new Rect(x - (chipSide / 2), y - (chipSide / 2), 2 * chipSide, 2 * chipSide);
        foreach (var sample in chips)
        {
            using var chip = Cv2.ImRead(sample.Path, ImreadModes.Color);
            if (chip.Empty())
            {
                continue;
            }

            using var frame = background.Clone();
            using (var scaled = new Mat())
            {
                Cv2.Resize(chip, scaled, new Size(chipSide, chipSide), 0, 0, InterpolationFlags.Area);
                scaled.CopyTo(new Mat(frame, new Rect(x, y, chipSide, chipSide)));
            }

            var cx = x + (chipSide / 2.0);
            var cy = y + (chipSide / 2.0);
            var best = detector.Detect(frame, window)
                .Where(d => d.CenterX > x && d.CenterX < x + chipSide && d.CenterY > y && d.CenterY < y + chipSide)
                .OrderByDescending(d => d.Score)
                .Take(1)
                .ToList();
            if (best.Count == 0)
            {
                continue;
            }

            var box = best[0];
            var side = Math.Max(box.Width, box.Height);
            ratios.Add(chipSide / side);
            above.Add((box.CenterY - cy) / side);
            right.Add((cx - box.CenterX) / side);
            aspect.Add(box.Height / box.Width);
        }

        var c = CultureInfo.InvariantCulture;
        return string.Create(c, $"{detector.Name}: {ratios.Count}/{chips.Count} chips detected at {chipSide} px; chip side / box side {Quartiles(ratios)}; chip centre above box centre (box sides) {Quartiles(above)}; chip centre right of box centre {Quartiles(right)}; box height / width {Quartiles(aspect)}");
    }

    private static string Quartiles(List<double> values)
    {
        if (values.Count == 0)
        {
            return "–";
        }

        values.Sort();
        double Q(double p) => values[(int)Math.Round(p * (values.Count - 1))];
        return string.Create(CultureInfo.InvariantCulture, $"median {Q(0.5):F3} (quartiles {Q(0.25):F3}–{Q(0.75):F3})");
    }
}
