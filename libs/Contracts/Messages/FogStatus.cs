namespace FogLens.Contracts.Messages;

/// <summary>Retained status of a fog service (topic <c>foglens/v1/fog/{fogId}/status</c>).</summary>
public sealed record FogStatus(
    MessageHeader Header,
    NodeState State,
    string ModelVersion,
    int EdgesOnline,
    long CropsReceived,
    long CropsInferred,
    long CropsRejected,
    int QueueDepth,
    int OutboxDepth,
    double InferencePerSecond,
    bool Training,
    int LocalSamples) : IFogLensMessage
{
    public string? Validate()
    {
        if (EdgesOnline < 0 || CropsReceived < 0 || CropsInferred < 0 || CropsRejected < 0 || QueueDepth < 0
            || OutboxDepth < 0 || LocalSamples < 0)
        {
            return "counters must not be negative";
        }

        return !double.IsFinite(InferencePerSecond) ? "inferencePerSecond must be finite" : null;
    }
}
