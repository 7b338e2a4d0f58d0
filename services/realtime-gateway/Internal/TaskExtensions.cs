namespace Vapora.RealtimeGateway.Internal;

internal static class TaskExtensions
{
    /// <summary>Awaits a loop that ends by cancellation at shutdown.</summary>
    public static async Task IgnoreCancellation(this Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Waits for <paramref name="task"/>, or stops waiting (never the task itself) when <paramref name="cancellationToken"/>
    /// fires. What <c>Task.WaitAsync</c> does, made of a task completion source and <c>WhenAny</c>: tools that control the
    /// schedule (Coyote, see docs/architecture.md) see these, not <c>WaitAsync</c>'s internal promise.
    /// </summary>
    public static async Task<T> WaitOrCancelAsync<T>(this Task<T> task, CancellationToken cancellationToken)
    {
        await ((Task)task).WaitOrCancelAsync(cancellationToken);
        return await task;
    }

    /// <inheritdoc cref="WaitOrCancelAsync{T}(Task{T}, CancellationToken)"/>
    public static async Task WaitOrCancelAsync(this Task task, CancellationToken cancellationToken)
    {
        if (task.IsCompleted || !cancellationToken.CanBeCanceled)
        {
            await task;
            return;
        }

        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.UnsafeRegister(static state => ((TaskCompletionSource)state!).TrySetResult(), cancelled))
        {
            await Task.WhenAny(task, cancelled.Task);
        }

        cancellationToken.ThrowIfCancellationRequested();
        await task;
    }
}
