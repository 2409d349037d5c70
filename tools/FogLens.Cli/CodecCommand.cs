using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using FogLens.Compression;
using Spectre.Console;

namespace FogLens.Cli;

/// <summary>`./foglens codec`: encode a random or given update with every codec and compare sizes.</summary>
internal static class CodecCommand
{
    public static Command Create()
    {
        var parameters = new Option<long>("--params") { Description = "Parameters of the random update.", DefaultValueFactory = _ => 1_000_000 };
        var tensors = new Option<int>("--tensors") { Description = "Tensors the random update is split into.", DefaultValueFactory = _ => 8 };
        var input = new Option<FileInfo?>("--input") { Description = "Encode this file instead: raw little-endian float32 values, one tensor." };
        var model = new Option<DirectoryInfo?>("--model") { Description = "Use the tensor names and shapes of this age-model folder (e.g. models/age), with random values." };
        var sparsity = new Option<double[]>("--sparsity") { Description = "Sparsity p for sparse codecs (repeatable).", DefaultValueFactory = _ => [0.01, 0.001], AllowMultipleArgumentsPerToken = true };
        var codecs = new Option<string[]>("--codec") { Description = "Codecs to try (sbc, topk, dense, signsgd, q8; repeatable).", DefaultValueFactory = _ => [.. UpdateCodecs.Names], AllowMultipleArgumentsPerToken = true };
        var global = new Option<bool>("--global") { Description = "Global instead of per-tensor top-k." };
        var seed = new Option<int>("--seed") { Description = "Seed of the random update.", DefaultValueFactory = _ => 1 };
        var markdown = new Option<FileInfo?>("--markdown") { Description = "Also write the table as Markdown to this file." };
        var command = new Command("codec", "Encode an update with the FogLens codecs and report sizes, bits per parameter and ratios vs dense float32.")
        {
            parameters, tensors, input, model, sparsity, codecs, global, seed, markdown,
        };
        command.SetAction(result =>
        {
            var update = result.GetValue(input) is { } file
                ? LoadRaw(file)
                : result.GetValue(model) is { } folder
                    ? ModelShapedUpdate(folder.FullName, result.GetValue(seed))
                    : RandomUpdate(result.GetValue(parameters), result.GetValue(tensors), result.GetValue(seed));
            var rows = Measure(update, result.GetRequiredValue(codecs), result.GetRequiredValue(sparsity), result.GetValue(global) ? SelectionScope.Global : SelectionScope.PerTensor);
            Render(update, rows);
            if (result.GetValue(markdown) is { } md)
            {
                File.WriteAllText(md.FullName, ToMarkdown(update, rows));
                AnsiConsole.MarkupLine($"wrote {Markup.Escape(md.FullName)}");
            }

            return 0;
        });
        return command;
    }

    internal sealed record Row(string Codec, double? Sparsity, long Bytes, double BitsPerParameter, double BitsPerSent, double Ratio, double? AnalyticBytes, double EncodeMs, double DecodeMs, long Sent);

    internal static List<Row> Measure(IReadOnlyList<UpdateTensor> update, IEnumerable<string> codecs, IEnumerable<double> sparsities, SelectionScope scope)
    {
        var specs = update.Select(u => u.Spec).ToArray();
        var rows = new List<Row>();
        foreach (var name in codecs)
        {
            var id = UpdateCodecs.Parse(name);
            var sparse = id is CodecId.Sbc or CodecId.TopK;
            foreach (var p in sparse ? sparsities : [1.0])
            {
                var codec = UpdateCodecs.Create(id, new CodecOptions { Sparsity = p, Selection = scope });
                var watch = Stopwatch.StartNew();
                var payload = codec.Encode(update, new CodecState());
                var encodeMs = watch.Elapsed.TotalMilliseconds;
                watch.Restart();
                var decoded = UpdateDecoder.Decode(payload, expected: specs);
                var decodeMs = watch.Elapsed.TotalMilliseconds;
                double? analytic = id switch
                {
                    CodecId.Sbc when scope == SelectionScope.PerTensor => UpdateSizes.ExpectedSbcBits(specs, p) / 8,
                    CodecId.TopK when scope == SelectionScope.PerTensor => UpdateSizes.ExpectedTopKBits(specs, p) / 8,
                    CodecId.Dense => UpdateSizes.DenseBits(specs) / 8,
                    CodecId.SignSgd => UpdateSizes.SignSgdBits(specs) / 8,
                    CodecId.Q8 => UpdateSizes.Q8Bits(specs) / 8,
                    _ => null,
                };
                var sent = decoded.SentCount;
                rows.Add(new Row(UpdateCodecs.NameOf(id), sparse ? p : null, payload.Length, decoded.BitsPerParameter,
                    sent == 0 ? 0 : payload.Length * 8.0 / sent, decoded.CompressionRatio, analytic, encodeMs, decodeMs, sent));
            }
        }

        return rows;
    }

