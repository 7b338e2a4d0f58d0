using Vapora.Bench.Cli;

namespace Vapora.Bench.Scenarios;

/// <summary>The reconnect storm's options.</summary>
internal sealed record StormSettings(int Clients, int Workflows, int Rate, int Workers, bool Coalesce, StormPlacement Placement,
    double HangSeconds, double StormSeconds, double WarmupSeconds, int Runs, int ConnectConcurrency, int RestConcurrency, int? Admissions = null)
{
    /// <summary>The run's clients as the fleet takes them: through nginx.</summary>
    public LoadOptions Fleet => LoadOptions.RestFleet(Clients, Workflows, Rate, StormSeconds, WarmupSeconds, Runs, Workers, ConnectConcurrency, RestConcurrency)
        with { Via = Via.Lb };
}
