using System.CommandLine;
using FogLens.AgeModel.Data;
using FogLens.AgeModel.Training;

namespace FogLens.Cli;

/// <summary>`./foglens age ...`: train, evaluate and export the age model.</summary>
internal static class AgeCommand
{
    public static Command Create()
    {
        var command = new Command("age", "Age model tools: train, eval, export.");
        command.Subcommands.Add(CreateTrain());
        return command;
    }

    private static Option<DirectoryInfo> DataOption() => new("--data")
    {
        Description = $"Labelled UTKFace folder (default: ${UtkFaceDataset.EnvironmentVariable}).",
        DefaultValueFactory = _ => new DirectoryInfo(Environment.GetEnvironmentVariable(UtkFaceDataset.EnvironmentVariable) ?? "datasets/utkface"),
    };

    private static Command CreateTrain()
    {
        var data = DataOption();
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder for weights, config, checkpoints and the log.", Required = true };
        var epochs = new Option<int>("--epochs") { Description = "Epochs (the learning-rate schedule spans them).", DefaultValueFactory = _ => 60 };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 64 };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate (AdamW).", DefaultValueFactory = _ => 3e-3 };
        var wd = new Option<double>("--weight-decay") { Description = "AdamW weight decay.", DefaultValueFactory = _ => 5e-4 };
        var sigma = new Option<double>("--sigma") { Description = "Standard deviation of the label distribution, years.", DefaultValueFactory = _ => 2.5 };
        var expectation = new Option<double>("--expectation-weight") { Description = "Weight of an L1 loss on the expected age added to KL (0 = KL only).", DefaultValueFactory = _ => 0.0 };
        var input = new Option<int>("--input-size") { Description = "Network input side in pixels.", DefaultValueFactory = _ => 64 };
        var widths = new Option<string>("--widths") { Description = "Channels per stage, comma-separated.", DefaultValueFactory = _ => "16,32,64,128,256" };
        var convs = new Option<string>("--convs") { Description = "3x3 conv blocks per stage, comma-separated.", DefaultValueFactory = _ => "1,1,2,3,2" };
        var dropout = new Option<double>("--dropout") { Description = "Dropout before the classifier.", DefaultValueFactory = _ => 0.2 };
        var augment = new Option<float>("--augment") { Description = "Augmentation strength (0 = none).", DefaultValueFactory = _ => 1f };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 42 };
        var threads = new Option<int>("--threads") { Description = "CPU threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var budget = new Option<TimeSpan?>("--time-budget") { Description = "Stop before an epoch would exceed this (e.g. 00:45:00)." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint in --out." };
        var limit = new Option<int?>("--limit") { Description = "Use at most this many training images (quick runs)." };
        var init = new Option<FileInfo?>("--init") { Description = "Start from these weights (fine-tuning)." };

        var command = new Command("train", "Train the label-distribution age CNN with TorchSharp.")
        {
            data, output, epochs, batch, lr, wd, sigma, expectation, input, widths, convs, dropout, augment, seed, threads, budget, resume, limit, init,
        };
        command.SetAction((result, token) =>
        {
            var options = new TrainingOptions
            {
                DataDirectory = result.GetRequiredValue(data).FullName,
                OutputDirectory = result.GetRequiredValue(output).FullName,
                Epochs = result.GetValue(epochs),
                BatchSize = result.GetValue(batch),
                LearningRate = result.GetValue(lr),
                WeightDecay = result.GetValue(wd),
                ExpectationLossWeight = result.GetValue(expectation),
                AugmentationStrength = result.GetValue(augment),
                Seed = result.GetValue(seed),
                Threads = result.GetValue(threads),
                TimeBudget = result.GetValue(budget),
                Resume = result.GetValue(resume),
                Limit = result.GetValue(limit),
                InitialWeights = result.GetValue(init)?.FullName,
                Network = new AgeNetConfig
                {
                    InputSize = result.GetValue(input),
                    Widths = ParseInts(result.GetRequiredValue(widths)),
                    ConvsPerStage = ParseInts(result.GetRequiredValue(convs)),
                    Dropout = result.GetValue(dropout),
                    Sigma = result.GetValue(sigma),
                },
            };
            var observer = new ConsoleTrainingObserver(options.Epochs);
            var outcome = new AgeTrainer(options, observer).Run(token);
            Console.WriteLine($"done: {outcome.CompletedEpochs} epochs, best validation MAE {outcome.BestValidationMae:F3} (epoch {outcome.BestEpoch}); weights {outcome.WeightsPath}"
                + (outcome.StoppedByBudget ? " (stopped by the time budget)" : string.Empty));
            return Task.FromResult(0);
        });
        return command;
    }

    private static int[] ParseInts(string text) =>
        [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture))];
}
