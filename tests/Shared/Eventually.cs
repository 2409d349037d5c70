namespace FogLens.Tests.Shared;

/// <summary>Polls a condition that an event elsewhere makes true, failing with a message after a timeout.</summary>
internal static class Eventually
{
    public static async Task WaitUntil(Func<bool> condition, TimeSpan timeout, string what = "condition")
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what} not reached within {timeout.TotalSeconds:F0} s");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Polls an asynchronous condition (an HTTP query, say) every half second.</summary>
    public static async Task WaitUntil(Func<Task<bool>> condition, TimeSpan timeout, string what = "condition")
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what} not reached within {timeout.TotalSeconds:F0} s");
            await Task.Delay(500, TestContext.Current.CancellationToken);
        }
    }
}
