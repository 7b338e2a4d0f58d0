using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Tests;

/// <summary>
/// Its first <paramref name="staleReads"/> reads of a workflow's latest entry return the version before it, as a
/// MongoDB majority read can just after a failover (the new primary's majority snapshot lags what was acknowledged).
/// </summary>
internal sealed class LaggingReadStorage(IStoragePrimitives inner, int staleReads) : DelegatingStorage(inner)
{
    private readonly int _stale = staleReads;
    private int _left = staleReads;

    public int StaleReadsServed => _stale - Math.Max(0, Volatile.Read(ref _left));

    public override async Task<LogEntry?> ReadLatestAsync(string workflowId, CancellationToken cancellationToken)
    {
        var latest = await base.ReadLatestAsync(workflowId, cancellationToken);
        if (latest is null || latest.Version < 2 || Interlocked.Decrement(ref _left) < 0)
        {
            return latest;
        }

        var before = Assert.Single(await ReadRangeAsync(workflowId, latest.Version - 2, 1, cancellationToken));
        return new LogEntry(before, latest.Name, latest.CreatedAt);
    }
}
