namespace FogLens.AgeModel.Training;

/// <summary>File names of a model folder (e.g. <c>models/age/</c>).</summary>
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
}
