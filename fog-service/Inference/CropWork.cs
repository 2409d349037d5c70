using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;

namespace FogLens.FogService.Inference;

/// <summary>A validated face crop waiting for age inference; <see cref="Sequence"/> is its place in the <see cref="CropSpool"/>.</summary>
public sealed record CropWork(string EdgeId, string CameraId, DateTimeOffset CapturedAt, Guid MessageId, ReadOnlyMemory<byte> Jpeg)
{
    public long? Sequence { get; init; }

    /// <summary>The crop's trace (from its header), linked from the batch that infers it.</summary>
    public string? TraceParent { get; init; }

    /// <summary>The work for a parsed face-crop frame.</summary>
    public static CropWork From(BinaryMessage<FaceCropMetadata> crop)
    {
        ArgumentNullException.ThrowIfNull(crop);
        var m = crop.Metadata;
        return new CropWork(m.Header.SenderId, m.CameraId, m.CapturedAt, m.Header.MessageId, crop.Payload) { TraceParent = m.Header.TraceParent };
    }
}
