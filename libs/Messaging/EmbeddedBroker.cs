using System.Net;
using FogLens.Messaging.Broker;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet.Server;

namespace FogLens.Messaging;

/// <summary>Where an embedded broker listens, whether it runs at all, and the limits of its transport.</summary>
/// <param name="Enabled">False when an external broker is configured instead.</param>
/// <param name="Port">TCP port.</param>
/// <param name="BindAll">Listen on every interface instead of loopback only.</param>
/// <param name="PersistentSessions">Keep sessions (subscriptions, queued QoS 1 messages) of clients that ask for it.</param>
/// <param name="Limits">Packet sizes, connect timeout, per-address cap and TLS certificate, applied before authentication.</param>
public readonly record struct BrokerEndpoint(bool Enabled, int Port, bool BindAll, bool PersistentSessions, BrokerLimits Limits);

/// <summary>
/// An in-process MQTTnet broker as a hosted service: the fog's edge broker and the portal's cloud broker. A
/// subclass decides who may connect, publish and subscribe (its interceptors) and consumes what is published
/// to it inside the publish interceptor; this class owns the server's life cycle and its listener
/// (<see cref="GuardedTcpServerAdapter"/>: framing-level packet limits, connect timeout, per-address cap, TLS).
/// </summary>
public abstract class EmbeddedBroker(ILogger logger) : IHostedService, IAsyncDisposable
{
    private MqttServer? _server;

    public bool IsRunning => _server?.IsStarted == true;

    /// <summary>The running server, or null before start and when disabled.</summary>
    protected MqttServer? Server => _server;

    protected abstract BrokerEndpoint Endpoint { get; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var endpoint = Endpoint;
        if (!endpoint.Enabled)
        {
            return;
        }

        var builder = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointPort(endpoint.Port)
            .WithDefaultCommunicationTimeout(endpoint.Limits.ConnectTimeout);
        builder = endpoint.PersistentSessions ? builder.WithPersistentSessions() : builder;
        var listener = new GuardedTcpServerAdapter(endpoint.BindAll ? IPAddress.Any : IPAddress.Loopback, endpoint.Port, endpoint.Limits, logger)
        {
            OnRefused = (_, _) => OnTransportRefused(),
        };
        _server = new MqttServerFactory().CreateMqttServer(builder.Build(), [listener]);
        _server.ValidatingConnectionAsync += ValidateConnectionAsync;
        _server.InterceptingPublishAsync += InterceptPublishAsync;
        _server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        await _server.StartAsync();
        OnStarted((endpoint.BindAll ? "all interfaces" : "127.0.0.1") + (endpoint.Limits.Certificate is null ? "" : ", TLS"));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is { } server)
        {
            await server.StopAsync(new MqttServerStopOptions());
        }
    }

    public ValueTask DisposeAsync()
    {
        _server?.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>Called once the server listens; <paramref name="bind"/> describes the address.</summary>
    protected abstract void OnStarted(string bind);

    /// <summary>Called when the transport closes a connection by a limit (counted by the subclass).</summary>
    protected virtual void OnTransportRefused()
    {
    }

    protected abstract Task ValidateConnectionAsync(ValidatingConnectionEventArgs e);

    protected abstract Task InterceptPublishAsync(InterceptingPublishEventArgs e);

    protected abstract Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs e);
}
