namespace Vapora.ServiceDefaults;

/// <summary>
/// Logs a repeating problem once per window with a count of what was skipped, so that a flood of bad input
/// (or a long Redis outage) produces a few lines instead of millions.
/// </summary>
public sealed class LogBurst(TimeProvider time, TimeSpan window)
{
    /// <summary>The window every Vapora process logs its bursts in: one line, then a count, per 10 s.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(10);

    /// <summary>A burst logged once per <see cref="DefaultWindow"/>.</summary>
    public LogBurst(TimeProvider time)
        : this(time, DefaultWindow)
    {
    }

    private readonly object _lock = new();
    private long _windowStart = long.MinValue;
    private long _skipped;

    /// <summary>True when this occurrence should be logged; <paramref name="skipped"/> says how many were not since the last one.</summary>
    public bool ShouldLog(out long skipped)
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            if (_windowStart != long.MinValue && time.GetElapsedTime(_windowStart, now) < window)
            {
                _skipped++;
                skipped = 0;
                return false;
            }

            _windowStart = now;
            skipped = _skipped;
            _skipped = 0;
            return true;
        }
    }
}
