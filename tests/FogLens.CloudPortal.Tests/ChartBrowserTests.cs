using System.Globalization;
using FogLens.CloudPortal.Common;
using FogLens.CloudPortal.Data;
using FogLens.Contracts.Messages;
using FogLens.Tests.Shared;
using Microsoft.Playwright;

namespace FogLens.CloudPortal.Tests;

/// <summary>
/// The charts and tables in Chromium at a phone's width (390 px) and a desktop's (1400 px): chart text is at least
/// 11 CSS pixels and stays inside its chart, ids do not wrap and the round table's rows stay short; the trend and line
/// charts show a bucket's time and values on hover and on keyboard focus, and the trend's axis is the chosen range.
/// </summary>
public sealed class ChartBrowserTests
{
    private const double MinimumTextPixels = 11;

    /// <summary>Every chart (but the heatmaps, which scroll at a fixed size) drawn at its container's width.</summary>
    private const string ChartsFitted = """
        () => [...document.querySelectorAll('.chart-box')].length > 0 && [...document.querySelectorAll('.chart-box')].every(box => {
            const svg = box.querySelector('svg.chart');
            return svg && svg.hasAttribute('data-fitted') && Number(svg.getAttribute('viewBox').split(' ')[2]) === Math.floor(box.getBoundingClientRect().width);
        })
        """;

    /// <summary>Each chart text's size on screen (its CSS font size times the SVG's scale) and whether it sticks out of its chart.</summary>
    private const string TextProblems = """
        min => [...document.querySelectorAll('svg.chart text')].filter(t => t.textContent.trim().length > 0).flatMap(t => {
            const m = t.getScreenCTM();
            const size = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
            const svg = t.closest('svg').getBoundingClientRect();
            const r = t.getBoundingClientRect();
            const name = (t.closest('svg').getAttribute('aria-label') || '?') + ': "' + t.textContent.trim() + '"';
            const problems = [];
            if (size < min) problems.push(name + ' is ' + size.toFixed(1) + ' px');
            if (!t.closest('.tip') && !t.closest('.heatmap') && (r.left < svg.left - 1 || r.right > svg.right + 1 || r.bottom > svg.bottom + 1)) problems.push(name + ' sticks out of its chart');
            return problems;
        })
        """;

