using System.Text;
using FogLens.Messaging;
using FogLens.Tests.Shared;
using FogLens.Tests.Shared.Mqtt;
using Microsoft.Extensions.Logging.Abstractions;

namespace FogLens.CloudPortal.Tests;

/// <summary>
/// <see cref="MqttEndpointOptions.MaxConcurrentMessages"/>: a session hands the portal's window store several messages
/// at once (so it can batch them), never more than the setting, and acknowledges each after its handler finishes.
/// </summary>
public sealed class MqttSessionConcurrencyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public async Task Session_HandlesUpToMaxConcurrentMessagesAtOnce_AndEveryMessageOnce(int concurrency)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var broker = new TestBroker();
        await broker.StartAsync();
        var options = new MqttEndpointOptions { Broker = broker.Uri, ClientId = "portal-test", PersistentSession = true, MaxConcurrentMessages = concurrency };
        await using var session = new MqttSession(options, NullLogger.Instance);
        session.Subscribe("load/#");
        var handled = new System.Collections.Concurrent.ConcurrentBag<string>();
        var inFlight = 0;
        var most = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        session.OnMessage(async (topic, payload) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            if (now >= concurrency)
            {
                release.TrySetResult(); // the first handlers wait until the session hands over as many as it may
            }

            await release.Task.WaitAsync(TimeSpan.FromSeconds(20), ct);
            handled.Add(Encoding.UTF8.GetString(payload));
            Interlocked.Decrement(ref inFlight);
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var run = session.RunAsync(stop.Token);
        await Eventually.WaitUntil(() => session.IsConnected, TimeSpan.FromSeconds(10), "connected");
        await Task.Delay(200, ct); // the subscription is sent right after the connection

        for (var i = 0; i < 30; i++)
        {
            await broker.PublishAsync($"load/{i}", Encoding.UTF8.GetBytes($"m{i}"));
        }

        await Eventually.WaitUntil(() => handled.Count == 30, TimeSpan.FromSeconds(30), "all 30 handled");
        Assert.Equal(concurrency, most);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"m{i}").Order(), handled.Order());

        // Everything was acknowledged (the last acknowledgements go out after the handlers return): the persistent
        // session gets nothing again after a reconnect.
        await Eventually.WaitUntil(() => session.MessagesInFlight == 0, TimeSpan.FromSeconds(10), "every message acknowledged");
        await stop.CancelAsync();
        await run;
        await using var again = new MqttSession(options, NullLogger.Instance);
        again.Subscribe("load/#");
        var redelivered = 0;
        again.OnMessage((_, _) =>
        {
            Interlocked.Increment(ref redelivered);
            return Task.CompletedTask;
        });
        using var stopAgain = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var runAgain = again.RunAsync(stopAgain.Token);
        await Eventually.WaitUntil(() => again.IsConnected, TimeSpan.FromSeconds(10), "reconnected");
        await Task.Delay(500, ct);
        await stopAgain.CancelAsync();
        await runAgain;
        Assert.Equal(0, redelivered);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var previous && previous != seen)
        {
            seen = previous;
        }
    }
}
