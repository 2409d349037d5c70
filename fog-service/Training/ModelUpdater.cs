using FogLens.AgeModel;
using FogLens.AgeModel.Inference;
using FogLens.Contracts;
using FogLens.Contracts.Serialization;
using FogLens.FogService.Inference;
using FogLens.Messaging.Inbound;
using Microsoft.Extensions.Options;
using FogLens.FogService.Common;

namespace FogLens.FogService.Training;

/// <summary>
/// Installs a new global model when the cloud announces one (retained topic models/age/current):
/// downloads the ONNX file (size-limited), checks its SHA-256, loads and validates it, hot-swaps the
/// inference model without dropping crops, and records it so a restart keeps it.
/// </summary>
public sealed partial class ModelUpdater(
    AgeModelProvider models,
    IOptions<FogOptions> fogOptions,
    ModelDownloader downloader,
    ILogger<ModelUpdater> logger) : IInboundHandler, IDisposable
{
    private readonly MessageParser _parser = new();
    private readonly SemaphoreSlim _one = new(1, 1);

    public long Failures { get; private set; }

    /// <summary>An announcement from the cloud (through the fog's inbound dispatcher): install the model it names.</summary>
    public async Task<IngestOutcome> HandleAsync(string topicName, TopicInfo topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (payload.IsEmpty)
        {
            return IngestOutcome.Ignored;
        }

        await InstallAsync(payload.ToArray(), cancellationToken);
        return IngestOutcome.Stored;
    }

    public void Dispose() => _one.Dispose();

    private async Task InstallAsync(byte[] payload, CancellationToken cancellationToken)
    {
        var parsed = _parser.ParseModelAnnouncement(Topics.ModelAnnouncement, payload);
        if (!parsed.IsSuccess)
        {
            Failures++;
            LogFailed("(unparsed)", parsed.Error.ToString());
            return;
        }

        var announcement = parsed.Value;
        if (announcement.ModelVersion == models.ModelVersion)
        {
            return;
        }

        await _one.WaitAsync(cancellationToken);
        try
        {
            // The graph of the configured precision; an announcement without an int8 graph (an older portal, or a base
            // registered without one) gives an int8 fog the fp32 graph rather than no new model.
            var int8 = fogOptions.Value.ModelPrecision == AgeModelPrecision.Int8;
            if (int8 && announcement.Int8OnnxUri is null)
            {
                LogNoInt8(announcement.ModelVersion);
            }

            var (uri, sha, suffix) = int8 && announcement is { Int8OnnxUri: { } u, Int8OnnxSha256: { } h } ? (u, h, ".int8.onnx") : (announcement.OnnxUri, announcement.OnnxSha256, ".onnx");
            var bytes = await downloader.DownloadAsync(uri, sha, cancellationToken);

            var folder = Path.Combine(fogOptions.Value.DataDirectory, "models");
            Directory.CreateDirectory(folder);
            var path = Path.Combine(folder, announcement.ModelVersion + suffix);
            await File.WriteAllBytesAsync(path, bytes, cancellationToken);
            var estimator = new AgeEstimator(path, fogOptions.Value.InferenceThreads);
            await File.WriteAllTextAsync(models.CurrentPointer, path, cancellationToken); // recorded before it is in use: a restart keeps what is running
            models.Swap(estimator);
            LogInstalled(announcement.ModelVersion, estimator.ModelVersion);
        }
        catch (Exception ex) when (ex is HttpRequestException or InvalidDataException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Failures++;
            LogFailed(announcement.ModelVersion, ex.Message);
        }
        finally
        {
            _one.Release();
        }
    }

    [LoggerMessage(EventId = 3603, Level = LogLevel.Warning, Message = "Model {Version} is announced without an int8 graph; installing its fp32 graph although Fog:ModelPrecision is int8")]
    private partial void LogNoInt8(string version);

    [LoggerMessage(EventId = 3601, Level = LogLevel.Information, Message = "Installed global model {Announced} (ONNX metadata version {Version})")]
    private partial void LogInstalled(string announced, string version);

    [LoggerMessage(EventId = 3602, Level = LogLevel.Error, Message = "Could not install model {Version}: {Reason}; keeping the current one")]
    private partial void LogFailed(string version, string reason);
}
