using System.Text.Json.Serialization;
using Vapora.Bench.Cli;

namespace Vapora.Bench.Reporting;

/// <summary>The options that matter to an idle run (no rate, duration or source).</summary>
internal sealed record IdleSettings(Target Target, int Clients, int Workflows, Via Via, Cpus Cpus, [property: JsonPropertyName("signalr_client")] SignalRClient SignalRClient, int Runs, int ConnectConcurrency, double SettleAtMostSeconds)
{
    public static IdleSettings From(LoadOptions options, TimeSpan settleAtMost) =>
        new(options.Target, options.Clients, options.Workflows, options.Via, options.Cpus, options.SignalRClient, options.Runs, options.ConnectConcurrency, settleAtMost.TotalSeconds);
}
