using System.Threading.Channels;
using FogLens.AgeModel.Training;
using FogLens.Compression;
using FogLens.Contracts;
using FogLens.Federated;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using FogLens.Messaging;
using FogLens.Messaging.Inbound;
using Microsoft.Extensions.Options;
using FogLens.FogService.Common;

namespace FogLens.FogService.Training;

/// <summary>
/// The fog's federated-learning client. On a round task naming this fog it downloads the global weights
/// (size-limited, SHA-256 verified), trains locally on its own thread, encodes ΔW with the task's codec
/// and the persisted residual state (SBC by default), and queues the update in the cloud outbox. A task
/// that cannot be done (bad hash, past deadline, no local data) is logged and counted; the service goes on.
/// </summary>
public sealed partial class FederatedClient(
    IUpdateOutbox outbox,
    TrainingStatus status,
    MessageHeaderFactory headers,
    IOptions<FogOptions> fogOptions,
    IOptions<FederatedOptions> options,
    ModelDownloader downloader,
    TimeProvider time,
    ILogger<FederatedClient> logger) : BackgroundService, IInboundHandler
{
    private readonly Channel<RoundTask> _tasks = Channel.CreateBounded<RoundTask>(new BoundedChannelOptions(8) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly MessageParser _parser = new();
    private readonly FogOptions _fog = fogOptions.Value;
    private readonly FederatedOptions _options = options.Value;
    private readonly ModelDownloader _downloader = downloader;
    private HeldModels? _held;

    /// <summary>Deltas applied, whole models downloaded and fallbacks from deltas to whole models (null before the worker started).</summary>
    public (long Deltas, long Full, long Fallbacks)? Downloads => _held?.Counts;

    public long RoundsCompleted => status.RoundsCompleted;

    public long RoundsFailed => status.RoundsFailed;

    /// <summary>Tasks received again for a round this fog already answered (not trained twice).</summary>
    public long RoundsRepeated => status.RoundsRepeated;

    public string StatePath => Path.Combine(_fog.DataDirectory, "codec-state.bin");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            LogDisabled();
            return;
        }

        await Task.Factory.StartNew(() => RunWorker(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>
    /// Takes a round task from the cloud (topic <c>fl/round/{n}/task</c>, through the fog's inbound dispatcher):
    /// queued for the training thread when it names this fog. An empty retained message is how the portal clears
    /// a finished round's task: nothing to do, nothing failed.
    /// </summary>
    public Task<IngestOutcome> HandleAsync(string topicName, TopicInfo topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        Task.FromResult(Offer(topicName, payload));

    private IngestOutcome Offer(string topic, ReadOnlyMemory<byte> payload)
    {
        if (payload.IsEmpty || !_options.Enabled)
        {
            return IngestOutcome.Ignored;
        }

        var task = _parser.ParseRoundTask(topic, payload.Span);
        if (!task.IsSuccess)
        {
            status.Failed();
            LogBadTask(topic, task.Error.ToString());
            return IngestOutcome.Rejected;
        }

        if (task.Value.Participants.Contains(_fog.FogId))
        {
            _tasks.Writer.TryWrite(task.Value);
        }

        return IngestOutcome.Stored;
    }

    private async Task RunWorker(CancellationToken stoppingToken)
    {
        var shipped = Path.GetDirectoryName(Path.GetFullPath(_fog.ModelPath))!;
        var config = AgeNetConfig.FromJson(File.ReadAllText(Path.Combine(shipped, ModelFiles.Config)));
        _held = new HeldModels(Path.Combine(_fog.DataDirectory, "models"), config, _downloader, logger);
        if (ShippedVersion(shipped) is { } version)
        {
            _held.Seed(version, Path.Combine(shipped, ModelFiles.Weights)); // the portal registers the same files as its base: round 1 downloads nothing
        }

        using var trainer = new LocalTrainer(config, _options.Threads);
        var scan = trainer.LoadData(_options.LocalData!, _options.DatasetDirectory, stoppingToken);
        status.HasSamples(trainer.SampleCount); // reported in the fog status: the coordinator selects fogs that have data
        LogData(trainer.SampleCount, scan.Skipped.Count, _options.LocalData!);
        while (!stoppingToken.IsCancellationRequested)
        {
            RoundTask task;
            try
            {
                task = await _tasks.Reader.ReadAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (Answered(task))
            {
                status.Repeated();
                LogAlreadyAnswered(task.RoundId);
                continue;
            }

            try
            {
                status.Started();
                await RunRoundAsync(task, trainer, stoppingToken);
            }
            catch (Exception ex) when (ex is InvalidDataException or HttpRequestException or IOException or InvalidOperationException or ArgumentException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
            {
                status.Failed();
                LogRoundFailed(task.RoundId, ex.Message);
            }
            finally
            {
                status.Stopped();
            }
        }
    }

    private async Task RunRoundAsync(RoundTask task, LocalTrainer trainer, CancellationToken cancellationToken)
    {
        if (task.Deadline <= time.GetUtcNow())
        {
            throw new InvalidOperationException($"round {task.RoundId} is past its deadline {task.Deadline:O}");
        }

        using var activity = FogTelemetry.Source.StartConsumer("round train", task.Header);
        activity?.SetTag("foglens.round", task.RoundId);
        var (weights, downloaded) = await _held!.FetchAsync(task, cancellationToken);
        var state = File.Exists(StatePath) ? CodecState.Load(StatePath) : new CodecState();

        // The same training and encoding as the experiments (libs/Federated, libs/Compression), as the task asks.
        var training = new LocalTrainingOptions
        {
            Epochs = task.LocalEpochs,
            BatchSize = task.BatchSize,
            LearningRate = task.LearningRate,
            Trainable = LocalTrainingOptions.ParseTrainable(task.Trainable ?? "all"),
        };
        var (update, loss, steps, validationMae) = trainer.Train(weights, training, (int)(task.RoundId % int.MaxValue), cancellationToken);
        var codec = UpdateCodecs.Create(task.Codec, new CodecOptions { Sparsity = task.Sparsity, DenseMaxElements = task.DenseMaxElements }.ForRound(state.Rounds));
        var payload = codec.Encode(update, state);
        var codecName = UpdateCodecs.NameOf(codec.Id);
        var metadata = new ModelUpdateMetadata(headers.Next(), task.RoundId, task.ModelVersion, codecName, trainer.SampleCount, steps, loss, validationMae, downloaded);
        outbox.Enqueue(Topics.RoundUpdate(task.RoundId, _fog.FogId), BinaryFrame.Encode(BinaryFrameKind.ModelUpdate, metadata, payload));
        state.Save(StatePath); // after the update is durably queued
        RememberAnswered(task);
        status.Completed(payload.Length, trainer.SampleCount);
        LogRoundDone(task.RoundId, trainer.SampleCount, steps, loss, payload.Length, codecName);
    }

    /// <summary>
    /// Rounds this fog has sent an update for, as "round id + deadline" (a retained task is delivered again on every
    /// reconnect and republished when the portal restarts; a portal with a new database starts again at round 1
    /// with another deadline). Training twice would fold the same update into the residuals twice.
    /// </summary>
    private string AnsweredPath => Path.Combine(_fog.DataDirectory, "answered-rounds.txt");

    private static string Key(RoundTask task) => FormattableString.Invariant($"{task.RoundId} {task.Deadline.UtcTicks}");

    private bool Answered(RoundTask task) => File.Exists(AnsweredPath) && File.ReadLines(AnsweredPath).Contains(Key(task));

    private void RememberAnswered(RoundTask task)
    {
        var kept = File.Exists(AnsweredPath) ? File.ReadLines(AnsweredPath).TakeLast(63).ToList() : [];
        kept.Add(Key(task));
        var temporary = AnsweredPath + ".tmp";
        File.WriteAllLines(temporary, kept);
        File.Move(temporary, AnsweredPath, overwrite: true);
    }

    /// <summary>The version the portal registers the shipped model folder as (<see cref="ModelFiles.RegisteredVersion"/>), or null when its metrics.json is malformed.</summary>
    private static string? ShippedVersion(string folder)
    {
        try
        {
            return ModelFiles.RegisteredVersion(folder);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 3506, Level = LogLevel.Information, Message = "Round {RoundId}: task seen again (retained or republished); this fog already sent its update")]
    private partial void LogAlreadyAnswered(long roundId);

    [LoggerMessage(EventId = 3501, Level = LogLevel.Information, Message = "Federated learning is off (Federated:LocalData is not set)")]
    private partial void LogDisabled();

    [LoggerMessage(EventId = 3502, Level = LogLevel.Information, Message = "Federated client ready: {Samples} local faces ({Skipped} files skipped) from {Source}")]
    private partial void LogData(int samples, int skipped, string source);

    [LoggerMessage(EventId = 3503, Level = LogLevel.Warning, Message = "Rejected round task on {Topic}: {Error}")]
    private partial void LogBadTask(string topic, string error);

    [LoggerMessage(EventId = 3504, Level = LogLevel.Error, Message = "Round {RoundId} failed: {Reason}")]
    private partial void LogRoundFailed(long roundId, string reason);

    [LoggerMessage(EventId = 3505, Level = LogLevel.Information, Message = "Round {RoundId}: trained on {Samples} faces ({Steps} steps, loss {Loss:F4}), queued {Bytes} bytes ({Codec})")]
    private partial void LogRoundDone(long roundId, int samples, int steps, double loss, int bytes, string codec);
}
