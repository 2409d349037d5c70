namespace FogLens.Contracts.Messages;

/// <summary>A face box in frame pixel coordinates.</summary>
public sealed record FaceBox(int X, int Y, int Width, int Height);
