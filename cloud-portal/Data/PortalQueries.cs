using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal.Data;

/// <summary>Demographics filter: any part may be empty.</summary>
public sealed record DemographicsFilter(string? Fog = null, string? Camera = null, DateTimeOffset? From = null, DateTimeOffset? To = null)
{
    /// <summary>Only the fogs of this site (<see cref="NodeRecord.Site"/>); a fog or camera filter narrows it further.</summary>
    public string? Site { get; init; }

    /// <summary>The fogs of <see cref="Site"/>, looked up by the reader before it queries (null: no site filter).</summary>
    internal IReadOnlyList<string>? SiteFogs { get; init; }
}

/// <summary>Faces of one age group.</summary>
public sealed record GroupTotal(string Label, int MinAge, long Faces);

/// <summary>Faces per age group in one time bucket.</summary>
public sealed record TrendBucket(DateTimeOffset Start, IReadOnlyDictionary<string, long> Faces);

/// <summary>The overview's numbers.</summary>
public sealed record PortalSummary(int FogsOnline, int FogsKnown, int EdgesOnline, double FacesPerMinute, long FacesTotal, TrainingRound? LatestRound, ModelVersionRecord? CurrentModel)
{
    /// <summary>What needs an operator's attention (<see cref="PortalAlerts"/>).</summary>
    public IReadOnlyList<PortalAlert> Alerts { get; init; } = [];
}

/// <summary>A node with its computed online state.</summary>
public sealed record NodeView(NodeRecord Node, bool Online);

/// <summary>Read side of the store, shared by the pages and the REST API.</summary>
public sealed class PortalQueries(PortalDb db, IOptions<PortalOptions> options, TimeProvider time)
{
    private readonly DemographicsReader _demographics = new(db, options.Value, time);

    public Task<IReadOnlyList<GroupTotal>> GroupTotalsAsync(DemographicsFilter filter, CancellationToken cancellationToken) =>
        _demographics.GroupTotalsAsync(filter, cancellationToken);

    /// <summary>Age-group labels of the shown windows, youngest first (the CSV's columns).</summary>
    public async Task<IReadOnlyList<string>> GroupLabelsAsync(DemographicsFilter filter, CancellationToken cancellationToken) =>
        [.. (await GroupTotalsAsync(filter, cancellationToken)).Select(g => g.Label).Distinct()];

    /// <summary>Shown windows with their groups in the order they were stored, streamed from the database (for the CSV export).</summary>
    public async IAsyncEnumerable<DemographicsWindow> StreamWindowsAsync(DemographicsFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        filter = await _demographics.ResolveAsync(filter, cancellationToken);
        await using var context = db.Create();
        await foreach (var w in _demographics.Filtered(context, filter).Include(w => w.Groups).OrderBy(w => w.Id).AsSplitQuery().AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            yield return w;
        }
    }

    /// <summary>The newest <paramref name="limit"/> shown windows (by start, then id) with their groups.</summary>
    public async Task<IReadOnlyList<DemographicsWindow>> WindowsAsync(DemographicsFilter filter, int limit, CancellationToken cancellationToken)
    {
        filter = await _demographics.ResolveAsync(filter, cancellationToken);
        await using var context = db.Create();
        return await _demographics.Filtered(context, filter).OrderByDescending(w => w.WindowStart).ThenBy(w => w.Id).Take(limit)
            .Include(w => w.Groups).AsSplitQuery().ToListAsync(cancellationToken);
    }

    /// <summary>Faces per age group per time bucket (windows counted in the bucket where they start).</summary>
    public Task<IReadOnlyList<TrendBucket>> TrendAsync(DemographicsFilter filter, TimeSpan bucket, CancellationToken cancellationToken) =>
        _demographics.TrendAsync(filter, bucket, cancellationToken);

    public Task<(IReadOnlyList<string> Fogs, IReadOnlyList<string> Cameras)> FilterChoicesAsync(CancellationToken cancellationToken) =>
        _demographics.FilterChoicesAsync(cancellationToken);

    public async Task<IReadOnlyList<NodeView>> NodesAsync(CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        var nodes = await context.Nodes.AsNoTracking().ToListAsync(cancellationToken);
        var since = time.GetUtcNow() - options.Value.NodeTimeout;
        return [.. nodes.OrderBy(n => n.Kind == "fog" ? 0 : 1).ThenBy(n => n.Id, NaturalStringComparer.Instance)
            .Select(n => new NodeView(n, n.IsOnline(since)))];
    }

