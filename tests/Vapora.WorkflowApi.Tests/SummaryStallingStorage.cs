using Microsoft.Extensions.Time.Testing;
using Vapora.Contracts;
using Vapora.WorkflowApi.Messaging;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Workflows;

namespace Vapora.WorkflowApi.Tests;

/// <summary>A summary write that stalls until its caller gives up, while the clock moves on by <paramref name="stall"/>.</summary>
internal sealed class SummaryStallingStorage(IStoragePrimitives inner, FakeTimeProvider clock, TimeSpan stall)
    : DelegatingStorage(inner)
{
    public override async Task<bool> UpsertSummaryAsync(LogEntry entry, CancellationToken cancellationToken)
    {
        var stalled = Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        clock.Advance(stall);
        await stalled;
        return true;
    }
}
