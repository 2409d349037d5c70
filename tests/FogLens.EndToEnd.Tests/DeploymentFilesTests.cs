using System.Diagnostics;
using System.Text.RegularExpressions;
using FogLens.Tests.Shared;
using YamlDotNet.RepresentationModel;

namespace FogLens.EndToEnd.Tests;

/// <summary>
/// What can be checked of deploy/ without Docker or Kubernetes: YAML parses and the Kubernetes objects are
/// well formed, probes hit the real health endpoints, secrets and config maps referenced exist, the systemd
/// units pass <c>systemd-analyze verify</c>, image entry points and unit ExecStart lines name the assemblies the
/// build produces, configuration keys in the deployment files exist in the options classes, and the Mosquitto
/// ACL is the same everywhere.
/// </summary>
public sealed partial class DeploymentFilesTests
{
    private static readonly string Deploy = Path.Combine(TestPaths.RepoRoot, "deploy");

    [Fact]
    public void KubernetesManifests_AreWellFormed_AndReferenceWhatExists()
    {
        var k8s = Path.Combine(Deploy, "k8s");
        var kustomization = Load(Path.Combine(k8s, "kustomization.yaml")).Single();
        var resources = ((YamlSequenceNode)kustomization["resources"]).Select(n => n.ToString()).ToList();
        Assert.All(resources, r => Assert.True(File.Exists(Path.Combine(k8s, r)), $"kustomization lists missing {r}"));

        var objects = resources.SelectMany(r => Load(Path.Combine(k8s, r))).ToList();
        var examples = Load(Path.Combine(k8s, "secret.example.yaml"));
        Assert.All(objects.Concat(examples), o =>
        {
            Assert.NotEmpty(o["apiVersion"].ToString());
            Assert.NotEmpty(o["kind"].ToString());
            Assert.NotEmpty(o["metadata"]["name"].ToString());
        });
        var configMaps = objects.Where(o => o["kind"].ToString() == "ConfigMap").Select(o => o["metadata"]["name"].ToString()).ToHashSet();
        var claims = objects.Where(o => o["kind"].ToString() == "PersistentVolumeClaim").Select(o => o["metadata"]["name"].ToString()).ToHashSet();
        var secretKeys = examples.Where(o => o["metadata"]["name"].ToString() == "foglens-secrets")
            .SelectMany(o => ((YamlMappingNode)o["stringData"]).Children.Keys.Select(k => k.ToString())).ToHashSet();
        var secrets = examples.Select(o => o["metadata"]["name"].ToString()).ToHashSet();

        var workloads = objects.Where(o => o["kind"].ToString() is "Deployment" or "StatefulSet").ToList();
        Assert.Equal(5, workloads.Count);
        foreach (var workload in workloads)
        {
            var name = workload["metadata"]["name"].ToString();
            var pod = (YamlMappingNode)workload["spec"]["template"]["spec"];
            var labels = (YamlMappingNode)workload["spec"]["template"]["metadata"]["labels"];
            foreach (var (key, value) in ((YamlMappingNode)workload["spec"]["selector"]["matchLabels"]).Children)
            {
                Assert.True(labels.Children.TryGetValue(key, out var label) && label.ToString() == value.ToString(), $"{name}: selector {key} does not match the pod labels");
            }

            foreach (var container in ((YamlSequenceNode)pod["containers"]).Cast<YamlMappingNode>())
            {
                Assert.Matches(@"^[a-z0-9./-]+:[0-9][0-9a-z.-]*$", container["image"].ToString());
                foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" }.Where(p => container.Children.ContainsKey(p)))
                {
                    if (((YamlMappingNode)container[probe]).Children.TryGetValue("httpGet", out var http))
                    {
                        Assert.Contains(http["path"].ToString(), new[] { "/healthz", "/readyz" });
                    }
                }

                foreach (var node in Descendants(container).OfType<YamlMappingNode>())
                {
                    if (node.Children.TryGetValue("secretKeyRef", out var secretRef))
                    {
                        Assert.Contains(secretRef["name"].ToString(), secrets);
                        Assert.Contains(secretRef["key"].ToString(), secretKeys);
                    }

                    if (node.Children.TryGetValue("configMapRef", out var configRef))
                    {
                        Assert.Contains(configRef["name"].ToString(), configMaps);
                    }
                }
            }

            foreach (var node in Descendants(pod).OfType<YamlMappingNode>())
            {
                if (node.Children.TryGetValue("persistentVolumeClaim", out var claim))
                {
                    Assert.Contains(claim["claimName"].ToString(), claims);
                }

                if (node.Children.TryGetValue("configMap", out var map))
                {
                    Assert.Contains(map["name"].ToString(), configMaps);
                }
            }
        }

        // The portal and the fogs are probed on their health endpoints; edges have none.
        Assert.All(workloads.Where(w => w["metadata"]["name"].ToString() is "portal" or "fog-1"), w =>
            Assert.Contains("/readyz", Descendants(w["spec"]).OfType<YamlScalarNode>().Select(s => s.Value)));
    }

