using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Tests;

/// <summary>
/// Holds the answer to the first store call of each of two relays until both have theirs, so that their passes start
/// at the same moment: both have scanned the outbox before either publishes, unless something makes one stand aside.
/// </summary>
internal sealed class PassStartGate
{
    private readonly TaskCompletionSource _both = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _arrived;

    public Task ArriveAsync()
    {
        if (Interlocked.Increment(ref _arrived) == 2)
        {
            _both.TrySetResult();
        }

        return _both.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }
}

/// <summary>One relay's view of the store, the answer to its first call held at <see cref="PassStartGate"/>.</summary>
internal sealed class GatedStorage(IStoragePrimitives inner, PassStartGate gate) : DelegatingStorage(inner)
{
    private int _called;

    public override Task<bool> TryAcquireLeaseAsync(string lease, string owner, TimeSpan duration, CancellationToken cancellationToken) =>
        HeldAsync(() => base.TryAcquireLeaseAsync(lease, owner, duration, cancellationToken));

    public override Task<IReadOnlyList<LogEntry>> ScanUnpublishedAsync(DateTimeOffset acceptedBefore, int limit, CancellationToken cancellationToken) =>
        HeldAsync(() => base.ScanUnpublishedAsync(acceptedBefore, limit, cancellationToken));

    private async Task<T> HeldAsync<T>(Func<Task<T>> call)
    {
        var answer = await call();
        if (Interlocked.Exchange(ref _called, 1) == 0)
        {
            await gate.ArriveAsync();
        }

        return answer;
    }
}
