using FogLens.AgeModel.Training;
using TorchSharp;

namespace FogLens.AgeModel.Tests;

internal static class OnnxExportTestsHelpers
{
    /// <summary>Non-trivial BatchNorm statistics and affine parameters, so folding is exercised.</summary>
    public static void RandomiseBatchNorm(AgeNet net)
    {
        using var noGrad = torch.no_grad();
        foreach (var (_, norm, _) in net.Blocks())
        {
            var c = norm.running_mean!.shape[0];
            norm.running_mean.copy_(torch.randn(c) * 0.3);
            norm.running_var!.copy_(torch.rand(c) + 0.5);
            norm.weight!.copy_(torch.rand(c) + 0.5);
            norm.bias!.copy_(torch.randn(c) * 0.2);
        }
    }
}
