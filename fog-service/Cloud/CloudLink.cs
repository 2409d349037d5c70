using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using FogLens.FogService.Broker;
using FogLens.FogService.Demographics;
using FogLens.FogService.Inference;
using FogLens.Messaging;
using Microsoft.Extensions.Options;

namespace FogLens.FogService.Cloud;

/// <summary>
/// Everything the fog sends to the cloud: closed demographics windows go through the durable outbox
/// (so a cloud outage loses nothing; <see cref="WindowLedger"/> puts them there), and a retained fog status
/// (online, counters; offline as last will and at shutdown). Open windows are flushed at shutdown.
/// </summary>
public sealed partial class CloudLink(
    [FromKeyedServices(CloudLink.SessionKey)] MqttSession session,
    [FromKeyedServices(CloudLink.SessionKey)] DiskOutbox outbox,
    [FromKeyedServices(CloudLink.SessionKey)] OutboxSender sender,
    WindowLedger ledger,
    FogCounters counters,
    EdgeRegistry edges,
    CropSpool spool,
    AgeModelProvider models,
    InferenceWorker worker,
    FogLens.FogService.Federated.FederatedClient federated,
    MessageHeaderFactory headers,
    IOptions<FogOptions> options,
    TimeProvider time,
    ILogger<CloudLink> logger) : BackgroundService
{
    public const string SessionKey = "cloud";
    private readonly FogOptions _options = options.Value;

    public byte[] Status(NodeState state) => JsonMessages.Serialize(new FogStatus(
        headers.Next(), state, models.ModelVersion, edges.Online, counters.CropsReceived, counters.CropsInferred,
        counters.CropsRejected + counters.CorruptImages, spool.Depth, outbox.Count, worker.FacesPerSecond, federated.Training, federated.LocalSamples,
        edges.Summaries()));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        PublishWindows(all: true);
        await base.StopAsync(cancellationToken);
        if (session.IsConnected)
        {
            await session.PublishAsync(Topics.FogStatus(_options.FogId), Status(NodeState.Offline), retain: true, cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var statusTopic = Topics.FogStatus(_options.FogId);
        session.Connected = ct => session.PublishAsync(statusTopic, Status(NodeState.Online), retain: true, ct);
        var run = session.RunAsync(stoppingToken);
        var drain = sender.RunAsync(stoppingToken);
        var nextStatus = time.GetUtcNow() + _options.StatusInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            PublishWindows(all: false);
            if (time.GetUtcNow() >= nextStatus)
            {
                nextStatus = time.GetUtcNow() + _options.StatusInterval;
                await session.PublishAsync(statusTopic, Status(NodeState.Online), retain: true, stoppingToken);
            }
        }

        await Task.WhenAll(run, drain);
    }

    private void PublishWindows(bool all)
    {
        foreach (var window in ledger.CloseWindows(time.GetUtcNow(), all))
        {
            LogWindow(window.EdgeId, window.CameraId, window.WindowStart, window.Faces, window.Header.MessageId);
        }
    }

    [LoggerMessage(EventId = 3401, Level = LogLevel.Information, Message = "Window {Start:O} of {EdgeId}/{CameraId} closed with {Faces} faces as message {MessageId}")]
    private partial void LogWindow(string edgeId, string cameraId, DateTimeOffset start, int faces, Guid messageId);
}
