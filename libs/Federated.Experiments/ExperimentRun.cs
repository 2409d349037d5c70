using System.Text.Json;
using System.Text.Json.Serialization;

namespace FogLens.Federated.Experiments;

/// <summary>A run folder: <c>run.json</c> (options, model size) and <c>rounds.jsonl</c> (one <see cref="RoundRecord"/> per line).</summary>
public sealed record ExperimentRun(ExperimentOptions Options, long ModelParameters, IReadOnlyList<RoundRecord> Rounds)
{
    public const string OptionsFile = "run.json";
    public const string RoundsFile = "rounds.jsonl";

    internal static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public RoundRecord? Last => Rounds.Count == 0 ? null : Rounds[^1];

    /// <summary>Best (lowest) MAE over the rounds, the base model included.</summary>
    public double BestMae => Rounds.Count == 0 ? double.NaN : Rounds.Min(r => r.Mae);

    public static bool Exists(string folder) => File.Exists(Path.Combine(folder, OptionsFile));

    public static ExperimentRun Load(string folder)
    {
        var text = File.ReadAllText(Path.Combine(folder, OptionsFile));
        var header = JsonSerializer.Deserialize<RunHeader>(text, Json)
            ?? throw new InvalidDataException($"{folder}/{OptionsFile} is empty");
        using (var document = JsonDocument.Parse(text))
        {
            if (document.RootElement.TryGetProperty("options", out var options) && !options.TryGetProperty("statisticsErrorFeedback", out _))
            {
                header = header with { Options = header.Options with { StatisticsErrorFeedback = true } }; // logged before issue 17: residuals on statistics
            }
        }

        var rounds = new List<RoundRecord>();
        var path = Path.Combine(folder, RoundsFile);
        if (File.Exists(path))
        {
            var number = 0;
            foreach (var line in File.ReadLines(path))
            {
                number++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                try
                {
                    rounds.Add(JsonSerializer.Deserialize<RoundRecord>(line, Json) ?? throw new InvalidDataException("null record"));
                }
                catch (JsonException ex)
                {
                    throw new InvalidDataException($"{path} line {number} is not a round record: {ex.Message}", ex);
                }
            }
        }

        return new ExperimentRun(header.Options, header.ModelParameters, rounds);
    }

    internal static void WriteHeader(string folder, ExperimentOptions options, long parameters) =>
        File.WriteAllText(Path.Combine(folder, OptionsFile), JsonSerializer.Serialize(new RunHeader(options, parameters), Json));

    internal static void Append(string folder, RoundRecord record) =>
        File.AppendAllText(Path.Combine(folder, RoundsFile), JsonSerializer.Serialize(record, Json) + "\n");

    private sealed record RunHeader(ExperimentOptions Options, long ModelParameters);
}
