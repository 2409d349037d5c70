using System.Diagnostics;

namespace FogLens.EdgeAgent.Common;

/// <summary>The edge's activity source (<c>FogLens.Edge</c>): a crop's trace starts here.</summary>
internal static class EdgeTelemetry
{
    public static readonly ActivitySource Source = new("FogLens.Edge");
}
