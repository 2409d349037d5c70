namespace FogLens.CloudPortal.Data;

/// <summary>A machine client's API token; only its SHA-256 is stored (the token is shown once, when created).</summary>
public sealed class ApiTokenRecord
{
    public int Id { get; set; }

    /// <summary>Who or what uses the token (e.g. "grafana"); shown in logs and in <c>token list</c>.</summary>
    public required string Name { get; set; }

    /// <summary>Lower-case hex SHA-256 of the token.</summary>
    public required string Hash { get; set; }

    public ApiTokenScope Scope { get; set; } = ApiTokenScope.Read;

    public DateTimeOffset CreatedAt { get; set; }
}
