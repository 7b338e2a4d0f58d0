namespace Vapora.Bench.Reporting;

/// <summary>One reconnect storm (or the median of several).</summary>
internal sealed record StormFigures
{
    /// <summary>Clients that lost their gateway and resumed through nginx.</summary>
    public long Orphans { get; init; }

    /// <summary>From the SIGKILL to an orphan's first frame on its new connection: p50, p99, max (ms).</summary>
    public double LiveAgainP50Ms { get; init; }

    public double LiveAgainP99Ms { get; init; }

    public double LiveAgainMaxMs { get; init; }

    /// <summary>Orphans that had no frame on a new connection by the end of the storm window.</summary>
    public long NotLiveAgain { get; init; }

    /// <summary>History requests the API served from the hang (or kill) to the end of the storm window (its own counter).</summary>
    public double ApiHistoryRequests { get; init; }

    /// <summary>The survivor's counters over the run: catch-up reads it made, resumes that shared one, reads refused.</summary>
    public double SurvivorHistoryReads { get; init; }

    public double SurvivorCoalesced { get; init; }

    public double SurvivorRefused { get; init; }

    /// <summary>Latency of the clients that never lost their connection, for updates sent during the storm window.</summary>
    public double SurvivorsP50Ms { get; init; }

    public double SurvivorsP99Ms { get; init; }

    public double SurvivorsMaxMs { get; init; }

    /// <summary>
    /// The survivor's own view over the storm window: API accept → socket write of every live frame it sent (its
    /// histogram's bucket bounds), so a tail here is the gateway's and a tail only above is the harness's or the API's.
    /// </summary>
    public double SurvivorSendLagP50Ms { get; init; }

    public double SurvivorSendLagP99Ms { get; init; }

    /// <summary>The survivor's Redis receive → queued on every watcher, p99 (bucket bound).</summary>
    public double SurvivorFanOutP99Ms { get; init; }

    /// <summary>Time the survivor and the harness's worker processes spent in GC pauses inside the storm window.</summary>
    public double SurvivorGcPausedMs { get; init; }

    public double HarnessGcPausedMs { get; init; }

    public long Lost { get; init; }

    public long Duplicated { get; init; }

    public long Reordered { get; init; }

    /// <summary>Clients that gave up (a give-up close code) or could not resume.</summary>
    public long Disconnected { get; init; }

    public double SurvivorCpuCores { get; init; }

    public double ApiCpuCores { get; init; }

    public double HarnessCpuCores { get; init; }

    public double MachineCpuCores { get; init; }

    public double PublishedPerSecond { get; init; }

    public string? FirstProblem { get; init; }

    public static StormFigures Median(IReadOnlyList<StormFigures> runs) => new()
    {
        Orphans = Statistics.Median(runs.Select(r => r.Orphans)),
        LiveAgainP50Ms = Statistics.Median(runs.Select(r => r.LiveAgainP50Ms)),
        LiveAgainP99Ms = Statistics.Median(runs.Select(r => r.LiveAgainP99Ms)),
        LiveAgainMaxMs = Statistics.Median(runs.Select(r => r.LiveAgainMaxMs)),
        NotLiveAgain = Statistics.Median(runs.Select(r => r.NotLiveAgain)),
        ApiHistoryRequests = Statistics.Median(runs.Select(r => r.ApiHistoryRequests)),
        SurvivorHistoryReads = Statistics.Median(runs.Select(r => r.SurvivorHistoryReads)),
        SurvivorCoalesced = Statistics.Median(runs.Select(r => r.SurvivorCoalesced)),
        SurvivorRefused = Statistics.Median(runs.Select(r => r.SurvivorRefused)),
        SurvivorsP50Ms = Statistics.Median(runs.Select(r => r.SurvivorsP50Ms)),
        SurvivorsP99Ms = Statistics.Median(runs.Select(r => r.SurvivorsP99Ms)),
        SurvivorsMaxMs = Statistics.Median(runs.Select(r => r.SurvivorsMaxMs)),
        SurvivorSendLagP50Ms = Statistics.Median(runs.Select(r => r.SurvivorSendLagP50Ms)),
        SurvivorSendLagP99Ms = Statistics.Median(runs.Select(r => r.SurvivorSendLagP99Ms)),
        SurvivorFanOutP99Ms = Statistics.Median(runs.Select(r => r.SurvivorFanOutP99Ms)),
        SurvivorGcPausedMs = Statistics.Median(runs.Select(r => r.SurvivorGcPausedMs)),
        HarnessGcPausedMs = Statistics.Median(runs.Select(r => r.HarnessGcPausedMs)),
        Lost = Statistics.Median(runs.Select(r => r.Lost)),
        Duplicated = Statistics.Median(runs.Select(r => r.Duplicated)),
        Reordered = Statistics.Median(runs.Select(r => r.Reordered)),
        Disconnected = Statistics.Median(runs.Select(r => r.Disconnected)),
        SurvivorCpuCores = Statistics.Median(runs.Select(r => r.SurvivorCpuCores)),
        ApiCpuCores = Statistics.Median(runs.Select(r => r.ApiCpuCores)),
        HarnessCpuCores = Statistics.Median(runs.Select(r => r.HarnessCpuCores)),
        MachineCpuCores = Statistics.Median(runs.Select(r => r.MachineCpuCores)),
        PublishedPerSecond = Statistics.Median(runs.Select(r => r.PublishedPerSecond)),
        FirstProblem = runs.Select(r => r.FirstProblem).FirstOrDefault(p => p is not null),
    };
}
