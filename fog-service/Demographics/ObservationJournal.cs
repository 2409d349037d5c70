using System.Globalization;
using System.Text;
using FogLens.Messaging;

namespace FogLens.FogService.Demographics;

/// <summary>
/// The fog's write-ahead log of demographics: every inferred face ("o" lines) and every window handed to the
/// cloud outbox ("c" lines: edge, camera, window start), appended and flushed to disk before the caller goes
/// on. Replaying it gives the faces of windows not yet handed on, and the ids of crops already taken, so a
/// crash (SIGKILL, power loss) loses no count and counts none twice. A torn last line is ignored. When the file
/// grows past <see cref="CompactBytes"/> it is rewritten with only what replay needs ("s" lines keep the most
/// recent crop ids for deduplication). Not thread-safe: <see cref="WindowLedger"/> serialises access.
/// </summary>
public sealed class ObservationJournal : IDisposable
{
    public const long CompactBytes = 8L * 1024 * 1024;
    public const int RecentIds = 50_000;

    private readonly string _path;
    private FileStream _stream;

    public ObservationJournal(string path)
    {
        _path = path;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _stream = Open(path);
    }

    public long Bytes => _stream.Length;

    /// <summary>Replays the file: faces of windows not yet handed on (in order), and the crop ids seen recently.</summary>
    public static (List<Observation> Pending, List<Guid> Seen) Replay(string path, TimeSpan window)
    {
        var windowTicks = window.Ticks;
        var pending = new List<Observation>();
        var seen = new List<Guid>();
        if (!File.Exists(path))
        {
            return (pending, seen);
        }

        foreach (var line in ReadCompleteLines(path))
        {
            var f = line.Split('\t');
            switch (f[0])
            {
                case "o" when f.Length == 7 && Guid.TryParse(f[1], out var id)
                    && long.TryParse(f[4], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ticks)
                    && double.TryParse(f[5], NumberStyles.Float, CultureInfo.InvariantCulture, out var age):
                    pending.Add(new Observation(id, f[2], f[3], new DateTimeOffset(ticks, TimeSpan.Zero), age, f[6]));
                    seen.Add(id);
                    break;
                case "c" when f.Length == 4 && long.TryParse(f[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var start):
                    pending.RemoveAll(o => o.EdgeId == f[1] && o.CameraId == f[2] && o.CapturedAt.UtcTicks - (o.CapturedAt.UtcTicks % windowTicks) == start);
                    break;
                case "s" when f.Length == 2 && Guid.TryParse(f[1], out var old):
                    seen.Add(old);
                    break;
                default:
                    break; // unknown or damaged line: skipped
            }
        }

        return (pending, seen);
    }

    public void Append(IReadOnlyList<Observation> observations)
    {
        var text = new StringBuilder();
        foreach (var o in observations)
        {
            text.Append(CultureInfo.InvariantCulture, $"o\t{o.MessageId:N}\t{o.EdgeId}\t{o.CameraId}\t{o.CapturedAt.UtcTicks}\t{o.Age:R}\t{o.ModelVersion}\n");
        }

        Write(text);
    }

    public void AppendClosed(IEnumerable<(string Edge, string Camera, long Start)> windows)
    {
        var text = new StringBuilder();
        foreach (var (edge, camera, start) in windows)
        {
            text.Append(CultureInfo.InvariantCulture, $"c\t{edge}\t{camera}\t{start}\n");
        }

        Write(text);
    }

    /// <summary>Rewrites the journal with only <paramref name="pending"/> and the most recent seen ids (atomic rename).</summary>
    public void Compact(IReadOnlyList<Observation> pending, IEnumerable<Guid> recent)
    {
        var temporary = _path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            var text = new StringBuilder();
            foreach (var id in recent)
            {
                text.Append(CultureInfo.InvariantCulture, $"s\t{id:N}\n");
            }

            stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
            stream.Flush(flushToDisk: true);
        }

        _stream.Dispose();
        File.Move(temporary, _path, overwrite: true);
        DirectorySync.Flush(Path.GetDirectoryName(Path.GetFullPath(_path))!);
        _stream = Open(_path);
        Append(pending);
    }

    public void Dispose() => _stream.Dispose();

    private void Write(StringBuilder text)
    {
        if (text.Length == 0)
        {
            return;
        }

        _stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
        _stream.Flush(flushToDisk: true);
    }

    private static FileStream Open(string path)
    {
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        TruncateTornTail(stream);
        stream.Seek(0, SeekOrigin.End);
        return stream;
    }

    /// <summary>Cuts a last line that a crash left without its newline, so the next append starts a clean line.</summary>
    private static void TruncateTornTail(FileStream stream)
    {
        var length = stream.Length;
        var end = length;
        var one = new byte[1];
        while (end > 0)
        {
            stream.Seek(end - 1, SeekOrigin.Begin);
            stream.ReadExactly(one);
            if (one[0] == (byte)'\n')
            {
                break;
            }

            end--;
        }

        if (end != length)
        {
            stream.SetLength(end);
        }
    }

    private static string[] ReadCompleteLines(string path)
    {
        var text = File.ReadAllText(path);
        var last = text.LastIndexOf('\n');
        return last < 0 ? [] : text[..last].Split('\n');
    }
}
