using System.Globalization;
using FogLens.Messaging;
using Microsoft.Extensions.Options;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal.Rounds;

/// <summary>
/// Payloads of round updates on disk (<c>{DataDirectory}/updates/{round}/{fog}.flup</c>) from their arrival until
/// their round is aggregated, so a portal restart mid-round loses none. Written to a temporary name, flushed and
/// renamed, so a crash never leaves half a payload under the real name.
/// </summary>
public sealed class UpdatePayloadStore(IOptions<PortalOptions> portal)
{
    private readonly string _root = Path.Combine(Path.GetFullPath(portal.Value.DataDirectory), "updates");

    public async Task<string> SaveAsync(long roundId, string fogId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(_root, roundId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, FogLens.Contracts.NodeId.Require(fogId, nameof(fogId)) + ".flup");
        await using (var stream = new FileStream(path + ".tmp", FileMode.Create, FileAccess.Write, FileShare.None, 4096, useAsync: true))
        {
            await stream.WriteAsync(payload, cancellationToken);
            stream.Flush(flushToDisk: true);
        }

        File.Move(path + ".tmp", path, overwrite: true);
        DirectorySync.Flush(folder);
        return path;
    }

    public byte[] Read(string path) => File.ReadAllBytes(path);

    public void Delete(string path) => File.Delete(path);
}
