namespace FogLens.AgeModel.Training;

/// <summary>One line of the training history.</summary>
public sealed record EpochRecord(int Epoch, double TrainLoss, double ValidationMae, double LearningRate, double Seconds, bool Best);
