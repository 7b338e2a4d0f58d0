using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Vapora.Contracts;
using Vapora.WorkflowApi.Internal;
using Vapora.WorkflowApi.Lifecycle;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>
/// The workflow rules, written once for every store, on top of the primitives of <see cref="IStoragePrimitives"/>:
/// read the latest version, check If-Match and the lifecycle, apply the change, encode it once and append it as the
/// next version: the commit point, where these methods end (<see cref="UpdateWriter"/> finishes a write: summary,
/// publish). A writer that loses the race for a version tries again on top of the winner's, backing off exponentially
/// up to <c>Storage:ContentionTimeout</c>; so does one whose If-Match names a version its read does not show yet but
/// the store has. Writes with an Idempotency-Key go through the key first (WorkflowRules.Idempotency.cs). Reads answer
/// from the log, lists from the summaries.
/// </summary>
public sealed partial class WorkflowRules
{
    private static readonly ResiliencePropertyKey<long> StartedAt = new("vapora.update.started");

    private readonly IStoragePrimitives _storage;
    private readonly TimeProvider _time;
    private readonly TimeSpan _keyLifetime;
    private readonly ILogger<WorkflowRules> _logger;
    private readonly ResiliencePipeline<UpdateOutcome> _contention;

    /// <summary>Creates the write path over <paramref name="storage"/>.</summary>
    public WorkflowRules(IStoragePrimitives storage, TimeProvider time, IOptions<StorageOptions> options, IOptions<RetentionOptions> retention,
        ILogger<WorkflowRules> logger)
    {
        _storage = storage;
        _time = time;
        _keyLifetime = retention.Value.IdempotencyKeyLifetime;
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

    /// <summary>Stores a new workflow at version 1, honouring its subject's idempotency key.</summary>
    public async Task<CreateOutcome> CreateAsync(NewWorkflow workflow, CancellationToken cancellationToken)
    {
        var first = workflow.FirstEntry();
        if (workflow.Idempotency is { } request)
        {
            // The key is claimed before version 1 exists, so two racing creates cannot both make a workflow.
            var now = _time.GetUtcNow();
            var claim = new IdempotencyClaim(request.Key, request.Fingerprint, first, ExpiryFrom(now));
            var holder = await _storage.ClaimIdempotencyKeyAsync(claim, now, cancellationToken);
            if (!ReferenceEquals(holder, claim))
            {
                if (holder.Fingerprint != request.Fingerprint)
                {
                    return new CreateOutcome.KeyReused();
                }

                // The first request may have stopped between claiming the key and storing version 1: finish it. (The key
                // expires long before the workflow could be compacted or deleted, so this never brings one back.)
                var finished = await _storage.TryAppendAsync(holder.Planned, cancellationToken);
                return new CreateOutcome.Replayed(holder.Planned, finished);
            }
        }

        var stored = await _storage.TryAppendAsync(first, cancellationToken);
        if (!stored && workflow.Idempotency is null)
        {
            throw new InvalidOperationException($"Workflow id {first.WorkflowId} was generated twice.");
        }

        // Stored now, or (with a key) a moment ago by a retry of this very request that found the key between this
        // request's claim and its append, and stored this version 1: the key holds it in full. Created either way.
        return new CreateOutcome.Created(first, stored);
    }

    /// <summary>Applies one change as the next version, honouring the subject's idempotency key when there is one.</summary>
    /// <param name="expectedVersion">From If-Match: the change applies only if this is the current version.</param>
    public async Task<UpdateOutcome> UpdateAsync(string workflowId, WorkflowChange change, long? expectedVersion, IdempotentRequest? idempotency,
        CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(StartedAt, _time.GetTimestamp());
        try
        {
            var write = new PendingWrite(workflowId, change, expectedVersion, idempotency);
            var outcome = await _contention.ExecuteAsync(
                static (context, state) => state.Rules.TryUpdateAsync(state.Write, context.CancellationToken),
                context,
                (Rules: this, Write: write));
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

    /// <summary>
    /// Updates with version greater than <paramref name="afterVersion"/>, oldest first, at most <paramref name="limit"/>.
    /// A compacted history starts at the workflow's last version: the first returned lies above <paramref name="afterVersion"/> + 1.
    /// </summary>
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

    private ValueTask<UpdateOutcome> TryUpdateAsync(PendingWrite write, CancellationToken cancellationToken) =>
        write.Idempotency is null ? TryFreeUpdateAsync(write, cancellationToken) : TryKeyedUpdateAsync(write, cancellationToken);

    private async ValueTask<UpdateOutcome> TryFreeUpdateAsync(PendingWrite write, CancellationToken cancellationToken)
    {
        var latest = await _storage.ReadLatestAsync(write.WorkflowId, cancellationToken);
        if (latest is null)
        {
            return new UpdateOutcome.NotFound();
        }

        var (next, refused) = await DecideAsync(write, latest, cancellationToken);
        if (next is null)
        {
            return refused!;
        }

        return await _storage.TryAppendAsync(next, cancellationToken)
            ? new UpdateOutcome.Applied(next)
            : new UpdateOutcome.Contended(); // Lost this version to another writer; retried on top of theirs.
    }

    // The next entry the change makes on top of latest, or why it makes none.
    private async ValueTask<(LogEntry? Next, UpdateOutcome? Refused)> DecideAsync(PendingWrite write, LogEntry latest, CancellationToken cancellationToken)
    {
        var current = latest.Update.Update;
        if (write.ExpectedVersion is { } expected && expected != current.Version)
        {
            // A version above the one read: just after a MongoDB failover the majority read may lag what was acknowledged
            // (the client has its ETag). When the store has it, this is a race to wait out, not a refusal.
            if (expected > current.Version && await _storage.ReadNewestVersionAsync(write.WorkflowId, cancellationToken) >= expected)
            {
                return (null, new UpdateOutcome.Contended());
            }

            return (null, new UpdateOutcome.VersionMismatch(current.Version));
        }

        var result = write.Change.ApplyTo(current, _time.GetUtcNow());
        if (result.Rejection is { } rejection)
        {
            return (null, new UpdateOutcome.Rejected(rejection));
        }

        return (new LogEntry(StoredUpdate.Encode(result.Update!), latest.Name, latest.CreatedAt), null);
    }

    // One PATCH across the attempts of the contention retry; Claimed once this request's claim of its key won.
    private sealed class PendingWrite(string workflowId, WorkflowChange change, long? expectedVersion, IdempotentRequest? idempotency)
    {
        public string WorkflowId { get; } = workflowId;

        public WorkflowChange Change { get; } = change;

        public long? ExpectedVersion { get; } = expectedVersion;

        public IdempotentRequest? Idempotency { get; } = idempotency;

        public bool Claimed { get; set; }
    }
}
