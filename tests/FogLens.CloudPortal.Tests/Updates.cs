using System.Security.Cryptography;
using FogLens.AgeModel.Training;
using FogLens.Compression;
using FogLens.Contracts.Messages;
using FogLens.Federated;
using FogLens.Tests.Shared;

namespace FogLens.CloudPortal.Tests;

/// <summary>Synthetic but real model updates: random ΔW over the committed model's tensors, encoded by the production codecs.</summary>
internal static class Updates
{
    private static readonly Lazy<(AgeNetConfig Config, ModelState State)> Base = new(() =>
    {
        var folder = Path.Combine(TestPaths.RepoRoot, "models", "age");
        var config = AgeNetConfig.FromJson(File.ReadAllText(Path.Combine(folder, ModelFiles.Config)));
        return (config, ModelState.Load(config, Path.Combine(folder, ModelFiles.Weights)));
    });

    public static AgeNetConfig Config => Base.Value.Config;

    public static ModelState BaseState => Base.Value.State;

    public static UpdateTensor[] Random(int seed, float scale = 1e-3f)
    {
        var rng = new Random(seed);
        return [.. BaseState.Specs.Select(s => new UpdateTensor(s, Enumerable.Range(0, (int)s.ElementCount).Select(_ => (float)(rng.NextDouble() - 0.5) * 2 * scale).ToArray()))];
    }

    public static byte[] Encode(string codec, UpdateTensor[] update, double sparsity = 0.01) =>
        UpdateCodecs.Create(UpdateCodecs.Parse(codec), new CodecOptions { Sparsity = sparsity }).Encode(update, new CodecState());

    /// <summary>Downloads the task's weights as a fog does and checks the SHA-256 the task names.</summary>
    public static async Task<byte[]> DownloadCheckedAsync(RoundTask task)
    {
        using var http = new HttpClient();
        var bytes = await http.GetByteArrayAsync(task.ModelUri, TestContext.Current.CancellationToken);
        Assert.Equal(task.ModelSha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        return bytes;
    }
}
