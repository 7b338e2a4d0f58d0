using System.Globalization;
using Vapora.Bench.Cli;
using Vapora.Bench.Clients;
using Vapora.Bench.Publishing;
using Vapora.Testing;

namespace Vapora.Bench.Targets;

/// <summary>redis-server and the SignalR peer; the harness publishes through the backplane with IHubContext.</summary>
internal sealed class SignalRTarget : IBenchTarget
{
    private readonly SignalRClient _client;
    private RedisServer? _redis;
    private BenchServerProcess? _peer;

    private SignalRTarget(LoadOptions options)
    {
        _client = options.SignalRClient;
        WorkflowIds = Enumerable.Range(0, options.Workflows).Select(i => "wf-" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
    }

    public int ServerPid => _peer!.Pid;

    public IReadOnlyDictionary<string, int> HelperPids => new Dictionary<string, int> { ["redis"] = _redis!.Pid!.Value };

    public IReadOnlyList<string> WorkflowIds { get; }

    public static async Task<SignalRTarget> StartAsync(LoadOptions options, CancellationToken cancellationToken)
    {
        var target = new SignalRTarget(options);
        try
        {
            target._redis = await RedisServer.StartProcessAsync();
            target._peer = await BenchServerProcess.StartAsync("Vapora.Bench.SignalRPeer",
                [new("ConnectionStrings__redis", target._redis.ConnectionString), .. options.ServerEnvironment()], cancellationToken);
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }

        return target;
    }

    public ConnectPlan Plan => new(_client == SignalRClient.Raw ? ClientKind.SignalRRaw : ClientKind.SignalRHub,
        [new Uri(_peer!.BaseUrl, "hub").ToString()], WorkflowIds);

    public Task WaitUntilWatchingAsync(int clients, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<IUpdatePublisher> CreatePublisherAsync(CancellationToken cancellationToken) =>
        await HubContextPublisher.StartAsync(_redis!.ConnectionString, WorkflowIds, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_peer is not null)
        {
            await _peer.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}
