using FogLens.Launch;
using FogLens.EdgeAgent.Tests;
using FogLens.Tests.Shared;
using MQTTnet;

namespace FogLens.EndToEnd.Tests;

/// <summary>
/// Every MQTT hop over TLS (security issue #14, item 6): edge agents → the fog's embedded broker (mqtts) →
/// the cloud broker (the portal's embedded one, or Mosquitto with PostgreSQL) over mqtts, each client trusting
/// the site's private CA. A plain-MQTT client is not served by the cloud broker.
/// </summary>
public sealed class TlsEndToEndTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)] // embedded brokers
    [InlineData(true)] // Mosquitto (certfile/keyfile on its listener) + PostgreSQL
    public async Task EdgeToFogToPortal_OverTls_WindowsArrive_PlainMqttIsNotServed(bool external)
    {
        if (external)
        {
            Assert.SkipWhen(PostgresCluster.FindBin(out var reason) is null, "TLS test with Mosquitto skipped: " + reason);
            TestPaths.RequireInstalled(MosquittoServer.Binary, "mosquitto");
        }

        var root = Directory.CreateTempSubdirectory("foglens-tls-").FullName;
        var options = new SiteOptions
        {
            DataDirectory = root,
            BasePort = 0,
            Fogs = 1,
            EdgesPerFog = 1,
            Tls = true,
            External = external,
            EdgeSource = _ => SyntheticScenes.Create(2),
            LoopSources = true,
            FogWindow = TimeSpan.FromSeconds(2),
            FogWindowGrace = TimeSpan.FromSeconds(1),
            PortalArguments = ["--Portal:MinFacesShown=1"],
        };
        await using var site = await SiteStart.StartAsync(options, output.WriteLine);
        Assert.Equal("mqtts", site.CloudBroker.Scheme);
        using var portal = await PortalClient.SignInAsync(site.PortalUrl, options.AdminUser, options.AdminPassword);
        await Eventually.WaitUntil(async () => (await portal.WindowsAsync()).Sum(w => w.GetProperty("faces").GetInt32()) >= 2, TimeSpan.FromMinutes(3), "faces counted over TLS");

        // The same port without TLS: the broker's TLS handshake fails, no MQTT session.
        using var plain = new MqttClientFactory().CreateMqttClient();
        var connect = new MqttClientOptionsBuilder().WithTcpServer(site.CloudBroker.Host, site.CloudBroker.Port).WithClientId("fog-1")
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithTimeout(TimeSpan.FromSeconds(10)).Build();
        await Assert.ThrowsAnyAsync<Exception>(() => plain.ConnectAsync(connect, TestContext.Current.CancellationToken));
        Assert.False(plain.IsConnected);
    }
}
