namespace FogLens.Contracts.Messages;

/// <summary>
/// A federated round's task (topic <c>foglens/v1/fl/round/{roundId}/task</c>), sent by the
/// coordinator to the selected fogs.
/// </summary>
/// <param name="Header">Common header; sender is the portal.</param>
/// <param name="RoundId">Round number, from 1.</param>
/// <param name="ModelVersion">Global model to start from.</param>
/// <param name="ModelSha256">SHA-256 (hex) of the training weights file; fogs verify it.</param>
/// <param name="ModelUri">Where to download the weights (HTTP(S) on the portal).</param>
/// <param name="Participants">Fog ids selected for this round.</param>
/// <param name="Codec">Update codec id, e.g. "sbc", "dense".</param>
/// <param name="Sparsity">Fraction of parameters kept per tensor by sparse codecs (0..1].</param>
/// <param name="LocalEpochs">Local epochs before uploading (communication delay).</param>
/// <param name="BatchSize">Local batch size.</param>
/// <param name="LearningRate">Local learning rate.</param>
/// <param name="Deadline">Updates arriving later are dropped in synchronous mode.</param>
/// <param name="Mode">Synchronous or asynchronous.</param>
/// <param name="Trainable">Which layers fogs fine-tune: "all", "last-blocks" or "head" (absent in older tasks: "all").</param>
/// <param name="DenseMaxElements">Sparse codecs send tensors of at most this many elements as float32 (0: none).</param>
/// <param name="Broadcast">Delta broadcast: the fingerprint of the model to train on and the deltas to it (absent: download ModelUri).</param>
public sealed record RoundTask(
    MessageHeader Header,
    long RoundId,
    string ModelVersion,
    string ModelSha256,
    Uri ModelUri,
    IReadOnlyList<string> Participants,
    string Codec,
    double Sparsity,
    int LocalEpochs,
    int BatchSize,
    double LearningRate,
    DateTimeOffset Deadline,
    RoundMode Mode,
    string? Trainable = null,
    int DenseMaxElements = 0,
    ModelBroadcastChain? Broadcast = null) : IFogLensMessage
{
    public string? Validate()
    {
        if (RoundId <= 0)
        {
            return "roundId must be positive";
        }

        if (string.IsNullOrEmpty(ModelVersion) || ModelVersion.Length > 64)
        {
            return "modelVersion missing or too long";
        }

        if (!Sha256Hex.IsValid(ModelSha256))
        {
            return "modelSha256 must be 64 hex characters";
        }

        if (ModelUri is null || !ModelUri.IsAbsoluteUri || (ModelUri.Scheme != Uri.UriSchemeHttp && ModelUri.Scheme != Uri.UriSchemeHttps))
        {
            return "modelUri must be an absolute http(s) URI";
        }

        if (Participants is null || Participants.Count == 0 || Participants.Count > 10_000)
        {
            return "participants must list 1-10000 fogs";
        }

        foreach (var p in Participants)
        {
            if (!NodeId.IsValid(p))
            {
                return $"participant '{p}' is not a valid id";
            }
        }

        if (string.IsNullOrEmpty(Codec) || Codec.Length > 16)
        {
            return "codec missing or too long";
        }

        if (!(Sparsity > 0 && Sparsity <= 1))
        {
            return "sparsity must be in (0, 1]";
        }

        if (LocalEpochs is < 1 or > 1000 || BatchSize is < 1 or > 4096)
        {
            return "localEpochs or batchSize out of range";
        }

        if (Trainable is not (null or "all" or "last-blocks" or "head"))
        {
            return "trainable must be all, last-blocks or head";
        }

        if (DenseMaxElements is < 0 or > 1_000_000)
        {
            return "denseMaxElements out of range";
        }

        if (Broadcast?.Validate(ModelVersion) is { } broadcast)
        {
            return broadcast;
        }

        return !(LearningRate > 0 && LearningRate < 10) ? "learningRate out of range" : null;
    }
}
