namespace FogLens.Messaging.Broker;

/// <summary>
/// The stream MQTTnet reads a client connection through: every chunk read from the socket passes
/// <see cref="MqttFrameGuard"/> before the MQTT decoder sees it, so a packet whose declared length is over
/// the limit fails the read (and the connection) before the decoder allocates its body. A connection that
/// has not delivered a complete CONNECT within the connect timeout is closed.
/// </summary>
internal sealed class GuardedStream : Stream
{
    private readonly Stream _inner;
    private readonly MqttFrameGuard _guard;
    private readonly Action<string> _refused;
    private readonly CancellationTokenSource _connectDeadline;
    private int _closed;
    private bool _connected;

    public GuardedStream(Stream inner, BrokerLimits limits, Action<string> refused)
    {
        _inner = inner;
        _guard = new MqttFrameGuard(limits.MaxConnectPacketBytes, limits.MaxPacketBytes);
        _refused = refused;
        _connectDeadline = new CancellationTokenSource(limits.ConnectTimeout);
        _connectDeadline.Token.Register(() =>
        {
            if (_guard.Packets == 0)
            {
                Refuse($"no CONNECT within {limits.ConnectTimeout.TotalSeconds:0.#} s");
            }
        });
    }

    /// <summary>Bytes handed to the MQTT decoder.</summary>
    public long BytesRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await _inner.ReadAsync(buffer, cancellationToken);
        return Check(buffer.Span[..n]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Check(buffer.AsSpan(offset, _inner.Read(buffer, offset, count)));

    private int Check(ReadOnlySpan<byte> chunk)
    {
        if (_guard.Feed(chunk) is { } problem)
        {
            Refuse(problem);
            throw new IOException("MQTT connection closed by the broker's limits: " + problem);
        }

        if (!_connected && _guard.Packets > 0)
        {
            _connected = true;
            _connectDeadline.Dispose(); // the CONNECT arrived: its deadline timer is no longer needed
        }

        BytesRead += chunk.Length;
        return chunk.Length;
    }

    private void Refuse(string reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _refused(reason);
            _inner.Dispose(); // fails any pending read or write, which ends the MQTT session
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override void Flush() => _inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _connectDeadline.Dispose();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