    [Fact]
    public void KubernetesPortal_RunsReplicas_WithStableNames_ADisruptionBudget_SharedFiles_AndStickyBrowsers()
    {
        var objects = Load(Path.Combine(Deploy, "k8s", "portal.yaml")).ToList();
        YamlNode One(string kind) => objects.Single(o => o["kind"].ToString() == kind);
        var portal = One("StatefulSet");
        Assert.True(int.Parse(portal["spec"]["replicas"].ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 2, "more than one portal replica");
        var headless = objects.Single(o => o["kind"].ToString() == "Service" && o["metadata"]["name"].ToString() == portal["spec"]["serviceName"].ToString());
        Assert.Equal("None", headless["spec"]["clusterIP"].ToString());

        // Each replica's broker session is named after its pod, so it survives a restart under the same name.
        var env = ((YamlSequenceNode)portal["spec"]["template"]["spec"]["containers"][0]["env"]).Cast<YamlMappingNode>();
        var instance = env.Single(e => e["name"].ToString() == "FOGLENS_PORTAL_Portal__InstanceId");
        Assert.Equal("metadata.name", instance["valueFrom"]["fieldRef"]["fieldPath"].ToString());

        var budget = One("PodDisruptionBudget");
        Assert.Equal("1", budget["spec"]["minAvailable"].ToString());
        Assert.Equal(portal["spec"]["selector"]["matchLabels"].ToString(), budget["spec"]["selector"]["matchLabels"].ToString());

        var claim = objects.Single(o => o["kind"].ToString() == "PersistentVolumeClaim" && o["metadata"]["name"].ToString() == "portal-data");
        Assert.Equal("ReadWriteMany", ((YamlSequenceNode)claim["spec"]["accessModes"]).Single().ToString());

        var ingress = One("Ingress");
        Assert.Equal("cookie", ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/affinity"].ToString());
        var config = One("ConfigMap");
        Assert.Equal("postgres", config["data"]["FOGLENS_PORTAL_Database__Provider"].ToString()); // the leader lock needs PostgreSQL
        Assert.Equal("false", config["data"]["FOGLENS_PORTAL_Broker__Embedded"].ToString()); // shared subscriptions need the external broker
    }

    /// <summary>
    /// Every object in deploy/k8s against the Kubernetes API's own types (the official .NET client's models, generated
    /// from the Kubernetes OpenAPI schema), read strictly: an unknown kind or apiVersion, a misspelt or misplaced field
    /// and a value of the wrong type fail. Required fields and enum values are not part of these models; the test
    /// above checks the ones the manifests depend on.
    /// </summary>
    [Fact]
    public void KubernetesManifests_MatchTheKubernetesApiSchema()
    {
        var files = Directory.GetFiles(Path.Combine(Deploy, "k8s"), "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            var objects = k8s.KubernetesYaml.LoadAllFromString(text, strict: true);
            Assert.Equal(Load(file).Count, objects.Count);
            Assert.All(objects, o => Assert.True(o is k8s.IKubernetesObject, $"{Path.GetFileName(file)}: {o.GetType().Name} is not a Kubernetes object"));
        }

        // The validator can fail: a misspelt field, a field in the wrong place and a wrong type in the portal's manifest.
        var portal = File.ReadAllText(Path.Combine(Deploy, "k8s", "portal.yaml"));
        Assert.Contains("  replicas: 2", portal, StringComparison.Ordinal);
        foreach (var broken in new[] { portal.Replace("  replicas: 2", "  replicaz: 2", StringComparison.Ordinal), portal.Replace("  replicas: 2", "  replicas: two", StringComparison.Ordinal), portal.Replace("kind: StatefulSet", "kind: StatefullSet", StringComparison.Ordinal) })
        {
            Assert.ThrowsAny<Exception>(() => k8s.KubernetesYaml.LoadAllFromString(broken, strict: true));
        }
    }

    [Fact]
    public void MosquittoAcl_IsTheSameForTheLauncherComposeAndKubernetes()
    {
        var acl = File.ReadAllText(Path.Combine(Deploy, "mosquitto", "acl"));
        var config = Load(Path.Combine(Deploy, "k8s", "mosquitto.yaml")).Single(o => o["kind"].ToString() == "ConfigMap");
        Assert.Equal(acl, config["data"]["acl"].ToString());
        Assert.Equal(Path.Combine(Deploy, "mosquitto", "acl"), FogLens.Launch.MosquittoServer.AclPath);
        Assert.Contains("../mosquitto/acl:/mosquitto/config/acl:ro", File.ReadAllText(Path.Combine(Deploy, "compose", "compose.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_ParsesAndBuildsOnlyTargetsTheDockerfileHas()
    {
        var compose = Load(Path.Combine(Deploy, "compose", "compose.yaml")).Single();
        var stages = StageNames(File.ReadAllText(Path.Combine(Deploy, "compose", "Dockerfile")));
        var services = (YamlMappingNode)compose["services"];
        Assert.Equal(["mosquitto", "postgres", "portal", "fog", "edge-cam1"], services.Children.Keys.Select(k => k.ToString()));
        foreach (var (name, service) in services.Children)
        {
            if (((YamlMappingNode)service).Children.TryGetValue("build", out var build))
            {
                Assert.True(stages.Contains(build["target"].ToString()), $"{name}: target {build["target"]} is not a Dockerfile stage");
                Assert.Equal("deploy/compose/Dockerfile", build["dockerfile"].ToString());
            }
        }
    }

    [Fact]
    public void ImageEntryPointsAndUnits_NameTheAssembliesTheBuildProduces()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Deploy, "compose", "Dockerfile"));
        var entryPoints = EntryPoint().Matches(dockerfile).Select(m => (Folder: m.Groups[1].Value, Dll: m.Groups[2].Value)).ToList();
        var units = Directory.GetFiles(Path.Combine(Deploy, "systemd"), "*.service").Select(File.ReadAllText).ToList();
        var execStarts = units.SelectMany(u => ExecStart().Matches(u)).Select(m => (Folder: m.Groups[1].Value, Dll: m.Groups[2].Value)).ToList();
        Assert.Equal(3, entryPoints.Count);
        Assert.Equal(3, execStarts.Count);
        foreach (var (folder, dll) in entryPoints.Concat(execStarts))
        {
            var project = Path.Combine(TestPaths.RepoRoot, folder, Path.GetFileNameWithoutExtension(dll) + ".csproj");
            Assert.True(File.Exists(project), $"{folder}/{dll}: no project {project}");
            Assert.True(File.Exists(Path.Combine(TestPaths.RepoRoot, folder, "bin", "Release", "net10.0", dll)), $"{dll} is not what {folder} builds");
            Assert.Contains($"dotnet publish {folder}/{Path.GetFileNameWithoutExtension(dll)}.csproj -c Release -o /out/{folder}", dockerfile, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SystemdUnits_PassSystemdAnalyzeVerify()
    {
        const string Analyze = "/usr/bin/systemd-analyze";
        Assert.SkipUnless(File.Exists(Analyze), "systemd-analyze is not installed here");
        var folder = Directory.CreateTempSubdirectory("foglens-units-").FullName;
        var units = Directory.GetFiles(Path.Combine(Deploy, "systemd"), "*.service");
        Assert.Equal(3, units.Length);
        foreach (var unit in units)
        {
            // A template is verified as an instance, as systemd would load it.
            var name = Path.GetFileName(unit).Replace("@.service", "@cam1.service", StringComparison.Ordinal);
            var copy = Path.Combine(folder, name);
            File.Copy(unit, copy);
            var info = new ProcessStartInfo(Analyze, ["verify", copy]) { RedirectStandardError = true, RedirectStandardOutput = true };
            using var process = Process.Start(info)!;
            var errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            var complaints = errors.Split('\n').Where(l => l.Contains(name, StringComparison.Ordinal)).ToList();
            Assert.True(process.ExitCode == 0 && complaints.Count == 0, $"{name}: {errors}");
        }
    }

    [Fact]
    public void ConfigurationKeys_InDeploymentFiles_ExistInTheOptionsClasses()
    {
        var files = Directory.GetFiles(Deploy, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".sh", StringComparison.Ordinal));
        var keys = files.SelectMany(f => ConfigKey().Matches(File.ReadAllText(f))).Select(m => (Prefix: m.Groups[1].Value, Section: m.Groups[2].Value, Key: m.Groups[3].Value)).Distinct().ToList();
        Assert.True(keys.Count > 30, $"only {keys.Count} keys found");
        var sources = new Dictionary<string, string>
        {
            ["PORTAL"] = Sources("cloud-portal") + Sources(Path.Combine("libs", "Messaging")),
            ["FOG"] = Sources("fog-service") + Sources(Path.Combine("libs", "Messaging")),
            ["EDGE"] = Sources("edge-agent") + Sources(Path.Combine("libs", "Messaging")),
        };
        var missing = keys.Where(k => !Regex.IsMatch(sources[k.Prefix], $@"\b(public|required)\b[^;{{]*\b{k.Key}\s*\{{\s*get;")).ToList();
        Assert.True(missing.Count == 0, "unknown settings: " + string.Join(", ", missing.Select(k => $"FOGLENS_{k.Prefix}_{k.Section}__{k.Key}")));

        static string Sources(string folder) => string.Concat(Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, folder), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)).Select(File.ReadAllText));
    }

    private static List<YamlNode> Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return [.. stream.Documents.Select(d => d.RootNode).Where(n => n is YamlMappingNode { Children.Count: > 0 })];
    }

    private static IEnumerable<YamlNode> Descendants(YamlNode node) => node switch
    {
        YamlMappingNode m => m.Children.Values.SelectMany(v => Descendants(v).Prepend(v)),
        YamlSequenceNode s => s.Children.SelectMany(c => Descendants(c).Prepend(c)),
        _ => [],
    };

    private static HashSet<string> StageNames(string dockerfile) =>
        [.. Regex.Matches(dockerfile, @"^FROM\s+\S+\s+AS\s+(\S+)", RegexOptions.Multiline).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"ENTRYPOINT \[""dotnet"", ""/opt/foglens/([a-z-]+)/([A-Za-z.]+\.dll)""\]")]
    private static partial Regex EntryPoint();

    [GeneratedRegex(@"ExecStart=/usr/bin/dotnet /opt/foglens/([a-z-]+)/([A-Za-z.]+\.dll)")]
    private static partial Regex ExecStart();

    [GeneratedRegex(@"FOGLENS_(PORTAL|FOG|EDGE)_([A-Za-z]+)__([A-Za-z]+)")]
    private static partial Regex ConfigKey();
}
