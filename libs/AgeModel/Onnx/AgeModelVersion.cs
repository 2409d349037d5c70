namespace FogLens.AgeModel.Onnx;

/// <summary>The version an exported model carries in its metadata, and the version it was trained from.</summary>
public sealed record AgeModelVersion(string Version, string? Parent = null);
