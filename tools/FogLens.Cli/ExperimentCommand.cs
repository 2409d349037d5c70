using System.CommandLine;
using FogLens.AgeModel.Data;
using FogLens.Federated;
using FogLens.Federated.Experiments;
using FogLens.Launch;

namespace FogLens.Cli;

/// <summary>`./foglens experiment fl|report`: simulated federated runs on the shared dataset and their report.</summary>
internal static class ExperimentCommand
{
    public static Command Create()
    {
        var command = new Command("experiment", "Federated-learning experiments: run simulated fogs, then write the results report.");
        command.Subcommands.Add(CreateRun());
        command.Subcommands.Add(CreateReport());
        command.Subcommands.Add(CreateImport());
        return command;
    }

    private static Command CreateRun()
    {
        var defaults = new ExperimentOptions();
        var data = AgeCommand.DataOption();
        var baseModel = new Option<DirectoryInfo>("--base") { Description = "Model folder to start from.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(RepoLayout.Root, "models", "age")) };
        var runs = RunsOption("Folder for run folders.");
        var name = new Option<string?>("--name") { Description = "Run name (default: made from the options)." };
        var fogs = new Option<int>("--fogs") { Description = "Simulated fogs.", DefaultValueFactory = _ => defaults.Fogs };
        var partition = new Option<string>("--partition") { Description = "iid, dirichlet, age-skew or race-skew.", DefaultValueFactory = _ => defaults.Partition };
        var alpha = new Option<double>("--alpha") { Description = "Dirichlet concentration.", DefaultValueFactory = _ => defaults.Alpha };
        var rounds = new Option<int>("--rounds") { Description = "Federated rounds.", DefaultValueFactory = _ => defaults.Rounds };
        var codec = new Option<string>("--codec") { Description = "sbc, dense, topk, signsgd or q8.", DefaultValueFactory = _ => defaults.Codec };
        var sparsity = new Option<double>("--sparsity") { Description = "Fraction kept by sparse codecs.", DefaultValueFactory = _ => defaults.Sparsity };
        var global = new Option<bool>("--global-topk") { Description = "Select top-k over the whole model instead of per tensor." };
        var epochs = new Option<int>("--local-epochs") { Description = "Local epochs per round (communication delay).", DefaultValueFactory = _ => defaults.LocalEpochs };
        var batch = new Option<int>("--batch") { Description = "Local batch size.", DefaultValueFactory = _ => defaults.BatchSize };
        // Defaults from the site-shift ablation (docs/federated-results-site-shift.md): fine-tune the classifier with a
        // local learning rate of 1e-2 and send small tensors (its bias) densely. ExperimentOptions keeps the earlier
        // values as its own defaults so that run.json files written before them read as what they ran.
        var lr = new Option<double>("--lr") { Description = "Local learning rate (AdamW, fresh each round).", DefaultValueFactory = _ => 0.01 };
        var mode = new Option<string>("--mode") { Description = "sync (late updates dropped) or async (applied later, staleness-weighted).", DefaultValueFactory = _ => defaults.Mode };
        var straggler = new Option<double>("--straggler-rate") { Description = "Probability that each straggler fog misses a round's deadline.", DefaultValueFactory = _ => defaults.StragglerRate };
        var stragglers = new Option<int>("--stragglers") { Description = "How many fogs (the first ones) may miss deadlines.", DefaultValueFactory = _ => defaults.Stragglers };
        var energyBound = new Option<bool>("--energy-bound") { Description = "Async: scale each round's step to at most the running estimate of the synchronous step energy (GEM)." };
        var seed = new Option<int>("--seed") { Description = "Seed for partition, shuffles and stragglers.", DefaultValueFactory = _ => defaults.Seed };
        var threads = new Option<int>("--threads") { Description = "Torch threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var trainLimit = new Option<int?>("--train-limit") { Description = "Use a fixed subset of this many training faces (quick runs)." };
        var valLimit = new Option<int?>("--val-limit") { Description = "Evaluate on a fixed subset of this many validation faces." };
        var scenario = new Option<string>("--scenario") { Description = "site-shift (the harness trains a base with few children and elderly; each fog holds one site's faces, mostly children and elderly, split into local train and test) or uniform (--base fine-tuned on the training split).", DefaultValueFactory = _ => SiteShiftScenario.SiteShift };
        var baseEpochs = new Option<int>("--base-epochs") { Description = "site-shift: epochs of the base model's training (cached beside the runs).", DefaultValueFactory = _ => defaults.BaseEpochs };
        var trainable = new Option<string>("--trainable") { Description = "Layers the fogs fine-tune: all, last-blocks or head.", DefaultValueFactory = _ => "head" };
        var trainableBlocks = new Option<int>("--trainable-blocks") { Description = "Conv blocks (from the end) trained with --trainable last-blocks.", DefaultValueFactory = _ => defaults.TrainableBlocks };
        var serverOptimizer = new Option<string>("--server-optimizer") { Description = "sgd (FedAvg / FedAvgM) or adam (FedAdam).", DefaultValueFactory = _ => defaults.ServerOptimizer };
        var serverLr = new Option<double>("--server-lr") { Description = "Server learning rate.", DefaultValueFactory = _ => defaults.ServerLearningRate };
        var serverMomentum = new Option<double>("--server-momentum") { Description = "Server momentum (FedAvgM; β₁ for adam).", DefaultValueFactory = _ => defaults.ServerMomentum };
        var denseMax = new Option<int>("--dense-max-elements") { Description = "Sparse codecs send tensors of at most this many elements (biases, BatchNorm) densely; 0: none.", DefaultValueFactory = _ => 1024 };
        var clientMomentum = new Option<double>("--client-momentum") { Description = "DGC momentum correction with momentum-factor masking on the fogs; 0: off.", DefaultValueFactory = _ => defaults.ClientMomentum };
        var clientClip = new Option<double>("--client-clip") { Description = "DGC local clipping of each fog's update to this L2 norm; 0: off.", DefaultValueFactory = _ => defaults.ClientClipNorm };
        var byzantine = new Option<int>("--byzantine") { Description = "How many fogs (the last ones) attack; 0: none.", DefaultValueFactory = _ => defaults.Byzantine };
        var attack = new Option<string>("--attack") { Description = "scale (×50), signflip (×−4), noise (10× RMS) or claim-samples (sign-flipped, claiming int.MaxValue samples).", DefaultValueFactory = _ => defaults.Attack };
        var aggregator = new Option<string>("--aggregator") { Description = "fedavg (sample-weighted, weights capped by --max-samples), trimmed-mean or median.", DefaultValueFactory = _ => defaults.Aggregator };
        var trim = new Option<double>("--trim") { Description = "trimmed-mean: fraction dropped at each end per coordinate.", DefaultValueFactory = _ => defaults.TrimFraction };
        var relativeCap = new Option<double>("--relative-cap") { Description = "FedAvg: no update weighs more than this many times the round's median claimed sample count; 0: off (the portal's default is 3).", DefaultValueFactory = _ => defaults.RelativeSampleCap };
        var clip = new Option<double>("--clip") { Description = "Server-side clipping of each update to this L2 norm (the sensitivity with --dp-epsilon).", DefaultValueFactory = _ => defaults.ClipNorm };
        var dpEpsilon = new Option<double>("--dp-epsilon") { Description = "Client-level differential privacy: the noise multiplier that gives this ε after --rounds rounds at δ = 1e-5 (DP-FedAvg, unit weights, noise z·clip on the sum); 0: off.", DefaultValueFactory = _ => 0 };
        var maxSamples = new Option<int>("--max-samples") { Description = "The most samples one update weighs in FedAvg.", DefaultValueFactory = _ => defaults.MaxSamplesPerUpdate };
        var warmup = new Option<int>("--warmup-rounds") { Description = "DGC sparsity warm-up: rounds from --warmup-start down to --sparsity; 0: off.", DefaultValueFactory = _ => defaults.WarmupRounds };
        var warmupStart = new Option<double>("--warmup-start") { Description = "Fraction kept in the first warm-up round.", DefaultValueFactory = _ => defaults.WarmupStartSparsity };
        var statisticsFeedback = new Option<bool>("--statistics-error-feedback") { Description = "Keep residuals for BatchNorm running statistics too (the behaviour before issue 17; they are states, not increments)." };
        var freezeStatistics = new Option<bool>("--freeze-statistics") { Description = "Fogs send no change of the BatchNorm running statistics (the global model keeps its own)." };
        var broadcast = new Option<string>("--broadcast") { Description = "How new global models reach the fogs: full (the whole model every round) or a codec (topk, stc) for compressed deltas against the model the fogs hold.", DefaultValueFactory = _ => defaults.Broadcast };
        var broadcastSparsity = new Option<double>("--broadcast-sparsity") { Description = "Fraction kept by a sparse --broadcast codec.", DefaultValueFactory = _ => defaults.BroadcastSparsity };
        var broadcastGap = new Option<double>("--broadcast-max-gap") { Description = "Delta broadcast: raise the sparsity tenfold until the held model is within this relative distance of the global one; 0: fixed sparsity.", DefaultValueFactory = _ => defaults.BroadcastMaxGap };
        var lrDecay = new Option<double>("--lr-decay") { Description = "Local learning rate of round r: --lr × decay^(r−1); 1: constant.", DefaultValueFactory = _ => defaults.LearningRateDecay };
        var command = new Command("fl", "Fine-tune the base age model federatedly on simulated fogs (site-shift scenario by default); writes run.json, rounds.jsonl and summary.json, checkpoints every round and resumes.")
        {
            data, baseModel, runs, name, fogs, partition, alpha, rounds, codec, sparsity, global, epochs, batch, lr, mode, straggler, stragglers, energyBound, seed, threads, trainLimit, valLimit,
            scenario, baseEpochs, trainable, trainableBlocks, serverOptimizer, serverLr, serverMomentum, denseMax, clientMomentum, clientClip, byzantine, attack, aggregator, trim, maxSamples, relativeCap, clip, dpEpsilon, warmup, warmupStart, statisticsFeedback, freezeStatistics, broadcast, broadcastSparsity, broadcastGap, lrDecay,
        };
        command.Aliases.Add("run");
        command.SetAction((result, cancellationToken) =>
        {
            var options = new ExperimentOptions
            {
                Fogs = result.GetValue(fogs),
                Partition = result.GetRequiredValue(partition),
                Alpha = result.GetValue(alpha),
                Rounds = result.GetValue(rounds),
                Codec = result.GetRequiredValue(codec),
                Sparsity = result.GetValue(sparsity),
                GlobalSelection = result.GetValue(global),
                LocalEpochs = result.GetValue(epochs),
                BatchSize = result.GetValue(batch),
                LearningRate = result.GetValue(lr),
                Mode = result.GetRequiredValue(mode),
                StragglerRate = result.GetValue(straggler),
                Stragglers = result.GetValue(stragglers),
                EnergyBounded = result.GetValue(energyBound),
                Seed = result.GetValue(seed),
                Threads = result.GetValue(threads),
                TrainLimit = result.GetValue(trainLimit),
                ValidationLimit = result.GetValue(valLimit),
                Scenario = result.GetRequiredValue(scenario),
                BaseEpochs = result.GetValue(baseEpochs),
                Trainable = result.GetRequiredValue(trainable),
                TrainableBlocks = result.GetValue(trainableBlocks),
                ServerOptimizer = result.GetRequiredValue(serverOptimizer),
                ServerLearningRate = result.GetValue(serverLr),
                ServerMomentum = result.GetValue(serverMomentum),
                DenseMaxElements = result.GetValue(denseMax),
                ClientMomentum = result.GetValue(clientMomentum),
                ClientClipNorm = result.GetValue(clientClip),
                Byzantine = result.GetValue(byzantine),
                Attack = result.GetRequiredValue(attack),
                Aggregator = result.GetRequiredValue(aggregator),
                TrimFraction = result.GetValue(trim),
                MaxSamplesPerUpdate = result.GetValue(maxSamples),
                ClipNorm = result.GetValue(clip),
                RelativeSampleCap = result.GetValue(relativeCap),
                NoiseMultiplier = result.GetValue(dpEpsilon) > 0 ? Math.Round(PrivacyAccountant.NoiseMultiplierFor(result.GetValue(dpEpsilon), result.GetValue(rounds), 1e-5), 3) : 0,
                WarmupRounds = result.GetValue(warmup),
                WarmupStartSparsity = result.GetValue(warmupStart),
                StatisticsErrorFeedback = result.GetValue(statisticsFeedback),
                FreezeStatistics = result.GetValue(freezeStatistics),
                Broadcast = result.GetRequiredValue(broadcast),
                BroadcastSparsity = result.GetValue(broadcastSparsity),
                LearningRateDecay = result.GetValue(lrDecay),
                BroadcastMaxGap = result.GetValue(broadcastGap),
            };
            options = options with { Name = result.GetValue(name) ?? DefaultName(options) };
            options.Validate();
            var (train, validation) = DatasetSplit.Split(UtkFaceDataset.Scan(result.GetRequiredValue(data).FullName).Samples);
            var folder = Path.Combine(result.GetRequiredValue(runs).FullName, options.Name);
            Console.WriteLine($"run {options.Name} → {folder}");
            var simulation = new FederatedSimulation(options, result.GetRequiredValue(baseModel).FullName, folder, line => Console.WriteLine($"{DateTime.Now:HH:mm:ss} {line}"));
            ExperimentRun run;
            try
            {
                run = simulation.Run(train, validation, cancellationToken);
            }
            catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return Task.FromResult(1);
            }

            Console.WriteLine($"done: MAE {run.Rounds[0].Metric:F3} → {run.Last!.Metric:F3} ({(options.HasSites ? "sites" : "validation")}; validation {run.Rounds[0].Mae:F3} → {run.Last.Mae:F3}), upload {run.Last.CumulativeUploadBytes:N0} bytes vs {run.Last.CumulativeDenseUploadBytes:N0} dense");
            return Task.FromResult(0);
        });
        return command;
    }

    private static Command CreateReport()
    {
        var runs = RunsOption("Folder of run folders.");
        var output = new Option<FileInfo>("--out") { Description = "Markdown report (plots are written beside it).", DefaultValueFactory = _ => new FileInfo(Path.Combine(RepoLayout.Root, "docs", "federated-results.md")) };
        var command = new Command("report", "Write the results table and plots (MAE per round, MAE vs cumulative upload) from run logs; NOTES.md in the runs folder is included after the tables.") { runs, output };
        command.SetAction(result =>
        {
            var folders = RunFolders(result.GetRequiredValue(runs));
            if (folders.Count == 0)
            {
                return 1;
            }

            folders = [.. folders.Where(f => ExperimentRun.Load(f).Rounds.Count > 0)]; // a run that has not logged its base yet
            var loaded = folders.Select(ExperimentRun.Load).ToList();
            var path = result.GetRequiredValue(output).FullName;
            var notesPath = Path.Combine(result.GetRequiredValue(runs).FullName, "NOTES.md");
            for (var i = 0; i < loaded.Count; i++)
            {
                RunSummary.Compute(loaded[i], RunSummary.FindReference(loaded, loaded[i])).Save(folders[i]);
            }

            ExperimentReport.Write(loaded, path, File.Exists(notesPath) ? File.ReadAllText(notesPath) : null);
            Console.WriteLine(ExperimentReport.SummaryTable(loaded));
            Console.WriteLine($"wrote {path} and each run's {RunSummary.FileName} from {loaded.Count} runs");
            return 0;
        });
        return command;
    }

    private static Command CreateImport()
    {
        var runs = RunsOption("Folder of run folders.");
        var portal = new Option<string>("--portal") { Description = "Portal URL.", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var user = new Option<string>("--user") { Description = "Admin user.", DefaultValueFactory = _ => "admin" };
        var command = new Command("import", "Import run logs into the portal so its Training page shows the runs side by side (password from $FOGLENS_PASSWORD).") { runs, portal, user };
        command.SetAction(async (result, cancellationToken) =>
        {
            var password = Environment.GetEnvironmentVariable("FOGLENS_PASSWORD");
            if (string.IsNullOrEmpty(password))
            {
                Console.Error.WriteLine("set FOGLENS_PASSWORD to the password of --user");
                return 2;
            }

            using var http = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() }) { BaseAddress = new Uri(result.GetRequiredValue(portal)) };
            var login = await http.PostAsync("/api/auth/login", JsonContent(new { name = result.GetRequiredValue(user), password }), cancellationToken);
            if (!login.IsSuccessStatusCode)
            {
                Console.Error.WriteLine($"login failed: {(int)login.StatusCode}");
                return 1;
            }

            var folders = RunFolders(result.GetRequiredValue(runs));
            if (folders.Count == 0)
            {
                return 1;
            }

            var failed = 0;
            foreach (var folder in folders)
            {
                var body = new
                {
                    run = await File.ReadAllTextAsync(Path.Combine(folder, ExperimentRun.OptionsFile), cancellationToken),
                    rounds = await File.ReadAllTextAsync(Path.Combine(folder, ExperimentRun.RoundsFile), cancellationToken),
                };
                var response = await http.PostAsync("/api/experiments", JsonContent(body), cancellationToken);
                Console.WriteLine($"{Path.GetFileName(folder)}: {(response.IsSuccessStatusCode ? "imported" : $"refused ({(int)response.StatusCode}) {await response.Content.ReadAsStringAsync(cancellationToken)}")}");
                failed += response.IsSuccessStatusCode ? 0 : 1;
            }

            return failed == 0 ? 0 : 1;
        });
        return command;
    }

