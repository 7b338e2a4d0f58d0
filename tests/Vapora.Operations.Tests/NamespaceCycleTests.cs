using System.Text;
using System.Text.RegularExpressions;
using Vapora.Testing;

namespace Vapora.Operations.Tests;

/// <summary>
/// The namespaces of a project depend on each other one way only, its root namespace included. A file's node is the
/// first namespace segment below the project's root (<c>Vapora.RealtimeGateway.Hub.X</c> → <c>Hub</c>), or the root
/// itself; it depends on the nodes its <c>using</c> lines and fully qualified names mention, and on the root when it
/// names a type declared there (code in a child namespace sees those without a <c>using</c>). Comments and string
/// literals do not count. The root (options, <c>AddXxx</c>/<c>MapXxx</c>) wires the features, so a feature that
/// reaches back into it closes a cycle.
/// </summary>
public sealed partial class NamespaceCycleTests
{
    private const string Root = "(root)";

    [Theory]
    [InlineData("services/realtime-gateway", "Vapora.RealtimeGateway")]
    [InlineData("services/workflow-api", "Vapora.WorkflowApi")]
    [InlineData("libs/contracts", "Vapora.Contracts")]
    [InlineData("libs/client", "Vapora.Client")]
    [InlineData("libs/service-defaults", "Vapora.ServiceDefaults")]
    public void The_namespaces_of_a_project_root_included_form_no_cycle(string folder, string rootNamespace)
    {
        var graph = DependencyGraph(Path.Combine(RepositoryPaths.Root, folder), rootNamespace);

        Assert.True(graph.Count > 1, $"Expected several namespaces under {folder}.");
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

    [Fact]
    public void A_feature_that_names_a_type_of_the_root_namespace_depends_on_the_root_but_a_comment_or_a_string_does_not()
    {
        var folder = Directory.CreateTempSubdirectory("namespace-cycles").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "Wiring.cs"), "using App.Hub;\nnamespace App;\npublic static class Wiring { public static void Add() => Topic.Start(); }\n");
            File.WriteAllText(Path.Combine(folder, "Options.cs"), "namespace App;\npublic sealed class AppOptions { }\n");
            File.WriteAllText(Path.Combine(folder, "Topic.cs"), "namespace App.Hub;\n/// <see cref=\"AppOptions\"/>\npublic static class Topic { public static void Start() { var s = \"AppOptions\"; } }\n");
            Assert.Null(FindCycle(DependencyGraph(folder, "App").ToDictionary(n => n.Key, n => n.Value.Keys.ToList())));

            File.WriteAllText(Path.Combine(folder, "Repair.cs"), "namespace App.Hub;\ninternal sealed class Repair(AppOptions options) { }\n");
            Assert.Equal([Root, "Hub", Root], FindCycle(DependencyGraph(folder, "App").ToDictionary(n => n.Key, n => n.Value.Keys.ToList())));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Node → node it depends on → the files that make it depend.</summary>
    private static Dictionary<string, Dictionary<string, List<string>>> DependencyGraph(string folder, string rootNamespace)
    {
        var files = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(file => Path.GetRelativePath(folder, file).Split(Path.DirectorySeparatorChar) is not ["bin" or "obj", ..])
            .Select(file => (Relative: Path.GetRelativePath(folder, file), Code: CodeOnly(File.ReadAllText(file))))
            .Select(f => (f.Relative, f.Code, Declared: NamespaceDeclaration().Match(f.Code)))
            .Where(f => f.Declared.Success && (f.Declared.Groups[1].Value == rootNamespace || f.Declared.Groups[1].Value.StartsWith(rootNamespace + ".", StringComparison.Ordinal)))
            .ToList();
        var rootTypes = files.Where(f => f.Declared.Groups[1].Value == rootNamespace)
            .SelectMany(f => TypeDeclaration().Matches(f.Code).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);
        var qualified = new Regex(@"\b" + Regex.Escape(rootNamespace) + @"(?:\.(\w+))?\b", RegexOptions.CultureInvariant);
        var graph = new Dictionary<string, Dictionary<string, List<string>>>(StringComparer.Ordinal);
        foreach (var (relative, code, declared) in files)
        {
            var ns = declared.Groups[1].Value;
            var node = ns == rootNamespace ? Root : ns[(rootNamespace.Length + 1)..].Split('.')[0];
            var edges = graph.TryGetValue(node, out var known) ? known : graph[node] = new(StringComparer.Ordinal);
            // Everything but the namespace line itself: using lines, fully qualified names, and the root's type names.
            var rest = code[..declared.Index] + code[(declared.Index + declared.Length)..];
            var targets = qualified.Matches(rest).Select(m => m.Groups[1].Success && !rootTypes.Contains(m.Groups[1].Value) ? m.Groups[1].Value : Root);
            if (node != Root)
            {
                targets = targets.Concat(Identifier().Matches(rest).Where(m => rootTypes.Contains(m.Value)).Select(_ => Root));
            }

            foreach (var target in targets.Where(t => t != node))
            {
                (edges.TryGetValue(target, out var because) ? because : edges[target] = []).Add(relative);
            }
        }

        return graph;
    }

    /// <summary>The source with comments and string and character literals blanked out.</summary>
    private static string CodeOnly(string source)
    {
        var code = new StringBuilder(source.Length);
        for (var i = 0; i < source.Length; i++)
        {
            if (source[i] == '/' && i + 1 < source.Length && source[i + 1] == '/')
            {
                i = source.IndexOf('\n', i) is var end and >= 0 ? end - 1 : source.Length;
            }
            else if (source[i] == '/' && i + 1 < source.Length && source[i + 1] == '*')
            {
                i = source.IndexOf("*/", i + 2, StringComparison.Ordinal) is var end and >= 0 ? end + 1 : source.Length;
            }
            else if (source[i] == '"' && source.AsSpan(i).StartsWith("\"\"\""))
            {
                var quotes = 0;
                while (i + quotes < source.Length && source[i + quotes] == '"')
                {
                    quotes++;
                }

                var end = source.IndexOf(new string('"', quotes), i + quotes, StringComparison.Ordinal);
                i = end >= 0 ? end + quotes - 1 : source.Length;
                code.Append("\"\"");
            }
            else if (source[i] is '"' or '\'')
            {
                var quote = source[i];
                var verbatim = i > 0 && (source[i - 1] == '@' || (source[i - 1] == '$' && i > 1 && source[i - 2] == '@'));
                for (i++; i < source.Length && source[i] != quote; i++)
                {
                    if (source[i] == '\\' && !verbatim)
                    {
                        i++;
                    }
                    else if (verbatim && source[i] == '"' && i + 1 < source.Length && source[i + 1] == '"')
                    {
                        i++;
                    }
                }

                code.Append(quote).Append(quote);
            }
            else
            {
                code.Append(source[i]);
            }
        }

        return code.ToString();
    }

    /// <summary>A cycle as the nodes along it (first repeated at the end), or null.</summary>
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

    [GeneratedRegex(@"\b(?:class|record(?:\s+struct|\s+class)?|struct|interface|enum)\s+(\w+)", RegexOptions.CultureInvariant)]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"\b[A-Za-z_]\w*\b", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();
}
