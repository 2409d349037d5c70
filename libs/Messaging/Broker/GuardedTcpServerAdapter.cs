using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Server;

namespace FogLens.Messaging.Broker;

/// <summary>
/// The TCP listener of an embedded broker, in place of MQTTnet's own: caps open connections per remote
/// address at accept, optionally wraps the socket in TLS (with the connect timeout on the handshake), and
/// hands MQTTnet a <see cref="GuardedStream"/> so packet limits and the CONNECT deadline hold at the
/// framing layer, before MQTTnet decodes or authenticates anything.
/// </summary>
public sealed partial class GuardedTcpServerAdapter(IPAddress address, int port, BrokerLimits limits, ILogger logger) : IMqttServerAdapter
{
    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private readonly CancellationTokenSource _stopping = new();
    private TcpListener? _listener;
    private MqttServerOptions? _options;
    private IMqttNetLogger? _mqttLogger;
    private long _lastLogTicks = long.MinValue / 2;
    private long _suppressed;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    /// <summary>Called with the remote address and the reason whenever a limit closes a connection.</summary>
    public Action<EndPoint?, string>? OnRefused { get; set; }

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        _options = options;
        _mqttLogger = logger;
        _listener = new TcpListener(address, port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start(Math.Max(options.DefaultEndpointOptions.ConnectionBacklog, 512)); // a burst of connects must reach accept, where the per-address cap decides
        _ = Task.Run(AcceptLoopAsync);
        return Task.CompletedTask;
    }

    public Task StopAsync()
    {
        _stopping.Cancel();
        _listener?.Stop();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _listener?.Stop();
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                LogAcceptFailed(ex.SocketErrorCode.ToString());
                continue;
            }

            var remote = (socket.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
            var open = _perAddress.AddOrUpdate(remote, 1, (_, n) => n + 1);
            if (open > limits.MaxConnectionsPerAddress)
            {
                Release(remote);
                Refuse(socket.RemoteEndPoint, $"more than {limits.MaxConnectionsPerAddress} connections from {remote}");
                socket.LingerState = new LingerOption(true, 0); // reset, no lingering half-open socket
                socket.Dispose();
                continue;
            }

            _ = Task.Run(() => HandleAsync(socket, remote));
        }
    }

    private async Task HandleAsync(Socket socket, IPAddress remote)
    {
        var remoteEndPoint = socket.RemoteEndPoint;
        try
        {
            socket.NoDelay = true;
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (limits.Certificate is { } certificate)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                handshake.CancelAfter(limits.ConnectTimeout);
                try
                {
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, handshake.Token);
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
                {
                    Refuse(remoteEndPoint, "TLS handshake failed: " + ex.Message);
                    await tls.DisposeAsync();
                    return;
                }

                stream = tls;
            }

            await using var guarded = new GuardedStream(stream, limits, reason => Refuse(remoteEndPoint, reason));
            var channel = new MqttTcpChannel(guarded, socket.LocalEndPoint, remoteEndPoint, null);
            var formatter = new MqttPacketFormatterAdapter(new MqttBufferWriter(_options!.WriterBufferSize, _options.WriterBufferSizeMax));
            using var adapter = new MqttChannelAdapter(channel, formatter, _mqttLogger!);
            if (ClientHandler is { } handler)
            {
                await handler(adapter);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException)
        {
            // the connection ended; MQTTnet has logged what it knows
        }
        finally
        {
            Release(remote);
            socket.Dispose();
        }
    }

    private void Release(IPAddress remote)
    {
        if (_perAddress.AddOrUpdate(remote, 0, (_, n) => n - 1) <= 0)
        {
            _perAddress.TryRemove(new KeyValuePair<IPAddress, int>(remote, 0));
        }
    }

    private void Refuse(EndPoint? remote, string reason)
    {
        OnRefused?.Invoke(remote, reason);

        // At most one log line a second, so a flood of refused sockets cannot flood the log.
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastLogTicks);
        if (now - last < 1000 || Interlocked.CompareExchange(ref _lastLogTicks, now, last) != last)
        {
            Interlocked.Increment(ref _suppressed);
            return;
        }

        LogRefused(remote?.ToString() ?? "unknown", reason, Interlocked.Exchange(ref _suppressed, 0));
    }

    [LoggerMessage(EventId = 2301, Level = LogLevel.Warning, Message = "Broker closed the connection from {Remote}: {Reason} ({Suppressed} more refusals in the last second not logged)")]
    private partial void LogRefused(string remote, string reason, long suppressed);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Warning, Message = "Broker accept failed: {Error}")]
    private partial void LogAcceptFailed(string error);
}
