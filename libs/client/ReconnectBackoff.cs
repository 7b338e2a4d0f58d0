namespace Vapora.Client;

/// <summary>
/// Exponential backoff with "equal jitter": attempt n waits between half and all of
/// min(max, initial × 2^(n-1)) (in whole milliseconds), so clients dropped together do not come back together.
/// </summary>
public static class ReconnectBackoff
{
    /// <summary>The delay before reconnect attempt <paramref name="attempt"/> (1-based).</summary>
    public static TimeSpan Delay(int attempt, TimeSpan initial, TimeSpan max, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var exponent = Math.Min(attempt - 1, 30);
        var ceiling = Math.Min(max.Ticks, initial.Ticks * (1L << exponent));
        var half = ceiling / 2;
        var ticks = half + (long)(random.NextDouble() * (ceiling - half));
        // Whole milliseconds: timers have no finer grain.
        return TimeSpan.FromMilliseconds(Math.Max(1, ticks / TimeSpan.TicksPerMillisecond));
    }
}
