using System.Globalization;
using FogLens.Contracts.Messages;

namespace FogLens.CloudPortal.Data;

/// <summary>
/// The Overview's alerts, derived from the nodes' last status and the latest completed round: a fog offline, an edge
/// whose camera source is failing, a fog whose outbox to the cloud keeps growing, a round whose model was worse than
/// the deployed one. Rules only; the page and the API show them.
/// </summary>
public static class PortalAlerts
{
    /// <summary>Windows waiting in a fog's outbox above which the cloud link is probably down.</summary>
    public const int OutboxWarning = 50;

    /// <summary>Years of evaluation MAE by which a round's model must be worse than the deployed best to be an alert; a
    /// round that merely failed to improve (a few thousandths, evaluation noise) is not.</summary>
    public const double RegressionWarning = 0.05;

    public static IReadOnlyList<PortalAlert> From(IEnumerable<NodeView> nodes, TrainingRound? latestCompleted)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var alerts = new List<PortalAlert>();
        foreach (var view in nodes.OrderBy(n => n.Node.Id, NaturalStringComparer.Instance))
        {
            var node = view.Node;
            if (node.Kind == "fog" && !view.Online)
            {
                alerts.Add(new("error", "fog-offline", node.Id,
                    string.Create(CultureInfo.InvariantCulture, $"{node.Id} has sent no status since {node.LastSeen:yyyy-MM-dd HH:mm} UTC; its cameras' demographics are not arriving."),
                    "Check the fog service on its server (systemctl status foglens-fog, its log) and its network path to the cloud broker. Nothing is lost while it is down: its outbox keeps windows until it reconnects."));
            }
            else if (node.Kind == "fog" && node.OutboxDepth > OutboxWarning)
            {
                alerts.Add(new("warning", "outbox-growing", node.Id,
                    string.Create(CultureInfo.InvariantCulture, $"{node.Id} has {node.OutboxDepth} windows waiting to be sent to the cloud."),
                    "The fog is up but cannot deliver: check the cloud broker and the fog's credentials (Cloud:Password) in its log. The outbox is durable; it drains by itself once the link works."));
            }

            if (node.Kind == "edge" && view.Online && node.SourceState is { } state && state != SourceState.Ok)
            {
                alerts.Add(new("error", "source-failing", node.Id,
                    $"{node.Id} ({node.CameraId ?? "camera"}): video source {state.ToString().ToLowerInvariant()}{(node.SourceProblem is { } p ? ": " + p : string.Empty)}.",
                    "Check the camera or file the edge reads (Edge:Source): power, network, URL and credentials for a stream, path and format for a file. The edge retries a stream by itself."));
            }
        }

        if (latestCompleted is { Mae: { } mae, ReferenceMae: { } reference } round && mae - reference >= RegressionWarning)
        {
            alerts.Add(new("warning", "model-regression", $"round {round.Id}",
                string.Create(CultureInfo.InvariantCulture, $"Round {round.Id}'s model has MAE {mae:0.000} on the evaluation set, {mae - reference:0.000} years worse than the deployed best ({reference:0.000}); it was not deployed."),
                "Nothing to undo: the deployed model stays. If rounds keep regressing, look at the Training page (learning rate, stragglers, a fog with little or unusual data) and the Contributions page."));
        }

        return [.. alerts.OrderBy(a => a.Severity == "error" ? 0 : 1)]; // errors first; stable, so by node id within
    }
}
