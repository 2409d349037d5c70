using FogLens.AgeModel.Training;
using FogLens.Compression;
using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Federated;
using FogLens.FogService.Training;
using FogLens.Messaging;
using FogLens.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FogLens.FogService.Tests;

/// <summary>
/// Delta broadcast on the fog (issue 17 item 3): a fog that holds an earlier model rebuilds the round's model from the
/// chain of deltas, bit for bit; one that holds none of it, or gets a bad delta, downloads the whole model; what it
/// holds survives a restart; a whole model that is not the announced one is refused.
/// </summary>
public sealed class HeldModelsTests
{
    private static readonly string Shipped = Path.Combine(TestPaths.RepoRoot, "models", "age");

    [Fact]
    public async Task CatchesUpFromDeltas_FallsBackToTheWholeModel_AndKeepsWhatItHoldsAcrossARestart()
    {
        var ct = TestContext.Current.CancellationToken;
        var config = AgeNetConfig.FromJson(await File.ReadAllTextAsync(Path.Combine(Shipped, ModelFiles.Config), ct));
        var server = Directory.CreateTempSubdirectory("foglens-held-srv-").FullName;

        // The portal's side: three rounds that change the head (as head-only fine-tuning does), sent as top-k deltas.
        var held = ModelState.Load(config, Path.Combine(Shipped, ModelFiles.Weights));
        var baseFingerprint = ModelBroadcast.Fingerprint(held);
        var weights = held.Clone();
        var random = new Random(3);
        var links = new List<(string Version, byte[] Delta, string Fingerprint, string Parent, string ParentFingerprint)>();
        var parent = ("age-v2", baseFingerprint);
        for (var round = 1; round <= 3; round++)
        {
            foreach (var (spec, values) in weights.Specs.Zip(weights.Values).Where(p => p.First.Name.Contains("head", StringComparison.Ordinal)))
            {
                for (var i = 0; i < values.Length; i += 7)
                {
                    values[i] += (float)(random.NextDouble() - 0.5) * 0.01f;
                }
            }

            var (delta, next) = ModelBroadcast.Encode(held, weights, CodecId.TopK, new CodecOptions { Sparsity = 0.01, DenseMaxElements = 1024 });
            links.Add(($"fl-r{round}", delta, ModelBroadcast.Fingerprint(next), parent.Item1, parent.Item2));
            parent = ($"fl-r{round}", ModelBroadcast.Fingerprint(next));
            held = next;
        }

        Assert.True(links.All(l => l.Delta.Length < 0.05 * weights.ElementCount * 4), "each delta must be a small fraction of the model");
        var wholePath = Path.Combine(server, "whole.weights");
        held.SaveWeights(config, wholePath);
        var whole = await File.ReadAllBytesAsync(wholePath, ct);
        var routes = links.ToDictionary(l => $"/api/models/{l.Version}/delta", l => l.Delta);
        routes["/api/models/fl-r3/broadcast"] = whole;
        routes["/api/models/fl-r2/bad"] = [.. links[1].Delta.Take(40)];
        await using var models = await ModelServer.StartAsync(routes);
        ModelDeltaLink Link(int i, string? path = null) => new(links[i].Version, links[i].Fingerprint, links[i].Parent, links[i].ParentFingerprint,
            models.At(path ?? $"/api/models/{links[i].Version}/delta"), Sha256Hex.Of(links[i].Delta), links[i].Delta.Length);
        var task = Task(new ModelBroadcastChain(parent.Item2, [Link(0), Link(1), Link(2)]), models.At("/api/models/fl-r3/broadcast"), Sha256Hex.Of(whole));
        Assert.Null(task.Validate());
        using var downloader = Downloader();

        // A fog that ships the base: three deltas, bit-identical to the portal's held model.
        var fogFolder = Directory.CreateTempSubdirectory("foglens-held-fog-").FullName;
        var fog = new HeldModels(fogFolder, config, downloader, NullLogger.Instance);
        fog.Seed("age-v2", Path.Combine(Shipped, ModelFiles.Weights));
        var (path, bytes) = await fog.FetchAsync(task, ct);
        Assert.Equal(links.Sum(l => (long)l.Delta.Length), bytes);
        Assert.Equal(parent.Item2, ModelBroadcast.Fingerprint(ModelState.Load(config, path)));
        Assert.Equal((3L, 0L, 0L), fog.Counts);

        // It holds the model now, and still after a restart: nothing to download.
        Assert.Equal(0, (await fog.FetchAsync(task, ct)).Bytes);
        var restarted = new HeldModels(fogFolder, config, downloader, NullLogger.Instance);
        Assert.Equal(0, (await restarted.FetchAsync(task, ct)).Bytes);

        // A fog that holds nothing on the chain downloads the whole model (and checks its fingerprint).
        var fresh = new HeldModels(Directory.CreateTempSubdirectory("foglens-held-new-").FullName, config, downloader, NullLogger.Instance);
        var (freshPath, freshBytes) = await fresh.FetchAsync(task, ct);
        Assert.Equal(whole.Length, freshBytes);
        Assert.Equal(parent.Item2, ModelBroadcast.Fingerprint(ModelState.Load(config, freshPath)));
        Assert.Equal((0L, 1L, 0L), fresh.Counts);

        // A delta that does not match its hash: the fog falls back to the whole model and still trains on the right one.
        var damaged = Task(new ModelBroadcastChain(parent.Item2, [Link(0), Link(1, "/api/models/fl-r2/bad"), Link(2)]), models.At("/api/models/fl-r3/broadcast"), Sha256Hex.Of(whole));
        var other = new HeldModels(Directory.CreateTempSubdirectory("foglens-held-bad-").FullName, config, downloader, NullLogger.Instance);
        other.Seed("age-v2", Path.Combine(Shipped, ModelFiles.Weights));
        var (otherPath, otherBytes) = await other.FetchAsync(damaged, ct);
        Assert.Equal(parent.Item2, ModelBroadcast.Fingerprint(ModelState.Load(config, otherPath)));
        Assert.Equal((0L, 1L, 1L), other.Counts);
        Assert.Equal(links[0].Delta.Length + whole.Length, otherBytes);

        // A whole model whose fingerprint is not the announced one is refused.
        var lying = Task(new ModelBroadcastChain(baseFingerprint, []), models.At("/api/models/fl-r3/broadcast"), Sha256Hex.Of(whole)) with { ModelVersion = "fl-r9" };
        var third = new HeldModels(Directory.CreateTempSubdirectory("foglens-held-lie-").FullName, config, downloader, NullLogger.Instance);
        await Assert.ThrowsAsync<InvalidDataException>(() => third.FetchAsync(lying, ct));
    }

