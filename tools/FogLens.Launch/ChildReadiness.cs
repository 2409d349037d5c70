using System.Net;
using System.Net.Sockets;

namespace FogLens.Launch;

/// <summary>Waiting for a started child process to serve (its /readyz, or its TCP port), and free loopback ports.</summary>
public static class ChildReadiness
{
    /// <summary>Waits until <c>/readyz</c> under <paramref name="url"/> answers 2xx; fails with the child's last logged problem if it exits.</summary>
    public static async Task WaitReadyAsync(ChildProcess child, Uri url, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var limit = timeout ?? TimeSpan.FromSeconds(90);
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            if (child.HasExited)
            {
                var reason = LogTail.LastProblem(child.Spec.LogPath) is { } last ? ": " + last : string.Empty;
                throw new SiteException($"{child.Name} exited during start (exit code {child.ExitCode}){reason}; log: {child.Spec.LogPath}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(url, "/readyz"), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // not listening yet
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new SiteException($"{child.Name} did not become ready in {limit.TotalSeconds:F0} s; see {child.Spec.LogPath}");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    public static async Task WaitTcpAsync(int port, ChildProcess child, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !child.HasExited)
            {
                await Task.Delay(50, cancellationToken);
            }
            catch (SocketException)
            {
                throw new SiteException($"{child.Name} did not listen on port {port}; see {child.Spec.LogPath}");
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
