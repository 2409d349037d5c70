using FogLens.CloudPortal.Broker;
using FogLens.CloudPortal.Cluster;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FogLens.CloudPortal.Rounds;

/// <summary>
/// The coordinator's clock, run only on the replica that leads (<see cref="LeaderElection"/>; always this one on SQLite):
/// at the start of each term, once the broker link is up, it announces the current model and republishes the tasks of
/// rounds still open (after a restart, or a round a dead leader left mid-way); then, every half second, closes rounds
/// that are due and starts a round every <c>Federated:AutoRoundInterval</c>. A term that ends stops the loop; the next
/// leader carries on from what the database holds.
/// </summary>
public sealed partial class RoundScheduler(
    FederatedCoordinator coordinator,
    ModelRegistry registry,
    ICloudBus bus,
    LeaderElection election,
    IOptions<CoordinatorOptions> options,
    TimeProvider time,
    ILogger<RoundScheduler> logger) : BackgroundService
{
    /// <summary>Set once the registry holds a current model and it was announced (by this replica, or by the leader).</summary>
    public bool Ready { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var follower = FollowAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var term = await election.WaitForTermAsync(stoppingToken);
            using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, term);
            try
            {
                Ready = false;
                await LeadAsync(leading.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                LogTermEnded();
            }
        }

        await follower;
    }

    /// <summary>On a follower: ready once the leader has registered a current model.</summary>
    private async Task FollowAsync(CancellationToken stoppingToken)
    {
        while (!Ready && !stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!election.IsLeader && await registry.CurrentAsync(stoppingToken) is not null)
                {
                    Ready = true;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.Data.Common.DbException)
            {
                LogLoopError(ex.GetBaseException().Message);
            }
        }
    }

    private async Task LeadAsync(CancellationToken stoppingToken)
    {
        await registry.EnsureBaseAsync(stoppingToken);
        var interval = options.Value.AutoRoundInterval;
        var lastAuto = time.GetUtcNow();
        while (true)
        {
            stoppingToken.ThrowIfCancellationRequested();
            try
            {
                if (!Ready && bus.IsConnected && await registry.CurrentAsync(stoppingToken) is { } current)
                {
                    Ready = await registry.AnnounceAsync(current, stoppingToken);
                    await coordinator.RepublishOpenTasksAsync(stoppingToken);
                }

                await coordinator.CloseDueRoundsAsync(stoppingToken);
                if (interval > TimeSpan.Zero && time.GetUtcNow() - lastAuto >= interval)
                {
                    lastAuto = time.GetUtcNow();
                    try
                    {
                        await coordinator.StartRoundAsync("auto", stoppingToken);
                    }
                    catch (CoordinatorException ex)
                    {
                        LogAutoRoundSkipped(ex.Message);
                    }
                }
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or IOException or System.Data.Common.DbException && !stoppingToken.IsCancellationRequested)
            {
                LogLoopError(ex.GetBaseException().Message);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), time, stoppingToken);
        }
    }

    [LoggerMessage(EventId = 4411, Level = LogLevel.Warning, Message = "This replica's term as the coordinator's leader ended; another replica takes over the open rounds")]
    private partial void LogTermEnded();

    [LoggerMessage(EventId = 4409, Level = LogLevel.Information, Message = "Automatic round skipped: {Reason}")]
    private partial void LogAutoRoundSkipped(string reason);

    [LoggerMessage(EventId = 4410, Level = LogLevel.Error, Message = "Coordinator loop error (retrying): {Error}")]
    private partial void LogLoopError(string error);
}
