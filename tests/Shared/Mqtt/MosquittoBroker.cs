using System.Diagnostics;
using System.Net.Sockets;

namespace FogLens.Tests.Shared.Mqtt;

/// <summary>
/// Debian's Mosquitto on 127.0.0.1 and a free port, with a throw-away configuration (anonymous access,
/// in-memory persistence), started and killed by the test. Fails with a clear message when Mosquitto is
/// not installed (./foglens setup installs it).
/// </summary>
internal sealed class MosquittoBroker : IDisposable
{
    private const string Binary = "/usr/sbin/mosquitto";
    private readonly string _folder = Directory.CreateTempSubdirectory("foglens-mosquitto-").FullName;
    private Process? _process;

    public MosquittoBroker()
    {
        Port = TestBroker.FreePort();
        File.WriteAllText(Path.Combine(_folder, "mosquitto.conf"), $"listener {Port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 100000\n");
    }

    public int Port { get; }

    public Uri Uri => new($"mqtt://127.0.0.1:{Port}");

    public async Task StartAsync()
    {
        TestPaths.RequireInstalled(Binary, "mosquitto");
        _process = Process.Start(new ProcessStartInfo(Binary, ["-c", Path.Combine(_folder, "mosquitto.conf")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("mosquitto did not start");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
