namespace Vapora.WorkflowApi.Concurrency.Tests;

/// <summary>
/// A clock whose timers fire at once, each on a task of its own, which Coyote schedules like any other: a contended
/// writer's backoff becomes a scheduling point instead of a wait, so an exploration runs at the speed of the code.
/// Now and elapsed time are the system's (no bound set in the scenario comes near).
/// </summary>
internal sealed class ImmediateTimers : TimeProvider
{
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
