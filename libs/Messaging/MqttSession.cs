using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Microsoft.Extensions.Logging;

namespace FogLens.Messaging;

/// <summary>
/// A long-lived MQTT v5 connection: connects with exponential back-off and jitter, restores its
/// subscriptions after every reconnect, runs an on-connected hook (e.g. publish a retained "online"
/// status), and publishes with QoS 1, reporting whether the broker acknowledged. Thread-safe.
/// </summary>
public sealed partial class MqttSession : IAsyncDisposable
{
    private readonly MqttEndpointOptions _options;
    private readonly ILogger _logger;
    private readonly IMqttClient _client;
    private readonly List<string> _subscriptions = [];
    private readonly Func<MqttWill?> _will;
    private readonly TimeProvider _time;
    private readonly MqttInbound _inbound;
    private long _connection;

    public MqttSession(MqttEndpointOptions options, ILogger logger, Func<MqttWill?>? will = null, TimeProvider? time = null)
    {
        _options = options;
        _logger = logger;
        _will = will ?? (() => null);
        _time = time ?? TimeProvider.System;
        _client = new MqttClientFactory().CreateMqttClient();
        _inbound = new MqttInbound(options.MaxConcurrentMessages, () => Interlocked.Read(ref _connection), logger);
        _client.ApplicationMessageReceivedAsync += _inbound.OnMessageAsync;
    }

    /// <summary>Called after each (re)connect and re-subscription.</summary>
    public Func<CancellationToken, Task>? Connected { get; set; }

    public bool IsConnected => _client.IsConnected;

    public long Reconnects { get; private set; }

    /// <summary>Received messages not yet acknowledged (being handled, or their acknowledgement being sent).</summary>
    public int MessagesInFlight => _inbound.InFlight;

    /// <summary>Adds a handler called for each received message (topic, payload); exceptions are logged, never thrown to the client.</summary>
    public void OnMessage(Func<string, ReadOnlySequence<byte>, Task> handler) => _inbound.Add(handler);

    public void Subscribe(string topicFilter)
    {
        lock (_subscriptions)
        {
            _subscriptions.Add(topicFilter);
        }
    }

    /// <summary>Keeps the connection up until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var delay = _options.MinBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!_client.IsConnected)
            {
                try
                {
                    await ConnectAsync(cancellationToken);
                    delay = _options.MinBackoff;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Adapter.MqttConnectingFailedException or InvalidOperationException or TimeoutException or OperationCanceledException)
                {
                    LogConnectFailed(_options.Broker, delay.TotalSeconds, ex.Message);
                    await DelayAsync(Jitter(delay), cancellationToken);
                    delay = TimeSpan.FromTicks(Math.Min(_options.MaxBackoff.Ticks, delay.Ticks * 2));
                    continue;
                }
            }

            await DelayAsync(TimeSpan.FromMilliseconds(200), cancellationToken);
        }

        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), CancellationToken.None);
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException)
            {
                // Already gone.
            }
        }
    }

    /// <summary>Publishes with QoS 1; true when the broker acknowledged it.</summary>
    public async Task<PublishOutcome> PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken)
    {
        if (!_client.IsConnected)
        {
            return PublishOutcome.NotConnected;
        }

        if (payload.Length + System.Text.Encoding.UTF8.GetByteCount(topic) + 64 > _options.MaxPacketBytes)
        {
            LogTooLarge(topic, payload.Length, _options.MaxPacketBytes);
            return PublishOutcome.Rejected;
        }

        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload.ToArray())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build();
        try
        {
            var result = await _client.PublishAsync(message, cancellationToken);
            return result.ReasonCode switch
            {
                MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers => PublishOutcome.Acknowledged,
                MqttClientPublishReasonCode.NotAuthorized or MqttClientPublishReasonCode.TopicNameInvalid
                    or MqttClientPublishReasonCode.PayloadFormatInvalid or MqttClientPublishReasonCode.ImplementationSpecificError => Rejected(topic, result.ReasonCode),
                _ => PublishOutcome.Failed,
            };
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Exceptions.MqttClientNotConnectedException or OperationCanceledException or InvalidOperationException)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            LogPublishFailed(topic, ex.Message);
            return PublishOutcome.Failed;
        }
    }

    /// <summary>
    /// Accepts a broker certificate the system trusts, or one that chains to <paramref name="authority"/>;
    /// a name mismatch is never accepted.
    /// </summary>
    private static bool TrustedBy(X509Certificate2 authority, X509Certificate? presented, System.Net.Security.SslPolicyErrors errors)
    {
        if (errors == System.Net.Security.SslPolicyErrors.None)
        {
            return true;
        }

        if (presented is null || errors.HasFlag(System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(System.Net.Security.SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await Task.CompletedTask;
    }

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var (host, port, tls) = _options.Parse();
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId(_options.ClientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithKeepAlivePeriod(_options.KeepAlive)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithCleanStart(!_options.PersistentSession);
        if (_options.PersistentSession)
        {
            builder = builder.WithSessionExpiryInterval((uint)_options.SessionExpiry.TotalSeconds);
        }

        if (_options.Username is not null)
        {
            builder = builder.WithCredentials(_options.Username, _options.Password ?? string.Empty);
        }

        if (tls)
        {
            builder = builder.WithTlsOptions(o =>
            {
                o.UseTls();
                if (_options.AllowUntrustedCertificates)
                {
                    o.WithCertificateValidationHandler(_ => true);
                }
                else if (_options.CaCertificatePath is { Length: > 0 } caPath)
                {
                    var authority = X509Certificate2.CreateFromPem(File.ReadAllText(caPath));
                    o.WithCertificateValidationHandler(e => TrustedBy(authority, e.Certificate, e.SslPolicyErrors));
                }
            });
        }

        if (_will() is { } will)
        {
            builder = builder.WithWillTopic(will.Topic).WithWillPayload(will.Payload).WithWillRetain(will.Retain)
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        Interlocked.Increment(ref _connection); // before the broker can deliver anything on the new connection
        var result = await _client.ConnectAsync(builder.Build(), timeout.Token);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"broker refused the connection: {result.ResultCode} {result.ReasonString}");
        }

        string[] filters;
        lock (_subscriptions)
        {
            filters = [.. _subscriptions];
        }

        foreach (var filter in filters)
        {
            await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken);
        }

        Reconnects++;
        LogConnected(_options.Broker, _options.ClientId, filters.Length);
        if (Connected is { } hook)
        {
            await hook(cancellationToken);
        }
    }

    private PublishOutcome Rejected(string topic, MqttClientPublishReasonCode code)
    {
        LogRejected(topic, code);
        return PublishOutcome.Rejected;
    }

    private static TimeSpan Jitter(TimeSpan delay) => delay * (0.75 + (Random.Shared.NextDouble() * 0.5));

    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Connected to {Broker} as {ClientId} ({Subscriptions} subscriptions)")]
    private partial void LogConnected(Uri broker, string clientId, int subscriptions);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Cannot connect to {Broker}; retrying in {Seconds:F1} s: {Reason}")]
    private partial void LogConnectFailed(Uri broker, double seconds, string reason);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Publish to {Topic} failed: {Reason}")]
    private partial void LogPublishFailed(string topic, string reason);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Error, Message = "Message on {Topic} of {Bytes} bytes exceeds the broker's packet limit of {Limit} bytes; not sent")]
    private partial void LogTooLarge(string topic, int bytes, int limit);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Error, Message = "Broker rejected a message on {Topic}: {ReasonCode}")]
    private partial void LogRejected(string topic, MqttClientPublishReasonCode reasonCode);
}
