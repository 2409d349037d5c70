using System.Diagnostics;
using FogLens.CloudPortal.Broker;
using FogLens.CloudPortal.Data;
using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using Microsoft.Extensions.Options;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal.Rounds;

/// <summary>
/// Publishes a round's retained <see cref="RoundTask"/> (the fogs' instructions) and clears it when the round ends. The
/// task's header carries the round's trace, so each fog's training and its update continue it.
/// </summary>
public sealed class RoundTaskPublisher(ICloudBus bus, MessageHeaderFactory headers, PublicAddress address, IOptions<CoordinatorOptions> options)
{
    public async Task PublishAsync(TrainingRound round, ModelVersionRecord model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(round);
        ArgumentNullException.ThrowIfNull(model);
        using var activity = PortalTelemetry.Source.StartActivity("round open", ActivityKind.Producer);
        activity?.SetTag("foglens.round", round.Id);
        activity?.SetTag("foglens.participants", round.Participants);
        var o = options.Value;
        var task = new RoundTask(
            headers.Next(), round.Id, model.Version, model.WeightsSha256, address.ModelUri(model.Version, "weights"), round.ParticipantList,
            round.Codec, round.Sparsity, round.LocalEpochs, o.BatchSize, o.LearningRate, round.Deadline,
            round.Mode, o.Trainable, o.DenseMaxElements);
        await bus.PublishAsync(Topics.RoundTask(round.Id), JsonMessages.Serialize(task), retain: true, cancellationToken);
    }

    /// <summary>Clears the retained task (an empty retained message) so fogs connecting later do not see it.</summary>
    public Task ClearAsync(long roundId, CancellationToken cancellationToken) =>
        bus.PublishAsync(Topics.RoundTask(roundId), ReadOnlyMemory<byte>.Empty, retain: true, cancellationToken);
}
