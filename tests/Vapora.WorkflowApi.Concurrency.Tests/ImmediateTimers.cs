namespace Vapora.WorkflowApi.Concurrency.Tests;

/// <summary>
/// A clock whose timers fire at once, each on a task of its own, which Coyote schedules like any other: a contended
/// writer's backoff becomes a scheduling point instead of a wait, so an exploration runs at the speed of the code.
/// Now is the system's. Elapsed time counts readings, one millisecond each, not the wall clock: while Coyote holds a
/// task back on a busy machine seconds pass, and a contention bound on the wall clock would end a retry that was only
/// waiting its turn (a keyed PATCH answered Contended under load). Counted, a bound still ends a writer that keeps
/// losing (5 s of Storage:ContentionTimeout is 5,000 readings; a whole schedule makes a few hundred).
/// </summary>
internal sealed class ImmediateTimers : TimeProvider
{
    private long _readings;

    public override long TimestampFrequency => 1_000;

    public override long GetTimestamp() => Interlocked.Increment(ref _readings);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer();
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _ = Task.Run(() =>
            {
                if (!timer.Disposed)
                {
                    callback(state);
                }
            });
        }

        return timer;
    }

    private sealed class Timer : ITimer
    {
        public volatile bool Disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period) => !Disposed;

        public void Dispose() => Disposed = true;

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