    private static StringContent JsonContent(object value) =>
        new(System.Text.Json.JsonSerializer.Serialize(value), System.Text.Encoding.UTF8, "application/json");

    /// <summary>The run folders under <paramref name="runs"/>, in name order; says so on stderr when there are none.</summary>
    private static List<string> RunFolders(DirectoryInfo runs)
    {
        List<string> folders = runs.Exists ? [.. Directory.GetDirectories(runs.FullName).Where(ExperimentRun.Exists).Order(StringComparer.Ordinal)] : [];
        if (folders.Count == 0)
        {
            Console.Error.WriteLine($"no runs under {runs.FullName}; run `./foglens experiment fl` first");
        }

        return folders;
    }

    private static Option<DirectoryInfo> RunsOption(string description) =>
        new("--runs") { Description = description, DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(RepoLayout.Root, "experiments", "runs-site-shift")) };

    internal static string DefaultName(ExperimentOptions o)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var name = $"{o.Partition}-{o.Codec}";
        if (o.Codec is "sbc" or "topk" or "stc")
        {
            name += "-p" + o.Sparsity.ToString(inv);
        }

        name += $"-e{o.LocalEpochs}-r{o.Rounds}";
        if (o.HasSites)
        {
            name += ExperimentLevers.NameSuffix(o); // uniform runs keep the names they had before issue 17
        }

        if (o.IsAsync)
        {
            name += "-async";
        }

        if (o.StragglerRate > 0)
        {
            name += "-s" + o.StragglerRate.ToString(inv);
        }

        return name;
    }
}
