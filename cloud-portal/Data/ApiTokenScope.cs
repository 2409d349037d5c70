namespace FogLens.CloudPortal.Data;

/// <summary>What an API token may do.</summary>
public enum ApiTokenScope
{
    /// <summary>GET the API (no round starts, promotions, imports).</summary>
    Read,
}
