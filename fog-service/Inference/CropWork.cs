namespace FogLens.FogService.Inference;

/// <summary>A validated face crop waiting for age inference; <see cref="Sequence"/> is its place in the <see cref="CropSpool"/>.</summary>
public sealed record CropWork(string EdgeId, string CameraId, DateTimeOffset CapturedAt, Guid MessageId, ReadOnlyMemory<byte> Jpeg)
{
    public long? Sequence { get; init; }
}
