using System.Diagnostics;

namespace FogLens.Cli;

/// <summary>A tier started by the demo launcher: a `dotnet X.dll` child whose output is prefixed and kept.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    public static ChildProcess Start(string name, string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment, string logPath)
    {
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{name}: {dll} is not built; run ./foglens setup", dll);
        }

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"{name}: could not start dotnet");
        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var gate = new Lock();
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.Exited += (_, _) =>
        {
            lock (gate)
            {
                log.Dispose();
            }
        };
        process.EnableRaisingEvents = true;
        return new ChildProcess(name, process);

        void Write(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (gate)
            {
                try
                {
                    log.WriteLine(line);
                }
                catch (ObjectDisposedException)
                {
                    // The child exited and its log was closed; late lines are dropped.
                }
            }
        }
    }

    /// <summary>Asks the child to stop (SIGTERM), then kills it after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        using var cts = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }
}