    public async Task<PortalSummary> SummaryAsync(CancellationToken cancellationToken)
    {
        var nodes = await NodesAsync(cancellationToken);
        await using var context = db.Create();
        var recent = time.GetUtcNow() - TimeSpan.FromMinutes(5);
        var lastFive = await context.Demographics.AsNoTracking().Where(w => w.WindowEnd > recent).SumAsync(w => (long)w.Faces, cancellationToken);
        var total = await _demographics.FacesTotalAsync(cancellationToken);
        var latest = await context.Rounds.AsNoTracking().OrderByDescending(r => r.Id).FirstOrDefaultAsync(cancellationToken);
        var completed = await context.Rounds.AsNoTracking().Where(r => r.State == RoundState.Completed).OrderByDescending(r => r.Id).FirstOrDefaultAsync(cancellationToken);
        var current = await context.Models.AsNoTracking().FirstOrDefaultAsync(m => m.IsCurrent, cancellationToken);
        return new PortalSummary(
            nodes.Count(n => n.Node.Kind == "fog" && n.Online),
            nodes.Count(n => n.Node.Kind == "fog"),
            nodes.Where(n => n.Node.Kind == "fog" && n.Online).Sum(n => n.Node.EdgesOnline),
            lastFive / 5.0,
            total,
            latest,
            current)
        {
            Alerts = PortalAlerts.From(nodes, completed),
        };
    }

    public async Task<IReadOnlyList<TrainingRound>> RoundsAsync(CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        return [.. (await context.Rounds.AsNoTracking().ToListAsync(cancellationToken)).OrderBy(r => r.Id)];
    }

    public async Task<(TrainingRound Round, IReadOnlyList<RoundUpdate> Updates)?> RoundAsync(long id, CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        var round = await context.Rounds.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (round is null)
        {
            return null;
        }

        var updates = await context.Updates.AsNoTracking().Where(u => u.RoundId == id || u.AppliedInRound == id).ToListAsync(cancellationToken);
        return (round, [.. updates.OrderBy(u => u.FogId, StringComparer.Ordinal)]);
    }

    public async Task<IReadOnlyList<ModelVersionRecord>> ModelsAsync(CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        return [.. (await context.Models.AsNoTracking().ToListAsync(cancellationToken)).OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Version, StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyList<ExperimentRunRecord>> ExperimentRunsAsync(CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        return [.. (await context.ExperimentRuns.AsNoTracking().ToListAsync(cancellationToken)).OrderBy(r => r.Name, StringComparer.Ordinal)];
    }

    /// <summary>Stores (or replaces) an experiment run from its run.json and rounds.jsonl texts; throws <see cref="InvalidDataException"/> when they do not parse.</summary>
    public async Task<ExperimentRunRecord> ImportExperimentAsync(string runJson, string roundsJsonl, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("foglens-import-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, FogLens.Federated.Experiments.ExperimentRun.OptionsFile), runJson, cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, FogLens.Federated.Experiments.ExperimentRun.RoundsFile), roundsJsonl, cancellationToken);
            FogLens.Federated.Experiments.ExperimentRun run;
            try
            {
                run = FogLens.Federated.Experiments.ExperimentRun.Load(folder.FullName);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException("run.json is not an experiment run: " + ex.Message, ex);
            }

            if (run.Rounds.Count == 0 || run.Options is null)
            {
                throw new InvalidDataException("the run has no rounds");
            }

            await using var context = db.Create();
            var record = await context.ExperimentRuns.FindAsync([run.Options.Name], cancellationToken);
            if (record is null)
            {
                record = new ExperimentRunRecord { Name = run.Options.Name, OptionsJson = string.Empty, RoundsJson = string.Empty };
                context.ExperimentRuns.Add(record);
            }

            record.OptionsJson = JsonSerializer.Serialize(run.Options, JsonSerializerOptions.Web);
            record.RoundsJson = JsonSerializer.Serialize(run.Rounds, ExperimentJson);
            record.ImportedAt = time.GetUtcNow();
            await context.SaveChangesAsync(cancellationToken);
            return record;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    public static JsonSerializerOptions ExperimentJson { get; } = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
