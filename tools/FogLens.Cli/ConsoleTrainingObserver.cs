using System.Globalization;
using FogLens.AgeModel.Training;
using Spectre.Console;

namespace FogLens.Cli;

/// <summary>
/// Training progress for a terminal: a live progress line when the console is interactive,
/// timestamped log lines (every 10% of an epoch) when output goes to a file.
/// </summary>
internal sealed class ConsoleTrainingObserver(int epochs) : ITrainingObserver
{
    private readonly bool _interactive = AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
    private int _lastDecile = -1;

    public void Message(string text) => Write(text);

    public void LoadingProgress(int done, int total)
    {
        if (_interactive)
        {
            Console.Write($"\rloading images {done}/{total}   ");
            if (done == total)
            {
                Console.WriteLine();
            }
        }
        else if (done == total)
        {
            Write($"loaded {total} images");
        }
    }

    public void StepProgress(int epoch, int stepIndex, int steps, double meanLoss)
    {
        if (_interactive)
        {
            var width = 30;
            var filled = (int)((double)stepIndex / steps * width);
            Console.Write($"\repoch {epoch}/{epochs} [{new string('#', filled)}{new string('.', width - filled)}] {stepIndex}/{steps} loss {meanLoss:F4}   ");
            return;
        }

        var decile = stepIndex * 10 / steps;
        if (decile != _lastDecile && decile % 2 == 0)
        {
            _lastDecile = decile;
            Write($"epoch {epoch}/{epochs}: step {stepIndex}/{steps}, loss {meanLoss:F4}");
        }
    }

    public void EpochCompleted(EpochRecord record)
    {
        if (_interactive)
        {
            Console.WriteLine();
        }

        _lastDecile = -1;
        Write(string.Create(CultureInfo.InvariantCulture,
            $"epoch {record.Epoch}/{epochs}: train loss {record.TrainLoss:F4}, validation MAE {record.ValidationMae:F3}, lr {record.LearningRate:G3}, {record.Seconds:F0} s{(record.Best ? " (best)" : string.Empty)}"));
    }

    private static void Write(string text) =>
        Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {text}");
}
