namespace FogLens.AgeModel.Training;

/// <summary>Checkpointed progress of a training run, for --resume.</summary>
public sealed record TrainingState(int CompletedEpochs, double BestValidationMae, int BestEpoch, List<EpochRecord> History);
