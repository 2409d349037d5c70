using System.Globalization;
using System.Text;
using FogLens.FogService.Broker;
using FogLens.FogService.Demographics;
using FogLens.FogService.Federated;
using FogLens.FogService.Inference;

namespace FogLens.FogService;

/// <summary>The fog's counters in the Prometheus text exposition format (GET /metrics).</summary>
public static class PrometheusMetrics
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Render(FogCounters counters, EdgeRegistry edges, CropSpool queue, DemographicsAggregator aggregator, InferenceWorker worker, FederatedClient federated, AgeModelProvider models)
    {
        ArgumentNullException.ThrowIfNull(counters);
        var sb = new StringBuilder();
        void Metric(string name, string type, string help, double value, string? labels = null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"# HELP foglens_fog_{name} {help}\n# TYPE foglens_fog_{name} {type}\n");
            sb.Append(CultureInfo.InvariantCulture, $"foglens_fog_{name}{(labels is null ? string.Empty : "{" + labels + "}")} {value}\n");
        }

        Metric("crops_received_total", "counter", "Face-crop messages received from edges.", counters.CropsReceived);
        Metric("crops_inferred_total", "counter", "Crops whose age was estimated.", counters.CropsInferred);
        Metric("crops_rejected_total", "counter", "Crop or status messages that failed validation.", counters.CropsRejected);
        Metric("crops_duplicate_total", "counter", "Redelivered crops counted once.", counters.Duplicates);
        Metric("crops_corrupt_image_total", "counter", "Crops whose JPEG could not be decoded.", counters.CorruptImages);
        Metric("edge_messages_refused_total", "counter", "Connections, publishes and subscriptions refused by the edge broker.", counters.EdgeMessagesRejected);
        Metric("windows_published_total", "counter", "Demographics windows queued for the cloud.", counters.WindowsPublished);
        Metric("edges_online", "gauge", "Edge agents whose last status is online.", edges.Online);
        Metric("inference_queue_depth", "gauge", "Crops waiting for inference.", queue.Depth);
        Metric("open_windows", "gauge", "Demographics windows still open.", aggregator.OpenWindows);
        Metric("inference_faces_per_second", "gauge", "Faces inferred per second (last 5 s).", worker.FacesPerSecond);
        Metric("fl_rounds_completed_total", "counter", "Federated rounds whose update was queued.", federated.RoundsCompleted);
        Metric("fl_rounds_failed_total", "counter", "Federated rounds that could not be done.", federated.RoundsFailed);
        Metric("fl_last_update_bytes", "gauge", "Size of the last encoded model update.", federated.LastUpdateBytes);
        Metric("model_info", "gauge", "The inference model in use.", 1, $"version=\"{models.ModelVersion.Replace("\"", "'", StringComparison.Ordinal)}\"");
        return sb.ToString();
    }
}
