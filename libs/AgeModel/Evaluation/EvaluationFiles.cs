using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FogLens.AgeModel.Data;

namespace FogLens.AgeModel.Evaluation;

/// <summary>
/// The machine-readable outputs of an evaluation: one line per face (<c>predictions.csv</c>) and the summary
/// (<c>metrics.json</c>: <c>mae</c>, <c>mae_21_60</c>, <c>cs5</c>, and per age group, gender and race the
/// faces, MAE and <c>mean_signed_error</c>).
/// </summary>
public static class EvaluationFiles
{
    public const string PredictionsFile = "predictions.csv";

    public const string MetricsFile = "metrics.json";

    public const string PredictionsHeader = "file,true_age,predicted_age,group,gender,race";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes one CSV line per face: file name, true age (as labelled), predicted age, true age group, gender, race.</summary>
    public static void WritePredictions(EvaluationReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        var c = CultureInfo.InvariantCulture;
        writer.Write(PredictionsHeader);
        writer.Write('\n');
        foreach (var s in report.Samples)
        {
            var group = report.Groups.Groups[report.Groups.IndexOf(LabelDistribution.Clamp(s.Label.Age))].Label;
            writer.Write(string.Create(c, $"{Csv(s.FileName)},{s.Label.Age},{s.PredictedAge:F3},{group},{Name(UtkFaceLabel.GenderNames, s.Label.Gender)},{Name(UtkFaceLabel.RaceNames, s.Label.Race)}\n"));
        }
    }

    /// <summary>The metrics document; <paramref name="extra"/> adds top-level keys (e.g. a parent version).</summary>
    public static string MetricsJson(EvaluationReport report, string model, string modelVersion, string split, IReadOnlyDictionary<string, string>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var root = new JsonObject
        {
            ["model"] = model,
            ["modelVersion"] = modelVersion,
            ["split"] = split,
            ["faces"] = report.Count,
            ["mae"] = Round(report.MeanAbsoluteError, 4),
            ["mae_21_60"] = Round(report.Adults.MeanAbsoluteError, 4),
            ["faces_21_60"] = report.Adults.Count,
            ["mean_signed_error"] = Round(report.MeanSignedError, 4),
            ["cs5"] = Round(report.CumulativeScore5, 4),
            ["groupAccuracy"] = Round(report.GroupAccuracy, 4),
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            root[key] = value;
        }

        // maeByGroup: the shape the portal's model registry reads.
        var maeByGroup = new JsonObject();
        foreach (var g in report.ByGroup)
        {
            maeByGroup[g.Name] = Round(g.MeanAbsoluteError, 3);
        }

        root["maeByGroup"] = maeByGroup;
        root["groups"] = Breakdowns(report.ByGroup);
        root["genders"] = Breakdowns(report.ByGender);
        root["races"] = Breakdowns(report.ByRace);
        return root.ToJsonString(Indented);
    }

    /// <summary>Writes evaluation.md (with the plot), metrics.json and predictions.csv into <paramref name="folder"/>.</summary>
    public static void WriteAll(EvaluationReport report, string folder, string title, string model, string modelVersion, string split, IReadOnlyDictionary<string, string>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(folder);
        EvaluationPlot.Save(report, Path.Combine(folder, "evaluation.png"));
        File.WriteAllText(Path.Combine(folder, "evaluation.md"), report.ToMarkdown(title, "evaluation.png"));
        File.WriteAllText(Path.Combine(folder, MetricsFile), MetricsJson(report, model, modelVersion, split, extra));
        using var csv = new StreamWriter(Path.Combine(folder, PredictionsFile), append: false, new UTF8Encoding(false));
        WritePredictions(report, csv);
    }

    private static JsonObject Breakdowns(IEnumerable<ErrorBreakdown> rows)
    {
        var o = new JsonObject();
        foreach (var r in rows)
        {
            o[r.Name] = new JsonObject
            {
                ["faces"] = r.Count,
                ["mae"] = Round(r.MeanAbsoluteError, 3),
                ["mean_signed_error"] = Round(r.MeanSignedError, 3),
            };
        }

        return o;
    }

    private static double? Round(double value, int digits) => double.IsFinite(value) ? Math.Round(value, digits) : null;

    private static string Name(IReadOnlyList<string> names, int index) => index >= 0 && index < names.Count ? names[index] : index.ToString(CultureInfo.InvariantCulture);

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
