namespace FogLens.AgeModel.Training;

/// <summary>File names of a model folder (e.g. <c>models/age/</c>) and loading of its network.</summary>
public static class ModelFiles
{
    /// <summary>Architecture and label settings (JSON).</summary>
    public const string Config = "age-net.json";

    /// <summary>TorchSharp weights, for further (federated) training.</summary>
    public const string Weights = "age-net.weights";

    /// <summary>ONNX graph with the same weights (BatchNorm folded), for inference.</summary>
    public const string Onnx = "age-net.onnx";

    /// <summary>int8 ONNX graph (QDQ), for inference with <see cref="AgeModelPrecision.Int8"/>.</summary>
    public const string Int8Onnx = "age-net.int8.onnx";

    /// <summary>
    /// Activation scales of the int8 graph (JSON, <see cref="Training.ActivationScales"/>): those the weights were trained
    /// with under quantisation noise, or a calibration saved by the export, so the int8 graph can be rebuilt exactly.
    /// </summary>
    public const string ScalesFile = "age-net.scales.json";

    /// <summary>The ONNX file of <paramref name="precision"/> beside <paramref name="fp32OnnxPath"/> (age-net.onnx → age-net.int8.onnx).</summary>
    public static string OnnxFor(string fp32OnnxPath, AgeModelPrecision precision)
    {
        ArgumentNullException.ThrowIfNull(fp32OnnxPath);
        return precision switch
        {
            AgeModelPrecision.Fp32 => fp32OnnxPath,
            AgeModelPrecision.Int8 => Path.ChangeExtension(fp32OnnxPath, ".int8.onnx"),
            _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "unknown precision"),
        };
    }

    /// <summary>Checkpoint subfolder of a training output folder.</summary>
    public const string CheckpointFolder = "checkpoint";

    /// <summary>Reads the config and weights of a model folder into a new network (caller disposes).</summary>
    public static AgeNet LoadNetwork(string folder, string? weightsPath = null)
    {
        var configPath = Path.Combine(folder, Config);
        if (!File.Exists(configPath))
        {
            throw new FileNotFoundException($"{configPath} not found: a model folder holds {Config} and {Weights}", configPath);
        }

        var network = new AgeNet(AgeNetConfig.FromJson(File.ReadAllText(configPath)));
        try
        {
            network.load(weightsPath ?? Path.Combine(folder, Weights));
            network.eval();
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The version a model folder is registered as, by the portal (its base) and by a fog (the model it ships with):
    /// the <c>modelVersion</c> of its metrics.json when that is a valid id, else "base". A malformed metrics.json throws
    /// <see cref="System.Text.Json.JsonException"/>.
    /// </summary>
    public static string RegisteredVersion(string folder) => MetricsId(folder, "modelVersion") ?? "base";

    /// <summary>The version a shipped model folder was trained from (metrics.json "parentVersion"), or null.</summary>
    public static string? RegisteredParent(string folder) => MetricsId(folder, "parentVersion");

    /// <summary>A node id stored under <paramref name="key"/> in the folder's metrics.json; null when absent or not a valid id.</summary>
    private static string? MetricsId(string folder, string key)
    {
        var metrics = Path.Combine(folder, "metrics.json");
        if (!File.Exists(metrics))
        {
            return null;
        }

        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(metrics));
        return doc.RootElement.TryGetProperty(key, out var v) && v.GetString() is { } s && Contracts.NodeId.IsValid(s) ? s : null;
    }
}
