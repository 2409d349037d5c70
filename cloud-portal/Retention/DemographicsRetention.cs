using FogLens.CloudPortal.Cluster;
using FogLens.CloudPortal.Common;
using FogLens.CloudPortal.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FogLens.CloudPortal.Retention;

/// <summary>
/// Deletes per-minute demographics windows that ended more than Portal:RawRetentionDays ago, and hourly roll-ups
/// older than Portal:HourlyRetentionDays, in batches (<see cref="BatchSize"/> windows, one day of hourly rows) (short transactions, so ingest
/// is never blocked for long), every <see cref="Interval"/>. Daily roll-ups are kept. On a replicated portal only the
/// leader runs it (<see cref="LeaderElection"/>); the pages read the deleted ranges from the roll-ups.
/// </summary>
public sealed partial class DemographicsRetention(
    PortalDb db, LeaderElection election, IOptions<PortalOptions> options, TimeProvider time, ILogger<DemographicsRetention> logger) : BackgroundService
{
    public const int BatchSize = 5000;

    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    /// <summary>One pass: deletes what is due; returns the windows and hourly roll-ups deleted.</summary>
    public async Task<(long Windows, long HourlyRollups)> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var rawCutoff = now - TimeSpan.FromDays(options.Value.RawRetentionDays);
        var hourlyCutoff = DemographicsPlan.HourlyDeleteBefore(now - TimeSpan.FromDays(Math.Max(options.Value.HourlyRetentionDays, options.Value.RawRetentionDays)));
        long windows = 0, hourly = 0;
        int deleted;
        do
        {
            // A window and its groups go in one transaction; the oldest first, so a stopped pass leaves no gap.
            await using var context = db.Create();
            await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken);
            var batch = context.Demographics.Where(w => w.WindowEnd < rawCutoff).OrderBy(w => w.WindowEnd).Select(w => w.Id).Take(BatchSize);
            await context.AgeGroups.Where(g => batch.Contains(g.WindowId)).ExecuteDeleteAsync(cancellationToken);
            deleted = await context.Demographics.Where(w => batch.Contains(w.Id)).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            windows += deleted;
        }
        while (deleted == BatchSize);

        while (true)
        {
            // A UTC day of hourly rows per statement (about 24 × cameras × age groups rows).
            await using var context = db.Create();
            var oldest = await context.Rollups.Where(r => r.Period == RollupPeriod.Hour).OrderBy(r => r.BucketStart).Select(r => (DateTimeOffset?)r.BucketStart).FirstOrDefaultAsync(cancellationToken);
            if (oldest is not { } first || first >= hourlyCutoff)
            {
                break;
            }

            var end = DemographicsPlan.Floor(first, RollupPeriod.Day) + TimeSpan.FromDays(1);
            end = end < hourlyCutoff ? end : hourlyCutoff;
            hourly += await context.Rollups.Where(r => r.Period == RollupPeriod.Hour && r.BucketStart < end).ExecuteDeleteAsync(cancellationToken);
        }

        if (windows + hourly > 0)
        {
            LogDeleted(windows, rawCutoff, hourly, hourlyCutoff);
        }

        return (windows, hourly);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var term = await election.WaitForTermAsync(stoppingToken);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, term);
            try
            {
                while (true)
                {
                    await RunOnceAsync(linked.Token);
                    await Task.Delay(Interval, time, linked.Token);
                }
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // the term ended: wait to lead again
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException && !stoppingToken.IsCancellationRequested)
            {
                LogFailed(ex.Message);
                await Task.Delay(Interval, time, stoppingToken);
            }
        }
    }

    [LoggerMessage(EventId = 4601, Level = LogLevel.Information, Message = "Retention deleted {Windows} demographics windows that ended before {RawCutoff:O} and {Hourly} hourly roll-ups before {HourlyCutoff:O}")]
    private partial void LogDeleted(long windows, DateTimeOffset rawCutoff, long hourly, DateTimeOffset hourlyCutoff);

    [LoggerMessage(EventId = 4602, Level = LogLevel.Warning, Message = "Retention pass failed ({Reason}); retried in 10 minutes")]
    private partial void LogFailed(string reason);
}
