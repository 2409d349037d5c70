using FogLens.CloudPortal.Broker;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FogLens.CloudPortal.Rounds;

/// <summary>
/// The coordinator's clock: once the broker link is up it announces the current model and republishes the tasks of
/// rounds still open after a restart; then, every half second, closes rounds that are due and starts a round every
/// <c>Federated:AutoRoundInterval</c>.
/// </summary>
public sealed partial class RoundScheduler(
    FederatedCoordinator coordinator,
    ModelRegistry registry,
    ICloudBus bus,
    IOptions<CoordinatorOptions> options,
    TimeProvider time,
    ILogger<RoundScheduler> logger) : BackgroundService
{
    /// <summary>Set once the registry holds a current model and it was announced.</summary>
    public bool Ready { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await registry.EnsureBaseAsync(stoppingToken);
        var interval = options.Value.AutoRoundInterval;
        var lastAuto = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
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

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    [LoggerMessage(EventId = 4409, Level = LogLevel.Information, Message = "Automatic round skipped: {Reason}")]
    private partial void LogAutoRoundSkipped(string reason);

    [LoggerMessage(EventId = 4410, Level = LogLevel.Error, Message = "Coordinator loop error (retrying): {Error}")]
    private partial void LogLoopError(string error);
}
