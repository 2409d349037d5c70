using FogLens.Launch;

namespace FogLens.EndToEnd.Tests;

/// <summary>
/// Starts a site on free ports. A free port is found by binding port 0 and releasing it, so another process
/// (test assemblies run in parallel) can take it before the tier binds it; the start is then tried once more
/// with new ports. A second failure fails the test.
/// </summary>
internal static class SiteStart
{
    public static async Task<Site> StartAsync(SiteOptions options, Action<string> log)
    {
        try
        {
            return await Site.StartAsync(options, log, TestContext.Current.CancellationToken);
        }
        catch (SiteException ex)
        {
            log($"site did not start ({ex.Message}); trying once more with new ports");
            return await Site.StartAsync(options, log, TestContext.Current.CancellationToken);
        }
    }
}
