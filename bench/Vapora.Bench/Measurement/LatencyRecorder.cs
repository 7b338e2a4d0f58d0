using System.Diagnostics;
using HdrHistogram;

namespace Vapora.Bench.Measurement;

/// <summary>
/// Publish-to-receive latencies in microseconds. Each receiving thread records into its own histogram (no locks,
/// no shared cache lines); <see cref="Merge"/> adds them up once the receivers have stopped.
/// </summary>
internal sealed class LatencyRecorder : IDisposable
{
    private const long HighestMicroseconds = 120_000_000;
    private const int SignificantDigits = 3;
    private static readonly double MicrosecondsPerTick = 1_000_000.0 / Stopwatch.Frequency;

    private readonly ThreadLocal<LongHistogram> _perThread = new(NewHistogram, trackAllValues: true);
    private long _measuredFrom = long.MaxValue;
    private long _measuredUntil = long.MaxValue;

    /// <summary>Updates sent from here on (Stopwatch ticks) are measured: warm-up is not.</summary>
    public void StartWindow(long from) => Volatile.Write(ref _measuredFrom, from);

    /// <summary>Updates sent from here on are not measured: the drain is not.</summary>
    public void EndWindow(long until) => Volatile.Write(ref _measuredUntil, until);

    /// <summary>True when <paramref name="ticks"/> (a Stopwatch timestamp) falls in the measured window.</summary>
    public bool InWindow(long ticks) => ticks >= Volatile.Read(ref _measuredFrom) && ticks < Volatile.Read(ref _measuredUntil);

    /// <summary>Records the latency of an update sent inside the measured window; others are ignored.</summary>
    public void Record(long sentTicks, long receivedTicks)
    {
        if (!InWindow(sentTicks))
        {
            return;
        }

        var micros = (long)((receivedTicks - sentTicks) * MicrosecondsPerTick);
        _perThread.Value!.RecordValue(Math.Clamp(micros, 1, HighestMicroseconds));
    }

    /// <summary>An empty histogram of the range and precision every recorder uses.</summary>
    public static LongHistogram NewHistogram() => new(HighestMicroseconds, SignificantDigits);

    public LongHistogram Merge()
    {
        var total = NewHistogram();
        foreach (var histogram in _perThread.Values)
        {
            total.Add(histogram);
        }

        return total;
    }

    public void Dispose() => _perThread.Dispose();
}
