namespace Vapora.Bench.Reporting;

/// <summary>The result of one idle-memory run (or the median of several).</summary>
internal sealed record IdleFigures
{
    /// <summary>Server RSS after start-up, settled, before any client.</summary>
    public double RssBaselineMib { get; init; }

    /// <summary>Server RSS with every client connected, once it stopped moving.</summary>
    public double RssConnectedMib { get; init; }

    /// <summary>(connected − baseline) / clients.</summary>
    public double RssPerConnectionKib { get; init; }

    /// <summary>Server peak RSS (VmHWM): connection set-up can peak above the settled figure.</summary>
    public double PeakRssMib { get; init; }

    /// <summary>Whether RSS settled before --settle ran out (if not, the figure is a lower bound).</summary>
    public bool Settled { get; init; }

    /// <summary>From the last connection until RSS settled.</summary>
    public double SettleSeconds { get; init; }

    /// <summary>Cores the server used while holding the idle connections (keep-alive pings, timers), over 5 s.</summary>
    public double IdleServerCpuCores { get; init; }

    public double ConnectSeconds { get; init; }

    public long Disconnected { get; init; }

    public string? FirstProblem { get; init; }

    public static IdleFigures Median(IReadOnlyList<IdleFigures> runs) => new()
    {
        RssBaselineMib = Statistics.Median(runs.Select(r => r.RssBaselineMib)),
        RssConnectedMib = Statistics.Median(runs.Select(r => r.RssConnectedMib)),
        RssPerConnectionKib = Statistics.Median(runs.Select(r => r.RssPerConnectionKib)),
        PeakRssMib = Statistics.Median(runs.Select(r => r.PeakRssMib)),
        Settled = runs.All(r => r.Settled),
        SettleSeconds = Statistics.Median(runs.Select(r => r.SettleSeconds)),
        IdleServerCpuCores = Statistics.Median(runs.Select(r => r.IdleServerCpuCores)),
        ConnectSeconds = Statistics.Median(runs.Select(r => r.ConnectSeconds)),
        Disconnected = Statistics.Median(runs.Select(r => r.Disconnected)),
        FirstProblem = runs.Select(r => r.FirstProblem).FirstOrDefault(p => p is not null),
    };
}
