namespace FogLens.FogService.Inference;

/// <summary>A validated face crop waiting for age inference.</summary>
public sealed record CropWork(string EdgeId, string CameraId, DateTimeOffset CapturedAt, Guid MessageId, ReadOnlyMemory<byte> Jpeg);
