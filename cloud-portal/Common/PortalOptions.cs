using System.ComponentModel.DataAnnotations;
using FogLens.Messaging.Broker;

namespace FogLens.CloudPortal.Common;

/// <summary>General portal settings (section "Portal").</summary>
public sealed class PortalOptions
{
    public const string Section = "Portal";

    /// <summary>Folder for the SQLite database, model versions and stored round updates; created at start.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data/portal";

    /// <summary>
    /// Base URL fogs use to download model files (put in round tasks and model announcements). Empty: the
    /// first address the portal listens on.
    /// </summary>
    public Uri? PublicUrl { get; set; }

    /// <summary>A fog or edge whose last status is older than this is shown offline.</summary>
    public TimeSpan NodeTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// k-anonymity threshold: a demographics window with fewer faces is never shown, exported or counted in
    /// an age chart (the API, the pages and the CSV), so one person's estimated age at a place and minute
    /// cannot be read. Totals of faces (without ages) still include it.
    /// </summary>
    [Range(1, 1000)]
    public int MinFacesShown { get; set; } = 5;

    /// <summary>
    /// Bearer token Prometheus sends for /metrics (Authorization: Bearer ...). Without one, /metrics needs a
    /// signed-in user.
    /// </summary>
    public string? MetricsToken { get; set; }

    /// <summary>
    /// The portal is served through a TLS-terminating reverse proxy: X-Forwarded-For/-Proto are honoured from
    /// <see cref="TrustedProxies"/> only, the sign-in cookie is Secure, and HSTS is sent.
    /// </summary>
    public bool BehindTlsProxy { get; set; }

    /// <summary>Addresses of the reverse proxies whose forwarded headers are trusted (default: this machine).</summary>
    public List<string> TrustedProxies { get; set; } = ["127.0.0.1", "::1"];

    /// <summary>
    /// Name of this replica when several portals share one PostgreSQL database and an external broker (e.g. the
    /// StatefulSet pod name): its broker session is <c>portal-{InstanceId}</c>, and keeping the same name across
    /// restarts lets a restarted replica collect the messages its broker session kept. Empty: a single portal
    /// (session <c>portal</c>).
    /// </summary>
    [RegularExpression("^[a-z0-9_-]{1,48}$", ErrorMessage = "Portal:InstanceId must be 1-48 characters a-z, 0-9, _ or -")]
    public string? InstanceId { get; set; }

    /// <summary>
    /// Days the per-minute demographics windows are kept; older ones are deleted in batches by the leader
    /// (the retention service), and the pages and the API read those days from the hourly and daily roll-ups.
    /// Windows older than this are refused at ingest (as too old), so a redelivered window is always still there to be
    /// recognised and is never counted twice in the roll-ups.
    /// </summary>
    [Range(1, 36500)]
    public int RawRetentionDays { get; set; } = 90;

    /// <summary>Days the hourly roll-ups are kept (at least <see cref="RawRetentionDays"/>); daily roll-ups are kept for ever.</summary>
    [Range(1, 36500)]
    public int HourlyRetentionDays { get; set; } = 400;

    /// <summary>Client id of this replica's session on an external broker.</summary>
    public string BrokerClientId => string.IsNullOrEmpty(InstanceId) ? "portal" : "portal-" + InstanceId;
}

/// <summary>Storage (section "Database"): SQLite by default, PostgreSQL by connection string.</summary>
public sealed class DatabaseOptions : IValidatableObject
{
    public const string Section = "Database";

    /// <summary>"sqlite" (default) or "postgres".</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>Connection string; for SQLite the default is portal.db in the data directory.</summary>
    public string? ConnectionString { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsPostgres && !string.Equals(Provider, "sqlite", StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult("Database:Provider must be sqlite or postgres", [nameof(Provider)]);
        }

        if (IsPostgres && string.IsNullOrEmpty(ConnectionString))
        {
            yield return new ValidationResult("Database:ConnectionString is required for postgres", [nameof(ConnectionString)]);
        }
    }

