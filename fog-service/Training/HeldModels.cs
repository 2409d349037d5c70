using System.Text.Json;
using FogLens.AgeModel.Training;
using FogLens.Compression;
using FogLens.Contracts.Messages;
using FogLens.Federated;

namespace FogLens.FogService.Training;

/// <summary>
/// The global models this fog holds for training (its shipped base and the last ones it trained on), each known by
/// version and fingerprint (<see cref="ModelBroadcast.Fingerprint"/>), listed in <c>models/held.json</c> so a restart
/// keeps them. A round task with a broadcast chain is served from here: nothing to download when the fog holds the
/// model, the deltas from the newest model it holds on the chain, or, when it holds none of them or anything fails,
/// the whole file (SHA-256 and fingerprint checked).
/// </summary>
public sealed partial class HeldModels(string folder, AgeNetConfig config, ModelDownloader downloader, ILogger logger)
{
    private const int Kept = 8;
    private readonly string _index = Path.Combine(folder, "held.json");

    private sealed record Entry(string Version, string Fingerprint, string Path);

    /// <summary>Deltas applied and whole models downloaded since start (for logs and tests).</summary>
    public (long Deltas, long Full, long Fallbacks) Counts => (_deltas, _full, _fallbacks);

    private long _deltas;
    private long _full;
    private long _fallbacks;

    /// <summary>Records the model the fog ships with (its weights file and the version the portal registers it as), once.</summary>
    public void Seed(string version, string weightsPath)
    {
        if (!File.Exists(weightsPath) || Read().Any(e => e.Version == version))
        {
            return;
        }

        Remember(new Entry(version, ModelBroadcast.Fingerprint(ModelState.Load(config, weightsPath)), Path.GetFullPath(weightsPath)));
    }

    /// <summary>The weights file to train the task's model on and the bytes downloaded to get it.</summary>
    public async Task<(string Path, long Bytes)> FetchAsync(RoundTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var target = Path.Combine(folder, $"{task.ModelVersion}.weights");
        if (task.Broadcast is not { } chain)
        {
            var whole = await downloader.DownloadAsync(task.ModelUri, task.ModelSha256, cancellationToken);
            await File.WriteAllBytesAsync(target, whole, cancellationToken);
            _full++;
            return (target, whole.Length);
        }

        var held = Read();
        if (Find(held, task.ModelVersion, chain.Fingerprint) is { } have)
        {
            return (have, 0);
        }

        long bytes = 0;
        for (var i = chain.Links.Count - 1; i >= 0; i--)
        {
            if (Find(held, chain.Links[i].Parent, chain.Links[i].ParentFingerprint) is not { } start)
            {
                continue;
            }

            try
            {
                var state = ModelState.Load(config, start);
                foreach (var link in chain.Links.Skip(i))
                {
                    var delta = await downloader.DownloadAsync(link.Uri, link.Sha256, cancellationToken);
                    bytes += delta.Length;
                    state = ModelBroadcast.Apply(state, delta);
                }

                if (ModelBroadcast.Fingerprint(state) == chain.Fingerprint)
                {
                    state.SaveWeights(config, target);
                    Remember(new Entry(task.ModelVersion, chain.Fingerprint, target));
                    _deltas += chain.Links.Count - i;
                    LogDeltas(task.ModelVersion, chain.Links.Count - i, chain.Links[i].Parent, bytes);
                    return (target, bytes);
                }

                LogFallback(task.ModelVersion, "the model rebuilt from deltas has another fingerprint than the task's");
            }
            catch (Exception ex) when (ex is InvalidDataException or CorruptUpdateException or HttpRequestException)
            {
                LogFallback(task.ModelVersion, ex.Message);
            }

            _fallbacks++;
            break;
        }

        var file = await downloader.DownloadAsync(task.ModelUri, task.ModelSha256, cancellationToken);
        bytes += file.Length;
        await File.WriteAllBytesAsync(target, file, cancellationToken);
        var fingerprint = ModelBroadcast.Fingerprint(ModelState.Load(config, target));
        if (fingerprint != chain.Fingerprint)
        {
            throw new InvalidDataException($"model {task.ModelVersion} has fingerprint {fingerprint}, the task announced {chain.Fingerprint}");
        }

        Remember(new Entry(task.ModelVersion, fingerprint, target));
        _full++;
        return (target, bytes);
    }

    private static string? Find(IEnumerable<Entry> held, string version, string fingerprint) =>
        held.FirstOrDefault(e => e.Version == version && string.Equals(e.Fingerprint, fingerprint, StringComparison.OrdinalIgnoreCase) && File.Exists(e.Path))?.Path;

    private List<Entry> Read()
    {
        try
        {
            return File.Exists(_index) ? JsonSerializer.Deserialize<List<Entry>>(File.ReadAllText(_index)) ?? [] : [];
        }
        catch (JsonException)
        {
            return []; // a damaged index costs one whole download, nothing else
        }
    }

    /// <summary>Adds (or refreshes) an entry, keeps the newest <see cref="Kept"/> and deletes the files it drops from this folder.</summary>
    private void Remember(Entry entry)
    {
        var entries = Read().Where(e => e.Version != entry.Version).Append(entry).ToList();
        var dropped = entries.Take(Math.Max(0, entries.Count - Kept)).ToList();
        entries = [.. entries.Skip(dropped.Count)];
        Directory.CreateDirectory(folder);
        File.WriteAllText(_index + ".tmp", JsonSerializer.Serialize(entries));
        File.Move(_index + ".tmp", _index, overwrite: true);
        foreach (var e in dropped.Where(e => Path.GetDirectoryName(Path.GetFullPath(e.Path)) == Path.GetFullPath(folder) && entries.All(k => k.Path != e.Path)))
        {
            File.Delete(e.Path);
        }
    }

    [LoggerMessage(EventId = 3507, Level = LogLevel.Information, Message = "Model {Version}: rebuilt from {Links} delta(s) on the held {From} ({Bytes} bytes downloaded)")]
    private partial void LogDeltas(string version, int links, string from, long bytes);

    [LoggerMessage(EventId = 3508, Level = LogLevel.Warning, Message = "Model {Version}: deltas not usable ({Reason}); downloading the whole model")]
    private partial void LogFallback(string version, string reason);
}
