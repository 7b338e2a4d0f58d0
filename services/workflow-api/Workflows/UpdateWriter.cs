using Vapora.WorkflowApi.Internal;
using Vapora.WorkflowApi.Messaging;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>
/// A write from start to end, the one place that runs store-then-publish (invariant 2): <see cref="WorkflowRules"/>
/// decides and appends the new version (the commit point), then the writer finishes it: moves the workflow's summary,
/// publishes the update and, when both worked, marks it published so that the outbox relay leaves it alone. What
/// cannot be finished now (a summary write fails, Redis is away, the process dies) the relay finishes later, from
/// the store. Once appended, the write has succeeded: nothing after the commit point fails the request.
/// </summary>
public sealed class UpdateWriter(
    WorkflowRules rules,
    IStoragePrimitives storage,
    UpdateDispatcher dispatcher,
    PublishedMarks marks,
    ApiMetrics metrics,
    ILogger<UpdateWriter> logger)
{
    /// <summary>Creates a workflow; <paramref name="deadline"/> bounds the store work, not the publish.</summary>
    public async Task<CreateOutcome> CreateAsync(NewWorkflow workflow, RequestDeadline deadline)
    {
        var outcome = await rules.CreateAsync(workflow, deadline.Token);
        switch (outcome)
        {
            case CreateOutcome.Created created:
                ApiLog.Created(logger, created.First.WorkflowId);
                // Stored by a retry of this request instead: that retry finishes it.
                if (created.StoredNow)
                {
                    await FinishAsync(created.First, deadline);
                }

                break;
            case CreateOutcome.Replayed { FinishedNow: true } replayed:
                await FinishAsync(replayed.First, deadline);
                break;
        }

        return outcome;
    }

    /// <summary>Applies one change as the next version; <paramref name="deadline"/> bounds the store work, not the publish.</summary>
    public async Task<UpdateOutcome> UpdateAsync(string workflowId, WorkflowChange change, long? expectedVersion, IdempotentRequest? idempotency,
        RequestDeadline deadline)
    {
        var outcome = await rules.UpdateAsync(workflowId, change, expectedVersion, idempotency, deadline.Token);
        // Whichever request stored the entry finishes it, once.
        switch (outcome)
        {
            case UpdateOutcome.Applied { StoredNow: true } applied:
                await FinishAsync(applied.Entry, deadline);
                break;
            case UpdateOutcome.Replayed { FinishedNow: true } replayed:
                await FinishAsync(replayed.Entry, deadline);
                break;
        }

        return outcome;
    }

    private async Task FinishAsync(LogEntry entry, RequestDeadline deadline)
    {
        metrics.Accepted();
        var summaryMoved = await MoveSummaryAsync(entry, deadline.Token);
        // The publish has its own bound (Publishing:PublishTimeout): past this point the deadline cannot turn a
        // stored write into a 503. Had it passed already, the request still answers 503 after publishing.
        deadline.TryStop();
        // A summary still behind keeps the entry in the outbox even when published: the relay moves the summary
        // (and publishes again, which gateways drop as a duplicate).
        if (await dispatcher.PublishAsync(entry.Update) && summaryMoved)
        {
            marks.Add(entry.Key);
        }
    }

    private async Task<bool> MoveSummaryAsync(LogEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await storage.UpsertSummaryAsync(entry, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            ApiLog.SummaryDeferred(logger, entry.WorkflowId, entry.Version, ex);
            return false;
        }
    }
}
