namespace FogLens.AgeModel.Training;

/// <summary>What a training run produced.</summary>
public sealed record TrainingOutcome(
    int CompletedEpochs, double BestValidationMae, int BestEpoch, string WeightsPath, string ConfigPath, bool StoppedByBudget, int TrainImages, int ValidationImages);
