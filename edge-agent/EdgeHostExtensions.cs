namespace FogLens.EdgeAgent;

/// <summary>Service registration of the edge agent.</summary>
public static class EdgeHostExtensions
{
    public static HostApplicationBuilder AddEdgeAgent(this HostApplicationBuilder builder)
    {
        // Capture, detection, tracking and publishing land with the edge-agent issue.
        return builder;
    }
}
