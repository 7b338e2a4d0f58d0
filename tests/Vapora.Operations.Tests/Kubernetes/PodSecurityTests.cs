using System.Text.Json;
using Vapora.Testing;

namespace Vapora.Operations.Tests.Kubernetes;

/// <summary>
/// The namespace enforces Pod Security's "restricted" profile, and every pod of every overlay meets it (checked here
/// with the profile's rules, since no API server is at hand to refuse one); no pod holds a Kubernetes API token.
/// </summary>
public sealed class PodSecurityTests
{
    // The volume types the restricted profile allows.
    private static readonly string[] AllowedVolumes = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

    [Fact]
    public async Task The_namespace_enforces_the_restricted_profile_of_the_oldest_kubernetes_the_manifests_support()
    {
        var labels = (await Manifests.RenderAsync("base")).Single(o => o.Kind() == "Namespace").GetProperty("metadata").GetProperty("labels");

        Assert.Equal("restricted", labels.GetProperty("pod-security.kubernetes.io/enforce").GetString());
        Assert.Equal("v1.30", labels.GetProperty("pod-security.kubernetes.io/enforce-version").GetString());
        Assert.Equal("restricted", labels.GetProperty("pod-security.kubernetes.io/warn").GetString());
        // preStop.sleep needs 1.30; the documentation says so where operators look.
        Assert.Contains("Kubernetes 1.30", await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "docs", "operations.md"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Every_pod_meets_the_restricted_profile(string target)
    {
        foreach (var workload in (await Manifests.RenderAsync(target)).Workloads())
        {
            var pod = workload.PodSpec();
            var podContext = pod.TryGetProperty("securityContext", out var c) ? c : default;
            Assert.False(pod.TryGetProperty("hostNetwork", out var hostNetwork) && hostNetwork.GetBoolean(), $"{workload.Name()} uses the host network");
            Assert.All(pod.TryGetProperty("volumes", out var volumes) ? volumes.EnumerateArray() : [],
                v => Assert.Contains(v.EnumerateObject().Single(p => p.Name != "name").Name, AllowedVolumes));
            foreach (var container in pod.Containers())
            {
                var name = $"{target} {workload.Name()}/{container.GetProperty("name").GetString()}";
                var context = container.TryGetProperty("securityContext", out var s) ? s : default;
                Assert.True(Setting(context, podContext, "runAsNonRoot")?.GetBoolean() == true, $"{name}: runAsNonRoot");
                Assert.NotEqual(0, Setting(context, podContext, "runAsUser")?.GetInt64() ?? -1);
                Assert.True(context.ValueKind == JsonValueKind.Object && context.GetProperty("allowPrivilegeEscalation").ValueKind == JsonValueKind.False, $"{name}: allowPrivilegeEscalation");
                Assert.Equal(["ALL"], context.GetProperty("capabilities").GetProperty("drop").Strings());
                Assert.False(context.GetProperty("capabilities").TryGetProperty("add", out _), $"{name} adds capabilities");
                Assert.False(context.TryGetProperty("privileged", out var privileged) && privileged.GetBoolean(), $"{name} is privileged");
                Assert.Contains(Setting(context, podContext, "seccompProfile")?.GetProperty("type").GetString(), new[] { "RuntimeDefault", "Localhost" });
            }
        }
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Every_pod_runs_as_a_service_account_of_its_own_without_an_api_token(string target)
    {
        var objects = await Manifests.RenderAsync(target);
        var accounts = objects.Where(o => o.Kind() == "ServiceAccount").ToDictionary(o => o.Name(), o => o);

        Assert.All(accounts.Values, a => Assert.False(a.GetProperty("automountServiceAccountToken").GetBoolean()));
        foreach (var workload in objects.Workloads())
        {
            var pod = workload.PodSpec();
            Assert.True(pod.TryGetProperty("serviceAccountName", out var account), $"{workload.Name()} runs as the namespace's default account");
            Assert.Contains(account.GetString()!, accounts.Keys);
            Assert.False(pod.GetProperty("automountServiceAccountToken").GetBoolean(), $"{workload.Name()} mounts a token");
        }
    }

    public static TheoryData<string> Targets() => [.. Manifests.Targets];

    // A container's setting, else the pod's (the profile accepts either).
    private static JsonElement? Setting(JsonElement container, JsonElement pod, string name) =>
        container.ValueKind == JsonValueKind.Object && container.TryGetProperty(name, out var value) ? value
        : pod.ValueKind == JsonValueKind.Object && pod.TryGetProperty(name, out var inherited) ? inherited : null;
}
