using System.Text.Json;
using System.Text.Json.Serialization;

namespace FogLens.AgeModel.Training;

/// <summary>
/// Architecture and label settings of an age network; saved as JSON beside its weights so that a
/// weights file is never read with the wrong shapes.
/// </summary>
public sealed record AgeNetConfig
{
    /// <summary>Side of the square RGB input.</summary>
    public int InputSize { get; init; } = 64;

    /// <summary>Channels of each stage; every stage but the last ends with a 2x2 max-pool.</summary>
    public int[] Widths { get; init; } = [32, 64, 128, 256];

    /// <summary>3x3 conv + BN + ReLU blocks per stage.</summary>
    public int[] ConvsPerStage { get; init; } = [1, 2, 2, 2];

    /// <summary>Dropout before the classifier.</summary>
    public double Dropout { get; init; } = 0.2;

    /// <summary>Standard deviation (years) of the Gaussian label distribution used in training.</summary>
    public double Sigma { get; init; } = 2.5;

    /// <summary>Shape of the training target around the true age (age-v1: <see cref="LabelShape.Gaussian"/>).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<LabelShape>))]
    public LabelShape Labels { get; init; } = LabelShape.Gaussian;

    /// <summary>Age groups used for group probabilities and reports.</summary>
    public string AgeGroups { get; init; } = AgeGroupSet.Default.ToString();

    public void Validate()
    {
        if (Widths.Length == 0 || Widths.Length != ConvsPerStage.Length)
        {
            throw new InvalidOperationException("Widths and ConvsPerStage must be non-empty and of equal length");
        }

        if (Widths.Any(w => w is < 1 or > 1024) || ConvsPerStage.Any(c => c is < 1 or > 8))
        {
            throw new InvalidOperationException("Widths must be in 1..1024 and ConvsPerStage in 1..8");
        }

        if (InputSize % (1 << (Widths.Length - 1)) != 0 || InputSize < 16)
        {
            throw new InvalidOperationException($"InputSize {InputSize} must be at least 16 and divisible by 2^(stages-1)");
        }

        if (!Enum.IsDefined(Labels))
        {
            throw new InvalidOperationException($"Labels must be one of {string.Join(", ", Enum.GetNames<LabelShape>())}");
        }

        if (Dropout is < 0 or >= 1 || Sigma <= 0)
        {
            throw new InvalidOperationException("Dropout must be in [0,1) and Sigma positive");
        }

        _ = AgeGroupSet.Parse(AgeGroups);
    }

    /// <summary>Multiply-accumulate operations of one forward pass (convolutions and classifier).</summary>
    public long MultiplyAccumulates()
    {
        long macs = 0;
        var size = InputSize;
        var inChannels = 3;
        for (var s = 0; s < Widths.Length; s++)
        {
            for (var c = 0; c < ConvsPerStage[s]; c++)
            {
                macs += (long)size * size * inChannels * Widths[s] * 9;
                inChannels = Widths[s];
            }

            if (s < Widths.Length - 1)
            {
                size /= 2;
            }
        }

        return macs + ((long)inChannels * LabelDistribution.Bins);
    }

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static AgeNetConfig FromJson(string json)
    {
        var config = JsonSerializer.Deserialize<AgeNetConfig>(json, Options) ?? throw new InvalidDataException("empty age network config");
        config.Validate();
        return config;
    }

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}
