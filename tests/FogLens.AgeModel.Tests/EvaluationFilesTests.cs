using System.Globalization;
using System.Text.Json;
using FogLens.AgeModel.Data;
using FogLens.AgeModel.Evaluation;

namespace FogLens.AgeModel.Tests;

public sealed class EvaluationFilesTests
{
    // Ages 1 (+2), 25 (−4), 40 (+6), 60 (−1), 61 (−10), 20 (+3): 21–60 holds 25, 40 and 60.
    private static readonly EvaluationSample[] Samples =
    [
        new("1_0_2_a.jpg", new UtkFaceLabel(1, 0, 2), 3),
        new("25_1_0_b.jpg", new UtkFaceLabel(25, 1, 0), 21),
        new("40_0_1_c.jpg", new UtkFaceLabel(40, 0, 1), 46),
        new("60_1_3_d.jpg", new UtkFaceLabel(60, 1, 3), 59),
        new("61_0_4_e.jpg", new UtkFaceLabel(61, 0, 4), 51),
        new("20_1_0_f.jpg", new UtkFaceLabel(20, 1, 0), 23),
    ];

    [Fact]
    public void Report_Adults_CountsOnlyAges21To60()
    {
        var report = EvaluationReport.Create(Samples, AgeGroupSet.Default);

        Assert.Equal(3, report.Adults.Count);
        Assert.Equal((4 + 6 + 1) / 3.0, report.Adults.MeanAbsoluteError, 9);
        Assert.Equal(26 / 6.0, report.MeanAbsoluteError, 9);
        Assert.Equal((2 - 4 + 6 - 1 - 10 + 3) / 6.0, report.MeanSignedError, 9);
        Assert.Contains("| MAE, ages 21–60 (3 faces) | 3.67 |", report.ToMarkdown("t"), StringComparison.Ordinal);
    }

    [Fact]
    public void WritePredictions_OneLinePerFaceWithGroupGenderRace()
    {
        var report = EvaluationReport.Create(Samples, AgeGroupSet.Default);
        using var writer = new StringWriter(CultureInfo.InvariantCulture);

        EvaluationFiles.WritePredictions(report, writer);

        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(EvaluationFiles.PredictionsHeader, lines[0]);
        Assert.Equal(Samples.Length + 1, lines.Length);
        Assert.Equal("1_0_2_a.jpg,1,3.000,0-2,male,Asian", lines[1]);
        Assert.Equal("61_0_4_e.jpg,61,51.000,60-69,male,Others", lines[5]);
    }

    [Fact]
    public void MetricsJson_HasProtocolKeysAndSignedErrorPerGroup()
    {
        var report = EvaluationReport.Create(Samples, AgeGroupSet.Default);

        using var doc = JsonDocument.Parse(EvaluationFiles.MetricsJson(report, "m.onnx", "age-v9", "val", new Dictionary<string, string> { ["parentVersion"] = "age-v8" }));

        var root = doc.RootElement;
        Assert.Equal(Math.Round(26 / 6.0, 4), root.GetProperty("mae").GetDouble());
        Assert.Equal(Math.Round(11 / 3.0, 4), root.GetProperty("mae_21_60").GetDouble());
        Assert.Equal(Math.Round(4 / 6.0, 4), root.GetProperty("cs5").GetDouble()); // errors 2, 4, 1, 3 are within 5 years
        Assert.Equal("age-v8", root.GetProperty("parentVersion").GetString());
        var groups = root.GetProperty("groups");
        Assert.Equal(2.0, groups.GetProperty("0-2").GetProperty("mean_signed_error").GetDouble());
        Assert.Equal(-5.5, groups.GetProperty("60-69").GetProperty("mean_signed_error").GetDouble());
        Assert.Equal(6.0, groups.GetProperty("40-49").GetProperty("mean_signed_error").GetDouble());
        Assert.Equal(JsonValueKind.Null, groups.GetProperty("70+").GetProperty("mean_signed_error").ValueKind);
        Assert.Equal(2.0, root.GetProperty("maeByGroup").GetProperty("0-2").GetDouble());
        Assert.Equal(2, root.GetProperty("races").GetProperty("White").GetProperty("faces").GetInt32());
    }
}
