using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Vapora.Operations.Tests.Kubernetes;
using Vapora.Testing;
using YamlDotNet.RepresentationModel;

namespace Vapora.Operations.Tests;

/// <summary>
/// What can be proven here about the deployment files without a container engine or a cluster: Kubernetes objects
/// validate against the API schemas, compose validates with docker-compose itself, and the operational invariants hold.
/// </summary>
public sealed class DeploymentManifestTests
{
    private static readonly string K8s = Path.Combine(RepositoryPaths.Root, "deploy", "k8s");

    [Fact]
    public void Every_kubernetes_object_of_base_and_every_overlay_validates_against_the_api_schemas()
    {
        var (exitCode, output) = Run("node", [Path.Combine(K8s, "validate.mjs")], K8s);

        Assert.True(exitCode == 0, output);
        // Counts include the two Ingresses (sockets and REST; Server-Sent Events unbuffered), four ServiceAccounts and
        // the two generated ConfigMaps.
        Assert.Contains("overlays/production: 28 objects checked", output, StringComparison.Ordinal);
        Assert.Contains("overlays/redis-cluster: 33 objects checked", output, StringComparison.Ordinal);
        Assert.Contains("overlays/redis-sentinel: 34 objects checked", output, StringComparison.Ordinal);
        Assert.Contains("overlays/production-otlp: 28 objects checked", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("overlays/redis-cluster", "sharded", "redis-shard-")]
    [InlineData("overlays/redis-sentinel", null, "redis-sentinel-")]
    public async Task Each_redis_overlay_points_both_services_at_its_own_redis_and_drops_the_single_one(string overlay, string? pubSub, string seedPrefix)
    {
        var objects = await Manifests.RenderAsync(overlay);

        var config = objects.GeneratedConfigMap("vapora-config").GetProperty("data");
        Assert.Equal(pubSub, config.TryGetProperty("Redis__PubSub", out var mode) ? mode.GetString() : null);
        Assert.All(config.GetProperty("ConnectionStrings__redis").GetString()!.Split(',').Where(s => !s.StartsWith("serviceName=", StringComparison.Ordinal)),
            seed => Assert.StartsWith(seedPrefix, seed, StringComparison.Ordinal));
        Assert.DoesNotContain(objects, o => o.Name() == "redis" && o.Kind() is "StatefulSet" or "Service" or "PodDisruptionBudget");
        Assert.All(objects.Where(o => o.Kind() != "Namespace"), o => Assert.Equal("vapora", o.GetProperty("metadata").GetProperty("namespace").GetString()));

        // Both services read the switch from the same ConfigMap, so they cannot disagree on the mode.
        foreach (var name in new[] { "workflow-api", "realtime-gateway" })
        {
            var container = objects.Find("Deployment", name).PodSpec().GetProperty("containers")[0];
            Assert.Contains(container.GetProperty("envFrom").EnumerateArray(), e => e.TryGetProperty("configMapRef", out var r)
                && r.GetProperty("name").GetString() == objects.GeneratedConfigMap("vapora-config").Name());
        }
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Every_long_running_container_has_probes_and_resources_and_no_service_has_affinity(string target)
    {
        var objects = await Manifests.RenderAsync(target);

        Assert.All(objects.Where(o => o.Kind() == "Service"), service => Assert.True(
            !service.GetProperty("spec").TryGetProperty("sessionAffinity", out var affinity) || affinity.GetString() == "None", $"{service.Name()} has session affinity"));
        Assert.All(objects.Where(o => o.Kind() == "Ingress"), ingress => Assert.DoesNotContain(
            ingress.GetProperty("metadata").GetProperty("annotations").EnumerateObject(), a => a.Name.Contains("affinity", StringComparison.Ordinal)));
        foreach (var workload in objects.Where(o => o.Kind() is "Deployment" or "StatefulSet"))
        {
            foreach (var container in workload.PodSpec().Containers(includeInit: false))
            {
                var name = $"{workload.Name()}/{container.GetProperty("name").GetString()}";
                Assert.True(container.TryGetProperty("readinessProbe", out _), $"{name} has no readiness probe");
                Assert.True(container.TryGetProperty("livenessProbe", out _), $"{name} has no liveness probe");
                Assert.True(container.GetProperty("resources").GetProperty("limits").TryGetProperty("memory", out _), $"{name} has no memory limit");
            }
        }
    }

    [Fact]
    public async Task The_production_overlay_drains_within_the_grace_period_budgets_every_workload_and_pins_images()
    {
        var objects = await Manifests.RenderAsync("overlays/production");

        // The gateway's grace period covers preStop + the drain window + the close timeout.
        var config = objects.GeneratedConfigMap("vapora-config").GetProperty("data");
        var gateway = objects.Find("Deployment", "realtime-gateway").PodSpec();
        var preStop = gateway.GetProperty("containers")[0].GetProperty("lifecycle").GetProperty("preStop").GetProperty("sleep").GetProperty("seconds").GetInt32();
        var needed = preStop + TimeSpan.Parse(config.GetProperty("Gateway__DrainWindow").GetString()!, CultureInfo.InvariantCulture).TotalSeconds
            + TimeSpan.Parse(config.GetProperty("Gateway__CloseTimeout").GetString()!, CultureInfo.InvariantCulture).TotalSeconds;
        Assert.True(gateway.GetProperty("terminationGracePeriodSeconds").GetInt32() >= needed + 5, $"terminationGracePeriodSeconds must be at least {needed + 5}");
        Assert.Equal("/health/ready", gateway.GetProperty("containers")[0].GetProperty("readinessProbe").GetProperty("httpGet").GetProperty("path").GetString());

        // Every workload of more than a Job has a disruption budget that selects it; the network policy denies by default.
        foreach (var workload in objects.Where(o => o.Kind() is "Deployment" or "StatefulSet"))
        {
            var labels = workload.GetProperty("spec").GetProperty("template").GetProperty("metadata").GetProperty("labels")
                .EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
            Assert.Contains(objects.Where(o => o.Kind() == "PodDisruptionBudget"), budget => budget.GetProperty("spec").GetProperty("selector").GetProperty("matchLabels")
                .EnumerateObject().All(l => labels.TryGetValue(l.Name, out var value) && value == l.Value.GetString()));
        }

        Assert.Empty(objects.Find("NetworkPolicy", "default-deny-ingress").GetProperty("spec").GetProperty("podSelector").EnumerateObject());
        Assert.All(objects.Where(o => o.Kind() == "Deployment"), d => Assert.DoesNotContain(":latest", d.PodSpec().GetProperty("containers")[0].GetProperty("image").GetString(), StringComparison.Ordinal));
    }

    public static TheoryData<string> Targets() => [.. Manifests.Targets];

    [Fact]
    public void Docker_compose_validates_and_puts_three_gateways_and_the_api_behind_nginx_on_8080()
    {
        var (exitCode, output) = Run("docker-compose", ["-f", "docker-compose.yml", "config"], RepositoryPaths.Root);
        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("\nname:", "\n" + File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docker-compose.yml")), StringComparison.Ordinal);

        var yaml = new YamlStream();
        yaml.Load(new StringReader(output));
        var services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
        var names = services.Children.Keys.Select(k => k.ToString()).ToHashSet();
        Assert.Superset(new HashSet<string> { "mongo", "redis", "api", "gateway-1", "gateway-2", "gateway-3", "nginx" }, names);
        var nginx = (YamlMappingNode)services["nginx"];
        Assert.Contains("8080", nginx["ports"].ToString(), StringComparison.Ordinal);
        var upstreams = ((YamlMappingNode)nginx["environment"])["VAPORA_GATEWAY_SERVERS"].ToString();
        Assert.Equal(3, upstreams.Split("server ", StringSplitOptions.RemoveEmptyEntries).Length);
        var directives = string.Join('\n', File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "deploy", "nginx", "vapora-routes.conf"))
            .Where(l => !l.TrimStart().StartsWith('#')));
        Assert.DoesNotContain("ip_hash", directives, StringComparison.Ordinal);
        Assert.DoesNotContain("sticky", directives, StringComparison.Ordinal);
        Assert.DoesNotContain("hash ", directives, StringComparison.Ordinal);
    }

    [Fact]
    public void The_compose_sentinel_profile_validates_and_both_setups_use_the_one_acl_file_and_a_user_per_service()
    {
        var (exitCode, output) = Run("docker-compose", ["-f", "docker-compose.yml", "--profile", "sentinel", "config"], RepositoryPaths.Root);
        Assert.True(exitCode == 0, output);

        var yaml = new YamlStream();
        yaml.Load(new StringReader(output));
        var services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
        YamlMappingNode Service(string name) => (YamlMappingNode)services[name];
        string Text(YamlNode node) => string.Join(' ', node is YamlSequenceNode list ? list.Select(n => n.ToString()) : [node.ToString()]);
        bool InSentinelProfile(string name) => Service(name).Children.TryGetValue("profiles", out var profiles) && Text(profiles) == "sentinel";

        // One Redis by default; the replica and three Sentinels only with the profile.
        Assert.False(InSentinelProfile("redis"));
        Assert.All(new[] { "redis-replica", "sentinel-1", "sentinel-2", "sentinel-3" }, name => Assert.True(InSentinelProfile(name), name));
        Assert.Contains("--replicaof redis 6379", Text(Service("redis-replica")["command"]), StringComparison.Ordinal);
        Assert.All(new[] { "sentinel-1", "sentinel-2", "sentinel-3" },
            name => Assert.Contains("sentinel monitor vapora redis 6379 2", Text(Service(name)["command"]), StringComparison.Ordinal));
        foreach (var node in new[] { "redis", "redis-replica" })
        {
            Assert.Contains("--aclfile /etc/redis/acl/users.acl", Text(Service(node)["command"]), StringComparison.Ordinal);
            Assert.Contains(Path.Combine(RepositoryPaths.Root, "deploy", "redis", "users.acl") + ":/etc/redis/acl/users.acl:ro", Text(Service(node)["volumes"]), StringComparison.Ordinal);
        }

        // Each service logs in as its own user, with that user's password from the file unless overridden.
        foreach (var (name, user) in new[] { ("api", RedisAcl.ApiUser), ("gateway-1", RedisAcl.GatewayUser), ("gateway-3", RedisAcl.GatewayUser) })
        {
            var environment = (YamlMappingNode)Service(name)["environment"];
            Assert.Equal(user, environment["Redis__User"].ToString());
            Assert.Equal(RedisAcl.PasswordOf(user), environment["Redis__Password"].ToString());
        }
    }

    [Fact]
    public void The_readme_quotes_the_acl_file_as_it_is()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));

        Assert.All(File.ReadAllLines(RedisAcl.FilePath), line => Assert.Contains(line, readme, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("overlays/production", "redis")]
    [InlineData("overlays/redis-cluster", "redis-shard-a")]
    [InlineData("overlays/redis-sentinel", "redis-node")]
    public async Task In_kubernetes_redis_loads_the_acl_users_from_a_secret_and_each_service_logs_in_as_its_own_user(string overlay, string redisSet)
    {
        var objects = await Manifests.RenderAsync(overlay);

        var redis = objects.Find("StatefulSet", redisSet).PodSpec();
        var container = redis.GetProperty("containers")[0];
        Assert.Contains("--aclfile /etc/redis/acl/users.acl", string.Join(' ', container.GetProperty("args").Strings()), StringComparison.Ordinal);
        Assert.Contains(redis.GetProperty("volumes").EnumerateArray(), v => v.TryGetProperty("secret", out var secret) && secret.GetProperty("secretName").GetString() == "vapora-redis-acl");
        foreach (var (name, user, key) in new[] { ("workflow-api", RedisAcl.ApiUser, "api-password"), ("realtime-gateway", RedisAcl.GatewayUser, "gateway-password") })
        {
            var environment = objects.Find("Deployment", name).PodSpec().GetProperty("containers")[0].GetProperty("env").EnumerateArray()
                .ToDictionary(e => e.GetProperty("name").GetString()!, e => e);
            Assert.Equal(user, environment["Redis__User"].GetProperty("value").GetString());
            var secret = environment["Redis__Password"].GetProperty("valueFrom").GetProperty("secretKeyRef");
            Assert.Equal(("vapora-redis-credentials", key), (secret.GetProperty("name").GetString(), secret.GetProperty("key").GetString()));
            Assert.NotEmpty(RedisAcl.PasswordOf(user));
        }
    }

    [Fact]
    public async Task Mongodb_is_a_replica_set_in_compose_and_kubernetes_and_both_api_connection_strings_carry_bounded_timeouts()
    {
        var (exitCode, output) = Run("docker-compose", ["-f", "docker-compose.yml", "config"], RepositoryPaths.Root);
        Assert.True(exitCode == 0, output);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(output));
        var services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
        var mongoCommand = ((YamlSequenceNode)((YamlMappingNode)services["mongo"])["command"]).Select(n => n.ToString()).ToList();
        var composeUrl = ((YamlMappingNode)((YamlMappingNode)services["api"])["environment"])["ConnectionStrings__mongodb"].ToString();
        var k8s = await Manifests.RenderAsync("overlays/production");
        var k8sUrl = k8s.GeneratedConfigMap("vapora-config").GetProperty("data").GetProperty("ConnectionStrings__mongodb").GetString()!;
        var k8sArgs = string.Join(' ', k8s.Find("StatefulSet", "mongodb").PodSpec().GetProperty("containers")[0].GetProperty("command").Strings())
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();

        Assert.Equal("rs0", mongoCommand[mongoCommand.IndexOf("--replSet") + 1]);
        Assert.Equal("rs0", k8sArgs[k8sArgs.IndexOf("--replSet") + 1]);
        foreach (var url in new[] { composeUrl, k8sUrl })
        {
            Assert.Contains("replicaSet=rs0", url, StringComparison.Ordinal);
            Assert.Matches("serverSelectionTimeoutMS=[1-5][0-9]{3}(&|$)", url);
            Assert.Matches("connectTimeoutMS=[1-5][0-9]{3}(&|$)", url);
        }
    }

    [Theory]
    [InlineData("workflow-api", "Vapora.WorkflowApi.dll")]
    [InlineData("realtime-gateway", "Vapora.RealtimeGateway.dll")]
    public void Each_dockerfile_is_multi_stage_non_root_small_and_health_checked(string service, string entry)
    {
        var dockerfile = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "services", service, "Dockerfile"));

        var stages = dockerfile.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, stages.Count);
        // The bases are build arguments (scripts/build-images.sh swaps in local stand-ins); their defaults are what users build on.
        Assert.Equal("FROM ${SDK_IMAGE} AS build", stages[0]);
        Assert.Equal("FROM ${RUNTIME_IMAGE} AS runtime", stages[1]);
        Assert.Contains("ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0", dockerfile);
        Assert.Contains("ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0-alpine", dockerfile);
        var runtime = dockerfile.SkipWhile(l => l != stages[1]).ToList();
        Assert.Contains("USER app", runtime);
        Assert.Contains(runtime, l => l.StartsWith("HEALTHCHECK", StringComparison.Ordinal));
        Assert.Contains(runtime, l => l.Contains("/health/live", StringComparison.Ordinal));
        Assert.Contains(runtime, l => l.Contains(entry, StringComparison.Ordinal) && l.StartsWith("ENTRYPOINT", StringComparison.Ordinal));
    }

    private static (int ExitCode, string Output) Run(string file, string[] arguments, string directory)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{file} is not installed: {ex.Message}. ./scripts/test.sh installs it (apt: docker-compose, nodejs; npm ci --prefix deploy/k8s).", ex);
        }
    }
}
