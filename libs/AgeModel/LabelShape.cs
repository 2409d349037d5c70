namespace FogLens.AgeModel;

/// <summary>How a face's age becomes its training target distribution (<see cref="LabelDistribution"/>).</summary>
public enum LabelShape
{
    /// <summary>Gaussian with a fixed σ, cut at 0 and <see cref="LabelDistribution.MaxAge"/> (age-v1): near the range ends its expectation moves inwards.</summary>
    Gaussian,

    /// <summary>
    /// Gaussian whose σ shrinks to half the distance to the nearer range end (at least
    /// <see cref="LabelDistribution.MinSigma"/>) and whose centre is shifted so the expectation equals the age.
    /// </summary>
    RangeAware,
}
