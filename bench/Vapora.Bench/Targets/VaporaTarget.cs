using Vapora.Bench.Cli;
using Vapora.Bench.Clients;
using Vapora.Bench.Publishing;
using Vapora.Testing;

namespace Vapora.Bench.Targets;

/// <summary>
/// redis-server, workflow-api (in-memory store, write limits lifted) and one realtime-gateway; with <c>--via lb</c>
/// nginx in front, routed as deploy/nginx. Clients watch <c>/api/workflows/{id}/updates</c> (WebSocket) or, with
/// <c>--transport sse</c>, <c>/api/workflows/{id}/events</c>.
/// </summary>
internal sealed class VaporaTarget : IBenchTarget
{
    private readonly LoadOptions _options;
    private readonly IReadOnlyDictionary<string, string?>? _gatewaySettings;
    private RedisServer? _redis;
    private RedisCluster? _cluster;
    private ServiceProcess? _api;
    private ServiceProcess? _gateway;
    private NginxServer? _nginx;
    private string[] _workflowIds = [];

    private VaporaTarget(LoadOptions options, IReadOnlyDictionary<string, string?>? gatewaySettings)
    {
        _options = options;
        _gatewaySettings = gatewaySettings;
    }

    public int ServerPid => _gateway!.Pid;

    public IReadOnlyDictionary<string, int> HelperPids
    {
        get
        {
            var pids = new Dictionary<string, int> { ["workflow-api"] = _api!.Pid };
            if (_cluster is null)
            {
                pids["redis"] = _redis!.Pid!.Value;
            }
            else
            {
                foreach (var (port, pid) in _cluster.NodePids)
                {
                    pids[$"redis-{port}"] = pid;
                }
            }

            if (_nginx is not null)
            {
                pids["nginx"] = _nginx.Pid;
            }

            return pids;
        }
    }

    public IReadOnlyList<string> WorkflowIds => _workflowIds;

    /// <summary>Workflows nobody watches, for the churn to subscribe to and leave (<c>--churn-workflows</c>).</summary>
    public IReadOnlyList<string> ChurnWorkflowIds { get; private set; } = [];

    /// <summary>The multiplexed socket (<c>/ws</c>) of the gateway (or the balancer).</summary>
    public Uri MultiplexUrl => new UriBuilder(ClientBase) { Scheme = "ws", Path = "/ws" }.Uri;

    private Uri ClientBase => _nginx?.BaseUrl ?? _gateway!.BaseUrl;

    /// <param name="gatewaySettings">Settings the gateway gets on top of the harness's (the tokens scenario's JWT settings).</param>
    public static async Task<VaporaTarget> StartAsync(LoadOptions options, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string?>? gatewaySettings = null)
    {
        var target = new VaporaTarget(options, gatewaySettings);
        try
        {
            await target.StartProcessesAsync();
            await target.CreateWorkflowsAsync(cancellationToken);
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }

        return target;
    }

    public ConnectPlan Plan => _options.Transport == ClientTransport.Sse
        ? new(ClientKind.VaporaEvents, [.. _workflowIds.Select(id => new UriBuilder(ClientBase) { Path = $"/api/workflows/{id}/events" }.Uri.ToString())])
        : new(ClientKind.Vapora, [.. _workflowIds.Select(id => StreamUrl(ClientBase, id))]);

    /// <summary>The stream URL of <paramref name="workflowId"/> on <paramref name="server"/> (a gateway or the balancer).</summary>
    public static string StreamUrl(Uri server, string workflowId) =>
        new UriBuilder(server) { Scheme = "ws", Path = $"/api/workflows/{workflowId}/updates" }.Uri.ToString();

    public Task WaitUntilWatchingAsync(int clients, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The gateway's Prometheus metrics now.</summary>
    public Task<MetricsSnapshot> GatewayMetricsAsync() => _gateway!.MetricsAsync();

    public async Task<IUpdatePublisher> CreatePublisherAsync(CancellationToken cancellationToken) => _options.Source switch
    {
        Source.Rest => new RestPublisher(_nginx?.BaseUrl ?? _api!.BaseUrl, _workflowIds, _options.RestConcurrency),
        _ => await RedisPublisher.ConnectAsync(RedisConnectionString, _workflowIds, sharded: _options.Cluster == RedisTopology.Sharded),
    };

    public async ValueTask DisposeAsync()
    {
        // Reverse order of start; each is stopped by the PID it was started with.
        if (_nginx is not null)
        {
            await _nginx.DisposeAsync();
        }

        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    public string RedisConnectionString => _redis?.ConnectionString ?? _cluster!.ConnectionString;

    private async Task StartProcessesAsync()
    {
        if (_options.Cluster == RedisTopology.None)
        {
            _redis = await RedisServer.StartProcessAsync();
        }
        else
        {
            _cluster = await RedisCluster.StartAsync();
        }

        var pubSub = _options.Cluster == RedisTopology.Sharded ? "sharded" : "classic";
        _api = await ServiceProcess.StartApiAsync(RedisConnectionString, new Dictionary<string, string?>
        {
            // The harness is one client at thousands of writes per second.
            ["RateLimits__WritesPerSecond"] = "1000000",
            ["RateLimits__WriteBurst"] = "1000000",
            ["Redis__PubSub"] = pubSub,
        });
        _gateway = await ServiceProcess.StartGatewayAsync(RedisConnectionString, _api.BaseUrl, Settings.Layer(_options.ServerEnvironment(), new Dictionary<string, string?>
        {
            // The harness closes its clients before stopping the gateway: nothing to drain, no reason to wait.
            ["Gateway__DrainWindow"] = "00:00:00",
            ["Redis__PubSub"] = pubSub,
        }, _gatewaySettings));
        if (_options.Via == Via.Lb)
        {
            _nginx = await NginxServer.StartAsync([_gateway.Port], _api.Port);
        }
    }

    private async Task CreateWorkflowsAsync(CancellationToken cancellationToken)
    {
        _workflowIds = await CreateAsync(_options.Workflows, "bench", cancellationToken);
        ChurnWorkflowIds = await CreateAsync(_options.ChurnWorkflows, "churn", cancellationToken);
    }

    private async Task<string[]> CreateAsync(int count, string name, CancellationToken cancellationToken)
    {
        var client = new WorkflowApiClient(_api!.Http);
        var ids = new string[count];
        await Parallel.ForAsync(0, ids.Length, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (i, _) => ids[i] = (await client.CreateAsync($"{name} {i}", UpdatePayload.TotalSteps)).WorkflowId);
        return ids;
    }
}
