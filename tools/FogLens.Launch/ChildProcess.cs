using System.Diagnostics;
using System.Globalization;

namespace FogLens.Launch;

/// <summary>How to start one tier: program, arguments, environment and the log its output goes to.</summary>
public sealed record ChildSpec(string Name, string Program, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment, string LogPath)
{
    /// <summary>A deployable started as <c>dotnet X.dll args</c>.</summary>
    public static ChildSpec Dotnet(string name, string dll, IEnumerable<string> arguments, string logPath, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{name}: {dll} is not built; run ./foglens setup", dll);
        }

        return new ChildSpec(name, "dotnet", [dll, .. arguments], environment ?? new Dictionary<string, string>(), logPath);
    }
}

/// <summary>A running tier started by the launcher; its output goes to its log (appended on restart).</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ChildProcess(ChildSpec spec, Process process)
    {
        Spec = spec;
        _process = process;
    }

    public ChildSpec Spec { get; }

    public string Name => Spec.Name;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once the process has exited, else null.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public static ChildProcess Start(ChildSpec spec, bool appendLog = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var info = new ProcessStartInfo(spec.Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in spec.Arguments)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (key, value) in spec.Environment)
        {
            info.Environment[key] = value;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(spec.LogPath))!);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{spec.Name}: could not start {spec.Program}");
        var log = new StreamWriter(spec.LogPath, appendLog) { AutoFlush = true };
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
        return new ChildProcess(spec, process);

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

    /// <summary>SIGKILL: the process gets no chance to flush or say goodbye (fault tests).</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Asks the child to stop (SIGTERM), then kills it after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
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
            await KillAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }
}
