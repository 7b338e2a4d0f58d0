using System.Diagnostics;

namespace Vapora.Bench.Publishing;

/// <summary>
/// Drives a steady rate: a dedicated thread wakes about every millisecond and publishes what is due by then,
/// round-robin over the workflows. It does not depend on the thread pool, which the receivers keep busy. If a
/// publisher cannot keep up, <see cref="Sent"/> falls behind the schedule and the report shows the real rate.
/// </summary>
internal sealed class Pacer(IUpdatePublisher publisher, int workflows, int ratePerSecond)
{
    private Thread? _thread;
    private volatile bool _stopping;
    private long _sent;
    private long _startedAt;
    private long _maxBehind;

    /// <summary>Updates published so far.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>The most updates that were due but not yet published at a wake-up, since the last <see cref="ResetMaxBehind"/>.</summary>
    public long MaxBehind => Interlocked.Read(ref _maxBehind);

    /// <summary>Starts measuring <see cref="MaxBehind"/> afresh (after the warm-up, whose first sends include JIT time).</summary>
    public void ResetMaxBehind() => Interlocked.Exchange(ref _maxBehind, 0);

    public void Start()
    {
        _startedAt = Stopwatch.GetTimestamp();
        _thread = new Thread(Run) { IsBackground = true, Name = "pacer" };
        _thread.Start();
    }

    public void Stop()
    {
        _stopping = true;
        _thread?.Join();
    }

    private void Run()
    {
        var next = 0;
        while (!_stopping)
        {
            var due = (long)(Stopwatch.GetElapsedTime(_startedAt).TotalSeconds * ratePerSecond);
            var sent = _sent;
            if (due - sent > _maxBehind)
            {
                Interlocked.Exchange(ref _maxBehind, due - sent);
            }

            while (sent < due && !_stopping)
            {
                publisher.Publish(next);
                next = next + 1 == workflows ? 0 : next + 1;
                sent = Interlocked.Increment(ref _sent);
            }

            Thread.Sleep(1);
        }
    }
}
