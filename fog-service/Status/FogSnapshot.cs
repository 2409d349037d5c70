using FogLens.Contracts.Messages;
using FogLens.FogService.Broker;
using FogLens.FogService.Demographics;
using FogLens.FogService.Training;
using FogLens.FogService.Inference;
using FogLens.Messaging;
using FogLens.FogService.Common;

namespace FogLens.FogService.Status;

/// <summary>
/// The fog's state at one moment, built once per request or status tick by <see cref="FogSnapshotSource"/> and
/// read by the cloud status message, <c>/metrics</c> and <c>/api/status</c> alike.
/// </summary>
public sealed record FogSnapshot(
    string ModelVersion,
    int EdgesOnline,
    long CropsReceived,
    long CropsInferred,
    long CropsRejected,
    long Duplicates,
    long CorruptImages,
    long EdgeMessagesRejected,
    long WindowsPublished,
    int QueueDepth,
    int OpenWindows,
    double FacesPerSecond,
    int CloudOutboxDepth,
    bool Training,
    int LocalSamples,
    long RoundsCompleted,
    long RoundsFailed,
    int LastUpdateBytes,
    IReadOnlyList<EdgeSummary> Edges,
    long CropsWithoutFlip)
{
    /// <summary>The retained status message the fog publishes to the cloud.</summary>
    public FogStatus ToStatus(MessageHeader header, NodeState state) => new(
        header, state, ModelVersion, EdgesOnline, CropsReceived, CropsInferred, CropsRejected + CorruptImages, QueueDepth, CloudOutboxDepth,
        FacesPerSecond, Training, LocalSamples, Edges);
}

/// <summary>Builds <see cref="FogSnapshot"/>s from the fog's parts.</summary>
public sealed class FogSnapshotSource(
    FogCounters counters,
    EdgeRegistry edges,
    CropSpool spool,
    DemographicsAggregator aggregator,
    InferenceWorker worker,
    AgeModelProvider models,
    TrainingStatus training,
    [FromKeyedServices(FogServiceKeys.Cloud)] DiskOutbox cloudOutbox)
{
    public FogSnapshot Capture() => new(
        models.ModelVersion, edges.Online, counters.CropsReceived, counters.CropsInferred, counters.CropsRejected, counters.Duplicates,
        counters.CorruptImages, counters.EdgeMessagesRejected, counters.WindowsPublished, spool.Depth, aggregator.OpenWindows,
        worker.FacesPerSecond, cloudOutbox.Count, training.Training, training.LocalSamples, training.RoundsCompleted, training.RoundsFailed,
        training.LastUpdateBytes, edges.Summaries(), counters.CropsWithoutFlip);
}
