namespace FogLens.AgeModel;

/// <summary>Age estimate for one face.</summary>
/// <param name="ExpectedAge">Expected value of the predicted distribution, in years.</param>
/// <param name="Distribution">Predicted probability per age 0..100.</param>
/// <param name="GroupIndex">Index of the age group containing the expected age.</param>
/// <param name="GroupProbabilities">Probability mass per age group.</param>
public sealed record AgePrediction(double ExpectedAge, float[] Distribution, int GroupIndex, float[] GroupProbabilities);
