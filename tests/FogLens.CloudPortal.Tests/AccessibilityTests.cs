using Deque.AxeCore.Playwright;
using FogLens.Contracts.Messages;
using FogLens.Tests.Shared;
using Microsoft.Playwright;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal.Tests;

/// <summary>
/// Every page at 1400 and 390 px wide in Chromium, in the light and in the dark theme: an axe-core scan with no serious
/// or critical violation, nothing wider than the window (tables and heatmaps scroll inside their card), and a screenshot
/// of each in docs/screenshots/ when FOGLENS_SCREENSHOTS=1 (the dark theme at 1400 px only).
/// </summary>
public sealed class AccessibilityTests
{
    private static readonly string[] Pages = ["/", "/demographics", "/nodes", "/training", "/models", "/contributions"];

    [Theory]
    [InlineData(1400, 900)]
    [InlineData(390, 844)]
    public async Task EveryPage_HasNoSeriousAxeViolation_AndFitsTheWindow(int width, int height)
    {
        await using var portal = await PortalHarness.StartAsync(new() { ["Portal:MinFacesShown"] = "1" });
        await using var fog = await TestFog.ConnectAsync(portal.BrokerPort, "fog-1");
        await fog.StatusAsync(edges:
        [
            new EdgeSummary("edge-1", NodeState.Online, "entrance", 9.8, 9.8, 1, 57, 0, DateTimeOffset.UtcNow, SourceState.Ok),
            new EdgeSummary("edge-2", NodeState.Online, "back-door", 0, 0, 0, 0, 0, DateTimeOffset.UtcNow, SourceState.Unreadable, "cannot open file:/videos/back-door.mp4: not a readable video file"),
        ]);
        var now = DateTimeOffset.UtcNow;
        for (var m = 30; m >= 2; m -= 4)
        {
            await fog.DemographicsAsync(TestFog.Window(fog.NextHeader(), "edge-1", now.AddMinutes(-m), ("20-29", 20, 29, 2 + (m % 5)), ("40-49", 40, 49, 1)));
        }

        for (var h = 1; h <= 60; h += 5) // the same hour yesterday and a few days of activity for the heatmap
        {
            await fog.DemographicsAsync(TestFog.Window(fog.NextHeader(), "edge-1", now.AddHours(-24).AddMinutes(-h), ("20-29", 20, 29, 1), ("60-69", 60, 69, 2)));
            await fog.DemographicsAsync(TestFog.Window(fog.NextHeader(), "edge-1", now.AddHours(-h * 2), ("20-29", 20, 29, h % 7), ("40-49", 40, 49, 1)));
        }

        await Eventually.WaitUntil(() => portal.Service<PortalCounters>().StatusMessages >= 1, TimeSpan.FromSeconds(30), "fog status stored");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = TestPaths.RequireInstalled("/usr/bin/chromium", "chromium"),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--no-first-run", "--disable-extensions"],
        });
        Assertions.SetDefaultExpectTimeout(30_000);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var problems = new List<string>();

        await page.GotoAsync(new Uri(portal.BaseAddress, "/login").ToString());
        await CheckAsync(page, "login", width, problems);
        await page.FillAsync("#username", "admin");
        await page.FillAsync("#password", PortalHarness.AdminPassword);
        await page.ClickAsync("#login");
        await page.WaitForURLAsync(new Uri(portal.BaseAddress, "/").ToString());
        foreach (var path in Pages)
        {
            await page.GotoAsync(new Uri(portal.BaseAddress, path).ToString());
            await Assertions.Expect(page.Locator("h4").First).ToBeVisibleAsync(); // the interactive page has rendered
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            var name = path == "/" ? "overview" : path.TrimStart('/');
            await CheckAsync(page, name, width, problems);

            // The same page in the dark theme (the portal follows the browser's preference until the switch is used).
            await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Dark });
            await page.ReloadAsync();
            await Assertions.Expect(page.Locator("#theme-toggle")).ToHaveAttributeAsync("aria-label", "Switch to light mode");
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await CheckAsync(page, name + "-dark", width, problems);
            await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Light });
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    private static async Task CheckAsync(IPage page, string name, int width, List<string> problems)
    {
        var axe = await page.RunAxe();
        foreach (var violation in axe.Violations.Where(v => v.Impact is "serious" or "critical"))
        {
            problems.Add($"{name} @ {width} px: {violation.Impact} {violation.Id}: {violation.Help} ({string.Join(", ", violation.Nodes.Take(3).Select(n => string.Join(' ', n.Target)))})");
        }

        var overflow = await page.EvaluateAsync<int>("() => document.scrollingElement.scrollWidth - window.innerWidth");
        if (overflow > 0)
        {
            problems.Add($"{name} @ {width} px: the page is {overflow} px wider than the window");
        }

        if (Environment.GetEnvironmentVariable("FOGLENS_SCREENSHOTS") == "1" && (!name.EndsWith("-dark", StringComparison.Ordinal) || width >= 1400))
        {
            var folder = Path.Combine(TestPaths.RepoRoot, "docs", "screenshots");
            Directory.CreateDirectory(folder);
            var file = name.EndsWith("-dark", StringComparison.Ordinal) ? $"{name[..^5]}-{width}-dark.png" : $"{name}-{width}.png";
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, file), FullPage = true });
        }
    }
}
