using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Vapora.Client;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.Deployment.Tests;

/// <summary>
/// The images built from the shipped Dockerfiles, run as deploy/k8s/overlays/production runs them (user, read-only
/// root, no capabilities, ports, environment; see <see cref="ManifestDeployment"/>): each answers its manifest's
/// probes on its manifest's port, and together they serve a workflow end to end with the manifests' settings.
/// </summary>
[Collection(ContainersCollection.Name)]
public sealed class ManifestContainerTests(ManifestDeployment deployment, ITestOutputHelper output) : IClassFixture<ManifestDeployment>
{
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("workflow-api")]
    [InlineData("realtime-gateway")]
    [InlineData("redis")]
    public async Task Every_probe_of_the_manifest_succeeds_on_the_manifest_port_within_its_budget(string name)
    {
        var container = deployment[name];
        Assert.Contains(container.Pod.Probes, p => p.Kind == "readinessProbe");
        Assert.Contains(container.Pod.Probes, p => p.Kind == "livenessProbe");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();

        // The kubelet runs the startup probe first, then liveness and readiness; each has the time its fields give it.
        foreach (var probe in container.Pod.Probes)
        {
            try
            {
                await Poll.UntilAsync(async () =>
                {
                    if (!await container.IsRunningAsync())
                    {
                        throw new PollFailedException($"{name} stopped");
                    }

                    return await container.ProbeAsync(probe, http);
                }, probe.Kind == "readinessProbe" ? Max(probe.Budget, ReadyWithin) : probe.Budget, $"{name}: {probe}");
            }
            catch (Exception ex) when (ex is TimeoutException or PollFailedException)
            {
                Assert.Fail($"{name}: {probe} did not succeed: {ex.Message}{Environment.NewLine}{await container.LogsAsync()}");
            }

            output.WriteLine($"{name}: {probe} succeeded after {clock.Elapsed.TotalSeconds:0.0} s");
        }
    }

    [Theory]
    [InlineData("workflow-api")]
    [InlineData("realtime-gateway")]
    public async Task Runs_as_the_manifest_user_without_capabilities_on_a_read_only_root(string name)
    {
        var container = deployment[name];
        var proc = await container.ExecAsync("cat", "/proc/1/status");
        Assert.True(proc.Succeeded, $"{name} does not run: {proc.Error}{Environment.NewLine}{await container.LogsAsync()}");
        var status = proc.Output.Split('\n').ToDictionary(l => l.Split(':')[0], l => l.Split(':', 2).ElementAtOrDefault(1)?.Trim() ?? "");

        Assert.Equal(container.Pod.Security("runAsUser")!.Value.GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), status["Uid"].Split('\t')[0]);
        Assert.Equal("0000000000000000", status["CapEff"]);
        Assert.Equal("1", status["NoNewPrivs"]);
        var write = await container.ExecAsync("sh", "-c", "echo x > /app/probe");
        Assert.False(write.Succeeded, "the root filesystem should be read-only");
        Assert.Contains("Read-only file system", write.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_manifests_settings_a_workflow_created_at_the_api_streams_from_the_gateway()
    {
        var api = deployment["workflow-api"];
        var gateway = deployment["realtime-gateway"];
        Assert.All(api.Pod.ServicePorts, p => Assert.True(p.Port == p.ContainerPort,
            $"Service {p.Service} sends port {p.Port} to container port {p.ContainerPort}: this test's network translates no port, so the gateway would miss the API"));
        var port = gateway.Pod.Ports.Single(p => p.Name == "http").Port;
        var tokens = deployment.Secrets.Tokens;
        string Token(string scope) => tokens.Create(scope, issuer: deployment.Secrets.Issuer, audience: deployment.Secrets.Audience);
        await WaitReadyAsync(api);
        await WaitReadyAsync(gateway);
        using var http = new HttpClient { BaseAddress = api.Url(api.Pod.Ports.Single(p => p.Name == "http").Port), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token("workflows:write workflows:read"));

        var cancellation = TestContext.Current.CancellationToken;
        using var created = await http.PostAsJsonAsync("api/workflows", new CreateWorkflowRequest { Name = "manifests", TotalSteps = 2 }, VaporaJsonContext.Default.CreateWorkflowRequest, cancellation);
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        var state = (await created.Content.ReadFromJsonAsync(VaporaJsonContext.Default.WorkflowState, cancellation))!;

        // The first event is the state the gateway reads from the API with the manifests' service token; the next
        // comes through Redis, each service logged in as its own ACL user.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var stream = new WorkflowStreamClient(new WorkflowClientOptions
        {
            BaseUrl = gateway.Url(port),
            AccessToken = Token("workflows:read"),
            Transports = [StreamTransport.ServerSentEvents],
        }).Watch(state.WorkflowId);
        var versions = new List<long>();
        await foreach (var update in stream.ReadAllAsync(timeout.Token))
        {
            versions.Add(update.Version);
            if (update.Version == 1)
            {
                using var patch = new HttpRequestMessage(HttpMethod.Patch, $"api/workflows/{state.WorkflowId}")
                {
                    Content = JsonContent.Create(new UpdateWorkflowRequest { Status = WorkflowStatus.Running, CurrentStep = 1 }, VaporaJsonContext.Default.UpdateWorkflowRequest),
                };
                (await http.SendAsync(patch, timeout.Token)).EnsureSuccessStatusCode();
            }
            else
            {
                break;
            }
        }

        Assert.Equal([1L, 2L], versions);
    }

    private static async Task WaitReadyAsync(Manifests.RunningContainer container)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var readiness = container.Pod.Probes.Single(p => p.Kind == "readinessProbe");
        await Poll.UntilAsync(() => container.ProbeAsync(readiness, http), ReadyWithin, $"{container.Pod.Deployment} to be ready");
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
