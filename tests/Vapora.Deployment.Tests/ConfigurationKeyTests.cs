using Vapora.Deployment.Tests.Configuration;
using Vapora.Testing;

namespace Vapora.Deployment.Tests;

/// <summary>
/// Every configuration key that deploy/k8s, docker-compose and the Dockerfiles give the services is one the
/// services read (their options classes and declared keys, as their own start-up check sees them) or one the
/// runtime reads (<see cref="RuntimeKeys"/>). A misspelt key would be ignored by the binder: here it fails.
/// </summary>
public sealed class ConfigurationKeyTests
{
    public static TheoryData<string> Kustomizations => new(DeploymentSettings.Kustomizations);

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task Every_key_a_kubernetes_manifest_gives_a_service_is_a_key_the_services_read(string kustomization)
    {
        var settings = await DeploymentSettings.OfKubernetesAsync(kustomization);

        // A whole ConfigMap or Secret (envFrom) goes to both services: each key must be one of them reads. A variable
        // only there to be spelt out in a later one's $(NAME) is the kubelet's, not the service's.
        var problems = settings.Where(s => !s.Entry.Referenced).Select(s => s.Entry.FromEnvFrom
                ? RuntimeKeys.Problem(s.Entry.Name, ServiceSchemas.Both, "either service") is { } shared ? $"{s.Entry.Source}: {shared}" : null
                : RuntimeKeys.Problem(s.Entry.Name, ServiceSchemas.Of(s.Service), s.Service) is { } own ? $"{s.Service} env: {own}" : null)
            .OfType<string>().Distinct().ToList();

        Assert.NotEmpty(settings);
        Assert.True(problems.Count == 0, $"deploy/k8s/{kustomization}:{Environment.NewLine}{string.Join(Environment.NewLine, problems)}");
    }

    [Theory]
    [InlineData("docker-compose.yml")]
    [InlineData("docker-compose.yml", "docker-compose.podman.yml")]
    public async Task Every_key_docker_compose_gives_a_service_is_a_key_it_reads(params string[] files)
    {
        var settings = await DeploymentSettings.OfComposeAsync(files);

        var problems = settings.Select(s => RuntimeKeys.Problem(s.Key, ServiceSchemas.Of(s.Service), s.Service) is { } problem ? $"{s.Where}: {problem}" : null)
            .OfType<string>().Distinct().ToList();

        Assert.Contains(settings, s => s.Service == "workflow-api");
        Assert.Contains(settings, s => s.Service == "realtime-gateway");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Every_key_a_dockerfile_sets_is_a_key_the_service_reads()
    {
        var settings = DeploymentSettings.OfDockerfiles();

        var problems = settings.Select(s => RuntimeKeys.Problem(s.Key, ServiceSchemas.Of(s.Service), s.Service)).OfType<string>().ToList();

        Assert.Equal(DeploymentSettings.Services, settings.Select(s => s.Service).Distinct());
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    /// <summary>The check the tests above rely on, shown failing: misspellings of real keys, each named with the key it meant.</summary>
    [Theory]
    [InlineData("realtime-gateway", "Gateway__DrainWindw", "Gateway__DrainWindow")]
    [InlineData("workflow-api", "Storage__Provder", "Storage__Provider")]
    [InlineData("both", "Gatway__WorkflowApiUrl", "Gateway__WorkflowApiUrl")]
    [InlineData("both", "ConnectionStrings__mongdb", "ConnectionStrings__mongodb")]
    [InlineData("workflow-api", "Redis__Tls__CaFil", "Redis__Tls__CaFile")]
    [InlineData("realtime-gateway", "Logging__Console__FormaterName", "Logging__Console__FormatterName")]
    [InlineData("realtime-gateway", "Gateway__WorkflowApiUrl__0", null)]
    [InlineData("realtime-gateway", "Gateway__AllowedOrigins", null)]
    [InlineData("workflow-api", "ASPNETCORE_FORWARDEDHEADERS_ENABLE", null)]
    public void A_misspelt_or_misshapen_key_is_reported_with_the_key_it_likely_meant(string service, string key, string? meant)
    {
        var schema = service == "both" ? ServiceSchemas.Both : ServiceSchemas.Of(service);

        var problem = RuntimeKeys.Problem(key, schema, service);

        Assert.NotNull(problem);
        Assert.StartsWith(key, problem, StringComparison.Ordinal);
        if (meant is not null)
        {
            Assert.Contains($"did you mean {meant}?", problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Both_services_know_the_keys_the_readme_documents_for_them()
    {
        // A sample across sections, nested sections, lists and connection strings (the README's table is the full list).
        string[] api = ["Storage__Provider", "Storage__Mongo__Database", "Publishing__OutboxGrace", "Workflows__MaxBodyBytes", "RateLimits__WriteBurst",
            "Cors__AllowedOrigins__0", "ConnectionStrings__sqlite", "Auth__Jwt__SigningKey", "Redis__Tls__CaFile", "Health__PublishInterval"];
        string[] gateway = ["Gateway__WorkflowApiUrl", "Gateway__AllowedOrigins__1", "Gateway__DrainWindow", "Page__ApiBaseUrl", "Redis__PubSub", "ConnectionStrings__redis"];

        Assert.All(api, key => Assert.True(ServiceSchemas.Of("workflow-api").Knows(key), key));
        Assert.All(gateway, key => Assert.True(ServiceSchemas.Of("realtime-gateway").Knows(key), key));
        Assert.DoesNotContain("Gateway", ServiceSchemas.Of("workflow-api").OwnedSections);
        Assert.DoesNotContain("ConnectionStrings", ServiceSchemas.Both.OwnedSections);
    }
}
