using System.Text.Json.Serialization;

namespace Vapora.Bench.Reporting;

/// <summary>The result of one measured run (or, from <see cref="Median"/>, the median of several).</summary>
internal sealed record RunFigures
{
    /// <summary>Updates published per second in the measured window (what the pacer reached).</summary>
    public double PublishedPerSecond { get; init; }

    /// <summary>
    /// How far (ms) the pacer was ever behind its schedule in the window: about 1 ms normally; tens of ms mean its
    /// thread did not get a CPU (busy machine) or the publisher could not keep up.
    /// </summary>
    public double PublisherMaxLagMs { get; init; }

    public long PublishFailures { get; init; }

    /// <summary>Sends still unfinished when the measured window closed (REST: PATCHes queued or in flight).</summary>
    public long PublishBacklogAtEnd { get; init; }

    /// <summary>Deliveries owed at the end: for each client, the updates its workflow got.</summary>
    public long ExpectedDeliveries { get; init; }

    /// <summary>Different versions received, summed over clients.</summary>
    public long Delivered { get; init; }

    /// <summary>New versions received per second by all clients during the measured window.</summary>
    public double DeliveredPerSecond { get; init; }

    public double P50Ms { get; init; }

    public double P90Ms { get; init; }

    public double P99Ms { get; init; }

    /// <summary>p99.9.</summary>
    [JsonPropertyName("p99_9_ms")]
    public double P999Ms { get; init; }

    public double MaxMs { get; init; }

    public double MeanMs { get; init; }

    /// <summary>Deliveries of updates sent in the measured window (the latency histogram's count).</summary>
    public long LatencySamples { get; init; }

    /// <summary>Expected versions never received, even after the drain period.</summary>
    public long Lost { get; init; }

    /// <summary>
    /// The part of <see cref="Lost"/> missing below a version the client did receive: skipped rather than late.
    /// Vapora skips intermediate progress on purpose for a client that falls behind (conflation).
    /// </summary>
    public long LostInGaps { get; init; }

    public long Duplicated { get; init; }

    /// <summary>Versions received after a higher version of the same workflow.</summary>
    public long Reordered { get; init; }

    /// <summary>Frames that were not readable updates.</summary>
    public long Unreadable { get; init; }

    /// <summary>Clients the server closed or dropped during the run.</summary>
    public long Disconnected { get; init; }

    /// <summary>Cores the server process used in the measured window (1.0 = one core busy).</summary>
    public double ServerCpuCores { get; init; }

    /// <summary>Cores used by the other processes the run started (redis, workflow-api, nginx).</summary>
    public Dictionary<string, double> HelperCpuCores { get; init; } = [];

    /// <summary>Cores used by this harness (clients and publisher): on a 2-core machine it competes with the server.</summary>
    public double HarnessCpuCores { get; init; }

    /// <summary>Time the harness's GC paused it in the window (pauses delay receive timestamps and the pacer alike).</summary>
    public double HarnessGcPauseMs { get; init; }

    /// <summary>
    /// Cores busy on the whole machine in the window, whatever ran. Well above server + helpers + harness means other
    /// work shared the machine; close to the core count means everything waited for CPU.
    /// </summary>
    public double MachineCpuCores { get; init; }

    /// <summary>Server RSS after start-up, before any client.</summary>
    public double RssBaselineMib { get; init; }

    /// <summary>Server RSS with every client connected, before the load.</summary>
    public double RssConnectedMib { get; init; }

    /// <summary>(connected − baseline) / clients.</summary>
    public double RssPerConnectionKib { get; init; }

    /// <summary>Server RSS after the load.</summary>
    public double RssEndMib { get; init; }

    /// <summary>Server peak RSS (VmHWM) over its life.</summary>
    public double PeakRssMib { get; init; }

    public double ConnectSeconds { get; init; }

    /// <summary>From the last publish until every expected version arrived (or the drain period ran out).</summary>
    public double DrainSeconds { get; init; }

    /// <summary>Processes that held the clients and published: the harness and its workers.</summary>
    public int HarnessProcesses { get; init; } = 1;

    /// <summary>Subscribe + unsubscribe pairs completed per second on the churn sockets (<c>--churn</c>).</summary>
    public double ChurnPerSecond { get; init; }

