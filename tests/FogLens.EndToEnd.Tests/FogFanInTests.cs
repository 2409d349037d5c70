using System.Diagnostics;
using System.Text.Json;
using FogLens.Contracts;
using FogLens.Launch;
using FogLens.Tests.Shared;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace FogLens.EndToEnd.Tests;

/// <summary>
/// Fog fan-in (issue 20 item 4), shortened: the load tool itself (<c>./foglens bench load --edges-only</c>, run as a
/// process) sends crops from simulated edges to a real fog, with the embedded edge broker and with Mosquitto; every
/// crop must be acknowledged, inferred once and counted in a window that reaches the cloud broker. Speed is not
/// asserted (docs/benchmarks.md has the measured numbers); what is asserted is that nothing is lost or counted twice.
/// And the edge Mosquitto's ACL, attacked as an edge on the camera LAN would.
/// </summary>
public sealed class FogFanInTests
{
    [Theory]
    [InlineData("embedded")]
    [InlineData("mosquitto")]
    public async Task LoadTool_EveryCropFromEveryEdgeIsInferredOnceAndCountedInAWindow(string broker)
    {
        TestPaths.RequireInstalled(MosquittoServer.Binary, "mosquitto");
        var faces = TestPaths.RequireDataset();
        using var folder = TempFolder.Create("foglens-fanin-");
        var json = Path.Combine(folder.Path, "summary.json");
        string[] arguments =
        [
            RepoLayout.Deployable(Path.Combine("tools", "FogLens.Cli"), "FogLens.Cli"), "bench", "load", "--edges-only", "--edges", "10", "--crops-per-second", "5",
            "--duration", "8", "--edge-broker", broker, "--faces", faces, "--data-dir", Path.Combine(folder.Path, "run"), "--out", json,
            "--fog-setting", "Fog:Window=00:00:05", "--fog-setting", "Fog:WindowGrace=00:00:01", // short windows: the run's last window closes soon after it
        ];
        var (exit, output) = await RunAsync("dotnet", arguments, TimeSpan.FromMinutes(5));

        Assert.True(exit == 0, $"bench load --edges-only exited {exit}:\n{output}");
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(json, TestContext.Current.CancellationToken));
        var root = summary.RootElement;
        Assert.Equal(broker, root.GetProperty("edge_broker").GetString());
        Assert.Equal(400, root.GetProperty("crops_created").GetInt64()); // 10 edges × 5/s × 8 s
        Assert.Equal(400, root.GetProperty("crops_acknowledged").GetInt64());
        Assert.Equal(400, root.GetProperty("crops_inferred").GetInt64());
        Assert.Equal(400, root.GetProperty("faces_in_windows").GetInt64());
        Assert.Equal(0, root.GetProperty("errors").GetInt64());
        Assert.True(root.GetProperty("p95_ms").GetDouble() > 0, "latency must be measured");
    }

    [Fact]
    public async Task EdgeMosquitto_AnEdgeCanNeitherReadCropsNorPublishAsAnotherEdge()
    {
        TestPaths.RequireInstalled(MosquittoServer.Binary, "mosquitto");
        var ct = TestContext.Current.CancellationToken;
        using var folder = TempFolder.Create("foglens-edge-acl-");
        await using var fog = await FogUnderLoad.StartAsync(
            new FogUnderLoadOptions { DataDirectory = folder.Path, Edges = ["edge-1", "edge-2"], ExternalEdgeBroker = true }, _ => { }, ct);

        using var spy = await ConnectAsync(fog.EdgeBroker, "edge-1", fog.EdgePasswords["edge-1"]);
        var seen = 0;
        spy.ApplicationMessageReceivedAsync += _ =>
        {
            Interlocked.Increment(ref seen);
            return Task.CompletedTask;
        };
        await spy.SubscribeAsync("foglens/v1/edge/#", MqttQualityOfServiceLevel.AtLeastOnce, ct);
        using var victim = await ConnectAsync(fog.EdgeBroker, "edge-2", fog.EdgePasswords["edge-2"]);

        var own = await victim.PublishAsync(Message(Topics.EdgeStatus("edge-2")), ct);
        var forged = await spy.PublishAsync(Message(Topics.EdgeStatus("edge-2")), ct);
        await Task.Delay(TimeSpan.FromSeconds(1), ct);

        Assert.True(own.IsSuccess, $"an edge publishes under its own id ({own.ReasonCode})");
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, forged.ReasonCode);
        Assert.Equal(0, Volatile.Read(ref seen));

        // Nor with the fog's account name and a guessed password.
        using var guess = new MqttClientFactory().CreateMqttClient();
        string outcome;
        try
        {
            outcome = (await guess.ConnectAsync(Options(fog.EdgeBroker, "fog", "fog"), ct)).ResultCode.ToString();
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException ex)
        {
            outcome = ex.Message; // MQTTnet 5 reports a refusing CONNACK as this exception, the reason code in its message
        }

        Assert.Matches("NotAuthorized|BadUserNameOrPassword", outcome);
    }

    private static MqttApplicationMessage Message(string topic) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload("{}"u8.ToArray()).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    private static async Task<IMqttClient> ConnectAsync(Uri broker, string user, string password)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(Options(broker, user, password), TestContext.Current.CancellationToken);
        return client;
    }

    private static MqttClientOptions Options(Uri broker, string user, string password) =>
        new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port).WithClientId(user + "-" + Guid.NewGuid().ToString("N")[..6]).WithCredentials(user, password)
            .WithProtocolVersion(MqttProtocolVersion.V500).Build();

    private static async Task<(int Exit, string Output)> RunAsync(string program, string[] arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
