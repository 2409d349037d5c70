using FogLens.CloudPortal.Common;
using FogLens.CloudPortal.Data;
using FogLens.Compression;
using FogLens.Federated;
using Microsoft.Extensions.Options;

namespace FogLens.CloudPortal.Rounds;

/// <summary>The sum of a round's updates over its base model, ready to become the next model.</summary>
/// <param name="Global">The round's base model.</param>
/// <param name="Accumulator">The combined updates.</param>
/// <param name="Contributions">Each applied update's contribution score, for the ledger.</param>
public sealed record RoundAggregate(ModelState Global, UpdateAccumulator Accumulator, IReadOnlyList<ContributionScore> Contributions);

/// <summary>
/// Aggregates a round: decodes each stored update against the base model and adds it to a sample-weighted,
/// norm-clipped FedAvg (<see cref="UpdateAccumulator"/>); in asynchronous mode also the late updates of earlier
/// rounds, weighted (1 + staleness)^−a. An update that no longer decodes or is refused by the accumulator is marked
/// rejected on its record and in the round's accounting.
/// </summary>
public sealed partial class RoundAggregator(ModelRegistry registry, UpdatePayloadStore payloads, IOptions<CoordinatorOptions> options, IOptions<PortalOptions> portal, ILogger<RoundAggregator> logger)
{
    private readonly string _serverState = Path.Combine(Path.GetFullPath(portal.Value.DataDirectory), "server-optimizer");

    /// <summary>
    /// The round's new model: the global model stepped by the server optimiser (<c>Federated:ServerOptimizer</c>)
    /// with the combined update. The optimiser's state (momentum, Adam moments) is kept for the next round when that
    /// round starts from <paramref name="resultVersion"/>; a round from any other base starts it afresh.
    /// </summary>
    public ModelState Step(RoundAggregate aggregate, TrainingRound round, string resultVersion)
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        ArgumentNullException.ThrowIfNull(round);
        var server = options.Value.Server;
        var statePath = _serverState + ".bin";
        var basePath = _serverState + ".base";
        var continues = File.Exists(basePath) && File.ReadAllText(basePath).Trim() == round.BaseVersion;
        var optimizer = continues ? ServerOptimizer.Load(statePath, server) : new ServerOptimizer(server);
        var aggregation = options.Value.Aggregation;
        var energy = EnergyEstimate.Load(_serverState + ".energy");
        energy.Observe(aggregate.Accumulator.SyncEnergy, aggregation.EnergyMomentum);
        var result = aggregate.Accumulator.Result(optimizer, aggregation.EnergyBounded && round.IsAsync ? energy.Value : null);
        energy.Save(_serverState + ".energy");
        Directory.CreateDirectory(Path.GetDirectoryName(statePath)!);
        optimizer.Save(statePath);
        File.WriteAllText(basePath, resultVersion);
        return result;
    }


    /// <param name="round">The round (its accounting is updated).</param>
    /// <param name="accepted">Its accepted updates.</param>
    /// <param name="late">Late updates of earlier rounds (asynchronous mode).</param>
    /// <param name="registeredSamples">Local sample counts the fogs' status messages reported: a fog's update weighs
    /// no more than that, whatever its update claims (missing: only the configured maximum applies).</param>
    public async Task<RoundAggregate> AggregateAsync(TrainingRound round, IReadOnlyList<RoundUpdate> accepted, IReadOnlyList<RoundUpdate> late, IReadOnlyDictionary<string, int> registeredSamples)
    {
        ArgumentNullException.ThrowIfNull(registeredSamples);
        ArgumentNullException.ThrowIfNull(round);
        ArgumentNullException.ThrowIfNull(accepted);
        ArgumentNullException.ThrowIfNull(late);
        var aggregation = options.Value.Aggregation;
        var global = await registry.LoadStateAsync(round.BaseVersion);
        var trains = new LocalTrainingOptions { Trainable = LocalTrainingOptions.ParseTrainable(options.Value.Trainable) }.TrainsTensor(registry.Config);
        var accumulator = new UpdateAccumulator(global, aggregation with { NoiseMultiplier = round.NoiseMultiplier ?? 0 }, trains);
        var scorer = new ContributionScorer(global.Specs);
        var limits = UpdateInspector.Limits(global.Specs);
        var cap = aggregation.SampleCap(accepted.Select(u => Claimed(u, registeredSamples)));
        foreach (var u in accepted)
        {
            if (!Add(accumulator, scorer, u, 1, false, limits, global.Specs, round, Math.Min(Claimed(u, registeredSamples), cap)))
            {
                round.Demote();
            }
        }

        if (round.IsAsync)
        {
            foreach (var u in late)
            {
                var weight = aggregation.StalenessWeight(round.Id - u.RoundId);
                var applied = weight > 0 && Add(accumulator, scorer, u, weight, true, limits, global.Specs, round, Math.Min(Claimed(u, registeredSamples), cap));
                u.Status = applied ? UpdateStatus.Applied : UpdateStatus.Rejected;
                u.Reason = applied ? $"applied in round {round.Id} with staleness weight {weight:F3}" : "too stale or no longer fits the model";
                u.AppliedInRound = round.Id;
                round.Stale += applied ? 1 : 0;
            }
        }

        round.DenseUploadBytes = (long)accumulator.Count * global.ElementCount * sizeof(float);
        return new RoundAggregate(global, accumulator, scorer.Scores());
    }

    /// <summary>The samples an update claims, at most what its fog's status reported.</summary>
    private static int Claimed(RoundUpdate u, IReadOnlyDictionary<string, int> registered) =>
        registered.TryGetValue(u.FogId, out var reported) && reported > 0 ? Math.Min(u.SampleCount, reported) : u.SampleCount;

    private bool Add(UpdateAccumulator accumulator, ContributionScorer scorer, RoundUpdate u, double weight, bool late, DecodeLimits limits, IReadOnlyList<TensorSpec> specs, TrainingRound round, int samples)
    {
        try
        {
            var decoded = UpdateDecoder.Decode(payloads.Read(u.PayloadPath!), limits, specs);
            var verdict = accumulator.Add(decoded, samples, weight, late);
            scorer.Add(u.FogId, decoded, Math.Min(samples, options.Value.Aggregation.MaxSamplesPerUpdate) * weight);
            if (verdict.ClipScale < 1)
            {
                u.Reason = $"clipped ×{verdict.ClipScale:F3} (norm {verdict.Norm:F2})";
            }

            return true;
        }
        catch (Exception ex) when (ex is CorruptUpdateException or RejectedUpdateException or IOException)
        {
            u.Status = UpdateStatus.Rejected;
            u.Reason = ex.Message;
            LogUpdateDropped(round.Id, u.FogId, ex.Message);
            return false;
        }
    }

    [LoggerMessage(EventId = 4412, Level = LogLevel.Warning, Message = "round {RoundId}: the update of {FogId} was dropped at aggregation: {Reason}")]
    private partial void LogUpdateDropped(long roundId, string fogId, string reason);
}