    /// <summary>Redis SUBSCRIBE commands per second in the window (INFO commandstats; <c>--churn</c> runs only).</summary>
    public double RedisSubscribesPerSecond { get; init; }

    /// <summary>Redis UNSUBSCRIBE commands per second in the window (INFO commandstats; <c>--churn</c> runs only).</summary>
    public double RedisUnsubscribesPerSecond { get; init; }

    /// <summary>The first disconnect reason or publish error, if any.</summary>
    public string? FirstProblem { get; init; }

    public static RunFigures Median(IReadOnlyList<RunFigures> runs) => new()
    {
        PublishedPerSecond = Statistics.Median(runs.Select(r => r.PublishedPerSecond)),
        PublisherMaxLagMs = Statistics.Median(runs.Select(r => r.PublisherMaxLagMs)),
        PublishFailures = Statistics.Median(runs.Select(r => r.PublishFailures)),
        PublishBacklogAtEnd = Statistics.Median(runs.Select(r => r.PublishBacklogAtEnd)),
        ExpectedDeliveries = Statistics.Median(runs.Select(r => r.ExpectedDeliveries)),
        Delivered = Statistics.Median(runs.Select(r => r.Delivered)),
        DeliveredPerSecond = Statistics.Median(runs.Select(r => r.DeliveredPerSecond)),
        P50Ms = Statistics.Median(runs.Select(r => r.P50Ms)),
        P90Ms = Statistics.Median(runs.Select(r => r.P90Ms)),
        P99Ms = Statistics.Median(runs.Select(r => r.P99Ms)),
        P999Ms = Statistics.Median(runs.Select(r => r.P999Ms)),
        MaxMs = Statistics.Median(runs.Select(r => r.MaxMs)),
        MeanMs = Statistics.Median(runs.Select(r => r.MeanMs)),
        LatencySamples = Statistics.Median(runs.Select(r => r.LatencySamples)),
        Lost = Statistics.Median(runs.Select(r => r.Lost)),
        LostInGaps = Statistics.Median(runs.Select(r => r.LostInGaps)),
        Duplicated = Statistics.Median(runs.Select(r => r.Duplicated)),
        Reordered = Statistics.Median(runs.Select(r => r.Reordered)),
        Unreadable = Statistics.Median(runs.Select(r => r.Unreadable)),
        Disconnected = Statistics.Median(runs.Select(r => r.Disconnected)),
        ServerCpuCores = Statistics.Median(runs.Select(r => r.ServerCpuCores)),
        HelperCpuCores = Statistics.Median(runs.Select(r => (IReadOnlyDictionary<string, double>)r.HelperCpuCores).ToList()),
        HarnessCpuCores = Statistics.Median(runs.Select(r => r.HarnessCpuCores)),
        MachineCpuCores = Statistics.Median(runs.Select(r => r.MachineCpuCores)),
        HarnessGcPauseMs = Statistics.Median(runs.Select(r => r.HarnessGcPauseMs)),
        RssBaselineMib = Statistics.Median(runs.Select(r => r.RssBaselineMib)),
        RssConnectedMib = Statistics.Median(runs.Select(r => r.RssConnectedMib)),
        RssPerConnectionKib = Statistics.Median(runs.Select(r => r.RssPerConnectionKib)),
        RssEndMib = Statistics.Median(runs.Select(r => r.RssEndMib)),
        PeakRssMib = Statistics.Median(runs.Select(r => r.PeakRssMib)),
        ConnectSeconds = Statistics.Median(runs.Select(r => r.ConnectSeconds)),
        DrainSeconds = Statistics.Median(runs.Select(r => r.DrainSeconds)),
        HarnessProcesses = runs[0].HarnessProcesses,
        ChurnPerSecond = Statistics.Median(runs.Select(r => r.ChurnPerSecond)),
        RedisSubscribesPerSecond = Statistics.Median(runs.Select(r => r.RedisSubscribesPerSecond)),
        RedisUnsubscribesPerSecond = Statistics.Median(runs.Select(r => r.RedisUnsubscribesPerSecond)),
        FirstProblem = runs.Select(r => r.FirstProblem).FirstOrDefault(p => p is not null),
    };
}
