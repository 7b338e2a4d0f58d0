using Vapora.Contracts;
using Vapora.WorkflowApi.Messaging;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Workflows;

namespace Vapora.WorkflowApi.Tests;

/// <summary>Runs <paramref name="meanwhile"/> once, right after the first key claim returns: another request between two store calls.</summary>
internal sealed class AfterFirstClaimStorage(IStoragePrimitives inner, Func<Task> meanwhile) : DelegatingStorage(inner)
{
    private int _claims;

    public override async Task<IdempotencyClaim> ClaimIdempotencyKeyAsync(IdempotencyClaim claim, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var holder = await base.ClaimIdempotencyKeyAsync(claim, now, cancellationToken);
        if (Interlocked.Increment(ref _claims) == 1)
        {
            await meanwhile();
        }

        return holder;
    }
}
