using System.Globalization;
using System.Text;
using System.Text.Json;

namespace FogLens.PipelineEval;

/// <summary>Writes a <see cref="PipelineResult"/> as metrics.json (snake_case keys) and report.md.</summary>
public static class PipelineReport
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string ToJson(PipelineResult result) => JsonSerializer.Serialize(result, Json);

    public static PipelineResult? FromJson(string json) => JsonSerializer.Deserialize<PipelineResult>(json, Json);

    /// <summary>Writes metrics.json and report.md into <paramref name="folder"/>; returns their paths.</summary>
    public static (string Json, string Markdown) Write(PipelineResult result, string folder)
    {
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(folder);
        var json = Path.Combine(folder, "metrics.json");
        var md = Path.Combine(folder, "report.md");
        File.WriteAllText(json, ToJson(result) + "\n");
        File.WriteAllText(md, ToMarkdown(result));
        return (json, md);
    }

    public static string ToMarkdown(PipelineResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.Append("# Camera-to-age pipeline evaluation\n\n");
        md.Append(c, $"Detector `{result.Detector}`, age model `{result.Model}`, seed {result.Seed}: {result.FacesPerSize} validation faces walked at each size ({result.Clips} clips of 640x480 frames). ");
        md.Append(c, $"Edge speed (motion gate + detector + tracker + crop encoding, one thread, this scene mix): **{result.Fps:F0} fps**. ");
        md.Append(c, $"The same faces' aligned chips, straight from the dataset: MAE **{result.AlignedMae:F2}**, signed error {S(result.AlignedSignedError)}.\n\n");
        md.Append("Size is the side of the face's detector-like box in pixels. Recall: people with at least one published track; frame recall: share of (person, visible frame) pairs in which the edge detected the face. MAE, CS(5) and signed error are over the tracks of people (each track as the portal counts it). False tracks: tracks of no labelled person per minute of 25 fps video, overall and apart on photo backgrounds (false detections) and on the vtest.avi background (whose real passers-by are unlabelled faces). Histogram TV: total variation distance between the people's true age groups and the groups of all published tracks.\n\n");
        md.Append("| size | people | tracks | recall | frame recall | duplicates / person | false tracks / min (photos; video) | MAE | CS(5) | signed error | histogram TV | median crop px |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        foreach (var s in result.Sizes.Append(result.Overall))
        {
            md.Append(c, $"| {(s.Size is { } size ? size.ToString(c) : "all")} | {s.People} | {s.Tracks} | {s.Recall:P1} | {P(s.FrameRecall)} | {s.DuplicatesPerPerson:F2} | {s.FalseTracksPerMin:F1} ({F(s.FalseTracksPerMinPhoto, "F1")}; {F(s.FalseTracksPerMinVideo, "F1")}) | {F(s.Mae)} | {P(s.Cs5)} | {S(s.SignedError)} | {s.HistogramTv:F3} | {F(s.MedianCropWidth, "F0")} |\n");
        }

        md.Append("\nSigned error (predicted − true, years) per true age group; tracks in brackets:\n\n| size |");
        var groups = result.Overall.Groups;
        foreach (var g in groups)
        {
            md.Append(c, $" {g.Group} |");
        }

        md.Append("\n|---|");
        md.Append(string.Concat(Enumerable.Repeat("---|", groups.Count)));
        md.Append('\n');
        foreach (var s in result.Sizes.Append(result.Overall))
        {
            md.Append(c, $"| {(s.Size is { } size ? size.ToString(c) : "all")} |");
            foreach (var g in s.Groups)
            {
                md.Append(c, $" {S(g.SignedError)} ({g.Tracks}) |");
            }

            md.Append('\n');
        }

        foreach (var other in result.Comparisons)
        {
            AppendComparison(md, result, other);
        }

        return md.ToString();
    }

    private static void AppendComparison(StringBuilder md, PipelineResult result, ComparedModel other)
    {
        var c = CultureInfo.InvariantCulture;
        md.Append(c, $"\n## Paired comparison: `{other.Model}` against `{result.Model}`\n\n");
        md.Append(c, $"`{other.Path}` aged exactly the same published crops. Tracks of labelled people that both models aged; difference = MAE of `{other.Model}` − MAE of `{result.Model}` on the same tracks, with a 95 % interval from the per-track differences (an interval that excludes 0 is a difference these scenes can tell). Aligned chips of the same faces: MAE **{other.AlignedMae:F2}** (against {result.AlignedMae:F2}), signed error {S(other.AlignedSignedError)}.\n\n");
        md.Append("| size | tracks | MAE | MAE (first) | difference | 95 % interval | CS(5) | CS(5) (first) | signed error |\n|---|---|---|---|---|---|---|---|---|\n");
        foreach (var s in other.Sizes)
        {
            md.Append(c, $"| {(s.Size is { } size ? size.ToString(c) : "all")} | {s.Tracks} | {F(s.Mae)} | {F(s.BaselineMae)} | {S(s.MaeDifference)} | {S(s.DifferenceLow)} to {S(s.DifferenceHigh)} | {P(s.Cs5)} | {P(s.BaselineCs5)} | {S(s.SignedError)} |\n");
        }

        md.Append("\nSigned error per true age group, all sizes (first model in brackets):\n\n|");
        foreach (var g in other.Groups)
        {
            md.Append(c, $" {g.Group} |");
        }

        md.Append("\n|");
        md.Append(string.Concat(Enumerable.Repeat("---|", other.Groups.Count)));
        md.Append("\n|");
        foreach (var g in other.Groups)
        {
            md.Append(c, $" {S(g.SignedError)} ({S(g.BaselineSignedError)}) |");
        }

        md.Append('\n');
    }

    private static string F(double? v, string format = "F2") => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "–";

    private static string P(double? v) => v is { } x ? x.ToString("P1", CultureInfo.InvariantCulture) : "–";

    private static string S(double? v) => v is { } x ? x.ToString("+0.00;−0.00;0.00", CultureInfo.InvariantCulture) : "–";
}