    [Fact]
    public void ChainValidation_RefusesLinksThatDoNotContinueOrEndElsewhere()
    {
        var a = new string('a', 64);
        var b = new string('b', 64);
        var c = new string('c', 64);
        var uri = new Uri("http://127.0.0.1/d");
        var first = new ModelDeltaLink("fl-r1", b, "base", a, uri, a, 10);
        var second = new ModelDeltaLink("fl-r2", c, "fl-r1", b, uri, a, 10);
        Assert.Null(new ModelBroadcastChain(c, [first, second]).Validate("fl-r2"));
        Assert.NotNull(new ModelBroadcastChain(c, [second, first]).Validate("fl-r2"));
        Assert.NotNull(new ModelBroadcastChain(c, [first, second]).Validate("fl-r3"));
        Assert.NotNull(new ModelBroadcastChain(c, [first, second with { ParentFingerprint = c }]).Validate("fl-r2"));
        Assert.NotNull(new ModelBroadcastChain("x", []).Validate("fl-r2"));
        Assert.NotNull(new ModelBroadcastChain(c, [.. Enumerable.Repeat(first, ModelBroadcastChain.MaxLinks + 1)]).Validate("fl-r1"));
    }

    private static RoundTask Task(ModelBroadcastChain chain, Uri whole, string sha) => new(
        new MessageHeaderFactory("portal").Next(), 4, chain.Links.Count > 0 ? chain.Links[^1].Version : "fl-r3", sha, whole, ["fog-t"], "sbc", 0.01,
        LocalEpochs: 1, BatchSize: 16, LearningRate: 1e-3, DateTimeOffset.UtcNow.AddMinutes(10), RoundMode.Synchronous, Broadcast: chain);

    private static ModelDownloader Downloader() => new(Options.Create(new FederatedOptions()), new FixedMonitor(new MqttEndpointOptions()));

    private sealed class FixedMonitor(MqttEndpointOptions value) : IOptionsMonitor<MqttEndpointOptions>
    {
        public MqttEndpointOptions CurrentValue => value;

        public MqttEndpointOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<MqttEndpointOptions, string?> listener) => null;
    }
}
