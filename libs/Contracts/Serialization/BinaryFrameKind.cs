namespace FogLens.Contracts.Serialization;

/// <summary>What a binary frame carries; stored in the frame so a frame cannot be misread as another kind.</summary>
public enum BinaryFrameKind : byte
{
    /// <summary>A JPEG face crop with <see cref="Messages.FaceCropMetadata"/>.</summary>
    FaceCrop = 1,

    /// <summary>An encoded model update with <see cref="Messages.ModelUpdateMetadata"/>.</summary>
    ModelUpdate = 2,
}
