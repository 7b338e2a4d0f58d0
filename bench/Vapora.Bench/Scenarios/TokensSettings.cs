using Vapora.Bench.Cli;

namespace Vapora.Bench.Scenarios;

/// <summary>The tokens scenario's options.</summary>
internal sealed record TokensSettings(int Clients, int Workflows, int Rate, double LifetimeSeconds, TokenRenewal Refresh, double DurationSeconds,
    double WarmupSeconds, int Workers, int Runs, int ConnectConcurrency, int RestConcurrency)
{
    /// <summary>Token lifetimes inside the measured window.</summary>
    public double Lifetimes => DurationSeconds / LifetimeSeconds;

    /// <summary>The run's clients as the fleet takes them: straight to the one gateway.</summary>
    public LoadOptions Fleet => LoadOptions.RestFleet(Clients, Workflows, Rate, DurationSeconds, WarmupSeconds, Runs, Workers, ConnectConcurrency, RestConcurrency);
}
