using System.Collections.Concurrent;
using FogLens.Contracts.Messages;

namespace FogLens.FogService.Broker;

/// <summary>The latest status of each edge agent seen on the edge broker.</summary>
public sealed class EdgeRegistry
{
    private readonly ConcurrentDictionary<string, (EdgeStatus Status, DateTimeOffset ReceivedAt)> _edges = new(StringComparer.Ordinal);

    public int Online => _edges.Values.Count(e => e.Status.State == NodeState.Online);

    public IReadOnlyCollection<EdgeStatus> All => [.. _edges.Values.Select(e => e.Status)];

    /// <summary>What the fog relays to the cloud in its status: each edge with the time its status last arrived.</summary>
    public IReadOnlyList<EdgeSummary> Summaries() =>
        [.. _edges.Values.OrderBy(e => e.Status.Header.SenderId, StringComparer.Ordinal).Take(FogStatus.MaxEdges).Select(e => EdgeSummary.From(e.Status, e.ReceivedAt))];

    public void Update(EdgeStatus status, DateTimeOffset receivedAt) => _edges[status.Header.SenderId] = (status, receivedAt);
}
