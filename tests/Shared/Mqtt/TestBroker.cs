using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MQTTnet.Server;

namespace FogLens.Tests.Shared.Mqtt;

/// <summary>
/// An in-process MQTTnet broker on 127.0.0.1 and a free port, recording every published message, with
/// waits on events (no fixed sleeps). Can be stopped and started again on the same port.
/// </summary>
internal sealed class TestBroker : IAsyncDisposable
{
    private readonly ConcurrentQueue<(string Topic, byte[] Payload, bool Retain)> _messages = new();
    private readonly SemaphoreSlim _arrived = new(0, int.MaxValue);
    private MqttServer? _server;

    public TestBroker(int? port = null)
    {
        Port = port ?? FreePort();
    }

    public int Port { get; }

    public Uri Uri => new($"mqtt://127.0.0.1:{Port}");

    public IReadOnlyCollection<(string Topic, byte[] Payload, bool Retain)> Messages => _messages;

    public bool IsRunning => _server is not null;

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task StartAsync()
    {
        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointPort(Port)
            .Build();
        _server = new MqttServerFactory().CreateMqttServer(options);
        _server.InterceptingPublishAsync += e =>
        {
            _messages.Enqueue((e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray(), e.ApplicationMessage.Retain));
            _arrived.Release();
            return Task.CompletedTask;
        };
        await _server.StartAsync();
    }

    public async Task StopAsync()
    {
        if (_server is { } server)
        {
            _server = null;
            await server.StopAsync(new MqttServerStopOptions());
            server.Dispose();
        }
    }

    /// <summary>Publishes a message into the broker as if a client named <paramref name="sender"/> had sent it.</summary>
    public Task PublishAsync(string topic, byte[] payload, bool retain = false, string sender = "portal")
    {
        var server = _server ?? throw new InvalidOperationException("the broker is not running");
        var message = new MQTTnet.MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build();
        return server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message) { SenderClientId = sender }, CancellationToken.None);
    }

    /// <summary>Waits until <paramref name="predicate"/> holds for the recorded messages; false on timeout.</summary>
    public async Task<bool> WaitForAsync(Func<IReadOnlyCollection<(string Topic, byte[] Payload, bool Retain)>, bool> predicate, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!predicate(_messages))
        {
            try
            {
                await _arrived.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                return predicate(_messages);
            }
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _arrived.Dispose();
    }
}
