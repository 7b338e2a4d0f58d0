using HdrHistogram;
using Vapora.Bench.Measurement;

namespace Vapora.Bench.Clients;

/// <summary>
/// What the clients of one process (or, merged, of all processes) received by the end of a run: delivery checks,
/// the latency histogram of the measured window, and the resume timings of clients that reconnected.
/// </summary>
internal sealed record FleetResult
{
    public long Delivered { get; init; }

    public long Lost { get; init; }

    public long LostInGaps { get; init; }

    public long Duplicated { get; init; }

    public long Reordered { get; init; }

    public long Unreadable { get; init; }

    public long Disconnected { get; init; }

    /// <summary>New versions received inside the measured window.</summary>
    public long ReceivedInWindow { get; init; }

    public string? FirstProblem { get; init; }

    /// <summary>The first client with a version missing below its highest: which versions (a lost, or conflated, update).</summary>
    public string? FirstGap { get; init; }

    /// <summary>GC pauses of the worker processes inside the measured window (the coordinator counts its own).</summary>
    public double WorkerGcPausedMs { get; init; }

    /// <summary>The latency histogram as [microseconds, count] pairs (HdrHistogram's recorded values).</summary>
    public List<long[]> Latency { get; init; } = [];

    /// <summary>Clients that dropped and resumed: [dropped at, first frame again at] in Stopwatch ticks (0: not live again).</summary>
    public List<long[]> Resumes { get; init; } = [];

    /// <summary>What the clients did about their tokens inside the measured window (all zero without tokens).</summary>
    public TokenCounts Tokens { get; init; } = new();

    public static List<long[]> Encode(LongHistogram histogram) =>
        [.. histogram.RecordedValues().Select(v => new[] { v.ValueIteratedTo, v.CountAtValueIteratedTo })];

    public LongHistogram Histogram() => Decode([Latency]);

    public static LongHistogram Decode(IEnumerable<List<long[]>> parts)
    {
        var total = LatencyRecorder.NewHistogram();
        foreach (var part in parts)
        {
            foreach (var pair in part)
            {
                total.RecordValueWithCount(Math.Min(pair[0], total.HighestTrackableValue), pair[1]);
            }
        }

        return total;
    }

    public static FleetResult Merge(IReadOnlyList<FleetResult> parts) => new()
    {
        Delivered = parts.Sum(p => p.Delivered),
        Lost = parts.Sum(p => p.Lost),
        LostInGaps = parts.Sum(p => p.LostInGaps),
        Duplicated = parts.Sum(p => p.Duplicated),
        Reordered = parts.Sum(p => p.Reordered),
        Unreadable = parts.Sum(p => p.Unreadable),
        Disconnected = parts.Sum(p => p.Disconnected),
        ReceivedInWindow = parts.Sum(p => p.ReceivedInWindow),
        FirstProblem = parts.Select(p => p.FirstProblem).FirstOrDefault(p => p is not null),
        FirstGap = parts.Select(p => p.FirstGap).FirstOrDefault(p => p is not null),
        WorkerGcPausedMs = parts.Sum(p => p.WorkerGcPausedMs),
        Latency = Encode(Decode(parts.Select(p => p.Latency))),
        Resumes = [.. parts.SelectMany(p => p.Resumes)],
        Tokens = TokenCounts.Sum(parts.Select(p => p.Tokens)),
    };
}
