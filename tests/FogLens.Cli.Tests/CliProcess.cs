using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FogLens.Tests.Shared;

namespace FogLens.Cli.Tests;

/// <summary>Runs the built <c>./foglens</c> tool (FogLens.Cli.dll) as a user would, and what it printed.</summary>
internal static class CliProcess
{
    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0/

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        using var process = Start(arguments, environment);
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await error);
    }

    /// <summary>
    /// Runs a command that does not end by itself (a demo) until a line of its output satisfies <paramref name="seen"/>,
    /// then kills it with its children; returns whether the line came within <paramref name="timeout"/> and the output so far.
    /// </summary>
    public static async Task<(bool Seen, string Output)> RunUntilAsync(IReadOnlyList<string> arguments, Func<string, bool> seen, TimeSpan timeout)
    {
        using var process = Start(arguments, null);
        var output = new System.Text.StringBuilder();
        _ = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(limit.Token) is { } line)
            {
                output.AppendLine(line);
                if (seen(line))
                {
                    return (true, output.ToString());
                }
            }

            return (false, output.ToString());
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            return (false, output.ToString());
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    /// <summary>Starts the built CLI with <paramref name="arguments"/>, stdin closed, output redirected; the demo's feeds without the dataset.</summary>
    public static Process Start(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var dll = Path.Combine(TestPaths.RepoRoot, "tools", "FogLens.Cli", "bin", Configuration, "net10.0", "FogLens.Cli.dll");
        Assert.True(File.Exists(dll), $"{dll} is not built");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment.Remove("FOGLENS_DATASET"); // demo feeds without the dataset: nothing slow to render
        info.Environment.Remove("FOGLENS_PASSWORD");
        info.Environment["FOGLENS_CONFIGURATION"] = Configuration;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info)!;
        process.StandardInput.Close();
        return process;
    }

    /// <summary>A port with nothing listening on it now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Listens on a free port (another program, or another demo's portal) until disposed.</summary>
    public static TcpListener Occupy(out int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        port = ((IPEndPoint)listener.LocalEndpoint).Port;
        return listener;
    }
}
