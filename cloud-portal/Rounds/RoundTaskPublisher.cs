using System.Diagnostics;
using FogLens.CloudPortal.Broker;
using FogLens.CloudPortal.Data;
using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal.Rounds;

/// <summary>
/// Publishes a round's retained <see cref="RoundTask"/> (the fogs' instructions) and clears it when the round ends. The
/// task's header carries the round's trace, so each fog's training and its update continue it. With delta broadcast
/// (<c>Federated:Broadcast</c>) the task names the held model's file and fingerprint and the last deltas leading to
/// it (<see cref="ModelBroadcastChain"/>), so a fog that holds one of the earlier models downloads only those.
/// </summary>
public sealed class RoundTaskPublisher(ICloudBus bus, MessageHeaderFactory headers, PublicAddress address, PortalDb db, IOptions<CoordinatorOptions> options)
{
    public async Task PublishAsync(TrainingRound round, ModelVersionRecord model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(round);
        ArgumentNullException.ThrowIfNull(model);
        using var activity = PortalTelemetry.Source.StartActivity("round open", ActivityKind.Producer);
        activity?.SetTag("foglens.round", round.Id);
        activity?.SetTag("foglens.participants", round.Participants);
        var o = options.Value;
        var chain = o.BroadcastsDeltas && model is { BroadcastFingerprint: not null, BroadcastSha256: not null } ? await ChainAsync(model, o.MaxDeltaChain, cancellationToken) : null;
        var task = new RoundTask(
            headers.Next(), round.Id, model.Version, chain is null ? model.WeightsSha256 : model.BroadcastSha256!,
            address.ModelUri(model.Version, chain is null ? "weights" : "broadcast"), round.ParticipantList,
            round.Codec, round.Sparsity, round.LocalEpochs, o.BatchSize, o.LearningRate, round.Deadline,
            round.Mode, o.Trainable, o.DenseMaxElements, chain);
        await bus.PublishAsync(Topics.RoundTask(round.Id), JsonMessages.Serialize(task), retain: true, cancellationToken);
    }

    /// <summary>Clears the retained task (an empty retained message) so fogs connecting later do not see it.</summary>
    public Task ClearAsync(long roundId, CancellationToken cancellationToken) =>
        bus.PublishAsync(Topics.RoundTask(roundId), ReadOnlyMemory<byte>.Empty, retain: true, cancellationToken);

    /// <summary>The deltas that end at <paramref name="model"/>, oldest first: up its parents while each has a delta, at most <paramref name="maxLinks"/>.</summary>
    private async Task<ModelBroadcastChain> ChainAsync(ModelVersionRecord model, int maxLinks, CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        var links = new List<ModelDeltaLink>();
        var child = model;
        while (links.Count < maxLinks && child is { DeltaSha256: { } sha, DeltaBytes: { } bytes, ParentVersion: { } parentVersion, BroadcastFingerprint: { } fingerprint })
        {
            var parent = await context.Models.AsNoTracking().FirstOrDefaultAsync(m => m.Version == parentVersion, cancellationToken);
            if (parent?.BroadcastFingerprint is not { } parentFingerprint)
            {
                break;
            }

            links.Add(new ModelDeltaLink(child.Version, fingerprint, parent.Version, parentFingerprint, address.ModelUri(child.Version, "delta"), sha, bytes));
            child = parent;
        }

        links.Reverse();
        return new ModelBroadcastChain(model.BroadcastFingerprint!, links);
    }
}
