namespace FogLens.AgeModel.Training;

/// <summary>
/// Deterministic seed mixing. <see cref="HashCode.Combine{T1, T2}"/> is randomised per process, so it
/// must not derive training seeds: a run would not repeat.
/// </summary>
public static class Seeds
{
    public static int Combine(int a, int b) => Mix(((ulong)(uint)a << 32) | (uint)b);

    public static int Combine(int a, int b, int c) => Combine(Combine(a, b), c);

    /// <summary>SplitMix64 finaliser, folded to 31 bits.</summary>
    private static int Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFF_FFFF);
    }
}
