namespace Vapora.Bench.Measurement;

/// <summary>Waits until a process's resident memory stops moving, so "RSS with N connections" is not read mid-growth.</summary>
internal static class MemorySettling
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Samples every 500 ms until RSS changed by less than 1% (and less than 1 MiB) over the last
    /// <paramref name="steadyFor"/>, or <paramref name="atMost"/> passed. Returns the last sample and whether it settled.
    /// </summary>
    public static async Task<(ProcessSample Sample, bool Settled)> WaitAsync(int pid, TimeSpan steadyFor, TimeSpan atMost, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + atMost;
        var window = new Queue<ProcessSample>();
        var needed = Math.Max(2, (int)(steadyFor / Interval) + 1);
        while (true)
        {
            var sample = ProcessSample.Take(pid);
            window.Enqueue(sample);
            if (window.Count > needed)
            {
                window.Dequeue();
            }

            if (window.Count == needed)
            {
                var low = window.Min(s => s.RssKiB);
                var high = window.Max(s => s.RssKiB);
                if (high - low < Math.Min(1024, high / 100 + 1))
                {
                    return (sample, true);
                }
            }

            if (DateTime.UtcNow >= deadline)
            {
                return (sample, false);
            }

            await Task.Delay(Interval, cancellationToken);
        }
    }
}
