using System.Globalization;
using System.Text;

namespace FogLens.FogService.Status;

/// <summary>The fog's counters in the Prometheus text exposition format (GET /metrics).</summary>
public static class PrometheusMetrics
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Render(FogSnapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var sb = new StringBuilder();
        void Metric(string name, string type, string help, double value, string? labels = null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"# HELP foglens_fog_{name} {help}\n# TYPE foglens_fog_{name} {type}\n");
            sb.Append(CultureInfo.InvariantCulture, $"foglens_fog_{name}{(labels is null ? string.Empty : "{" + labels + "}")} {value}\n");
        }

        Metric("crops_received_total", "counter", "Face-crop messages received from edges.", s.CropsReceived);
        Metric("crops_inferred_total", "counter", "Crops whose age was estimated.", s.CropsInferred);
        Metric("crops_rejected_total", "counter", "Crop or status messages that failed validation.", s.CropsRejected);
        Metric("crops_duplicate_total", "counter", "Redelivered crops counted once.", s.Duplicates);
        Metric("crops_corrupt_image_total", "counter", "Crops whose JPEG could not be decoded.", s.CorruptImages);
        Metric("edge_messages_refused_total", "counter", "Connections, publishes and subscriptions refused by the edge broker.", s.EdgeMessagesRejected);
        Metric("windows_published_total", "counter", "Demographics windows queued for the cloud.", s.WindowsPublished);
        Metric("edges_online", "gauge", "Edge agents whose last status is online.", s.EdgesOnline);
        Metric("inference_queue_depth", "gauge", "Crops waiting for inference.", s.QueueDepth);
        Metric("open_windows", "gauge", "Demographics windows still open.", s.OpenWindows);
        Metric("inference_faces_per_second", "gauge", "Faces inferred per second (last 5 s).", s.FacesPerSecond);
        Metric("fl_rounds_completed_total", "counter", "Federated rounds whose update was queued.", s.RoundsCompleted);
        Metric("fl_rounds_failed_total", "counter", "Federated rounds that could not be done.", s.RoundsFailed);
        Metric("cloud_outbox_depth", "gauge", "Messages waiting in the outbox to the cloud.", s.CloudOutboxDepth);
        Metric("fl_training", "gauge", "1 while a federated round is training.", s.Training ? 1 : 0);
        Metric("fl_last_update_bytes", "gauge", "Size of the last encoded model update.", s.LastUpdateBytes);
        Metric("model_info", "gauge", "The inference model in use.", 1, $"version=\"{s.ModelVersion.Replace("\"", "'", StringComparison.Ordinal)}\"");
        return sb.ToString();
    }
}
