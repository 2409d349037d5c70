namespace FogLens.Messaging.Broker;

/// <summary>
/// Follows the MQTT framing of a byte stream (fixed header byte, variable-length "remaining length",
/// body) and says when a packet declares more bytes than allowed. The first packet of a connection is the
/// CONNECT, read before the client is authenticated, so it has its own, smaller limit. Pure state machine:
/// the caller feeds the bytes it is about to hand to the MQTT decoder and refuses them when this returns
/// an error, so the decoder never sees a length it would allocate a buffer for.
/// </summary>
public sealed class MqttFrameGuard(int maxFirstPacketBytes, int maxPacketBytes)
{
    private enum State
    {
        FixedHeader,
        Length,
        Body,
    }

    private State _state = State.FixedHeader;
    private long _length;
    private int _lengthBytes;
    private long _bodyLeft;

    /// <summary>Complete packets seen so far.</summary>
    public long Packets { get; private set; }

    /// <summary>Feeds bytes in stream order; returns null, or why the stream must be closed.</summary>
    public string? Feed(ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length)
        {
            switch (_state)
            {
                case State.FixedHeader:
                    i++;
                    _state = State.Length;
                    _length = 0;
                    _lengthBytes = 0;
                    break;
                case State.Length:
                    var b = bytes[i++];
                    _length |= (long)(b & 0x7F) << (7 * _lengthBytes);
                    _lengthBytes++;
                    var limit = Packets == 0 ? maxFirstPacketBytes : maxPacketBytes;
                    if (_length > limit)
                    {
                        return Packets == 0
                            ? $"first packet (CONNECT) declares at least {_length} bytes, limit {limit} before authentication"
                            : $"packet declares at least {_length} bytes, limit {limit}";
                    }

                    if ((b & 0x80) != 0)
                    {
                        if (_lengthBytes == 4)
                        {
                            return "malformed remaining length (more than 4 bytes)";
                        }

                        break;
                    }

                    _bodyLeft = _length;
                    _state = State.Body;
                    if (_bodyLeft == 0)
                    {
                        EndPacket();
                    }

                    break;
                default:
                    var take = (int)Math.Min(_bodyLeft, bytes.Length - i);
                    i += take;
                    _bodyLeft -= take;
                    if (_bodyLeft == 0)
                    {
                        EndPacket();
                    }

                    break;
            }
        }

        return null;
    }

    private void EndPacket()
    {
        Packets++;
        _state = State.FixedHeader;
    }
}
