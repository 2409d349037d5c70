using FogLens.AgeModel.Data;

namespace FogLens.AgeModel.Evaluation;

/// <summary>A labelled face and the model's estimate of it.</summary>
public sealed record EvaluationSample(string FileName, UtkFaceLabel Label, double PredictedAge)
{
    /// <summary>Absolute error against the clamped label (the model predicts 0..100).</summary>
    public double AbsoluteError => Math.Abs(SignedError);

    /// <summary>Predicted − true (clamped) age: positive when the model over-estimates.</summary>
    public double SignedError => PredictedAge - LabelDistribution.Clamp(Label.Age);
}
