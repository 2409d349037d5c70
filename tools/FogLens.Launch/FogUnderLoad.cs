using System.Globalization;

namespace FogLens.Launch;

/// <summary>
/// One real fog service with nothing else (the edge load generator and the fan-in test play the edges): a cloud
/// Mosquitto with the fog's account (the shipped ACL; it receives the fog's windows and status), and the edge broker
/// either embedded in the fog (its edges file) or a second Mosquitto with one account per edge and the fog's
/// subscriber account (<see cref="MosquittoServer.EdgeAclPath"/>).
/// </summary>
public sealed class FogUnderLoad : IAsyncDisposable
{
    public const string FogId = "fog-1";

    private readonly List<ChildProcess> _children = [];

    private FogUnderLoad()
    {
    }

    /// <summary>Where edges connect (the fog's embedded broker or the edge Mosquitto).</summary>
    public Uri EdgeBroker { get; private set; } = null!;

    /// <summary>Edge id → broker password.</summary>
    public IReadOnlyDictionary<string, string> EdgePasswords { get; private set; } = new Dictionary<string, string>();

    /// <summary>The cloud broker and the portal account's password on it (to read the fog's windows).</summary>
    public Uri CloudBroker { get; private set; } = null!;

    public string PortalPassword { get; } = SiteOptions.RandomSecret();

    /// <summary>The fog's HTTP base address (/api/status, /metrics: loopback callers need no token).</summary>
    public Uri FogUrl { get; private set; } = null!;

    /// <summary>Process ids for CPU accounting: the fog and the broker(s).</summary>
    public IReadOnlyList<(string Name, int Pid)> Processes => [.. _children.Select(c => (c.Name, c.Id))];

    public static async Task<FogUnderLoad> StartAsync(FogUnderLoadOptions options, Action<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var fog = new FogUnderLoad();
        try
        {
            await fog.StartAllAsync(options, log, cancellationToken);
            return fog;
        }
        catch
        {
            await fog.DisposeAsync();
            throw;
        }
    }

    private async Task StartAllAsync(FogUnderLoadOptions o, Action<string> log, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(o.DataDirectory);
        Directory.CreateDirectory(root);
        var logs = Path.Combine(root, "logs");
        EdgePasswords = o.Edges.ToDictionary(e => e, _ => SiteOptions.RandomSecret(), StringComparer.Ordinal);
        var fogPassword = SiteOptions.RandomSecret();

        var cloudPort = ChildReadiness.FreePort();
        CloudBroker = new Uri($"mqtt://127.0.0.1:{cloudPort}");
        log($"starting the cloud Mosquitto on {CloudBroker}");
        var cloudUsers = new Dictionary<string, string> { [FogId] = fogPassword, ["portal"] = PortalPassword };
        await StartBrokerAsync(MosquittoServer.Configure(Path.Combine(root, "cloud-mosquitto"), cloudPort, cloudUsers, Path.Combine(logs, "cloud-mosquitto.log")) with { Name = "cloud-mosquitto" }, cloudPort, cancellationToken);

        var edgePort = ChildReadiness.FreePort();
        EdgeBroker = new Uri($"mqtt://127.0.0.1:{edgePort}");
        FogUrl = new Uri($"http://127.0.0.1:{ChildReadiness.FreePort()}");
        var environment = new Dictionary<string, string> { ["FOGLENS_FOG_Cloud__Password"] = fogPassword };
        List<string> arguments =
        [
            "--urls", FogUrl.ToString().TrimEnd('/'), $"--Fog:FogId={FogId}", $"--Fog:DataDirectory={Path.Combine(root, FogId)}",
            $"--Fog:ModelPath={o.ModelPath ?? Path.Combine(RepoLayout.Root, "models", "age", "age-net.onnx")}", $"--Fog:ModelPrecision={o.Precision}",
            string.Create(CultureInfo.InvariantCulture, $"--Fog:Window={o.Window:c}"), string.Create(CultureInfo.InvariantCulture, $"--Fog:WindowGrace={o.WindowGrace:c}"),
            $"--Cloud:Broker={CloudBroker}", $"--Cloud:Username={FogId}",
        ];
        if (o.ExternalEdgeBroker)
        {
            log($"starting the edge Mosquitto on {EdgeBroker} with {o.Edges.Count} edge accounts");
            var edgeUsers = new Dictionary<string, string>(EdgePasswords) { ["fog"] = fogPassword };
            var spec = MosquittoServer.Configure(Path.Combine(root, "edge-mosquitto"), edgePort, edgeUsers, Path.Combine(logs, "edge-mosquitto.log"), saveEvery: o.BrokerSaveEvery, aclPath: MosquittoServer.EdgeAclPath);
            await StartBrokerAsync(spec with { Name = "edge-mosquitto" }, edgePort, cancellationToken);
            arguments.AddRange(["--EdgeBroker:Embedded=false", $"--EdgeBroker:External={EdgeBroker}", "--EdgeBroker:FogUsername=fog"]);
            environment["FOGLENS_FOG_EdgeBroker__FogPassword"] = fogPassword;
        }
        else
        {
            var edgesFile = Path.Combine(root, "edges.txt");
            await File.WriteAllLinesAsync(edgesFile, EdgePasswords.Select(p => $"{p.Key} {p.Value}"), cancellationToken);
            arguments.AddRange([
                $"--EdgeBroker:Port={edgePort}", $"--EdgeBroker:EdgesFile={edgesFile}",
                string.Create(CultureInfo.InvariantCulture, $"--EdgeBroker:MaxConnectionsPerAddress={o.Edges.Count + 16}"), // every simulated edge comes from 127.0.0.1
            ]);
        }

        arguments.AddRange(o.FogArguments);
        log($"starting {FogId} on {FogUrl} ({o.Precision}, edge broker {(o.ExternalEdgeBroker ? "Mosquitto" : "embedded")})");
        var fog = ChildProcess.Start(ChildSpec.Dotnet(FogId, RepoLayout.Deployable("fog-service", "FogLens.FogService"), arguments, Path.Combine(logs, FogId + ".log"), environment));
        _children.Add(fog);
        await ChildReadiness.WaitReadyAsync(fog, FogUrl, cancellationToken);
    }

    private async Task StartBrokerAsync(ChildSpec spec, int port, CancellationToken cancellationToken)
    {
        var broker = ChildProcess.Start(spec);
        _children.Add(broker);
        await ChildReadiness.WaitTcpAsync(port, broker, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var child in Enumerable.Reverse(_children))
        {
            await child.DisposeAsync();
        }

        _children.Clear();
    }
}
