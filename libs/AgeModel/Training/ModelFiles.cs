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
}
