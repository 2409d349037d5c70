using System.Net.Sockets;

namespace FogLens.Tests.Shared;

/// <summary>
/// Free ports are found by binding port 0 and releasing it, so another process (test assemblies run in
/// parallel) can take the port before our server binds it. Starting again with a new port is the fix.
/// </summary>
internal static class PortRetry
{
    public static async Task<T> StartAsync<T>(Func<Task<T>> start, int attempts = 3)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await start();
            }
            catch (Exception ex) when (attempt < attempts && IsPortClash(ex))
            {
                // Another process took the port: pick a new one.
            }
        }
    }

    private static bool IsPortClash(Exception? ex) =>
        ex is not null && (ex is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || IsPortClash(ex.InnerException));
}