    [Fact]
    public async Task ChartText_IsAtLeast11Px_AndInsideItsChart_TablesFit_AtPhoneAndDesktopWidths()
    {
        await using var portal = await PortalHarness.StartAsync(new() { ["Portal:MinFacesShown"] = "1" });
        await SeedAsync(portal);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await PortalBrowser.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 } });
        await PortalBrowser.LoginAsync(page, portal, "admin", PortalHarness.AdminPassword);
        var problems = new List<string>();
        foreach (var (width, height) in new[] { (390, 844), (1400, 900) })
        {
            await page.SetViewportSizeAsync(width, height);
            foreach (var path in new[] { "/", "/demographics", "/training" })
            {
                await page.GotoAsync(new Uri(portal.BaseAddress, path).ToString());
                await Assertions.Expect(page.Locator("svg.chart").First).ToBeVisibleAsync();
                await page.WaitForFunctionAsync(ChartsFitted);
                problems.AddRange((await page.EvaluateAsync<string[]>(TextProblems, MinimumTextPixels)).Select(p => $"{path} @ {width} px: {p}"));
            }

            // Ids never wrap ("fog-/1"); a round with its outcome stays two short lines (rows were ~110 px tall) and the round table fits its card at 1400 px.
            await page.GotoAsync(new Uri(portal.BaseAddress, "/nodes").ToString());
            await Assertions.Expect(page.Locator("#edge-table")).ToContainTextAsync("edge-10");
            foreach (var cell in await page.Locator("#fog-table tbody td:first-child, #edge-table tbody td:first-child").AllAsync())
            {
                var (text, lines) = (await cell.InnerTextAsync(), await cell.EvaluateAsync<double>("e => e.getClientRects().length && e.firstChild ? (() => { const r = document.createRange(); r.selectNodeContents(e); return r.getClientRects().length; })() : 1"));
                if (lines > 1)
                {
                    problems.Add($"/nodes @ {width} px: '{text}' wraps onto {lines} lines");
                }
            }

            await page.GotoAsync(new Uri(portal.BaseAddress, "/training").ToString());
            await Assertions.Expect(page.Locator("#round-table td.outcome-cell")).ToHaveCountAsync(2);
            var rows = await page.Locator("#round-table tbody tr:not(.outcome-row)").EvaluateAllAsync<double[]>("rows => rows.map(r => r.getBoundingClientRect().height + (r.nextElementSibling?.classList.contains('outcome-row') ? r.nextElementSibling.getBoundingClientRect().height : 0))");
            if (width >= 1400 && rows.Max() > 80)
            {
                problems.Add($"/training @ {width} px: round rows {string.Join(", ", rows.Select(r => r.ToString("0", CultureInfo.InvariantCulture)))} px tall");
            }

            var cut = await page.Locator(".scroll-region").Filter(new() { Has = page.Locator("#round-table") }).EvaluateAsync<double>("e => e.scrollWidth - e.clientWidth");
            if (width >= 1400 && cut > 0)
            {
                problems.Add($"/training @ {width} px: the round table is {cut} px wider than its card (MAE/Outcome cut)");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public async Task TrendAndLineCharts_ShowABucketsTimeAndValues_OnHoverAndFocus_AndTheAxisIsTheChosenRange()
    {
        await using var portal = await PortalHarness.StartAsync(new() { ["Portal:MinFacesShown"] = "1" });
        var now = await SeedAsync(portal);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await PortalBrowser.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        await PortalBrowser.LoginAsync(page, portal, "viewer", PortalHarness.ViewerPassword);
        await page.WaitForFunctionAsync(ChartsFitted);

        // Hovering a minute shows its time and its faces; the current minute says it is in progress.
        string Utc(DateTimeOffset t) => t.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var minute = page.Locator($"#live-trend g.bucket[data-bucket='{Utc(now.AddMinutes(-10))}']");
        await Assertions.Expect(minute.Locator(".tip")).ToBeHiddenAsync();
        await minute.Locator("rect.hit").HoverAsync();
        await Assertions.Expect(minute.Locator(".tip")).ToBeVisibleAsync();
        var local = now.AddMinutes(-10).ToLocalTime();
        await Assertions.Expect(minute.Locator(".tip")).ToContainTextAsync(string.Create(CultureInfo.InvariantCulture, $"{local:HH:mm}–{local.AddMinutes(1):HH:mm}"));
        await Assertions.Expect(minute.Locator(".tip")).ToContainTextAsync("faces: 4");
        var current = page.Locator("#live-trend g.bucket").Last;
        await current.Locator("rect.hit").HoverAsync();
        await Assertions.Expect(current.Locator(".tip")).ToContainTextAsync("(in progress)");

        // The keyboard reaches the trend with one tab stop; the arrow keys move between buckets and show each one's tooltip.
        await page.Mouse.MoveAsync(1, 1);
        await page.Locator("#live-trend g.bucket[tabindex='0']").FocusAsync();
        await Assertions.Expect(current.Locator(".tip")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("ArrowLeft");
        var previous = page.Locator("#live-trend g.bucket").Nth(await page.Locator("#live-trend g.bucket").CountAsync() - 2);
        await Assertions.Expect(previous).ToBeFocusedAsync();
        await Assertions.Expect(previous.Locator(".tip")).ToBeVisibleAsync();
        await Assertions.Expect(current.Locator(".tip")).ToBeHiddenAsync();

        // The time axis is the chosen range: 24 hours of hourly buckets, 7 days of 3-hour buckets.
        foreach (var (range, span, bucket) in new[] { ("24h", TimeSpan.FromDays(1), TimeSpan.FromHours(1)), ("7d", TimeSpan.FromDays(7), TimeSpan.FromHours(3)) })
        {
            await page.GotoAsync(new Uri(portal.BaseAddress, $"/?range={range}").ToString());
            var trend = page.Locator("#live-trend svg.chart");
            await Assertions.Expect(trend).ToHaveAttributeAsync("data-from", Utc(TimeRange.Floor(DateTimeOffset.UtcNow - span, bucket)));
            var to = DateTimeOffset.Parse((await trend.GetAttributeAsync("data-to"))!, CultureInfo.InvariantCulture);
            Assert.Equal(TimeRange.Floor(DateTimeOffset.UtcNow, bucket) + bucket, to); // the last bucket is the current one
        }

        // The Training chart: each round's MAE against the best promoted model, per round on hover.
        await page.GotoAsync(new Uri(portal.BaseAddress, "/training").ToString());
        var round = page.Locator("svg.line-chart[aria-label='MAE per round'] g.bucket[data-x='2']");
        await round.Locator("rect.hit").HoverAsync();
        await Assertions.Expect(round.Locator(".tip")).ToContainTextAsync("round's model: 7.8");
        await Assertions.Expect(round.Locator(".tip")).ToContainTextAsync("best promoted: 7.4");
    }

    /// <summary>A fog with edges (edge-1, edge-2, edge-10), windows in the last hour and the days before, two completed rounds and an imported experiment run.</summary>
    private static async Task<DateTimeOffset> SeedAsync(PortalHarness portal)
    {
        await using var fog = await TestFog.ConnectAsync(portal.BrokerPort, "fog-1");
        await fog.StatusAsync(edges:
        [
            new EdgeSummary("edge-1", NodeState.Online, "entrance", 9.8, 9.8, 1, 57, 0, DateTimeOffset.UtcNow, SourceState.Ok),
            new EdgeSummary("edge-10", NodeState.Online, "back-door", 0, 0, 0, 0, 0, DateTimeOffset.UtcNow, SourceState.Ended, "the video file ended"),
            new EdgeSummary("edge-2", NodeState.Online, "hall", 4.1, 4.1, 0, 12, 0, DateTimeOffset.UtcNow, SourceState.Ok),
        ]);
        var now = TimeRange.Floor(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
        (string Label, int Min, int? Max)[] groups = [("0-2", 0, 2), ("3-9", 3, 9), ("10-19", 10, 19), ("20-29", 20, 29), ("40-49", 40, 49), ("50-59", 50, 59), ("60-69", 60, 69), ("70+", 70, null)];
        var sent = 0;
        for (var m = 20; m >= 2; m -= 2)
        {
            await fog.DemographicsAsync(TestFog.Window(fog.NextHeader(), "edge-1", now.AddMinutes(-m), ("20-29", 20, 29, 3), ("40-49", 40, 49, 1)) with { CameraId = "entrance" });
            sent++;
        }

        for (var h = 1; h <= 150; h += 7)
        {
            var g = groups[h % groups.Length];
            await fog.DemographicsAsync(TestFog.Window(fog.NextHeader(), "edge-2", now.AddHours(-h), (g.Label, g.Min, g.Max, 1000 + h), ("30-39", 30, 39, 4_321)) with { CameraId = "hall" }); // at most 100 faces per second
            sent++;
        }

        await Eventually.WaitUntil(() => portal.Service<PortalCounters>().WindowsStored >= sent, TimeSpan.FromSeconds(30), "windows stored");
        await using (var context = portal.Service<PortalDb>().Create())
        {
            foreach (var (id, mae, reference) in new[] { (1L, 7.6, 7.5), (2L, 7.8, 7.4) })
            {
                context.Rounds.Add(new TrainingRound
                {
                    Id = id, State = RoundState.Completed, BaseVersion = "age-v1", ResultVersion = $"fl-r{id}", Codec = "sbc", Sparsity = 0.001, Participants = "fog-1,fog-2",
                    StartedAt = now.AddHours(-id), Deadline = now.AddHours(-id).AddMinutes(1), CompletedAt = now.AddHours(-id).AddMinutes(1), Accepted = 2,
                    UploadBytes = 40_000, DenseUploadBytes = 4_000_000, DownloadBytes = 90_000, FullDownloadBytes = 9_000_000, Mae = mae, ReferenceVersion = "age-v1", ReferenceMae = reference,
                    Outcome = FormattableString.Invariant($"2 updates aggregated (1000 samples); MAE {mae:F3}; not promoted: worse than age-v1 ({reference:F3}, tolerance 0)"), // as the coordinator writes it
                });
            }

            await context.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        await PortalBrowser.ImportRunAsync(portal, "iid-sbc-p0.001-e1-r10");
        return now;
    }
}
