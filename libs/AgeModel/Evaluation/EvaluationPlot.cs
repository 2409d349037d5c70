using System.Globalization;
using OpenCvSharp;

namespace FogLens.AgeModel.Evaluation;

/// <summary>Draws the evaluation figure with OpenCV: predicted vs true age (left) and MAE per age group (right).</summary>
public static class EvaluationPlot
{
    private const int Width = 1200;
    private const int Height = 560;
    private const int Margin = 60;

    public static void Save(EvaluationReport report, string path)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var image = new Mat(Height, Width, MatType.CV_8UC3, Scalar.White);
        DrawScatter(image, report, new Rect(Margin, 40, 500, 460));
        DrawBars(image, report, new Rect(Width / 2 + Margin, 40, 500, 460));
        if (!Cv2.ImWrite(path, image))
        {
            throw new IOException($"could not write {path}");
        }
    }

    private static void DrawScatter(Mat image, EvaluationReport report, Rect area)
    {
        Cv2.Rectangle(image, area, Scalar.Black, 1);
        Point ToPixel(double trueAge, double predicted) => new(
            area.X + (int)(Math.Clamp(trueAge, 0, 100) / 100 * area.Width),
            area.Bottom - (int)(Math.Clamp(predicted, 0, 100) / 100 * area.Height));
        foreach (var s in report.Samples)
        {
            Cv2.Circle(image, ToPixel(LabelDistribution.Clamp(s.Label.Age), s.PredictedAge), 2, new Scalar(180, 110, 30), -1, LineTypes.AntiAlias);
        }

        Cv2.Line(image, ToPixel(0, 0), ToPixel(100, 100), new Scalar(0, 0, 200), 1, LineTypes.AntiAlias);
        for (var age = 0; age <= 100; age += 20)
        {
            Text(image, age.ToString(CultureInfo.InvariantCulture), new Point(ToPixel(age, 0).X - 8, area.Bottom + 18));
            Text(image, age.ToString(CultureInfo.InvariantCulture), new Point(area.X - 32, ToPixel(0, age).Y + 5));
        }

        Text(image, string.Create(CultureInfo.InvariantCulture, $"predicted vs true age (n={report.Count}, MAE {report.MeanAbsoluteError:F2})"), new Point(area.X, area.Y - 12));
        Text(image, "true age", new Point(area.X + (area.Width / 2) - 30, area.Bottom + 40));
    }

    private static void DrawBars(Mat image, EvaluationReport report, Rect area)
    {
        Cv2.Rectangle(image, area, Scalar.Black, 1);
        var groups = report.ByGroup;
        var max = Math.Max(1, groups.Where(g => g.Count > 0).Select(g => g.MeanAbsoluteError).DefaultIfEmpty(1).Max() * 1.15);
        var slot = area.Width / groups.Count;
        for (var i = 0; i < groups.Count; i++)
        {
            var g = groups[i];
            if (g.Count == 0)
            {
                continue;
            }

            var h = (int)(g.MeanAbsoluteError / max * area.Height);
            var x = area.X + (i * slot) + 6;
            Cv2.Rectangle(image, new Rect(x, area.Bottom - h, slot - 12, h), new Scalar(60, 160, 60), -1);
            Text(image, g.MeanAbsoluteError.ToString("F1", CultureInfo.InvariantCulture), new Point(x, area.Bottom - h - 6));
            Text(image, g.Name, new Point(x, area.Bottom + 18));
        }

        Text(image, "MAE (years) per true age group", new Point(area.X, area.Y - 12));
    }

    private static void Text(Mat image, string text, Point at) =>
        Cv2.PutText(image, text, at, HersheyFonts.HersheySimplex, 0.45, Scalar.Black, 1, LineTypes.AntiAlias);
}
