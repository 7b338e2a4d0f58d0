using Vapora.Bench.Cli;
using Vapora.Bench.Measurement;

namespace Vapora.Bench.Targets;

/// <summary>Starts the processes of the chosen target on free loopback ports.</summary>
internal static class TargetLauncher
{
    public static async Task<IBenchTarget> StartAsync(LoadOptions options, CancellationToken cancellationToken)
    {
        IBenchTarget target = options.Target switch
        {
            Target.Vapora => await VaporaTarget.StartAsync(options, cancellationToken),
            Target.SignalR => await SignalRTarget.StartAsync(options, cancellationToken),
            Target.Ceiling => await CeilingTarget.StartAsync(options, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Target, "unknown target"),
        };

        if (options.Cpus == Cpus.Split)
        {
            try
            {
                CpuAffinity.PinServer(target.ServerPid);
                CpuAffinity.PinOther(Environment.ProcessId);
                foreach (var pid in target.HelperPids.Values)
                {
                    CpuAffinity.PinOther(pid);
                }
            }
            catch
            {
                await target.DisposeAsync();
                throw;
            }
        }

        return target;
    }

    /// <summary>What the target is, for tables and JSON.</summary>
    public static string Describe(LoadOptions options) => (options.Target switch
    {
        Target.Vapora => $"Vapora: workflow-api (in-memory store) + 1 realtime-gateway{(options.Via == Via.Lb ? " behind nginx" : "")}, updates via {(options.Source == Source.Rest ? "REST PATCH" : "Redis PUBLISH")}",
        Target.SignalR => "ASP.NET Core SignalR + Redis backplane (JSON protocol), updates via IHubContext from the harness, "
            + (options.SignalRClient == SignalRClient.Raw ? "clients speak the hub protocol on plain WebSockets" : "HubConnection clients"),
        Target.Ceiling => "bare Kestrel WebSocket fan-out (no Redis), updates via one control socket",
        _ => options.Target.ToString(),
    }) + (options.Cpus == Cpus.Split ? $"; server pinned to CPU {CpuAffinity.ServerCpu}, harness and helpers to CPU {CpuAffinity.OtherCpus}" : "");
}
