using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Vapora.Testing;

namespace Vapora.Operations.Tests.Kubernetes;

/// <summary>
/// The otlp component's settings make a service export traces and metrics, tagged with its pod: workflow-api runs
/// with the environment the component gives the pods, pointed at a receiver here. The receiver speaks OTLP over
/// HTTP, so the protocol is switched from grpc to http/protobuf; the exporter and its settings are the same.
/// </summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task With_the_otlp_component_a_service_exports_traces_and_metrics_tagged_with_its_pod()
    {
        var objects = await Manifests.RenderAsync("overlays/production-otlp");
        var config = objects.GeneratedConfigMap("vapora-config").GetProperty("data");
        Assert.Equal("grpc", config.GetProperty("OTEL_EXPORTER_OTLP_PROTOCOL").GetString());
        Assert.StartsWith("http://", config.GetProperty("OTEL_EXPORTER_OTLP_ENDPOINT").GetString(), StringComparison.Ordinal);
        var attributes = objects.Find("Deployment", "workflow-api").PodSpec().GetProperty("containers")[0].GetProperty("env").EnumerateArray()
            .Single(e => e.GetProperty("name").GetString() == "OTEL_RESOURCE_ATTRIBUTES").GetProperty("value").GetString()!;

        using var receiver = new OtlpReceiver();
        await using var redis = await RedisServer.StartProcessAsync();
        await using var api = await ServiceProcess.StartApiAsync(redis.ConnectionString, new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Url,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_RESOURCE_ATTRIBUTES"] = attributes.Replace("$(POD_NAME)", "workflow-api-7d9f-x2x4q", StringComparison.Ordinal),
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        });

        await new WorkflowApiClient(api.Http).CreateAsync();

        await Poll.UntilAsync(() => receiver.Received("/v1/traces", "workflow-api-7d9f-x2x4q") && receiver.Received("/v1/metrics", "workflow-api-7d9f-x2x4q"),
            TimeSpan.FromSeconds(20), "traces and metrics from the API, with its pod name, at the OTLP receiver");
    }

    /// <summary>An OTLP/HTTP endpoint that answers 200 and keeps what it was sent, by path.</summary>
    private sealed class OtlpReceiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentBag<(string Path, string Body)> _requests = [];
        private readonly Task _loop;

        public OtlpReceiver()
        {
            Url = $"http://127.0.0.1:{TestPorts.GetFree()}/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _loop = Task.Run(ServeAsync);
        }

        public string Url { get; }

        public bool Received(string path, string text) => _requests.Any(r => r.Path == path && r.Body.Contains(text, StringComparison.Ordinal));

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _ = _loop.Exception;
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                // Protobuf keeps strings as UTF-8 bytes: attribute names and values can be found in the payload.
                _requests.Add((context.Request.Url!.AbsolutePath, Encoding.UTF8.GetString(body.ToArray())));
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        }
    }
}
