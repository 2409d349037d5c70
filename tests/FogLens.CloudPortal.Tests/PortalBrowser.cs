using System.Net.Http.Json;
using FogLens.Tests.Shared;
using Microsoft.Playwright;

namespace FogLens.CloudPortal.Tests;

/// <summary>Debian's Chromium driven by Playwright, and the steps the browser tests share.</summary>
internal static class PortalBrowser
{
    private const string Chromium = "/usr/bin/chromium";

    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        ArgumentNullException.ThrowIfNull(playwright);
        Assertions.SetDefaultExpectTimeout(30_000); // Blazor's first render on 2 loaded cores can take longer than Playwright's 5 s
        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = TestPaths.RequireInstalled(Chromium, "chromium"),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--no-first-run", "--disable-extensions"],
        });
    }

    public static async Task LoginAsync(IPage page, PortalHarness portal, string user, string password)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(portal);
        await page.GotoAsync(new Uri(portal.BaseAddress, "/login").ToString());
        await page.FillAsync("#username", user);
        await page.FillAsync("#password", password);
        await page.ClickAsync("#login");
        await page.WaitForURLAsync(new Uri(portal.BaseAddress, "/").ToString());
    }

    /// <summary>Imports one of experiments/runs/ as an Admin would.</summary>
    public static async Task ImportRunAsync(PortalHarness portal, string run)
    {
        ArgumentNullException.ThrowIfNull(portal);
        var folder = Path.Combine(TestPaths.RepoRoot, "experiments", "runs", run);
        using var admin = await portal.ClientAsync("admin");
        using var response = await admin.PostAsJsonAsync("/api/experiments", new
        {
            run = await File.ReadAllTextAsync(Path.Combine(folder, "run.json")),
            rounds = await File.ReadAllTextAsync(Path.Combine(folder, "rounds.jsonl")),
        });
        response.EnsureSuccessStatusCode();
    }
}
