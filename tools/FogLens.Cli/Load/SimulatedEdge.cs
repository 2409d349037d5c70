using System.Diagnostics;
using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using MQTTnet;
using MQTTnet.Protocol;

namespace FogLens.Cli.Load;

/// <summary>
/// One edge agent as its fog sees it: an MQTT v5 client with the edge's credentials that publishes face crops (one per
/// person track, as the edge agent's crop publisher does) with QoS 1, one at a time like the edge's outbox sender, at a
/// fixed rate. A crop is created at its scheduled time; when the fog acknowledges slower than the rate, the crops wait
/// at the edge (its outbox), and that wait is part of their latency.
/// </summary>
internal sealed class SimulatedEdge : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly MessageHeaderFactory _headers;
    private readonly string _topic;
    private readonly string _camera;
    private long _errors;
    private long _acknowledged;

    private SimulatedEdge(string id, IMqttClient client)
    {
        _client = client;
        _headers = new MessageHeaderFactory(id);
        _topic = Topics.EdgeFaces(id);
        _camera = id + "-cam";
    }

    /// <summary>Creation time (<see cref="Stopwatch"/> ticks) of every crop this edge made, in order.</summary>
    public List<long> Created { get; } = [];

    public long Errors => Interlocked.Read(ref _errors);

    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    public static async Task<SimulatedEdge> ConnectAsync(Uri broker, string id, string password, CancellationToken cancellationToken) =>
        new(id, await SimulatedFog.ConnectClientAsync(broker, id, password, cancellationToken));

    /// <summary>
    /// Publishes crops from <paramref name="start"/> + <paramref name="phase"/> every 1 / <paramref name="perSecond"/>
    /// seconds until <paramref name="end"/> (ticks), cycling through <paramref name="jpegs"/>.
    /// </summary>
    public async Task RunAsync(IReadOnlyList<byte[]> jpegs, double perSecond, long start, long phase, long end, CancellationToken cancellationToken)
    {
        var interval = Stopwatch.Frequency / perSecond;
        for (var k = 0L; ; k++)
        {
            var due = start + phase + (long)(k * interval);
            if (due >= end)
            {
                return;
            }

            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }

            Created.Add(due);
            await PublishAsync(k, jpegs[(int)(k % jpegs.Count)], cancellationToken);
        }
    }

    private async Task PublishAsync(long track, byte[] jpeg, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var metadata = new FaceCropMetadata(_headers.Next(), _camera, track, now.AddSeconds(-2), now, now.AddSeconds(-1), new FaceBox(100, 80, 64, 64), 1280, 720, 0.9f, 120f, "blazeface");
        var message = new MqttApplicationMessageBuilder().WithTopic(_topic).WithPayload(BinaryFrame.Encode(BinaryFrameKind.FaceCrop, metadata, jpeg))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        try
        {
            var result = await _client.PublishAsync(message, cancellationToken);
            if (result.IsSuccess)
            {
                Interlocked.Increment(ref _acknowledged);
            }
            else
            {
                Interlocked.Increment(ref _errors);
            }
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Exceptions.MqttClientNotConnectedException)
        {
            Interlocked.Increment(ref _errors);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }
}
