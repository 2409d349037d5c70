using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FogLens.Contracts.Messages;
using FogLens.Messaging.Broker;
using FogLens.Tests.Shared;

namespace FogLens.CloudPortal.Tests;

/// <summary>
/// Limits before login on the portal's embedded broker (security issue #14, item 2), probed with raw sockets
/// from another loopback address (127.0.0.2) while a real fog keeps publishing from 127.0.0.1.
/// </summary>
public sealed class BrokerTransportLimitsTests
{
    private const string FogPassword = "fog-a-password";
    private static readonly IPAddress Attacker = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task HugeConnectPackets_AreClosedBeforeTheirBodyIsRead_AndAFogKeepsPublishing()
    {
        await using var portal = await PortalHarness.StartAsync(new() { ["Broker:Fogs:fog-a"] = FogPassword });
        await using var fog = await TestFog.ConnectAsync(portal.BrokerPort, "fog-a", FogPassword);
        using var publishing = new CancellationTokenSource();
        var honest = KeepPublishingAsync(fog, publishing.Token);

        GC.Collect();
        var before = Process.GetCurrentProcess().WorkingSet64;
        var probes = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => SendHugeConnectAsync(portal.BrokerPort)));
        GC.Collect();
        var grown = Process.GetCurrentProcess().WorkingSet64 - before;

        await publishing.CancelAsync();
        var (sent, failed) = await honest;
        TestContext.Current.TestOutputHelper?.WriteLine($"bytes accepted per probe: {string.Join(", ", probes.Select(p => p.BytesAccepted))}; memory growth {grown / 1024} KB; fog status sent {sent}, failed {failed}");
        Assert.All(probes, p => Assert.True(p.Closed, "the broker must close a connection announcing a 256 MB CONNECT"));

        // The kernel's socket buffers take some bytes before the close is seen; far less than the 200 MB sent.
        Assert.All(probes, p => Assert.True(p.BytesAccepted < 32L * 1024 * 1024, $"{p.BytesAccepted} bytes accepted"));
        Assert.True(grown < 50L * 1024 * 1024, $"portal memory grew by {grown / (1024 * 1024)} MB");
        Assert.True(sent > 0 && failed == 0, $"the fog published {sent} status messages, {failed} failed");
    }

    [Fact]
    public async Task TwoThousandIdleSockets_AreClosedWithinTenSeconds_AndAFogKeepsPublishing()
    {
        await using var portal = await PortalHarness.StartAsync(new() { ["Broker:Fogs:fog-a"] = FogPassword, ["Broker:ConnectTimeout"] = "00:00:05" });
        await using var fog = await TestFog.ConnectAsync(portal.BrokerPort, "fog-a", FogPassword);
        using var publishing = new CancellationTokenSource();
        var honest = KeepPublishingAsync(fog, publishing.Token);

        var sockets = new List<Socket>();
        try
        {
            var started = Stopwatch.StartNew();
            for (var i = 0; i < 2000; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(Attacker, 0));
                sockets.Add(socket);
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, portal.BrokerPort), TestContext.Current.CancellationToken);
                }
                catch (SocketException)
                {
                    // refused outright also counts as closed
                }
            }

            var opened = started.Elapsed;
            await Eventually.WaitUntil(() => sockets.All(IsClosed), TimeSpan.FromSeconds(10), "every idle socket closed by the broker");
            await publishing.CancelAsync();
            var (sent, failed) = await honest;
            Assert.True(sent > 0 && failed == 0, $"the fog published {sent} status messages, {failed} failed");
            TestContext.Current.TestOutputHelper?.WriteLine($"2000 sockets opened in {opened.TotalSeconds:0.0} s, all closed {started.Elapsed.TotalSeconds:0.0} s after the first");
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x10, 0xFF, 0xFF, 0xFF, 0x7F }, true)] // CONNECT declaring 256 MB
    [InlineData(new byte[] { 0x10, 0x81, 0x80, 0x04 }, true)] // 64 KB + 1 after 3 length bytes
    [InlineData(new byte[] { 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, true)] // 5 length bytes
    [InlineData(new byte[] { 0x10, 0x02, 0x00, 0x00, 0x30, 0x03, 0x00, 0x01, 0x61 }, false)] // two small packets
    public void FrameGuard_RefusesDeclaredLengthsOverTheLimit(byte[] stream, bool refused)
    {
        var guard = new MqttFrameGuard(64 * 1024, 1024 * 1024);
        string? problem = null;
        foreach (var b in stream)
        {
            problem ??= guard.Feed([b]); // byte by byte, as a slow client would send
        }

        Assert.Equal(refused, problem is not null);
        Assert.Equal(refused, new MqttFrameGuard(64 * 1024, 1024 * 1024).Feed(stream) is not null); // and all at once
    }

    [Fact]
    public void FrameGuard_FirstPacketHasTheSmallerLimit()
    {
        var guard = new MqttFrameGuard(16, 1024);
        Assert.Null(guard.Feed([0x10, 0x02, 0x00, 0x00])); // CONNECT of 2 bytes
        Assert.Null(guard.Feed([0x30, 0x80, 0x04])); // PUBLISH of 512 bytes: allowed after the first packet
        Assert.Equal(1, guard.Packets);
        Assert.NotNull(new MqttFrameGuard(16, 1024).Feed([0x10, 0x20])); // a 32-byte CONNECT is over the first packet's limit
    }

    private static bool IsClosed(Socket socket)
    {
        try
        {
            return !socket.Connected || (socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return true;
        }
    }

    private static async Task<(bool Closed, long BytesAccepted)> SendHugeConnectAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(Attacker, 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        var chunk = new byte[64 * 1024];
        long sent = 0;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await socket.SendAsync(new byte[] { 0x10, 0xFF, 0xFF, 0xFF, 0x7F }, deadline.Token); // CONNECT, remaining length 268,435,455
            while (sent < 200L * 1024 * 1024)
            {
                sent += await socket.SendAsync(chunk, deadline.Token);
            }

            return (false, sent);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return (ex is SocketException, sent);
        }
    }

    private static async Task<(int Sent, int Failed)> KeepPublishingAsync(TestFog fog, CancellationToken cancellationToken)
    {
        int sent = 0, failed = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var result = await fog.StatusAsync(edges: Array.Empty<EdgeSummary>());
                _ = result.IsSuccess ? sent++ : failed++;
                await Task.Delay(100, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException)
            {
                failed++;
            }
        }

        return (sent, failed);
    }
}
