using System.Collections.Concurrent;
using FogLens.Contracts;
using FogLens.Launch;
using FogLens.Tests.Shared;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace FogLens.EndToEnd.Tests;

/// <summary>
/// The site broker of deploy/mosquitto/site-bridge.conf (issue 20 item 5), run as shipped except for its TLS lines:
/// a fog on the site broker reaches the cloud through the bridge, what it sends while the cloud broker is down is
/// queued at the site and delivered when the cloud is back, and round tasks come down the other way.
/// </summary>
public sealed class MosquittoBridgeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SiteBridge_QueuesThroughACloudOutage_AndCarriesRoundTasksDown()
    {
        TestPaths.RequireInstalled(MosquittoServer.Binary, "mosquitto");
        var ct = TestContext.Current.CancellationToken;
        using var folder = TempFolder.Create("foglens-bridge-");
        string portalPassword = SiteOptions.RandomSecret(), sitePassword = SiteOptions.RandomSecret(), fogPassword = SiteOptions.RandomSecret();

        // The cloud: the shipped ACL plus the site account's rules from the template's comment.
        var cloudAcl = Path.Combine(folder.Path, "cloud-acl");
        await File.WriteAllTextAsync(cloudAcl, await File.ReadAllTextAsync(MosquittoServer.AclPath, ct) + """

            user site-a
            topic write foglens/v1/fog/fog-1/#
            topic write foglens/v1/fl/round/+/update/fog-1
            topic read foglens/v1/fl/round/+/task
            topic read foglens/v1/models/age/current
            """, ct);
        var cloudPort = ChildReadiness.FreePort();
        var cloudSpec = MosquittoServer.Configure(Path.Combine(folder.Path, "cloud"), cloudPort, new Dictionary<string, string> { ["portal"] = portalPassword, ["site-a"] = sitePassword },
            Path.Combine(folder.Path, "cloud.log"), aclPath: cloudAcl);
        var cloud = ChildProcess.Start(cloudSpec);
        var sitePort = ChildReadiness.FreePort();
        var bridge = string.Join('\n', (await File.ReadAllLinesAsync(MosquittoServer.SiteBridgePath, ct))
            .Where(l => !l.StartsWith("bridge_cafile", StringComparison.Ordinal) && !l.StartsWith("bridge_tls_version", StringComparison.Ordinal))
            .Select(l => l.Replace("CLOUD_HOST:8883", $"127.0.0.1:{cloudPort}", StringComparison.Ordinal).Replace("SITE_ID", "site-a", StringComparison.Ordinal)
                .Replace("SITE_PASSWORD", sitePassword, StringComparison.Ordinal)));
        await using var site = ChildProcess.Start(MosquittoServer.Configure(Path.Combine(folder.Path, "site"), sitePort, new Dictionary<string, string> { ["fog-1"] = fogPassword },
            Path.Combine(folder.Path, "site.log"), extraConfig: bridge));
        try
        {
            await ChildReadiness.WaitTcpAsync(cloudPort, cloud, ct);
            await ChildReadiness.WaitTcpAsync(sitePort, site, ct);

            // The portal keeps a persistent session on the cloud broker, as the real one does.
            var received = new ConcurrentDictionary<string, byte>();
            using var portal = await ConnectAsync(cloudPort, "portal", portalPassword, persistent: true, received);
            await portal.SubscribeAsync(Topics.AllFogDemographics, MqttQualityOfServiceLevel.AtLeastOnce, ct);
            var tasks = new ConcurrentDictionary<string, byte>();
            using var fog = await ConnectAsync(sitePort, "fog-1", fogPassword, persistent: true, tasks);
            await fog.SubscribeAsync(Topics.AllRoundTasks, MqttQualityOfServiceLevel.AtLeastOnce, ct);

            Assert.True(await PublishUntilSeenAsync(fog, "before", received), "a window sent to the site broker must reach the cloud through the bridge");

            // WAN outage: the cloud broker is gone; the fog's windows are acknowledged by the site broker meanwhile.
            await cloud.KillAsync();
            for (var i = 0; i < 3; i++)
            {
                var ack = await fog.PublishAsync(Window($"outage-{i}"), ct);
                Assert.True(ack.IsSuccess, $"the site broker must take the fog's window during the outage ({ack.ReasonCode})");
            }

            await cloud.DisposeAsync();
            cloud = ChildProcess.Start(cloudSpec, appendLog: true);
            await ChildReadiness.WaitTcpAsync(cloudPort, cloud, ct);
            using var portalAgain = await ConnectAsync(cloudPort, "portal", portalPassword, persistent: true, received);
            await Eventually.WaitUntil(() => Enumerable.Range(0, 3).All(i => received.ContainsKey($"outage-{i}")), Patience,
                "windows the site queued during the outage must reach the cloud when it is back");

            // Down: a round task published on the cloud reaches the fog on the site broker.
            await portalAgain.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.RoundTask(7)).WithPayload("task-7"u8.ToArray())
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
            await Eventually.WaitUntil(() => tasks.ContainsKey("task-7"), Patience, "a round task must come down the bridge");
        }
        finally
        {
            await cloud.DisposeAsync();
        }
    }

    private static async Task<bool> PublishUntilSeenAsync(IMqttClient fog, string payload, ConcurrentDictionary<string, byte> received)
    {
        // The bridge connects a moment after the site broker starts; until then a window waits at the site.
        await fog.PublishAsync(Window(payload), TestContext.Current.CancellationToken);
        var deadline = DateTime.UtcNow + Patience;
        while (!received.ContainsKey(payload) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        return received.ContainsKey(payload);
    }

    private static MqttApplicationMessage Window(string payload) =>
        new MqttApplicationMessageBuilder().WithTopic(Topics.FogDemographics("fog-1")).WithPayload(System.Text.Encoding.UTF8.GetBytes(payload))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    private static async Task<IMqttClient> ConnectAsync(int port, string user, string password, bool persistent, ConcurrentDictionary<string, byte> received)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            received.TryAdd(System.Text.Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload)), 0);
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(user).WithCredentials(user, password)
            .WithProtocolVersion(MqttProtocolVersion.V500).WithCleanStart(!persistent).WithSessionExpiryInterval(persistent ? 3600u : 0u).Build();
        var result = await client.ConnectAsync(options, TestContext.Current.CancellationToken);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }
}
