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
        command.Subcommands.Add(CreateExport());
        command.Subcommands.Add(CreateEval());
        return command;
    }

    /// <summary>The --data option shared by the dataset-reading commands.</summary>
    internal static Option<DirectoryInfo> DataOption() => new("--data")
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

    private static Command CreateExport()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = $"Model folder with {ModelFiles.Config} and {ModelFiles.Weights}.", Required = true };
        var version = new Option<string>("--version") { Description = "Model version written into the ONNX metadata.", DefaultValueFactory = _ => "v1" };
        var output = new Option<FileInfo?>("--out") { Description = $"ONNX file to write (default: {ModelFiles.Onnx} in the model folder)." };
        var command = new Command("export", "Write the trained network as an ONNX graph (BatchNorm folded) for ONNX Runtime.") { model, version, output };
        command.SetAction(result =>
        {
            var folder = result.GetRequiredValue(model).FullName;
            var path = result.GetValue(output)?.FullName ?? Path.Combine(folder, ModelFiles.Onnx);
            using var network = ModelFiles.LoadNetwork(folder);
            FogLens.AgeModel.Onnx.AgeNetOnnxExporter.Export(network, result.GetRequiredValue(version), path);
            Console.WriteLine($"wrote {path} ({new FileInfo(path).Length:N0} bytes, {network.ParameterCount:N0} parameters)");
            return 0;
        });
        return command;
    }

    private static Command CreateEval()
    {
        var data = DataOption();
        var model = new Option<FileInfo>("--model") { Description = "ONNX age model.", Required = true };
        var split = new Option<string>("--split") { Description = "Which faces: val (validation split), train, or all.", DefaultValueFactory = _ => "val" };
        var limit = new Option<int?>("--limit") { Description = "Evaluate a fixed subset of this many faces." };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for evaluation.md, evaluation.png and metrics.json.", Required = true };
        var title = new Option<string>("--title") { Description = "Report title.", DefaultValueFactory = _ => "Age model evaluation" };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("eval", "Evaluate an ONNX age model: MAE overall, per age group, gender and race; CS(5); confusion matrix; plot.")
        {
            data, model, split, limit, output, title, threads,
        };
        command.SetAction(result =>
        {
            var samples = LoadSplit(result.GetRequiredValue(data), result.GetRequiredValue(split));
            if (result.GetValue(limit) is { } n)
            {
                samples = DatasetSplit.FixedSubset(samples, n);
            }

            using var estimator = new FogLens.AgeModel.Inference.AgeEstimator(result.GetRequiredValue(model).FullName, result.GetValue(threads));
            var report = FogLens.AgeModel.Evaluation.AgeEvaluator.Evaluate(
                estimator, samples, 64, new Progress<int>(done => Console.Write($"\revaluated {done}/{samples.Count}   ")), out var unreadable);
            Console.WriteLine();
            foreach (var issue in unreadable)
            {
                Console.WriteLine($"skipped unreadable image {issue.FileName}: {issue.Problem}");
            }

            var outDir = result.GetRequiredValue(output);
            outDir.Create();
            FogLens.AgeModel.Evaluation.EvaluationPlot.Save(report, Path.Combine(outDir.FullName, "evaluation.png"));
            File.WriteAllText(Path.Combine(outDir.FullName, "evaluation.md"), report.ToMarkdown(result.GetRequiredValue(title), "evaluation.png"));
            File.WriteAllText(Path.Combine(outDir.FullName, "metrics.json"), System.Text.Json.JsonSerializer.Serialize(new
            {
                model = result.GetRequiredValue(model).Name,
                modelVersion = estimator.ModelVersion,
                split = result.GetRequiredValue(split),
                faces = report.Count,
                mae = Math.Round(report.MeanAbsoluteError, 4),
                cs5 = Math.Round(report.CumulativeScore5, 4),
                groupAccuracy = Math.Round(report.GroupAccuracy, 4),
                maeByGroup = report.ByGroup.ToDictionary(g => g.Name, g => g.Count == 0 ? (double?)null : Math.Round(g.MeanAbsoluteError, 3)),
            }, IndentedJson));
            Console.WriteLine($"MAE {report.MeanAbsoluteError:F3} over {report.Count} faces, CS(5) {report.CumulativeScore5:P1}; report in {outDir.FullName}");
            return 0;
        });
        return command;
    }

    /// <summary>Scans the dataset (printing what was skipped) and returns the named side of the standard split: train, val or all.</summary>
    internal static IReadOnlyList<FaceSample> LoadSplit(DirectoryInfo data, string split)
    {
        var scan = UtkFaceDataset.Scan(data.FullName);
        Console.WriteLine(scan.Summary);
        var (train, validation) = DatasetSplit.Split(scan.Samples);
        return split switch
        {
            "train" => train,
            "val" => validation,
            "all" => scan.Samples,
            _ => throw new ArgumentException($"--split must be train, val or all, not '{split}'"),
        };
    }

    private static readonly System.Text.Json.JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    private static int[] ParseInts(string text) =>
        [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture))];
}
