using Vapora.Bench.Cli;
using Vapora.Bench.Clients;
using Vapora.Bench.Measurement;
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
    private static readonly TimeSpan FirstFrameTimeout = TimeSpan.FromSeconds(30);

    private readonly LoadOptions _options;
    private readonly HttpMessageInvoker _sockets = new(new SocketsHttpHandler());
    // One connection per stream (HTTP/1.1): no pool limit, no timeout on a response that never ends.
    private readonly HttpClient _streams = new(new SocketsHttpHandler { PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan }) { Timeout = Timeout.InfiniteTimeSpan };
    private RedisServer? _redis;
    private RedisCluster? _cluster;
    private ServiceProcess? _api;
    private ServiceProcess? _gateway;
    private NginxServer? _nginx;
    private string[] _workflowIds = [];

    private VaporaTarget(LoadOptions options) => _options = options;

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

    private Uri ClientBase => _nginx?.BaseUrl ?? _gateway!.BaseUrl;

    public static async Task<VaporaTarget> StartAsync(LoadOptions options, CancellationToken cancellationToken)
    {
        var target = new VaporaTarget(options);
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

    public async Task<IWatcher> ConnectAsync(ClientTracker tracker, CancellationToken cancellationToken)
    {
        var id = _workflowIds[tracker.Workflow];
        IWatcher watcher = _options.Transport == ClientTransport.Sse
            ? await EventStreamWatcher.ConnectAsync(new UriBuilder(ClientBase) { Path = $"/api/workflows/{id}/events" }.Uri, _streams, tracker, cancellationToken)
            : await WebSocketWatcher.ConnectAsync(new UriBuilder(ClientBase) { Scheme = "ws", Path = $"/api/workflows/{id}/updates" }.Uri, _sockets, tracker, cancellationToken);
        try
        {
            // The first frame is the current state: from then on the gateway forwards every new version.
            await tracker.FirstFrame.Task.WaitAsync(FirstFrameTimeout, cancellationToken);
        }
        catch
        {
            await watcher.DisposeAsync();
            throw;
        }

        return watcher;
    }

    public Task WaitUntilWatchingAsync(int clients, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<IUpdatePublisher> CreatePublisherAsync(CancellationToken cancellationToken) => _options.Source switch
    {
        Source.Rest => new RestPublisher(_nginx?.BaseUrl ?? _api!.BaseUrl, _workflowIds, _options.RestConcurrency),
        _ => await RedisPublisher.ConnectAsync(RedisConnectionString, _workflowIds, sharded: _options.Cluster == RedisTopology.Sharded),
    };

    public async ValueTask DisposeAsync()
    {
        _sockets.Dispose();
        _streams.Dispose();
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

    private string RedisConnectionString => _redis?.ConnectionString ?? _cluster!.ConnectionString;

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
        _gateway = await ServiceProcess.StartGatewayAsync(RedisConnectionString, _api.BaseUrl, new Dictionary<string, string?>(_options.ServerEnvironment())
        {
            // The harness closes its clients before stopping the gateway: nothing to drain, no reason to wait.
            ["Gateway__DrainWindow"] = "00:00:00",
            ["Redis__PubSub"] = pubSub,
        });
        if (_options.Via == Via.Lb)
        {
            _nginx = await NginxServer.StartAsync([_gateway.Port], _api.Port);
        }
    }

    private async Task CreateWorkflowsAsync(CancellationToken cancellationToken)
    {
        var client = new WorkflowApiClient(_api!.Http);
        var ids = new string[_options.Workflows];
        await Parallel.ForAsync(0, ids.Length, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (i, _) => ids[i] = (await client.CreateAsync($"bench {i}", UpdatePayload.TotalSteps)).WorkflowId);
        _workflowIds = ids;
    }
}
