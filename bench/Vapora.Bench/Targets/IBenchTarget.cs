using Vapora.Bench.Clients;
using Vapora.Bench.Publishing;

namespace Vapora.Bench.Targets;

/// <summary>A system under test, started for one run: its processes, how clients watch, how updates enter it.</summary>
internal interface IBenchTarget : IAsyncDisposable
{
    /// <summary>The process whose CPU and memory are "the server" (gateway, SignalR peer, ceiling app).</summary>
    int ServerPid { get; }

    /// <summary>Other processes it started whose CPU is reported too (redis, workflow-api, nginx).</summary>
    IReadOnlyDictionary<string, int> HelperPids { get; }

    /// <summary>Workflow ids (Vapora) or group names (SignalR), by workflow index.</summary>
    IReadOnlyList<string> WorkflowIds { get; }

    /// <summary>How clients connect to it (the harness's own clients and its workers' alike).</summary>
    ConnectPlan Plan { get; }

    /// <summary>Waits until the server counts <paramref name="clients"/> watchers, where only the server can tell.</summary>
    Task WaitUntilWatchingAsync(int clients, CancellationToken cancellationToken);

    Task<IUpdatePublisher> CreatePublisherAsync(CancellationToken cancellationToken);
}
