using System.Text.Json;
using System.Text.RegularExpressions;

namespace Vapora.Operations.Tests.Kubernetes;

/// <summary>
/// What the edge exposes: the Ingress routes client paths only (never /metrics or /health/*), serves TLS in
/// production, and the bundled MongoDB requires TLS and a user and keeps its members on different nodes.
/// </summary>
public sealed class EdgeManifestTests
{
    [Theory]
    [InlineData("/", "realtime-gateway")]
    [InlineData("/index.html", "realtime-gateway")]
    [InlineData("/app.js", "realtime-gateway")]
    [InlineData("/styles.css", "realtime-gateway")]
    [InlineData("/config.json", "realtime-gateway")]
    [InlineData("/vendor/vapora-client/index.js", "realtime-gateway")]
    [InlineData("/vendor/vapora-client/transports/websocket.js", "realtime-gateway")]
    [InlineData("/ws", "realtime-gateway")]
    [InlineData("/events", "realtime-gateway")]
    [InlineData("/api/workflows/wf_1/updates", "realtime-gateway")]
    [InlineData("/api/workflows/wf_1/events", "realtime-gateway")]
    [InlineData("/api/workflows", "workflow-api")]
    [InlineData("/api/workflows/wf_1", "workflow-api")]
    [InlineData("/api/workflows/wf_1/history", "workflow-api")]
    [InlineData("/api/docs", "workflow-api")]
    [InlineData("/metrics", null)]
    [InlineData("/health/ready", null)]
    [InlineData("/health/live", null)]
    [InlineData("/Metrics", null)]
    [InlineData("/app.js/../metrics", null)]
    [InlineData("/vendor/../metrics", null)]
    [InlineData("/anything-else", null)]
    public async Task The_ingress_routes_client_paths_and_nothing_else(string path, string? service)
    {
        Assert.Equal(service, Route(await Manifests.RenderAsync("overlays/production"), path));
    }

    [Fact]
    public async Task Production_serves_both_ingresses_over_tls_for_the_host_of_their_rules()
    {
        var objects = await Manifests.RenderAsync("overlays/production");

        foreach (var ingress in objects.Where(o => o.Kind() == "Ingress"))
        {
            var host = Assert.Single(ingress.GetProperty("spec").GetProperty("rules").EnumerateArray()).GetProperty("host").GetString();
            var tls = Assert.Single(ingress.GetProperty("spec").GetProperty("tls").EnumerateArray());
            Assert.Equal([host!], tls.GetProperty("hosts").Strings());
            Assert.Equal("vapora-tls", tls.GetProperty("secretName").GetString());
        }
    }

    [Fact]
    public async Task The_bundled_mongodb_requires_tls_and_users_and_keeps_its_members_on_different_nodes()
    {
        var objects = await Manifests.RenderAsync("overlays/production");
        var pod = objects.Find("StatefulSet", "mongodb").PodSpec();
        var command = string.Join(' ', pod.GetProperty("containers")[0].GetProperty("command").Strings());

        Assert.Contains("--tlsMode requireTLS", command, StringComparison.Ordinal);
        Assert.Contains("--keyFile /run/mongodb/keyfile", command, StringComparison.Ordinal);
        // The image creates the root user on member 0 only; the others copy it when they join.
        Assert.Contains("unset MONGO_INITDB_ROOT_USERNAME MONGO_INITDB_ROOT_PASSWORD", command, StringComparison.Ordinal);
        Assert.DoesNotContain("--auth ", command.Replace("--keyFile", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        var term = Assert.Single(pod.GetProperty("affinity").GetProperty("podAntiAffinity").GetProperty("requiredDuringSchedulingIgnoredDuringExecution").EnumerateArray());
        Assert.Equal("kubernetes.io/hostname", term.GetProperty("topologyKey").GetString());
        Assert.Equal("mongodb", term.GetProperty("labelSelector").GetProperty("matchLabels").GetProperty("app.kubernetes.io/name").GetString());

        var job = objects.Find("Job", "mongodb-replica-set-init").PodSpec().GetProperty("containers")[0];
        var url = job.GetProperty("command").Strings().Single(a => a.StartsWith("mongodb://", StringComparison.Ordinal));
        Assert.Contains("tls=true", url, StringComparison.Ordinal);
        var script = objects.GeneratedConfigMap("mongodb-scripts").GetProperty("data").GetProperty("mongodb-replica-set.js").GetString()!;
        Assert.Contains("createUser", script, StringComparison.Ordinal);
        Assert.Contains("role: 'readWrite', db: 'vapora'", script, StringComparison.Ordinal);
    }

    /// <summary>
    /// Which Service ingress-nginx sends <paramref name="path"/> to: nginx normalizes the URI first (it resolves "..");
    /// with use-regex every path is a case-insensitive regex anchored at the start (Prefix and ImplementationSpecific
    /// alike), tried longest first. Null when no path matches (the controller's default backend answers 404).
    /// </summary>
    private static string? Route(IEnumerable<JsonElement> objects, string path)
    {
        var normalized = new Uri(new Uri("http://vapora.example.com"), path).AbsolutePath;
        var paths = objects.Where(o => o.Kind() == "Ingress")
            .SelectMany(i => i.GetProperty("spec").GetProperty("rules")[0].GetProperty("http").GetProperty("paths").EnumerateArray())
            .Select(p => (Pattern: p.GetProperty("path").GetString()!, Service: p.GetProperty("backend").GetProperty("service").GetProperty("name").GetString()))
            .OrderByDescending(p => p.Pattern.Length);
        return paths.FirstOrDefault(p => Regex.IsMatch(normalized, "^" + p.Pattern, RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1))).Service;
    }
}
