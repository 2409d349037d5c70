using System.CommandLine;
using FogLens.AgeModel;
using FogLens.AgeModel.Data;
using FogLens.AgeModel.Imaging;
using FogLens.AgeModel.Onnx;
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
        command.Subcommands.Add(CreatePrior());
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
        var labels = new Option<LabelShape>("--labels") { Description = "Target distribution: Gaussian (fixed sigma, cut at 0 and 100; age-v1) or RangeAware (sigma shrinks near the range ends, expectation = age).", DefaultValueFactory = _ => LabelShape.Gaussian };
        var balance = new Option<double>("--balance") { Description = "Power of the loss re-weighting against age imbalance (0 = none, 0.5 = inverse square root of the smoothed age density).", DefaultValueFactory = _ => 0.0 };
        var noise = new Option<bool>("--quantization-noise") { Description = "Fine-tune for int8 inference: fake quantisation of weights and activations in the forward pass (scales recalibrated each epoch)." };
        var calibration = CalibrationOption();
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
        var mixup = new Option<double>("--mixup") { Description = "Mixup α: each batch is blended with a shuffled copy of itself, λ ~ Beta(α, α) (0 = off; 0.2 is common).", DefaultValueFactory = _ => 0.0 };
        var teacher = new Option<FileInfo[]>("--teacher")
        {
            Description = "ONNX age model(s) to distil from (repeat the option): their mean distribution on each augmented input is blended into the target.",
            AllowMultipleArgumentsPerToken = true,
        };
        teacher.AcceptExistingOnly();
        var distill = new Option<double>("--distill-weight") { Description = "Share of the teachers' distribution in the target (0..1).", DefaultValueFactory = _ => 0.5 };

        var command = new Command("train", "Train the label-distribution age CNN with TorchSharp.")
        {
            data, output, epochs, batch, lr, wd, sigma, labels, balance, expectation, noise, calibration, input, widths, convs, dropout, augment, seed, threads, budget, resume, limit, init, mixup, teacher, distill,
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
                BalancePower = result.GetValue(balance),
                QuantizationNoise = result.GetValue(noise),
                CalibrationFaces = result.GetValue(calibration),
                AugmentationStrength = result.GetValue(augment),
                Seed = result.GetValue(seed),
                Threads = result.GetValue(threads),
                TimeBudget = result.GetValue(budget),
                Resume = result.GetValue(resume),
                Limit = result.GetValue(limit),
                InitialWeights = result.GetValue(init)?.FullName,
                MixupAlpha = result.GetValue(mixup),
                Teachers = [.. (result.GetValue(teacher) ?? []).Select(f => f.FullName)],
                DistillationWeight = result.GetValue(distill),
                Network = new AgeNetConfig
                {
                    InputSize = result.GetValue(input),
                    Widths = ParseInts(result.GetRequiredValue(widths)),
                    ConvsPerStage = ParseInts(result.GetRequiredValue(convs)),
                    Dropout = result.GetValue(dropout),
                    Sigma = result.GetValue(sigma),
                    Labels = result.GetValue(labels),
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

    private static Option<int> CalibrationOption() => new("--calibration-faces")
    {
        Description = "Training faces that calibrate the int8 activation scales.",
        DefaultValueFactory = _ => 512,
    };

    private static Command CreateExport()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = $"Model folder with {ModelFiles.Config} and {ModelFiles.Weights}.", Required = true };
        var version = new Option<string>("--version") { Description = "Model version written into the ONNX metadata (a node id: no '.').", DefaultValueFactory = _ => "v1" };
        var parent = new Option<string?>("--parent") { Description = "Version this model was trained from (ONNX metadata foglens.parent_version)." };
        var output = new Option<FileInfo?>("--out") { Description = $"ONNX file to write (default: {ModelFiles.Onnx} in the model folder)." };
        var int8 = new Option<bool>("--int8")
        {
            Description = $"Also write the int8 QDQ graph ({ModelFiles.Int8Onnx} beside the fp32 one), with the scales in {ModelFiles.ScalesFile} if the folder has them (noise-aware training or an earlier calibration), else calibrated on --data's training split and saved there.",
        };
        var data = DataOption();
        var calibration = CalibrationOption();
        var command = new Command("export", "Write the trained network as an ONNX graph (BatchNorm folded) for ONNX Runtime, and optionally its int8 QDQ graph.")
        {
            model, version, parent, output, int8, data, calibration,
        };
        command.SetAction(result =>
        {
            var folder = result.GetRequiredValue(model).FullName;
            var path = result.GetValue(output)?.FullName ?? Path.Combine(folder, ModelFiles.Onnx);
            var id = new AgeModelVersion(result.GetRequiredValue(version), result.GetValue(parent));
            if (id.Version.Contains('.', StringComparison.Ordinal))
            {
                throw new ArgumentException($"--version '{id.Version}' must not contain '.' (model versions are node ids)");
            }

            using var network = ModelFiles.LoadNetwork(folder);
            AgeNetOnnxExporter.Export(network, id, path);
            Console.WriteLine($"wrote {path} ({new FileInfo(path).Length:N0} bytes, {network.ParameterCount:N0} parameters)");
            if (result.GetValue(int8))
            {
                var scalesPath = Path.Combine(folder, ModelFiles.ScalesFile);
                ActivationScales scales;
                if (File.Exists(scalesPath))
                {
                    scales = ActivationScales.FromJson(File.ReadAllText(scalesPath));
                    Console.WriteLine($"int8: scales from {scalesPath} (trained with quantisation noise)");
                }
                else
                {
                    var train = LoadSplit(result.GetRequiredValue(data), "train");
                    var faces = DatasetSplit.FixedSubset(train, Math.Min(train.Count, result.GetValue(calibration)));
                    using var staged = StagedFaceSet.Load(faces, new FacePreprocessor(network.Config.InputSize), Environment.ProcessorCount, null, CancellationToken.None);
                    scales = ActivationScales.Calibrate(network, staged, staged.Count);
                    File.WriteAllText(scalesPath, scales.ToJson());
                    Console.WriteLine($"int8: scales calibrated on {staged.Count} training faces, saved to {scalesPath}");
                }

                var int8Path = ModelFiles.OnnxFor(path, AgeModelPrecision.Int8);
                AgeNetQdqExporter.Export(network, id, scales, int8Path);
                Console.WriteLine($"wrote {int8Path} ({new FileInfo(int8Path).Length:N0} bytes)");
            }

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
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for evaluation.md, evaluation.png, metrics.json and predictions.csv.", Required = true };
        var title = new Option<string>("--title") { Description = "Report title.", DefaultValueFactory = _ => "Age model evaluation" };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var flip = new Option<bool>("--flip") { Description = "Flip test-time augmentation: average each face's distribution with its mirror's (twice the inference)." };
        var command = new Command("eval", "Evaluate an ONNX age model: MAE overall, per age group, gender and race; CS(5); confusion matrix; plot.")
        {
            data, model, split, limit, output, title, threads, flip,
        };
        command.SetAction(result =>
        {
            var samples = LoadSplit(result.GetRequiredValue(data), result.GetRequiredValue(split));
            if (result.GetValue(limit) is { } n)
            {
                samples = DatasetSplit.FixedSubset(samples, n);
            }

            using var estimator = new FogLens.AgeModel.Inference.AgeEstimator(result.GetRequiredValue(model).FullName, result.GetValue(threads)) { FlipAverage = result.GetValue(flip) };
            var report = FogLens.AgeModel.Evaluation.AgeEvaluator.Evaluate(
                estimator, samples, 64, new Progress<int>(done => Console.Write($"\revaluated {done}/{samples.Count}   ")), out var unreadable);
            Console.WriteLine();
            foreach (var issue in unreadable)
            {
                Console.WriteLine($"skipped unreadable image {issue.FileName}: {issue.Problem}");
            }

            var outDir = result.GetRequiredValue(output);
            var extra = new Dictionary<string, string> { ["precision"] = AgeNetOnnxContract.PrecisionValue(estimator.Precision), ["flipAverage"] = estimator.FlipAverage ? "true" : "false" };
            if (estimator.ParentVersion is { } parentVersion)
            {
                extra["parentVersion"] = parentVersion;
            }

            FogLens.AgeModel.Evaluation.EvaluationFiles.WriteAll(
                report, outDir.FullName, result.GetRequiredValue(title), result.GetRequiredValue(model).Name, estimator.ModelVersion, result.GetRequiredValue(split), extra);
            Console.WriteLine(string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"MAE {report.MeanAbsoluteError:F3} over {report.Count} faces (ages 21-60: {report.Adults.MeanAbsoluteError:F3} over {report.Adults.Count}), CS(5) {report.CumulativeScore5:P1}, mean signed error {report.MeanSignedError:+0.00;-0.00;0.00}; report in {outDir.FullName}"));
            return 0;
        });
        return command;
    }

    private static Command CreatePrior()
    {
        var data = DataOption();
        var model = new Option<DirectoryInfo>("--model") { Description = $"Model folder with {ModelFiles.Config} and {ModelFiles.Weights}.", Required = true };
        var also = new Option<DirectoryInfo[]>("--also") { Description = "Further labelled folders with the same file names (e.g. camera crops) whose validation side is reported too.", AllowMultipleArgumentsPerToken = true };
        var taus = new Option<string>("--tau") { Description = "Strengths to compare, comma-separated (0 = as trained, 1 = prior removed).", DefaultValueFactory = _ => "0,0.25,0.5,0.75,1" };
        var apply = new Option<double?>("--apply") { Description = "Write the model with this strength baked into the classifier bias to --out." };
        var output = new Option<DirectoryInfo?>("--out") { Description = "Folder for the adjusted model (with --apply)." };
        var threads = new Option<int>("--threads") { Description = "CPU threads.", DefaultValueFactory = _ => 1 };
        var command = new Command("prior", "Logit adjustment against the training split's age prior: compare strengths on the validation split, or write an adjusted model.")
        {
            data, model, also, taus, apply, output, threads,
        };
        command.SetAction((result, token) =>
        {
            var folder = result.GetRequiredValue(model).FullName;
            var scan = UtkFaceDataset.Scan(result.GetRequiredValue(data).FullName);
            var (train, _) = DatasetSplit.Split(scan.Samples);
            var prior = AgeBalance.Prior(train.Select(s => s.Label.Age));
            var config = AgeNetConfig.FromJson(File.ReadAllText(Path.Combine(folder, ModelFiles.Config)));
            if (result.GetValue(apply) is { } tau)
            {
                var outDir = result.GetValue(output) ?? throw new ArgumentException("--apply needs --out");
                outDir.Create();
                using var network = ModelFiles.LoadNetwork(folder);
                PriorCorrection.Apply(network, PriorCorrection.Offsets(prior, tau));
                network.save(Path.Combine(outDir.FullName, ModelFiles.Weights));
                File.WriteAllText(Path.Combine(outDir.FullName, ModelFiles.Config), config.ToJson());
                Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"wrote {outDir.FullName} with tau {tau} against the prior of {train.Count} training faces"));
                return Task.FromResult(0);
            }

            using var session = new AgeTrainingSession(config, 1e-3, 0, 0, result.GetValue(threads));
            session.LoadWeights(Path.Combine(folder, ModelFiles.Weights));
            var strengths = result.GetRequiredValue(taus).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(t => double.Parse(t, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            var folders = new[] { result.GetRequiredValue(data) }.Concat(result.GetValue(also) ?? []).ToArray();
            var groups = AgeGroupSet.Parse(config.AgeGroups);
            Console.WriteLine($"| data | tau | MAE | MAE 21-60 | CS(5) | signed | {string.Join(" | ", groups.Groups.Select(g => g.Label))} |");
            Console.WriteLine($"|---|---|---|---|---|---|{string.Concat(Enumerable.Repeat("---|", groups.Count))}");
            foreach (var dataFolder in folders)
            {
                var (_, validation) = DatasetSplit.Split(UtkFaceDataset.Scan(dataFolder.FullName).Samples);
                using var staged = StagedFaceSet.Load(validation, new FacePreprocessor(config.InputSize), result.GetValue(threads), null, token);
                var predicted = session.Predict(staged);
                foreach (var t in strengths)
                {
                    var offsets = PriorCorrection.Offsets(prior, t);
                    var samples = new List<FogLens.AgeModel.Evaluation.EvaluationSample>(predicted.Length);
                    for (var i = 0; i < predicted.Length; i++)
                    {
                        var d = (float[])predicted[i].Clone();
                        PriorCorrection.Adjust(d, offsets);
                        samples.Add(new(staged.Samples[i].FileName, staged.Samples[i].Label, LabelDistribution.ExpectedAge(d)));
                    }

                    var r = FogLens.AgeModel.Evaluation.EvaluationReport.Create(samples, groups);
                    Console.WriteLine(string.Create(
                        System.Globalization.CultureInfo.InvariantCulture,
                        $"| {dataFolder.Name} | {t} | {r.MeanAbsoluteError:F3} | {r.Adults.MeanAbsoluteError:F3} | {r.CumulativeScore5:P1} | {r.MeanSignedError:+0.00;-0.00;0.00} | {string.Join(" | ", r.ByGroup.Select(g => g.MeanSignedError.ToString("+0.00;-0.00;0.00", System.Globalization.CultureInfo.InvariantCulture)))} |"));
                }
            }

            return Task.FromResult(0);
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

    private static int[] ParseInts(string text) =>
        [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture))];
}
