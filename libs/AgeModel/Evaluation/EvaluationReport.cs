using System.Globalization;
using System.Text;
using FogLens.AgeModel.Data;

namespace FogLens.AgeModel.Evaluation;

/// <summary>
/// Age-estimation metrics: MAE overall and per age group, gender and race; signed error (bias);
/// cumulative score CS(5) (share of faces within 5 years); and the age-group confusion matrix.
/// </summary>
public sealed class EvaluationReport
{
    private EvaluationReport(IReadOnlyList<EvaluationSample> samples, AgeGroupSet groups)
    {
        Samples = samples;
        Groups = groups;
        Count = samples.Count;
        MeanAbsoluteError = samples.Count == 0 ? double.NaN : samples.Average(s => s.AbsoluteError);
        CumulativeScore5 = samples.Count == 0 ? double.NaN : samples.Count(s => s.AbsoluteError <= 5) / (double)samples.Count;
        MeanSignedError = samples.Count == 0 ? double.NaN : samples.Average(s => s.SignedError);
        Adults = Breakdown(AdultRangeName, samples.Where(s => s.Label.Age is >= AdultMinAge and <= AdultMaxAge));
        ByGroup = [.. groups.Groups.Select((g, i) => Breakdown(g.Label, samples.Where(s => groups.IndexOf(LabelDistribution.Clamp(s.Label.Age)) == i)))];
        ByGender = [.. UtkFaceLabel.GenderNames.Select((name, i) => Breakdown(name, samples.Where(s => s.Label.Gender == i)))];
        ByRace = [.. UtkFaceLabel.RaceNames.Select((name, i) => Breakdown(name, samples.Where(s => s.Label.Race == i)))];
        Confusion = new int[groups.Count, groups.Count];
        foreach (var s in samples)
        {
            Confusion[groups.IndexOf(LabelDistribution.Clamp(s.Label.Age)), groups.IndexOf(s.PredictedAge)]++;
        }

        GroupAccuracy = samples.Count == 0 ? double.NaN : Enumerable.Range(0, groups.Count).Sum(i => Confusion[i, i]) / (double)samples.Count;
    }

    /// <summary>Lowest age of the common UTKFace protocol's range (21–60).</summary>
    public const int AdultMinAge = 21;

    /// <summary>Highest age of the common UTKFace protocol's range (21–60).</summary>
    public const int AdultMaxAge = 60;

    private const string AdultRangeName = "21-60";

    public IReadOnlyList<EvaluationSample> Samples { get; }

    public AgeGroupSet Groups { get; }

    public int Count { get; }

    public double MeanAbsoluteError { get; }

    /// <summary>Mean of predicted − true age over all faces (bias).</summary>
    public double MeanSignedError { get; }

    /// <summary>Errors on faces aged 21–60 (the common UTKFace protocol); MAE NaN when there are none.</summary>
    public ErrorBreakdown Adults { get; }

    /// <summary>Share of faces with absolute error ≤ 5 years.</summary>
    public double CumulativeScore5 { get; }

    /// <summary>Share of faces whose predicted group is their true group.</summary>
    public double GroupAccuracy { get; }

    public IReadOnlyList<ErrorBreakdown> ByGroup { get; }

    public IReadOnlyList<ErrorBreakdown> ByGender { get; }

    public IReadOnlyList<ErrorBreakdown> ByRace { get; }

    /// <summary>[true group, predicted group] counts.</summary>
    public int[,] Confusion { get; }

    public static EvaluationReport Create(IReadOnlyList<EvaluationSample> samples, AgeGroupSet groups)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(groups);
        return new EvaluationReport(samples, groups);
    }

    public string ToMarkdown(string title, string? plotFileName = null)
    {
        var md = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        md.Append(c, $"# {title}\n\n");
        md.Append(c, $"| metric | value |\n|---|---|\n| faces | {Count} |\n| MAE (years) | {MeanAbsoluteError:F2} |\n| MAE, ages 21–60 ({Adults.Count} faces) | {(Adults.Count == 0 ? "-" : Adults.MeanAbsoluteError.ToString("F2", c))} |\n| mean signed error | {MeanSignedError:+0.00;-0.00;0.00} |\n| CS(5) | {CumulativeScore5:P1} |\n| age-group accuracy | {GroupAccuracy:P1} |\n\n");
        AppendBreakdown(md, "Per age group", "group", ByGroup);
        AppendBreakdown(md, "Per gender", "gender", ByGender);
        AppendBreakdown(md, "Per race", "race", ByRace);
        md.Append("## Age-group confusion matrix\n\nRows: true group; columns: predicted group.\n\n| true \\ predicted |");
        foreach (var g in Groups.Groups)
        {
            md.Append(c, $" {g.Label} |");
        }

        md.Append('\n').Append("|---|").Append(string.Concat(Enumerable.Repeat("---|", Groups.Count))).Append('\n');
        for (var i = 0; i < Groups.Count; i++)
        {
            md.Append(c, $"| **{Groups.Groups[i].Label}** |");
            for (var j = 0; j < Groups.Count; j++)
            {
                md.Append(c, $" {(i == j ? $"**{Confusion[i, j]}**" : Confusion[i, j].ToString(c))} |");
            }

            md.Append('\n');
        }

        if (plotFileName is not null)
        {
            md.Append(c, $"\n![Predicted vs true age, and MAE per age group]({plotFileName})\n");
        }

        return md.ToString();
    }

    private static void AppendBreakdown(StringBuilder md, string heading, string column, IEnumerable<ErrorBreakdown> rows)
    {
        var c = CultureInfo.InvariantCulture;
        md.Append(c, $"## {heading}\n\n| {column} | faces | MAE | mean signed error |\n|---|---|---|---|\n");
        foreach (var r in rows)
        {
            md.Append(c, $"| {r.Name} | {r.Count} | {(r.Count == 0 ? "-" : r.MeanAbsoluteError.ToString("F2", c))} | {(r.Count == 0 ? "-" : r.MeanSignedError.ToString("+0.00;-0.00;0.00", c))} |\n");
        }

        md.Append('\n');
    }

    private static ErrorBreakdown Breakdown(string name, IEnumerable<EvaluationSample> samples)
    {
        var list = samples.ToList();
        return list.Count == 0
            ? new ErrorBreakdown(name, 0, double.NaN, double.NaN)
            : new ErrorBreakdown(name, list.Count, list.Average(s => s.AbsoluteError), list.Average(s => s.SignedError));
    }
}
