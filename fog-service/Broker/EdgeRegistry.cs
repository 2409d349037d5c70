using System.Collections.Concurrent;
using FogLens.Contracts.Messages;

namespace FogLens.FogService.Broker;

/// <summary>The latest status of each edge agent seen on the edge broker.</summary>
public sealed class EdgeRegistry
{
    private readonly ConcurrentDictionary<string, EdgeStatus> _edges = new(StringComparer.Ordinal);

    public int Online => _edges.Values.Count(e => e.State == NodeState.Online);

    public IReadOnlyCollection<EdgeStatus> All => [.. _edges.Values];

    public void Update(EdgeStatus status) => _edges[status.Header.SenderId] = status;
}
