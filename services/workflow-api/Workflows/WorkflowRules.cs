using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Vapora.Contracts;
using Vapora.WorkflowApi.Internal;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>
/// The workflow rules, written once for every store, on top of the primitives of <see cref="IStoragePrimitives"/>:
/// read the latest version, check If-Match and the lifecycle, apply the change, encode it once and append it as the
/// next version: the commit point, where these methods end (<see cref="UpdateWriter"/> finishes a write: summary,
/// publish). A writer that loses the race for a version tries again on top of the winner's, backing off exponentially
/// up to <c>Storage:ContentionTimeout</c>. Reads answer from the log, lists from the summaries.
/// </summary>
public sealed class WorkflowRules
{
    private static readonly ResiliencePropertyKey<long> StartedAt = new("vapora.update.started");

    private readonly IStoragePrimitives _storage;
    private readonly TimeProvider _time;
    private readonly ILogger<WorkflowRules> _logger;
    private readonly ResiliencePipeline<UpdateOutcome> _contention;

    /// <summary>Creates the write path over <paramref name="storage"/>.</summary>
    public WorkflowRules(IStoragePrimitives storage, TimeProvider time, IOptions<StorageOptions> options, ILogger<WorkflowRules> logger)
    {
        _storage = storage;
        _time = time;
        _logger = logger;
        var bound = options.Value.ContentionTimeout;
        _contention = new ResiliencePipelineBuilder<UpdateOutcome> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<UpdateOutcome>
            {
                // Only a lost race is retried, and only while the time bound lasts: a writer that keeps losing waits
                // like the others instead of giving up after a number of tries.
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is UpdateOutcome.Contended
                    && time.GetElapsedTime(args.Context.Properties.GetValue(StartedAt, 0)) < bound),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(2),
                MaxDelay = options.Value.ContentionMaxDelay,
            })
            .Build();
    }

    /// <summary>Stores a new workflow at version 1, honouring its idempotency key.</summary>
    public async Task<CreateOutcome> CreateAsync(NewWorkflow workflow, CancellationToken cancellationToken)
    {
        var first = workflow.FirstEntry();
        if (workflow is { IdempotencyKey: { } key, RequestFingerprint: { } fingerprint })
        {
            // The key is claimed before version 1 exists, so two racing creates cannot both make a workflow.
            var holder = await _storage.ClaimIdempotencyKeyAsync(new IdempotencyClaim(key, fingerprint, first), cancellationToken);
            if (holder.First.WorkflowId != first.WorkflowId)
            {
                if (holder.Fingerprint != fingerprint)
                {
                    return new CreateOutcome.KeyReused(holder.First.WorkflowId);
                }

                // The first request may have stopped between claiming the key and storing version 1: finish it.
                var finished = await _storage.TryAppendAsync(holder.First, cancellationToken);
                return new CreateOutcome.Replayed(holder.First, finished);
            }
        }

        if (!await _storage.TryAppendAsync(first, cancellationToken) && workflow.IdempotencyKey is null)
        {
            throw new InvalidOperationException($"Workflow id {first.WorkflowId} was generated twice.");
        }

        // Stored now, or (with a key) a moment ago by a retry of this very request that found the key between this
        // request's claim and its append, and stored this version 1: the key holds it in full. Created either way.
        return new CreateOutcome.Created(first);
    }

    /// <summary>Applies one change as the next version.</summary>
    /// <param name="expectedVersion">From If-Match: the change applies only if this is the current version.</param>
    public async Task<UpdateOutcome> UpdateAsync(string workflowId, WorkflowChange change, long? expectedVersion, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(StartedAt, _time.GetTimestamp());
        try
        {
            var outcome = await _contention.ExecuteAsync(
                static (context, state) => state.Store.TryUpdateAsync(state.WorkflowId, state.Change, state.ExpectedVersion, context.CancellationToken),
                context,
                (Store: this, WorkflowId: workflowId, Change: change, ExpectedVersion: expectedVersion));
            if (outcome is UpdateOutcome.Contended)
            {
                ApiLog.Contended(_logger, workflowId, _time.GetElapsedTime(context.Properties.GetValue(StartedAt, 0)));
            }

            return outcome;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>The current state, or null when there is no such workflow.</summary>
    public async Task<WorkflowState?> GetAsync(string workflowId, CancellationToken cancellationToken) =>
        (await _storage.ReadLatestAsync(workflowId, cancellationToken))?.ToState();

    /// <summary>Updates with version greater than <paramref name="afterVersion"/>, oldest first, at most <paramref name="limit"/>.</summary>
    public async Task<HistoryOutcome> GetHistoryAsync(string workflowId, long afterVersion, int limit, CancellationToken cancellationToken)
    {
        var updates = await _storage.ReadRangeAsync(workflowId, afterVersion, limit, cancellationToken);
        return updates.Count == 0 && await _storage.ReadLatestAsync(workflowId, cancellationToken) is null
            ? new HistoryOutcome.NotFound()
            : new HistoryOutcome.Found(updates);
    }

    /// <summary>Workflows newest first, optionally of one status, continuing after <paramref name="cursor"/>.</summary>
    public async Task<WorkflowPage> ListAsync(WorkflowStatus? status, string? cursor, int limit, CancellationToken cancellationToken)
    {
        var items = await _storage.ListSummariesAsync(status, cursor, limit + 1, cancellationToken);
        return items.Count > limit
            ? new WorkflowPage { Items = items.Take(limit).ToList(), NextCursor = items[limit - 1].WorkflowId }
            : new WorkflowPage { Items = items, NextCursor = null };
    }

    private async ValueTask<UpdateOutcome> TryUpdateAsync(string workflowId, WorkflowChange change, long? expectedVersion, CancellationToken cancellationToken)
    {
        var latest = await _storage.ReadLatestAsync(workflowId, cancellationToken);
        if (latest is null)
        {
            return new UpdateOutcome.NotFound();
        }

        var current = latest.Update.Update;
        if (expectedVersion is { } expected && expected != current.Version)
        {
            return new UpdateOutcome.VersionMismatch(current.Version);
        }

        var result = change.ApplyTo(current, _time.GetUtcNow());
        if (result.Rejection is { } rejection)
        {
            return new UpdateOutcome.Rejected(rejection);
        }

        var next = new LogEntry(StoredUpdate.Encode(result.Update!), latest.Name, latest.CreatedAt);
        if (!await _storage.TryAppendAsync(next, cancellationToken))
        {
            return new UpdateOutcome.Contended(); // Lost this version to another writer; retried on top of theirs.
        }

        return new UpdateOutcome.Applied(next);
    }
}
