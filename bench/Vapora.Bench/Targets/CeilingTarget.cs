using System.Globalization;
using Vapora.Bench.Cli;
using Vapora.Bench.Clients;
using Vapora.Bench.Publishing;
using Vapora.Testing;

namespace Vapora.Bench.Targets;

/// <summary>The ceiling app alone: no Redis; the harness sends each update to it over one control socket.</summary>
internal sealed class CeilingTarget : IBenchTarget
{
    private BenchServerProcess? _server;

    private CeilingTarget(LoadOptions options) =>
        WorkflowIds = Enumerable.Range(0, options.Workflows).Select(i => "wf-" + i.ToString(CultureInfo.InvariantCulture)).ToArray();

    public int ServerPid => _server!.Pid;

    public IReadOnlyDictionary<string, int> HelperPids { get; } = new Dictionary<string, int>();

    public IReadOnlyList<string> WorkflowIds { get; }

    public static async Task<CeilingTarget> StartAsync(LoadOptions options, CancellationToken cancellationToken)
    {
        var target = new CeilingTarget(options);
        target._server = await BenchServerProcess.StartAsync("Vapora.Bench.Ceiling",
            [new("Ceiling__Workflows", options.Workflows.ToString(CultureInfo.InvariantCulture)), .. options.ServerEnvironment()], cancellationToken);
        return target;
    }

    public ConnectPlan Plan => new(ClientKind.Ceiling,
        [.. Enumerable.Range(0, WorkflowIds.Count).Select(w => _server!.WebSocketUrl("/ws?w=" + w.ToString(CultureInfo.InvariantCulture)).ToString())]);

    // The app sends no first frame, so ask it how many sockets it has registered.
    public async Task WaitUntilWatchingAsync(int clients, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = _server!.BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        await Poll.UntilAsync(
            async () => int.Parse(await http.GetStringAsync("watchers", cancellationToken), CultureInfo.InvariantCulture) >= clients, TimeSpan.FromSeconds(30), $"the ceiling app to register {clients} watchers");
    }

    public async Task<IUpdatePublisher> CreatePublisherAsync(CancellationToken cancellationToken) =>
        await CeilingPublisher.ConnectAsync(_server!.WebSocketUrl("/control"), WorkflowIds, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