    private static void Render(UpdateTensor[] update, List<Row> rows)
    {
        var total = update.Sum(u => (long)u.Values.Length);
        AnsiConsole.MarkupLine($"update: {total:N0} parameters in {update.Length} tensors");
        var table = new Table().AddColumns("codec", "p", "bytes", "bits/param", "bits/sent", "ratio vs dense", "analytic bytes", "encode ms", "decode ms");
        foreach (var r in rows)
        {
            table.AddRow(r.Codec, r.Sparsity?.ToString("G3", CultureInfo.InvariantCulture) ?? "-", r.Bytes.ToString("N0", CultureInfo.InvariantCulture),
                r.BitsPerParameter.ToString("F4", CultureInfo.InvariantCulture), r.BitsPerSent.ToString("F2", CultureInfo.InvariantCulture),
                r.Ratio.ToString("F1", CultureInfo.InvariantCulture), r.AnalyticBytes?.ToString("N0", CultureInfo.InvariantCulture) ?? "-",
                r.EncodeMs.ToString("F1", CultureInfo.InvariantCulture), r.DecodeMs.ToString("F1", CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("[grey]Timings are single runs for orientation; see docs/benchmarks.md for BenchmarkDotNet results.[/]");
    }

    private static string ToMarkdown(UpdateTensor[] update, List<Row> rows)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Update of {update.Sum(u => (long)u.Values.Length):N0} parameters in {update.Length} tensors.\n\n");
        sb.Append("| codec | p | bytes | bits/param | bits per sent value | ratio vs dense | analytic bytes | measured/analytic |\n|---|---|---|---|---|---|---|---|\n");
        foreach (var r in rows)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"| {r.Codec} | {r.Sparsity?.ToString("G3", CultureInfo.InvariantCulture) ?? "-"} | {r.Bytes:N0} | {r.BitsPerParameter:F4} | {r.BitsPerSent:F2} | {r.Ratio:F1} | {(r.AnalyticBytes is { } a ? a.ToString("N0", CultureInfo.InvariantCulture) : "-")} | {(r.AnalyticBytes is { } b ? (r.Bytes / b).ToString("F3", CultureInfo.InvariantCulture) : "-")} |\n");
        }

        return sb.ToString();
    }

    private static UpdateTensor[] RandomUpdate(long parameters, int tensors, int seed)
    {
        var rng = new Random(seed);
        var result = new UpdateTensor[tensors];
        var per = parameters / tensors;
        for (var t = 0; t < tensors; t++)
        {
            var n = t == tensors - 1 ? parameters - (per * (tensors - 1)) : per;
            var values = new float[n];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = SmallGaussian(rng);
            }

            result[t] = new UpdateTensor($"tensor{t}", [checked((int)n)], values);
        }

        return result;
    }

    /// <summary>An update with the age network's tensor names and shapes and Gaussian values (σ = 1e-3).</summary>
    private static UpdateTensor[] ModelShapedUpdate(string folder, int seed)
    {
        using var network = FogLens.AgeModel.Training.ModelFiles.LoadNetwork(folder);
        var rng = new Random(seed);
        var result = new List<UpdateTensor>();
        foreach (var (name, parameter) in network.named_parameters())
        {
            var shape = parameter.shape.Select(d => (int)d).ToArray();
            var values = new float[parameter.numel()];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = SmallGaussian(rng);
            }

            result.Add(new UpdateTensor(name, shape, values));
        }

        return [.. result];
    }

    /// <summary>A normal draw with σ = 1e-3, the scale of one round's weight changes.</summary>
    private static float SmallGaussian(Random rng) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()) * 1e-3);

    private static UpdateTensor[] LoadRaw(FileInfo file)
    {
        var bytes = File.ReadAllBytes(file.FullName);
        if (bytes.Length % 4 != 0 || bytes.Length == 0)
        {
            throw new InvalidDataException($"{file.FullName}: expected raw float32 values (size divisible by 4)");
        }

        var values = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        return [new UpdateTensor(Path.GetFileNameWithoutExtension(file.Name), [values.Length], values)];
    }
}
