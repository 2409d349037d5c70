using System.Text;
using TorchSharp;

namespace FogLens.AgeModel.Tests;

public sealed class TorchSharpCompatTests
{
    private const string ShimName = "libfoglens_glibcxx_shim.so";

    [Fact]
    public void Tensor_Backward_ComputesGradient()
    {
        using var x = torch.tensor(new[] { 1f, -2f, 3f }, requires_grad: true);
        using var y = (x * x).sum();
        y.backward();
        Assert.Equal(new[] { 2f, -4f, 6f }, x.grad!.data<float>().ToArray());
    }

    [Fact]
    public void CompatStep_IsAppliedExactlyWhenSystemLibstdcxxLacksTheSymbol()
    {
        var lib = Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories).First();
        var systemHasSymbol = SystemLibstdcxxBytes().AsSpan().IndexOf("GLIBCXX_3.4.32"u8) >= 0;
        var patched = File.ReadAllBytes(lib).AsSpan().IndexOf(Encoding.ASCII.GetBytes(ShimName)) >= 0;

        Assert.Equal(!systemHasSymbol, patched);
        if (patched)
        {
            Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(lib)!, ShimName)), "the shim must sit beside the patched library");
        }
    }

    private static byte[] SystemLibstdcxxBytes()
    {
        string[] candidates = ["/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6"];
        var path = candidates.FirstOrDefault(File.Exists);
        Assert.SkipWhen(path is null, "no system libstdc++.so.6 at the usual paths");
        return File.ReadAllBytes(path!);
    }
}
