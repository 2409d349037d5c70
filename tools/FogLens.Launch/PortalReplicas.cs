using System.Globalization;

namespace FogLens.Launch;

/// <summary>
/// One or more cloud portals with nothing else (the load generator and the scale-out test play the fogs): with
/// <see cref="PortalReplicasOptions.External"/>, Mosquitto with a password file and the ACL and PostgreSQL, and N
/// portal replicas (instance ids <c>r1</c>, <c>r2</c>, ...) sharing the database, the broker (shared subscription) and
/// one data directory (model versions and round updates: a shared volume in a real deployment); otherwise one portal
/// on SQLite with its embedded broker. Replicas can be SIGKILLed and restarted with the same identity.
/// </summary>
public sealed class PortalReplicas : IAsyncDisposable
{
    private readonly List<ChildProcess> _portals = [];
    private ChildProcess? _mosquitto;
    private PostgresCluster? _postgres;

    private PortalReplicas()
    {
    }

    public Uri Broker { get; private set; } = null!;

    /// <summary>Fog id → broker password.</summary>
    public IReadOnlyDictionary<string, string> FogPasswords { get; private set; } = new Dictionary<string, string>();

    /// <summary>PostgreSQL connection string, or null on SQLite.</summary>
    public string? DatabaseConnection { get; private set; }

    /// <summary>The SQLite database file when not external.</summary>
    public string SqlitePath => Path.Combine(PortalData, "portal.db");

    public string PortalData { get; private set; } = null!;

    /// <summary>Data folder of the PostgreSQL cluster started here (null on SQLite or with a given database).</summary>
    public string? PostgresData => _postgres is null ? null : Path.Combine(_postgres.Folder, "data");

    public string AdminPassword { get; } = SiteOptions.RandomSecret();

    public IReadOnlyList<Uri> PortalUrls { get; private set; } = [];

    /// <summary>Process ids of the replicas (for CPU accounting), with Mosquitto's and none for PostgreSQL.</summary>
    public IReadOnlyList<(string Name, int Pid)> Processes =>
        [.. _portals.Select(p => (p.Name, p.Id)), .. _mosquitto is null ? [] : new[] { ("mosquitto", _mosquitto.Id) }];

    public static async Task<PortalReplicas> StartAsync(PortalReplicasOptions options, Action<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        if (options.Replicas < 1 || (options.Replicas > 1 && !options.External))
        {
            throw new ArgumentException("replicas must be 1, or more with an external broker and PostgreSQL", nameof(options));
        }

        var cluster = new PortalReplicas();
        try
        {
            await cluster.StartAllAsync(options, log, cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILLs replica <paramref name="index"/> (0-based).</summary>
    public Task KillAsync(int index) => _portals[index].KillAsync();

    /// <summary>Starts replica <paramref name="index"/> again with the same instance id and waits until it is ready.</summary>
    public async Task RestartAsync(int index, CancellationToken cancellationToken)
    {
        var old = _portals[index];
        await old.KillAsync();
        await old.DisposeAsync();
        _portals[index] = ChildProcess.Start(old.Spec, appendLog: true);
        await ChildReadiness.WaitReadyAsync(_portals[index], PortalUrls[index], cancellationToken);
    }

    public bool HasExited(int index) => _portals[index].HasExited;

    public static string InstanceId(int index) => "r" + (index + 1).ToString(CultureInfo.InvariantCulture);

    private async Task StartAllAsync(PortalReplicasOptions o, Action<string> log, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(o.DataDirectory);
        Directory.CreateDirectory(root);
        PortalData = Path.Combine(root, "portal");
        FogPasswords = o.Fogs.ToDictionary(f => f, _ => SiteOptions.RandomSecret(), StringComparer.Ordinal);
        var fogsFile = Path.Combine(root, "fogs.txt");
        await File.WriteAllLinesAsync(fogsFile, FogPasswords.Select(p => $"{p.Key} {p.Value}"), cancellationToken);
        var portalPassword = SiteOptions.RandomSecret();
        var brokerPort = ChildReadiness.FreePort();
        Broker = new Uri($"mqtt://127.0.0.1:{brokerPort}");
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["FOGLENS_PORTAL_Auth__AdminPassword"] = AdminPassword,
        };
        List<string> shared = [$"--Portal:DataDirectory={PortalData}", $"--Broker:FogsFile={fogsFile}", $"--Federated:BaseModel={Path.Combine(RepoLayout.Root, "models", "age")}", "--Auth:AdminUser=admin"];
        if (o.External)
        {
            log($"starting Mosquitto on {Broker} with {o.Fogs.Count} fog accounts");
            var users = new Dictionary<string, string>(FogPasswords) { ["portal"] = portalPassword };
            var spec = MosquittoServer.Configure(Path.Combine(root, "mosquitto"), brokerPort, users, Path.Combine(root, "logs", "mosquitto.log"), saveEvery: o.BrokerSaveEvery);
            _mosquitto = ChildProcess.Start(spec);
            await ChildReadiness.WaitTcpAsync(brokerPort, _mosquitto, cancellationToken);
            if (o.DatabaseConnection is { } given)
            {
                DatabaseConnection = given;
            }
            else
            {
                log("starting PostgreSQL");
                _postgres = PostgresCluster.Start(Path.Combine(root, "postgres"), ChildReadiness.FreePort(), fast: false);
                DatabaseConnection = _postgres.Database("foglens");
            }

            environment["FOGLENS_PORTAL_Broker__PortalPassword"] = portalPassword;
            environment["FOGLENS_PORTAL_Database__ConnectionString"] = DatabaseConnection;
            shared.AddRange(["--Broker:Embedded=false", $"--Broker:External={Broker}", "--Broker:PortalUsername=portal", "--Database:Provider=postgres"]);
        }
        else
        {
            shared.Add($"--Broker:Port={brokerPort}");
        }

        var urls = new List<Uri>();
        for (var i = 0; i < o.Replicas; i++)
        {
            var url = new Uri($"http://127.0.0.1:{ChildReadiness.FreePort()}");
            urls.Add(url);
            string[] arguments =
            [
                "--urls", url.ToString().TrimEnd('/'), $"--Portal:PublicUrl={url}", .. shared,
                .. o.External ? (string[])[$"--Portal:InstanceId={InstanceId(i)}"] : [], .. o.PortalArguments,
            ];
            var name = o.Replicas == 1 ? "cloud-portal" : "cloud-portal-" + InstanceId(i);
            log($"starting {name} on {url}");
            var child = ChildProcess.Start(ChildSpec.Dotnet(name, RepoLayout.Deployable("cloud-portal", "FogLens.CloudPortal"), arguments, Path.Combine(root, "logs", name + ".log"), environment));
            _portals.Add(child);

            // One after the other, like a StatefulSet's OrderedReady start: replicas started together on an empty
            // database crashed here (exit 134; not yet investigated: the migration or the base model's registration).
            await ChildReadiness.WaitReadyAsync(child, url, cancellationToken);
        }

        PortalUrls = urls;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var portal in Enumerable.Reverse(_portals))
        {
            await portal.DisposeAsync();
        }

        _portals.Clear();
        if (_mosquitto is not null)
        {
            await _mosquitto.DisposeAsync();
            _mosquitto = null;
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
            _postgres = null;
        }
    }
}
