namespace FogLens.Compression.Wire;

/// <summary>
/// One row of the tensor table. <see cref="A"/> and <see cref="B"/> are codec parameters:
/// SBC μ (signed mean of the kept side); signSGD scale; Q8 minimum and maximum.
/// </summary>
internal struct TensorEntry
{
    public float P;
    public float A;
    public float B;
    public int Count;
    public byte RiceParameter;
    public int PayloadOffset;
    public int PayloadLength;
}
