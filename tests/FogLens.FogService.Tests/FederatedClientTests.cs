using System.Net;
using FogLens.AgeModel.Data;
using FogLens.AgeModel.Training;
using FogLens.Compression;
using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using FogLens.Federated;
using FogLens.FogService.Training;
using FogLens.Tests.Shared;
using FogLens.Tests.Shared.Mqtt;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace FogLens.FogService.Tests;

public sealed class FederatedClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private readonly MessageParser _parser = new();

    [Fact]
    public async Task RoundTask_ProducesADecodableSbcUpdate_OfThePredictedSize_AndKeepsResiduals()
    {
        var dataset = TestPaths.RequireDataset();
        var (train, _) = DatasetSplit.Split(UtkFaceDataset.Scan(dataset).Samples);
        var list = Path.Combine(Directory.CreateTempSubdirectory("foglens-fl-").FullName, "fog-t.txt");
        await File.WriteAllLinesAsync(list, DatasetSplit.FixedSubset(train, 48).Select(s => s.FileName), TestContext.Current.CancellationToken);
        var weightsPath = Path.Combine(TestPaths.RepoRoot, "models", "age", ModelFiles.Weights);
        await using var models = await ModelServer.StartAsync(new() { ["/api/models/age-v1/weights"] = await File.ReadAllBytesAsync(weightsPath, TestContext.Current.CancellationToken) });
        await using var cloud = new TestBroker();
        await cloud.StartAsync();
        await using var fog = await FogHarness.StartAsync(cloud.Uri, new()
        {
            ["Federated:LocalData"] = list,
            ["Federated:DatasetDirectory"] = dataset,
        });
        Assert.True(await cloud.WaitForAsync(m => m.Any(x => x.Topic == Topics.FogStatus("fog-t")), Timeout), "fog must connect to the cloud");
        var client = fog.App.Services.GetRequiredService<FederatedClient>();

        var task1 = JsonMessages.Serialize(Task(1, models.At("/api/models/age-v1/weights"), Sha256Hex.Of(await File.ReadAllBytesAsync(weightsPath, TestContext.Current.CancellationToken))));
        await cloud.PublishAsync(Topics.RoundTask(1), task1);
        Assert.True(await cloud.WaitForAsync(m => m.Any(x => x.Topic == Topics.RoundUpdate(1, "fog-t")), Timeout), "an update must arrive");

        var message = cloud.Messages.First(x => x.Topic == Topics.RoundUpdate(1, "fog-t"));
        var frame = _parser.ParseModelUpdate(message.Topic, message.Payload);
        Assert.True(frame.IsSuccess, frame.Error?.ToString());
        Assert.Equal(("sbc", 1L), (frame.Value.Metadata.Codec, frame.Value.Metadata.RoundId));
        Assert.InRange(frame.Value.Metadata.SampleCount, 36, 47); // about 10 % of the 48 faces are held out locally
        Assert.True(frame.Value.Metadata.LocalValidationMae is > 0 and < 60);
        using var network = ModelFiles.LoadNetwork(Path.GetDirectoryName(weightsPath)!);
        var specs = LocalTrainer.Snapshot(network).Select(kv => new TensorSpec(kv.Key, kv.Value.Shape)).ToArray();
        var decoded = UpdateDecoder.Decode(frame.Value.Payload.Span, expected: specs);
        Assert.Equal(CodecId.Sbc, decoded.Codec);
        Assert.True(decoded.Norm() > 0 && double.IsFinite(decoded.Norm()));
        Assert.InRange(frame.Value.Payload.Length * 8.0 / UpdateSizes.ExpectedSbcBits(specs, 0.01), 0.95, 1.05);

        // The residual state is on disk for the next round (and survives a restart). It is saved right
        // after the update is queued, so wait for the round to finish rather than for the message.
        await WaitUntil(() => client.RoundsCompleted == 1);
        var state = CodecState.Load(client.StatePath);
        Assert.Equal(1, state.Rounds);
        Assert.True(state.ResidualNorm() > 0);

        // The same task again (a retained task after a reconnect, or republished by a restarted portal) is not
        // trained twice: the residuals must hold one round's remainder, and the round one update.
        await cloud.PublishAsync(Topics.RoundTask(1), task1);
        await WaitUntil(() => client.RoundsRepeated == 1);
        Assert.Equal(1, client.RoundsCompleted);
        Assert.Equal(1, CodecState.Load(client.StatePath).Rounds);
        Assert.Single(cloud.Messages, x => x.Topic == Topics.RoundUpdate(1, "fog-t"));

        // A task whose model does not match its hash is refused; nothing is uploaded.
        await cloud.PublishAsync(Topics.RoundTask(2), JsonMessages.Serialize(Task(2, models.At("/api/models/age-v1/weights"), new string('0', 64))));
        await WaitUntil(() => client.RoundsFailed == 1);
        Assert.DoesNotContain(cloud.Messages, x => x.Topic == Topics.RoundUpdate(2, "fog-t"));
        Assert.Equal(1, client.RoundsCompleted);
    }

    [Fact]
    public async Task EmptyRetainedRoundTask_IsADeletion_NotAFailedRound()
    {
        var dataset = TestPaths.RequireDataset();
        var (train, _) = DatasetSplit.Split(UtkFaceDataset.Scan(dataset).Samples);
        var list = Path.Combine(Directory.CreateTempSubdirectory("foglens-fl-").FullName, "fog-t.txt");
        await File.WriteAllLinesAsync(list, DatasetSplit.FixedSubset(train, 8).Select(s => s.FileName), TestContext.Current.CancellationToken);
        await using var cloud = new TestBroker();
        await cloud.StartAsync();
        await using var fog = await FogHarness.StartAsync(cloud.Uri, new()
        {
            ["Federated:LocalData"] = list,
            ["Federated:DatasetDirectory"] = dataset,
        });
        var client = fog.App.Services.GetRequiredService<FederatedClient>();
        var topic = Topics.RoundTask(7);
        Assert.True(Topics.TryParse(topic, out var info));

        // The portal clears a finished round's retained task with an empty retained message: a deletion.
        Assert.Equal(FogLens.Messaging.Inbound.IngestOutcome.Ignored, await client.HandleAsync(topic, info, ReadOnlyMemory<byte>.Empty, TestContext.Current.CancellationToken));
        Assert.Equal(0, client.RoundsFailed);

        // A task that does not parse is a failure (so the check above can tell the two apart).
        Assert.Equal(FogLens.Messaging.Inbound.IngestOutcome.Rejected, await client.HandleAsync(topic, info, "{"u8.ToArray(), TestContext.Current.CancellationToken));
        Assert.Equal(1, client.RoundsFailed);
    }

    [Fact]
    public async Task ModelAnnouncement_HotSwapsTheModel_AndARestartKeepsIt()
    {
        var folder = Path.Combine(TestPaths.RepoRoot, "models", "age");
        byte[] v2;
        using (var network = ModelFiles.LoadNetwork(folder))
        {
            v2 = FogLens.AgeModel.Onnx.AgeNetOnnxExporter.Export(network, "age-v3");
        }

        await using var models = await ModelServer.StartAsync(new() { ["/api/models/age-v3/onnx"] = v2 });
        await using var cloud = new TestBroker();
        await cloud.StartAsync();
        var data = Directory.CreateTempSubdirectory("foglens-fog-keep-").FullName;
        var settings = new Dictionary<string, string?> { ["Fog:DataDirectory"] = data };

        await using (var fog = await FogHarness.StartAsync(cloud.Uri, settings))
        {
            var provider = fog.App.Services.GetRequiredService<FogLens.FogService.Inference.AgeModelProvider>();
            var updater = fog.App.Services.GetRequiredService<ModelUpdater>();
            Assert.Equal("age-v2", provider.ModelVersion);

            // A tampered announcement (wrong hash) is refused and the model stays.
            await cloud.PublishAsync(Topics.ModelAnnouncement, JsonMessages.Serialize(Announcement("age-v3", new string('f', 64), models.At("/api/models/age-v3/onnx"))), retain: true);
            await WaitUntil(() => updater.Failures == 1);
            Assert.Equal("age-v2", provider.ModelVersion);

            await cloud.PublishAsync(Topics.ModelAnnouncement, JsonMessages.Serialize(Announcement("age-v3", Sha256Hex.Of(v2), models.At("/api/models/age-v3/onnx"))), retain: true);
            await WaitUntil(() => provider.ModelVersion == "age-v3");
        }

        await using (var restarted = await FogHarness.StartAsync(cloud.Uri, settings))
        {
            Assert.Equal("age-v3", restarted.App.Services.GetRequiredService<FogLens.FogService.Inference.AgeModelProvider>().ModelVersion);
        }
    }

    [Fact]
    public async Task Int8Fog_InstallsTheAnnouncedInt8Graph_AndFallsBackToFp32WhenThereIsNone()
    {
        var folder = Path.Combine(TestPaths.RepoRoot, "models", "age");
        byte[] fp32, int8, next;
        using (var network = ModelFiles.LoadNetwork(folder))
        {
            network.eval();
            fp32 = FogLens.AgeModel.Onnx.AgeNetOnnxExporter.Export(network, "fl-r1");
            next = FogLens.AgeModel.Onnx.AgeNetOnnxExporter.Export(network, "fl-r2");
            var scales = FogLens.AgeModel.Training.ActivationScales.FromJson(await File.ReadAllTextAsync(Path.Combine(folder, ModelFiles.ScalesFile), TestContext.Current.CancellationToken));
            int8 = FogLens.AgeModel.Onnx.AgeNetQdqExporter.Export(network, new FogLens.AgeModel.Onnx.AgeModelVersion("fl-r1"), scales);
        }

        await using var models = await ModelServer.StartAsync(new() { ["/api/models/fl-r1/onnx"] = fp32, ["/api/models/fl-r1/onnx-int8"] = int8, ["/api/models/fl-r2/onnx"] = next });
        await using var cloud = new TestBroker();
        await cloud.StartAsync();
        var settings = new Dictionary<string, string?> { ["Fog:DataDirectory"] = Directory.CreateTempSubdirectory("foglens-fog-int8-").FullName, ["Fog:ModelPrecision"] = "int8" };
        await using var fog = await FogHarness.StartAsync(cloud.Uri, settings);
        var provider = fog.App.Services.GetRequiredService<FogLens.FogService.Inference.AgeModelProvider>();
        var announced = Announcement("fl-r1", Sha256Hex.Of(fp32), models.At("/api/models/fl-r1/onnx")) with
        {
            Int8OnnxSha256 = Sha256Hex.Of(int8), Int8OnnxUri = models.At("/api/models/fl-r1/onnx-int8"),
        };
        await cloud.PublishAsync(Topics.ModelAnnouncement, JsonMessages.Serialize(announced), retain: true);
        await WaitUntil(() => provider.ModelVersion == "fl-r1");
        using (var lease = provider.Acquire())
        {
            Assert.Equal(FogLens.AgeModel.AgeModelPrecision.Int8, lease.Estimator.Precision);
        }

        // An announcement without an int8 graph (an older portal): the fog takes the fp32 graph rather than no model.
        await cloud.PublishAsync(Topics.ModelAnnouncement, JsonMessages.Serialize(Announcement("fl-r2", Sha256Hex.Of(next), models.At("/api/models/fl-r2/onnx"))), retain: true);
        await WaitUntil(() => provider.ModelVersion == "fl-r2");
        using (var lease = provider.Acquire())
        {
            Assert.Equal(FogLens.AgeModel.AgeModelPrecision.Fp32, lease.Estimator.Precision);
        }
    }

    private static ModelAnnouncement Announcement(string version, string onnxSha, Uri onnx) => new(
        new MessageHeaderFactory("portal").Next(), version, onnxSha, onnx, new string('a', 64), onnx, 4.5, DateTimeOffset.UtcNow);

    private static RoundTask Task(long round, Uri model, string sha) => new(
        new MessageHeaderFactory("portal").Next(), round, "age-v1", sha, model, ["fog-t"], "sbc", 0.01, LocalEpochs: 1, BatchSize: 16,
        LearningRate: 1e-3, DateTimeOffset.UtcNow.AddMinutes(10), RoundMode.Synchronous);

    private static Task WaitUntil(Func<bool> condition) => Eventually.WaitUntil(condition, Timeout);
}
