using System.Text.RegularExpressions;
using FogLens.Tests.Shared;

namespace FogLens.Contracts.Tests;

/// <summary>
/// The shape of the code, checked from its sources: inside each service, folders depend one way (no cycle), and no
/// hand-written type grows past ~300 lines (generated code, migrations and the codec's selection kernel aside).
/// </summary>
public sealed partial class ArchitectureTests
{
    private const int MaxTypeLines = 300;

    /// <summary>Types allowed to be longer, with the reason.</summary>
    private static readonly Dictionary<string, string> LongTypes = new(StringComparer.Ordinal)
    {
        ["TopKSelector"] = "the codec's selection kernel: one hot loop per selection mode, kept together for the benchmarks",
        ["Site"] = "the demo launcher (tools/FogLens.Cli/Launch); issue 16 item 5 moves it into a typed launcher project",
        ["FederatedSimulation"] = "experiment harness, not shipped in a service; splitting it is tracked in issue 16",
        ["CropSpool"] = "durable spool: its recovery and its queue share one lock and one file format",
    };

    [Theory]
    [InlineData("cloud-portal")]
    [InlineData("fog-service")]
    [InlineData("edge-agent")]
    public void FoldersOfAService_DependOneWay(string service)
    {
        var root = Path.Combine(TestPaths.RepoRoot, service);
        var files = Sources(root, "*.cs").Concat(Sources(root, "*.razor"))
            .Select(f => (Path: f, Folder: FolderOf(root, f), Text: File.ReadAllText(f)))
            .ToList();
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (_, folder, text) in files)
        {
            foreach (Match m in TypeDeclaration().Matches(text))
            {
                owner.TryAdd(m.Groups[1].Value, folder);
            }
        }

        var edges = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (_, folder, text) in files)
        {
            foreach (var (type, home) in owner)
            {
                if (home != folder && Regex.IsMatch(text, $@"(?<![\w.""]){type}\b(?!\s*=>)")) // not a member access, a property of the same name or a string
                {
                    (edges.TryGetValue(folder, out var set) ? set : edges[folder] = []).Add(home);
                }
            }
        }

        var cycles = edges.Keys.Where(f => Reachable(edges, f).Contains(f)).Order(StringComparer.Ordinal).ToList();
        Assert.True(cycles.Count == 0, $"{service}: folders on a dependency cycle: {string.Join(", ", cycles)}; "
            + string.Join("; ", edges.Select(e => $"{e.Key} → {string.Join(",", e.Value.Order(StringComparer.Ordinal))}")));
        Assert.DoesNotContain("(root)", edges.Where(e => e.Key != "(root)").SelectMany(e => e.Value)); // only the composition root sees everything
    }

    [Fact]
    public void NoHandWrittenTypeIsOverThreeHundredLines()
    {
        var offenders = new List<string>();
        foreach (var top in new[] { "cloud-portal", "fog-service", "edge-agent", "libs", "tools" })
        {
            foreach (var file in Sources(Path.Combine(TestPaths.RepoRoot, top), "*.cs").Where(f => !f.Contains("/Migrations/", StringComparison.Ordinal)))
            {
                var lines = File.ReadAllLines(file);
                for (var i = 0; i < lines.Length; i++)
                {
                    var m = TopLevelType().Match(lines[i]);
                    if (!m.Success || lines[i].TrimEnd().EndsWith(';'))
                    {
                        continue;
                    }

                    var end = i;
                    while (end < lines.Length && lines[end] != "}")
                    {
                        end++;
                    }

                    var name = m.Groups[1].Value;
                    if (end - i > MaxTypeLines && !LongTypes.ContainsKey(name))
                    {
                        offenders.Add($"{name} ({end - i} lines, {Path.GetRelativePath(TestPaths.RepoRoot, file)})");
                    }

                    i = end;
                }
            }
        }

        Assert.True(offenders.Count == 0, "split these: " + string.Join("; ", offenders));
    }

    private static IEnumerable<string> Sources(string root, string pattern) =>
        Directory.EnumerateFiles(root, pattern, SearchOption.AllDirectories)
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal));

    private static string FolderOf(string root, string file)
    {
        var relative = Path.GetRelativePath(root, Path.GetDirectoryName(file)!);
        return relative == "." ? "(root)" : relative.Split('/')[0];
    }

    private static HashSet<string> Reachable(Dictionary<string, HashSet<string>> edges, string start)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>([start]);
        while (stack.TryPop(out var folder))
        {
            foreach (var next in edges.GetValueOrDefault(folder) ?? [])
            {
                if (seen.Add(next))
                {
                    stack.Push(next);
                }
            }
        }

        return seen;
    }

    [GeneratedRegex(@"\b(?:class|record|interface|enum|struct)\s+([A-Z]\w+)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"^(?:public |internal |file )?(?:static |sealed |abstract |partial |readonly )*(?:class|record|struct|interface|enum) (\w+)")]
    private static partial Regex TopLevelType();
}
