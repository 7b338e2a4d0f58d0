using Vapora.Bench.Cli;

namespace Vapora.Bench.Scenarios;

/// <summary>The reconnect storm's options.</summary>
internal sealed record StormSettings(int Clients, int Workflows, int Rate, int Workers, bool Coalesce, StormPlacement Placement,
    double HangSeconds, double StormSeconds, double WarmupSeconds, int Runs, int ConnectConcurrency, int RestConcurrency)
{
    /// <summary>The run's clients as the fleet takes them.</summary>
    public LoadOptions Fleet => new()
    {
        Target = Target.Vapora,
        Clients = Clients,
        Workflows = Workflows,
        Rate = Rate,
        DurationSeconds = StormSeconds,
        WarmupSeconds = WarmupSeconds,
        DrainSeconds = 10,
        Source = Source.Rest,
        Cluster = RedisTopology.None,
        Stalled = 0,
        Via = Via.Lb,
        Transport = ClientTransport.WebSocket,
        Cpus = Cpus.Shared,
        SignalRClient = SignalRClient.Raw,
        Runs = Runs,
        ConnectConcurrency = ConnectConcurrency,
        RestConcurrency = RestConcurrency,
        Workers = Workers,
        Gc = GcMode.Workstation,
        Churn = 0,
        ChurnWorkflows = 0,
    };
}
