using FogLens.AgeModel.Data;
using FogLens.AgeModel.Imaging;
using FogLens.AgeModel.Training;
using FogLens.Compression;
using TorchSharp;

namespace FogLens.Federated;

/// <summary>
/// One round of local training: load the global weights, train E epochs on the fog's labelled faces
/// (communication delay), and return ΔW = local − global for every parameter and BatchNorm statistic.
/// Uses the same <see cref="AgeTrainingSession"/> as offline training. Not thread-safe.
/// </summary>
public sealed class LocalTrainer(AgeNetConfig config, int threads) : IDisposable
{
    private StagedFaceSet? _data;
    private StagedFaceSet? _validation;

    public int SampleCount => _data?.Count ?? 0;

    public int ValidationCount => _validation?.Count ?? 0;

    /// <summary>Loads and stages the local faces once (unreadable files are reported by the caller's logs).</summary>
    public DatasetScan LoadData(string source, string? datasetDirectory, CancellationToken cancellationToken)
    {
        var scan = Directory.Exists(source)
            ? UtkFaceDataset.Scan(source)
            : UtkFaceDataset.FromList(source, datasetDirectory ?? Path.GetDirectoryName(source)!);
        LoadSamples(scan.Samples, cancellationToken);
        return scan;
    }

    /// <summary>Stages <paramref name="samples"/> as the local faces; a tenth (by file-name hash) is the local validation set.</summary>
    public void LoadSamples(IReadOnlyList<FaceSample> samples, CancellationToken cancellationToken)
    {
        // A tenth of the local faces (by file-name hash) is kept aside to report a local validation MAE.
        var (train, validation) = DatasetSplit.Split(samples, 0.1, salt: "local/");
        if (validation.Count == 0 || train.Count == 0)
        {
            (train, validation) = (samples, []);
        }

        _data?.Dispose();
        _validation?.Dispose();
        var preprocessor = new FacePreprocessor(config.InputSize);
        _data = StagedFaceSet.Load(train, preprocessor, threads, null, cancellationToken);
        _validation = StagedFaceSet.Load(validation, preprocessor, threads, null, cancellationToken);
    }

    public (UpdateTensor[] Update, double TrainLoss, int Steps, double? ValidationMae) Train(string globalWeights, int epochs, int batchSize, double learningRate, int seed, CancellationToken cancellationToken) =>
        Train(globalWeights, new LocalTrainingOptions { Epochs = epochs, BatchSize = batchSize, LearningRate = learningRate }, seed, cancellationToken);

    /// <summary>
    /// Trains one round as <paramref name="options"/> say. Frozen tensors (<see cref="LocalTrainingOptions.Trainable"/>)
    /// get no gradient and a zero update, their BatchNorm statistics included.
    /// </summary>
    public (UpdateTensor[] Update, double TrainLoss, int Steps, double? ValidationMae) Train(string globalWeights, LocalTrainingOptions options, int seed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var (epochs, batchSize, learningRate) = (options.Epochs, options.BatchSize, options.LearningRate);
        var data = _data ?? throw new InvalidOperationException("no local data loaded");
        if (data.Count == 0)
        {
            throw new InvalidOperationException("the local data set is empty");
        }

        using var session = new AgeTrainingSession(config, learningRate, weightDecay: 0, seed, threads);
        session.LoadWeights(globalWeights);
        var blocks = config.ConvsPerStage.Sum();
        foreach (var (name, parameter) in session.Network.named_parameters())
        {
            parameter.requires_grad = options.IsTrainable(name, blocks);
        }

        var before = Snapshot(session.Network);
        double loss = 0;
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            loss = session.TrainEpoch(data, batchSize, new Random(Seeds.Combine(seed, epoch)), _ => learningRate, 1f, null, cancellationToken);
        }

        var after = Snapshot(session.Network);
        double? validationMae = _validation is { Count: > 0 } v ? session.MeanAbsoluteError(v) : null;
        var update = new List<UpdateTensor>(before.Count);
        foreach (var (name, (shape, global)) in before)
        {
            var local = after[name].Values;
            var delta = new float[global.Length];
            if (options.IsTrainable(name, blocks))
            {
                UpdateSpace.Delta(name, global, local, delta);
            }

            update.Add(new UpdateTensor(name, shape, delta));
        }

        var steps = epochs * Math.Max(1, data.Count / batchSize);
        return ([.. update], loss, steps, validationMae);
    }

    /// <summary>Every floating-point tensor of the state (parameters and BatchNorm running statistics).</summary>
    public static Dictionary<string, (int[] Shape, float[] Values)> Snapshot(torch.nn.Module network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var result = new Dictionary<string, (int[], float[])>(StringComparer.Ordinal);
        foreach (var (name, tensor) in network.state_dict())
        {
            if (tensor.dtype != torch.ScalarType.Float32)
            {
                continue; // num_batches_tracked
            }

            using var cpu = tensor.detach().cpu().contiguous();
            result[name] = ([.. tensor.shape.Select(d => (int)d)], cpu.data<float>().ToArray());
        }

        return result;
    }

    public void Dispose()
    {
        _data?.Dispose();
        _validation?.Dispose();
    }
}
