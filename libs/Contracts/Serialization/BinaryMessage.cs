using FogLens.Contracts.Messages;

namespace FogLens.Contracts.Serialization;

/// <summary>A decoded binary frame: validated metadata and the raw payload (a slice of the frame, not a copy).</summary>
public sealed record BinaryMessage<TMetadata>(TMetadata Metadata, ReadOnlyMemory<byte> Payload)
    where TMetadata : class, IFogLensMessage;
