using System.Text.RegularExpressions;
using Vapora.Testing;

namespace Vapora.Operations.Tests;

/// <summary>
/// The feature folders of a service depend on each other one way only. A file's feature is the first namespace
/// segment below the service's root (<c>Vapora.RealtimeGateway.Hub.X</c> → <c>Hub</c>); it depends on the features its
/// <c>using</c> lines and fully qualified names mention. Files in the root namespace are the composition root (options,
/// <c>AddXxx</c>/<c>MapXxx</c>) and are left out: every feature may see them.
/// </summary>
public sealed partial class NamespaceCycleTests
{
    [Theory]
    [InlineData("services/realtime-gateway", "Vapora.RealtimeGateway")]
    [InlineData("services/workflow-api", "Vapora.WorkflowApi")]
    public void Feature_namespaces_of_a_service_form_no_cycle(string folder, string rootNamespace)
    {
        var graph = DependencyGraph(Path.Combine(RepositoryPaths.Root, folder), rootNamespace);

        Assert.True(graph.Count > 1, $"Expected several feature namespaces under {folder}.");
        var cycle = FindCycle(graph.ToDictionary(n => n.Key, n => n.Value.Keys.ToList()));
        Assert.True(cycle is null, cycle is null ? null : Describe(cycle, graph));
    }

    [Fact]
    public void The_check_finds_a_cycle_and_accepts_a_one_way_graph()
    {
        var cyclic = new Dictionary<string, List<string>> { ["Transport"] = ["Hub"], ["Hub"] = ["CatchUp"], ["CatchUp"] = ["Frames", "Hub"], ["Frames"] = [] };
        var oneWay = new Dictionary<string, List<string>> { ["Transport"] = ["Hub", "Frames"], ["Hub"] = ["CatchUp", "Frames"], ["CatchUp"] = ["Frames"], ["Frames"] = [] };

        Assert.Equal(["CatchUp", "Hub", "CatchUp"], FindCycle(cyclic));
        Assert.Null(FindCycle(oneWay));
    }

    /// <summary>Feature → feature it depends on → the files that make it depend.</summary>
    private static Dictionary<string, Dictionary<string, List<string>>> DependencyGraph(string folder, string rootNamespace)
    {
        var graph = new Dictionary<string, Dictionary<string, List<string>>>(StringComparer.Ordinal);
        var reference = new Regex(@"\b" + Regex.Escape(rootNamespace) + @"\.(\w+)", RegexOptions.CultureInvariant);
        foreach (var file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(folder, file);
            if (relative.Split(Path.DirectorySeparatorChar) is ["bin" or "obj", ..])
            {
                continue;
            }

            var text = File.ReadAllText(file);
            var declared = NamespaceDeclaration().Match(text);
            if (!declared.Success || !declared.Groups[1].Value.StartsWith(rootNamespace + ".", StringComparison.Ordinal))
            {
                continue;
            }

            var feature = declared.Groups[1].Value[(rootNamespace.Length + 1)..].Split('.')[0];
            var edges = graph.TryGetValue(feature, out var known) ? known : graph[feature] = new(StringComparer.Ordinal);
            // Everything but the namespace line itself: using lines and fully qualified names in code.
            foreach (Match match in reference.Matches(text[..declared.Index] + text[(declared.Index + declared.Length)..]))
            {
                var target = match.Groups[1].Value;
                if (target != feature)
                {
                    (edges.TryGetValue(target, out var files) ? files : edges[target] = []).Add(relative);
                }
            }
        }

        return graph;
    }

    /// <summary>A cycle as the features along it (first repeated at the end), or null.</summary>
    private static List<string>? FindCycle(Dictionary<string, List<string>> graph)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<string>();
        foreach (var start in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (Visit(start) is { } cycle)
            {
                return cycle;
            }
        }

        return null;

        List<string>? Visit(string node)
        {
            if (state.GetValueOrDefault(node) == 2)
            {
                return null;
            }

            if (state.GetValueOrDefault(node) == 1)
            {
                return [.. path[path.IndexOf(node)..], node];
            }

            state[node] = 1;
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node) ?? [])
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
    }

    private static string Describe(List<string> cycle, Dictionary<string, Dictionary<string, List<string>>> graph) =>
        "Namespace cycle " + string.Join(" → ", cycle) + ": " + string.Join("; ", cycle.Zip(cycle.Skip(1),
            (from, to) => $"{from} → {to} in {string.Join(", ", graph[from][to].Distinct().Order())}"));

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex NamespaceDeclaration();
}
