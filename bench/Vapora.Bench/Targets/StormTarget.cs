using Vapora.Bench.Clients;
using Vapora.Bench.Publishing;
using Vapora.Bench.Scenarios;
using Vapora.Testing;

namespace Vapora.Bench.Targets;

/// <summary>
/// The reconnect storm's system: redis-server, workflow-api (in-memory store), two gateways and nginx (round-robin,
/// two workers) in front of them. The first gateway is the one that dies; the second is "the server" measured.
/// </summary>
internal sealed class StormTarget : IBenchTarget
{
    private const string HistoryRoute = "http_route=\"/api/workflows/{id}/history\"";

    private readonly StormSettings _settings;
    private RedisServer? _redis;
    private ServiceProcess? _api;
    private readonly List<ServiceProcess> _gateways = [];
    private NginxServer? _nginx;
    private string[] _workflowIds = [];

    private StormTarget(StormSettings settings) => _settings = settings;

    /// <summary>The gateway that is killed.</summary>
    public ServiceProcess Doomed => _gateways[0];

    /// <summary>The gateway that takes the orphans.</summary>
    public ServiceProcess Survivor => _gateways[1];

    public int ServerPid => Survivor.Pid;

    public IReadOnlyDictionary<string, int> HelperPids => new Dictionary<string, int>
    {
        ["workflow-api"] = _api!.Pid,
        ["redis"] = _redis!.Pid!.Value,
        ["nginx"] = _nginx!.Pid,
    };

    public IReadOnlyList<string> WorkflowIds => _workflowIds;

    public Uri ApiUrl => _api!.BaseUrl;

    /// <summary>
    /// split: workflow w's clients first connect straight to one gateway (the first half of the workflows to the gateway
    /// that dies), so the survivor has never watched the orphans' workflows; lb: through nginx, round-robin. Either way
    /// a dropped client resumes through nginx.
    /// </summary>
    public ConnectPlan Plan => new(Clients.ClientKind.Vapora,
        [.. _workflowIds.Select((id, w) => VaporaTarget.StreamUrl(_settings.Placement == StormPlacement.Lb ? _nginx!.BaseUrl : _gateways[w < _workflowIds.Length / 2 ? 0 : 1].BaseUrl, id))],
        ResumeUrls: [.. _workflowIds.Select(id => VaporaTarget.StreamUrl(_nginx!.BaseUrl, id))]);

    public static async Task<StormTarget> StartAsync(StormSettings settings, CancellationToken cancellationToken)
    {
        var target = new StormTarget(settings);
        try
        {
            target._redis = await RedisServer.StartProcessAsync();
            target._api = await ServiceProcess.StartApiAsync(target._redis.ConnectionString, new Dictionary<string, string?>
            {
                ["RateLimits__WritesPerSecond"] = "1000000",
                ["RateLimits__WriteBurst"] = "1000000",
            });
            var gatewaySettings = new Dictionary<string, string?>
            {
                ["DOTNET_gcServer"] = "0",
                ["Gateway__DrainWindow"] = "00:00:00",
                ["Gateway__CoalesceCatchUp"] = settings.Coalesce ? "true" : "false",
            };
            if (settings.Admissions is { } admissions)
            {
                gatewaySettings["Gateway__MaxConcurrentAdmissions"] = admissions.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            foreach (var _ in new[] { 0, 1 })
            {
                target._gateways.Add(await ServiceProcess.StartGatewayAsync(target._redis.ConnectionString, target._api.BaseUrl, gatewaySettings));
            }

            target._nginx = await NginxServer.StartAsync(target._gateways.Select(g => g.Port), target._api.Port, workerProcesses: 2);
            var client = new WorkflowApiClient(target._api.Http);
            var ids = new string[settings.Workflows];
            await Parallel.ForAsync(0, ids.Length, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
                async (i, _) => ids[i] = (await client.CreateAsync($"storm {i}", UpdatePayload.TotalSteps)).WorkflowId);
            target._workflowIds = ids;
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }

        return target;
    }

    public Task WaitUntilWatchingAsync(int clients, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IUpdatePublisher> CreatePublisherAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IUpdatePublisher>(new RestPublisher(_api!.BaseUrl, _workflowIds, _settings.RestConcurrency));

    /// <summary>History requests the API has served so far (its own request counter, by route).</summary>
    public async Task<double> ApiHistoryRequestsAsync() =>
        (await _api!.MetricsAsync()).Value("http_server_request_duration_seconds_count", HistoryRoute);

    public async ValueTask DisposeAsync()
    {
        if (_nginx is not null)
        {
            await _nginx.DisposeAsync();
        }

        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }

        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}