    public bool IsPostgres => string.Equals(Provider, "postgres", StringComparison.OrdinalIgnoreCase)
        || string.Equals(Provider, "postgresql", StringComparison.OrdinalIgnoreCase);
}

/// <summary>The cloud MQTT broker (section "Broker"): embedded MQTTnet (default) or external (Mosquitto).</summary>
public sealed class BrokerOptions : EmbeddedBrokerOptions
{
    public const string Section = "Broker";

    public BrokerOptions()
    {
        Port = 1884;
        MaxPacketBytes = 64 * 1024 * 1024; // dense model updates are ~5 MB; only authenticated fogs get past CONNECT
    }

    /// <summary>External broker, e.g. mqtt://127.0.0.1:1883, when not embedded.</summary>
    public Uri? External { get; set; }

    /// <summary>For an mqtts:// external broker signed by a private CA: that CA's PEM certificate (the system store otherwise).</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>
    /// With an external broker, the portal subscribes to the fogs' topics through the MQTT v5 shared subscription
    /// <c>$share/{group}/...</c>, so each message goes to one replica of the group; empty: plain subscriptions
    /// (every replica would get every message; idempotent ingest would still store each once).
    /// </summary>
    [RegularExpression("^[a-z0-9_-]{0,32}$", ErrorMessage = "Broker:SharedSubscriptionGroup must be up to 32 characters a-z, 0-9, _ or -")]
    public string SharedSubscriptionGroup { get; set; } = "portal";

    /// <summary>
    /// Sessions each replica opens in the shared group (client ids <c>portal-{InstanceId}</c>, then <c>-s1</c>, <c>-s2</c>,
    /// ...), so a replica's ingest is spread over several connections. One without a group.
    /// </summary>
    [Range(1, 32)]
    public int IngestSessions { get; set; } = 16;

    /// <summary>
    /// Messages each ingest session handles at once (each acknowledged after it is stored): together with
    /// <see cref="IngestSessions"/> this is how many windows the window batcher can store in one transaction. The
    /// broker's in-flight limit per client (Mosquitto's <c>max_inflight_messages</c>, 20 by default) caps it.
    /// </summary>
    [Range(1, 1024)]
    public int IngestConcurrency { get; set; } = 20;

    /// <summary>
    /// Sessions each replica opens in the shared group for late windows (<c>.../demographics/late</c>, an outage's
    /// backlog; client ids <c>portal-{InstanceId}-late0</c>, ...), apart from the live ones so the broker does not queue
    /// the windows closing now behind a backlog. One without a group.
    /// </summary>
    [Range(1, 32)]
    public int LateSessions { get; set; } = 16;

    /// <summary>Credentials of the portal's own session.</summary>
    public string PortalUsername { get; set; } = "portal";

    public string? PortalPassword { get; set; }

    /// <summary>Fog credentials: fog id → password.</summary>
    public Dictionary<string, string> Fogs { get; set; } = [];

    /// <summary>File of more fog credentials, one "fog-id password" per line (see <see cref="CredentialsFile"/>).</summary>
    public string? FogsFile { get; set; }

    /// <summary>Merges <see cref="FogsFile"/> into <see cref="Fogs"/> (a post-configure step).</summary>
    internal void LoadFogsFile() => LoadCredentialsFile(FogsFile, Fogs, FogLens.Contracts.NodeId.IsValid);

    /// <summary>
    /// Let any fog id connect without a password when <see cref="Fogs"/> is empty (development only; the
    /// portal refuses to start an open embedded broker unless this is set).
    /// </summary>
    public bool AllowAnonymousFogs { get; set; }
}

/// <summary>Login (section "Auth").</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>Created as Admin at start when no user exists yet.</summary>
    public string? AdminUser { get; set; }

    [MinLength(8, ErrorMessage = "Auth:AdminPassword must have at least 8 characters")]
    public string? AdminPassword { get; set; }
}
