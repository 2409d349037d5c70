using System.Diagnostics;
using System.Globalization;

namespace FogLens.Cli.Tests;

/// <summary>
/// The launcher's failures as a user meets them: every one exits non-zero with one line on stderr that says what
/// is wrong and what to do, never a stack trace and never a URL that points at somebody else's demo.
/// </summary>
public sealed class LauncherTests
{
    [Fact]
    public async Task Demo_PortOutOfRange_IsOneLine_NotAUriFormatException()
    {
        var (code, _, error) = await CliProcess.RunAsync(["demo", "--port", "65530", "--data-dir", Temp()]);
        Assert.Equal(2, code);
        var line = Assert.Single(Lines(error));
        Assert.StartsWith("foglens: error: --port 65530 is out of range", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--source", "--data-dir", "/tmp/x")] // the case: the data directory silently stayed the default
    [InlineData("--data-dir", "--fresh", null)]
    public async Task Demo_OptionWhereAValueBelongs_IsAnError_NotSwallowed(string option, string next, string? after)
    {
        var (code, _, error) = await CliProcess.RunAsync(after is null ? ["demo", option, next] : ["demo", option, next, after]);
        Assert.Equal(2, code);
        var line = Assert.Single(Lines(error));
        Assert.Contains($"{option} needs a value, but '{next}' follows it", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownSubcommand_IsNamed_NotReportedAsAMissingOne()
    {
        var (code, _, error) = await CliProcess.RunAsync(["ledger", "bogus"]);
        Assert.Equal(2, code);
        Assert.StartsWith("foglens: error: Unrecognized command or argument 'bogus'.", Assert.Single(Lines(error)), StringComparison.Ordinal);
        (code, _, error) = await CliProcess.RunAsync(["ledger", "verify", "--data-dir", Temp()]);
        Assert.Equal(2, code);
        Assert.Contains("no portal database in", Assert.Single(Lines(error)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_FogCountOutOfRange_IsOneLine()
    {
        var (code, _, error) = await CliProcess.RunAsync(["demo", "--fogs", "0"]);
        Assert.Equal(2, code);
        Assert.Contains("--fogs must be between 1 and 8; got 0", Assert.Single(Lines(error)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondDemo_OnAPortInUse_ExitsNonZero_NamingThePort()
    {
        using var other = CliProcess.Occupy(out var port);
        var (code, output, error) = await CliProcess.RunAsync(["demo", "--port", port.ToString(CultureInfo.InvariantCulture), "--data-dir", Temp(), "--fogs", "1", "--edges-per-fog", "1"]);
        Assert.Equal(1, code);
        var line = Assert.Single(Lines(error));
        Assert.Contains($"port {port} (for the cloud portal) is already in use", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Portal: http", output, StringComparison.Ordinal); // no URL that points at the other instance
    }

    [Fact]
    public async Task SecondDemo_OnTheSameDataDirectory_ExitsNonZero_NamingTheOtherOne()
    {
        var data = Temp();
        await File.WriteAllTextAsync(Path.Combine(data, "launcher.pid"), "4242", TestContext.Current.CancellationToken);
        await using (new FileStream(Path.Combine(data, "launcher.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var (code, _, error) = await CliProcess.RunAsync(["demo", "--port", CliProcess.FreePort().ToString(CultureInfo.InvariantCulture), "--data-dir", data]);
            Assert.Equal(1, code);
            var line = Assert.Single(Lines(error));
            Assert.Contains($"the data directory {data} is in use by another FogLens demo (pid 4242)", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Demo_ReusedData_IsAnnounced_AndFreshRemovesItButKeepsTheFeeds()
    {
        var data = Temp();
        Directory.CreateDirectory(Path.Combine(data, "portal"));
        await File.WriteAllTextAsync(Path.Combine(data, "portal", "portal.db"), string.Empty, TestContext.Current.CancellationToken);
        Directory.CreateDirectory(Path.Combine(data, "edge-1-outbox"));
        Directory.CreateDirectory(Path.Combine(data, "scenes", "camera-1"));
        using var busy = CliProcess.Occupy(out var port); // stops each run right after the data step, before anything starts
        string[] demo = ["demo", "--port", port.ToString(CultureInfo.InvariantCulture), "--data-dir", data, "--fogs", "1", "--edges-per-fog", "1"];

        var (_, reused, _) = await CliProcess.RunAsync(demo);
        Assert.Contains("Reusing the data of an earlier run", reused, StringComparison.Ordinal);
        Assert.Contains("--fresh", reused, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(data, "portal", "portal.db")));

        var (_, fresh, _) = await CliProcess.RunAsync([.. demo, "--fresh"]);
        Assert.DoesNotContain("Reusing", fresh, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(data, "portal")));
        Assert.False(Directory.Exists(Path.Combine(data, "edge-1-outbox")));
        Assert.True(Directory.Exists(Path.Combine(data, "scenes", "camera-1")), "--fresh keeps the rendered feeds");
    }

    [Fact]
    public async Task Demo_TierThatCrashesAtStart_ExitsNonZero_WithItsReasonAndLog()
    {
        var data = Temp();
        await File.WriteAllTextAsync(Path.Combine(data, "portal"), "a file where the portal's data folder belongs", TestContext.Current.CancellationToken);
        var (code, _, error) = await CliProcess.RunAsync(
            ["demo", "--port", "0", "--data-dir", data, "--fogs", "1", "--edges-per-fog", "1"], timeout: TimeSpan.FromSeconds(120));
        Assert.Equal(1, code);
        var line = Assert.Single(Lines(error));
        Assert.Contains("cloud-portal exited during start (exit code", line, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(data, "logs", "cloud-portal.log"), line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_MissingSource_ShowsInTheLaunchersTable()
    {
        var data = Temp();
        var missing = Path.Combine(data, "no-such-video.mp4");
        var (seen, output) = await CliProcess.RunUntilAsync(
            ["demo", "--port", "0", "--data-dir", data, "--fogs", "1", "--edges-per-fog", "1", "--source", missing],
            line => line.Contains("edge-1", StringComparison.Ordinal) && line.Contains("missing", StringComparison.Ordinal),
            TimeSpan.FromSeconds(150));

        Assert.True(seen, "the launcher's table must show the edge's source as missing:\n" + output);
    }

    [Fact]
    public async Task Demo_StoppedWithSigterm_StopsEveryTier_PortalIncluded()
    {
        var data = Temp();
        using var demo = CliProcess.Start(["demo", "--port", "0", "--data-dir", data, "--fogs", "2", "--edges-per-fog", "2", "--source", Path.Combine(data, "none.mp4")], null);
        _ = demo.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var output = new System.Text.StringBuilder();
        using (var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken))
        {
            limit.CancelAfter(TimeSpan.FromSeconds(150));
            while (await demo.StandardOutput.ReadLineAsync(limit.Token) is { } line && !line.Contains("Ctrl-C stops the demo", StringComparison.Ordinal))
            {
                output.AppendLine(line);
            }
        }

        Assert.True(Tiers(data).Count >= 7, $"the portal, 2 fogs and 4 edges run:\n{output}");
        using (var term = Process.Start("kill", ["-TERM", demo.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        var rest = demo.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        using (var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken))
        {
            limit.CancelAfter(TimeSpan.FromSeconds(120));
            await demo.WaitForExitAsync(limit.Token);
        }

        var left = Tiers(data);
        foreach (var pid in left)
        {
            using var orphan = Process.GetProcessById(pid);
            orphan.Kill();
        }

        Assert.Empty(left); // was: the launcher ended 2 s after the signal and the portal kept running
        Assert.Contains("Stopped.", await rest, StringComparison.Ordinal);
        Assert.Equal(0, demo.ExitCode);
    }

    /// <summary>Processes whose command line names <paramref name="data"/> (the demo's tiers: their data directories are under it).</summary>
    private static List<int> Tiers(string data) =>
        [.. Directory.EnumerateDirectories("/proc")
            .Select(d => (Pid: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0, Dir: d))
            .Where(p => p.Pid > 0 && p.Pid != Environment.ProcessId && CommandLine(p.Dir).Contains(data, StringComparison.Ordinal) && !CommandLine(p.Dir).Contains(" demo ", StringComparison.Ordinal))
            .Select(p => p.Pid)];

    private static string CommandLine(string procDir)
    {
        try
        {
            return File.ReadAllText(Path.Combine(procDir, "cmdline")).Replace('\0', ' ');
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    [Fact]
    public async Task UserAdd_WithoutADemo_IsOneClearLine_NotASqliteException()
    {
        var (code, _, error) = await CliProcess.RunAsync(["user", "add", "bob", "Viewer", "--data-dir", Temp()]);
        Assert.Equal(2, code);
        var line = Assert.Single(Lines(error));
        Assert.Contains("no portal database in", line, StringComparison.Ordinal);
        Assert.Contains("./foglens demo", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserAddAndTokenAdd_FindTheDemosDatabase()
    {
        var data = Temp();
        Directory.CreateDirectory(Path.Combine(data, "portal"));
        await File.WriteAllTextAsync(Path.Combine(data, "portal", "portal.db"), string.Empty, TestContext.Current.CancellationToken); // as a demo leaves it (empty: migrated on use)

        var (code, output, error) = await CliProcess.RunAsync(["user", "add", "bob", "Admin", "--data-dir", data], new Dictionary<string, string> { ["FOGLENS_PASSWORD"] = "bob-password-1" }, TimeSpan.FromSeconds(120));
        Assert.True(code == 0, error);
        Assert.Contains("user bob saved with role Admin", output, StringComparison.Ordinal);

        (code, output, error) = await CliProcess.RunAsync(["token", "add", "grafana", "--data-dir", data], timeout: TimeSpan.FromSeconds(120));
        Assert.True(code == 0, error);
        Assert.StartsWith("flt_", output.Trim(), StringComparison.Ordinal);
        Assert.Contains("read-only", error, StringComparison.Ordinal);
    }

    private static string Temp() => Directory.CreateTempSubdirectory("foglens-cli-").FullName;

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
