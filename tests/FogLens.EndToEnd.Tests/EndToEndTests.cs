using System.Text.Json;
using FogLens.AgeModel;
using FogLens.AgeModel.Data;
using FogLens.AgeModel.Inference;
using FogLens.Launch;
using FogLens.Contracts;
using FogLens.EdgeAgent.Tests;
using FogLens.Tests.Shared;
using MQTTnet;

namespace FogLens.EndToEnd.Tests;

/// <summary>
/// The whole suite as separate processes, as an operator runs it: edge agents on image folders with a known
/// number of people → fog services → cloud portal. Once with the embedded defaults (SQLite, the portal's
/// MQTTnet broker) and once with external services (Mosquitto with a password file and ACL, PostgreSQL).
/// </summary>
public sealed class EndToEndTests(ITestOutputHelper output)
{
    private const int PeoplePerCamera = 3;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EdgesToPortal_StoredCountsMatchTheModel_AndARoundUpdatesEveryFog(bool external)
    {
        if (external)
        {
            Assert.SkipWhen(PostgresCluster.FindBin(out var reason) is null, "external mode skipped: " + reason);
            TestPaths.RequireInstalled(MosquittoServer.Binary, "mosquitto");
        }

        var dataset = TestPaths.Dataset;
        using var temp = TempFolder.Create("foglens-e2e-");
        var root = temp.Path;
        var scenes = new Dictionary<int, string>();
        var options = new SiteOptions
        {
            DataDirectory = root,
            BasePort = 0,
            Fogs = 2,
            EdgesPerFog = 1,
            External = external,
            EdgeSource = n => scenes.TryGetValue(n, out var s) ? s : scenes[n] = SyntheticScenes.Create(PeoplePerCamera),
            LoopSources = false,
            RealTimeSources = false, // every frame processed: the people counted do not depend on the machine's load
            FogWindow = TimeSpan.FromSeconds(2),
            FogWindowGrace = TimeSpan.FromSeconds(1),
            KeepFaces = true,
            Federated = dataset is null ? null : (Partition(dataset, Path.Combine(root, "partitions")), dataset),
            EvaluationLimit = 100,
            PortalArguments = ["--Portal:MinFacesShown=1", "--Federated:Deadline=00:03:00", "--Federated:BatchSize=16"],
        };
        await using var site = await SiteStart.StartAsync(options, output.WriteLine);
        using var portal = await PortalClient.SignInAsync(site.PortalUrl, options.AdminUser, options.AdminPassword);

        // Demographics: every person counted once, in the group the age model gives the crop the fog kept.
        var expectedFaces = options.Fogs * options.EdgesPerFog * PeoplePerCamera;
        await Eventually.WaitUntil(async () => (await portal.WindowsAsync()).Sum(w => w.GetProperty("faces").GetInt32()) >= expectedFaces, Timeout);
        var windows = await portal.WindowsAsync();
        foreach (var (fogId, _) in site.Fogs)
        {
            var kept = Directory.GetFiles(Path.Combine(root, fogId, "faces"), "*.jpg", SearchOption.AllDirectories);
            Assert.Equal(options.EdgesPerFog * PeoplePerCamera, kept.Length);
            var stored = windows.Where(w => w.GetProperty("fogId").GetString() == fogId).ToList();
            Assert.Equal(kept.Length, stored.Sum(w => w.GetProperty("faces").GetInt32()));
            Assert.Equal(ExpectedGroups(kept), StoredGroups(stored));
        }

        Assert.Equal(windows.Count, windows.Select(w => w.GetProperty("messageId").GetGuid()).Distinct().Count());

        // Nodes: the portal knows both fogs and shows them online.
        var nodes = await portal.GetAsync("/api/nodes");
        Assert.Equal(site.Fogs.Select(f => f.Id).Order(), nodes.EnumerateArray().Where(n => n.GetProperty("node").GetProperty("kind").GetString() == "fog" && n.GetProperty("online").GetBoolean())
            .Select(n => n.GetProperty("node").GetProperty("id").GetString()).Order());

        // ... and every edge, relayed by its fog, with its camera, fog and the crops it published.
        await Eventually.WaitUntil(async () => (await portal.GetAsync("/api/nodes")).EnumerateArray()
            .Count(n => n.GetProperty("node").GetProperty("kind").GetString() == "edge" && n.GetProperty("node").GetProperty("cameraId").ValueKind == JsonValueKind.String
                && n.GetProperty("node").GetProperty("cropsReceived").GetInt64() == PeoplePerCamera) == options.Fogs * options.EdgesPerFog, Timeout);

        if (dataset is null)
        {
            await AssertFogCannotImpersonateAsync(site, root);
        }

        Assert.SkipWhen(dataset is null, "demographics checked; the federated round needs the UTKFace dataset (FOGLENS_DATASET or ../shared/datasets/utkface-part1)");

        // One federated round, started as Admin: both fogs train on their share, the portal aggregates and
        // evaluates the new version and promotes it only if it is no worse than the best promoted model (here the
        // base); either way the round's model reaches every fog: automatically, or when the Admin promotes it.
        await Eventually.WaitUntil(async () => (await portal.GetAsync("/api/nodes")).EnumerateArray().Count(n => n.GetProperty("node").GetProperty("localSamples").GetInt32() > 0) == options.Fogs, Timeout);
        var started = await portal.PostAsync("/api/rounds");
        var roundId = started.GetProperty("id").GetInt64();
        string? version = null;
        await Eventually.WaitUntil(async () =>
        {
            var r = (await portal.GetAsync($"/api/rounds/{roundId}")).GetProperty("round");
            version = r.TryGetProperty("resultVersion", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            return version is not null;
        }, Timeout);
        var completed = (await portal.GetAsync($"/api/rounds/{roundId}")).GetProperty("round");
        Assert.Equal(JsonValueKind.Number, completed.GetProperty("mae").ValueKind); // evaluated: Federated:EvaluationData is set

        // The round started from the base, which the fogs ship with: they recognised it by its fingerprint and
        // downloaded nothing (delta broadcast), where sending the model would have cost a whole file per fog.
        Assert.Equal(0, completed.GetProperty("downloadBytes").GetInt64());
        Assert.True(completed.GetProperty("fullDownloadBytes").GetInt64() > 1_000_000);
        var outcome = completed.GetProperty("outcome").GetString()!;
        if (outcome.Contains("not promoted: worse than", StringComparison.Ordinal))
        {
            Assert.True(completed.GetProperty("mae").GetDouble() > completed.GetProperty("referenceMae").GetDouble());
            await portal.PostAsync($"/api/models/{version}/promote");
        }
        else
        {
            Assert.Contains("promoted (best so far", outcome, StringComparison.Ordinal);
        }

        // Either way the round's model becomes current (the coordinator promotes it just after saving the outcome).
        await Eventually.WaitUntil(async () => (await portal.GetAsync("/api/models")).EnumerateArray()
            .Single(m => m.GetProperty("isCurrent").GetBoolean()).GetProperty("version").GetString() == version, Timeout);

        var round = await portal.GetAsync($"/api/rounds/{roundId}");
        output.WriteLine(round.ToString());
        using var http = new HttpClient();
        foreach (var (fogId, url) in site.Fogs)
        {
            await Eventually.WaitUntil(async () =>
            {
                using var status = JsonDocument.Parse(await http.GetStringAsync(new Uri(url, "/api/status")));
                return status.RootElement.GetProperty("modelVersion").GetString() == version;
            }, Timeout);
            output.WriteLine($"{fogId} runs {version}");
        }

        await AssertFogCannotImpersonateAsync(site, root);
    }

    /// <summary>A fog may publish only under its own id, on either broker: fog-1's account writing fog-2's topics (live and late) is refused.</summary>
    private static async Task AssertFogCannotImpersonateAsync(Site site, string root)
    {
        await site["fog-1"].StopAsync(TimeSpan.FromSeconds(10)); // its session would take the client id back
        var password = File.ReadAllText(Path.Combine(root, "secrets", "fog-1")).Trim();
        using var client = new MqttClientFactory().CreateMqttClient();
        var connect = new MqttClientOptionsBuilder().WithTcpServer(site.CloudBroker.Host, site.CloudBroker.Port).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId("fog-1").WithCredentials("fog-1", password).WithCleanStart().Build();
        await client.ConnectAsync(connect, TestContext.Current.CancellationToken);
        var forged = new MqttApplicationMessageBuilder().WithTopic(Topics.FogDemographics("fog-2")).WithPayload("{}"u8.ToArray())
            .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build();
        var result = await client.PublishAsync(forged, TestContext.Current.CancellationToken);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, result.ReasonCode);
        var forgedLate = new MqttApplicationMessageBuilder().WithTopic(Topics.FogLateDemographics("fog-2")).WithPayload("{}"u8.ToArray())
            .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build();
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await client.PublishAsync(forgedLate, TestContext.Current.CancellationToken)).ReasonCode);
        await client.DisconnectAsync(cancellationToken: TestContext.Current.CancellationToken);
    }

    private static string[] Partition(string dataset, string folder)
    {
        var (train, _) = DatasetSplit.Split(UtkFaceDataset.Scan(dataset).Samples);
        var parts = DatasetPartitioner.Partition(DatasetSplit.FixedSubset(train, 160), 2, PartitionScheme.Iid, 0.5, 1, AgeGroupSet.Default);
        return [.. DatasetPartitioner.Write(parts, folder)];
    }

    private static Dictionary<string, int> ExpectedGroups(string[] crops)
    {
        using var estimator = new AgeEstimator(Path.Combine(TestPaths.RepoRoot, "models", "age", "age-net.onnx")) { FlipAverage = false }; // as the fog runs it (Fog:FlipAverage, off by default)
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var crop in crops)
        {
            using var image = FogLens.AgeModel.Imaging.FacePreprocessor.Decode(File.ReadAllBytes(crop))!;
            var label = estimator.Groups.Groups[estimator.Predict([image])[0].GroupIndex].Label;
            counts[label] = counts.GetValueOrDefault(label) + 1;
        }

        return counts;
    }

    private static Dictionary<string, int> StoredGroups(IEnumerable<JsonElement> windows)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var group in windows.SelectMany(w => w.GetProperty("ageGroups").EnumerateObject()).Where(g => g.Value.GetInt32() > 0))
        {
            counts[group.Name] = counts.GetValueOrDefault(group.Name) + group.Value.GetInt32();
        }

        return counts;
    }
}
