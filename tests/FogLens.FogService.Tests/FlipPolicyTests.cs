using FogLens.FogService.Inference;

namespace FogLens.FogService.Tests;

/// <summary>The fog flips (test-time augmentation) only when enabled and no more than the next batch waits behind this one.</summary>
public sealed class FlipPolicyTests
{
    [Theory]
    [InlineData(true, 1, 64, true)]
    [InlineData(true, 128, 64, true)]
    [InlineData(true, 129, 64, false)]
    [InlineData(true, 5000, 64, false)]
    [InlineData(false, 1, 64, false)]
    public void ShouldFlip_WhenEnabledAndNotBehind(bool enabled, int spooled, int batch, bool expected) =>
        Assert.Equal(expected, InferenceWorker.ShouldFlip(enabled, spooled, batch));
}
