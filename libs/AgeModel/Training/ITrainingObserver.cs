namespace FogLens.AgeModel.Training;

/// <summary>Receives progress from <see cref="AgeTrainer"/> (a progress bar, a log).</summary>
public interface ITrainingObserver
{
    void Message(string text);

    void LoadingProgress(int done, int total);

    void StepProgress(int epoch, int stepIndex, int steps, double meanLoss);

    void EpochCompleted(EpochRecord record);
}
