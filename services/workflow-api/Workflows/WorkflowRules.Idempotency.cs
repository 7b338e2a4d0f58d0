using Vapora.Contracts;
using Vapora.WorkflowApi.Persistence;
using Vapora.Contracts.Serialization;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>
/// A PATCH with an Idempotency-Key. Its subject's key is claimed with the entry the PATCH plans to store, before it is
/// stored; a retry that finds the key finishes that plan instead of applying the change again. The log tells whether
/// the plan was stored: the entry at its version is exactly the planned one. When another writer took that version
/// first, the plan is made again on top of the winner's (<see cref="IStoragePrimitives.ReplanIdempotencyClaimAsync"/>:
/// of two requests doing so at once, one wins), so the key stores at most one entry, whichever request stores it.
/// </summary>
public sealed partial class WorkflowRules
{
    private async ValueTask<UpdateOutcome> TryKeyedUpdateAsync(PendingWrite write, CancellationToken cancellationToken)
    {
        var request = write.Idempotency!;
        var now = _time.GetUtcNow();
        var holder = await _storage.FindIdempotencyClaimAsync(request.Key, now, cancellationToken);
        if (holder is null)
        {
            var latest = await _storage.ReadLatestAsync(write.WorkflowId, cancellationToken);
            if (latest is null)
            {
                return new UpdateOutcome.NotFound();
            }

            // A refused change claims nothing: its retry is decided afresh, and refused alike.
            var (next, refused) = await DecideAsync(write, latest, cancellationToken);
            if (next is null)
            {
                return refused!;
            }

            var claim = new IdempotencyClaim(request.Key, request.Fingerprint, next, ExpiryFrom(now));
            holder = await _storage.ClaimIdempotencyKeyAsync(claim, now, cancellationToken);
            if (ReferenceEquals(holder, claim))
            {
                write.Claimed = true;
                return await _storage.TryAppendAsync(next, cancellationToken) ? new UpdateOutcome.Applied(next) : new UpdateOutcome.Contended();
            }
        }

        return await FinishPlanAsync(write, holder, cancellationToken);
    }

    // The key is held: by this request (a later attempt), by a retry of it, or by another request reusing the key.
    private async ValueTask<UpdateOutcome> FinishPlanAsync(PendingWrite write, IdempotencyClaim holder, CancellationToken cancellationToken)
    {
        if (holder.Fingerprint != write.Idempotency!.Fingerprint)
        {
            return new UpdateOutcome.KeyReused();
        }

        var planned = holder.Planned;
        var latest = await _storage.ReadLatestAsync(write.WorkflowId, cancellationToken);
        if (latest is null)
        {
            return new UpdateOutcome.NotFound();
        }

        if (latest.Version + 1 == planned.Version)
        {
            // Not stored yet: its request stopped, or is about to store it. Whoever stores it answers for it.
            return await _storage.TryAppendAsync(planned, cancellationToken) ? Done(write, planned, storedNow: true) : new UpdateOutcome.Contended();
        }

        if (latest.Version < planned.Version)
        {
            return new UpdateOutcome.Contended(); // The read lags the plan, made on a newer one.
        }

        var atPlanned = await _storage.ReadRangeAsync(write.WorkflowId, planned.Version - 1, 1, cancellationToken);
        if (atPlanned is [var stored] && stored.Update.Version == planned.Version)
        {
            if (stored.Json.Span.SequenceEqual(planned.Update.Json.Span))
            {
                return Done(write, planned, storedNow: false);
            }

            // Another writer took the planned version: plan the change again on top of the latest.
            var (next, refused) = await DecideAsync(write, latest, cancellationToken);
            if (next is null)
            {
                return refused!;
            }

            return await _storage.ReplanIdempotencyClaimAsync(holder, next, cancellationToken) && await _storage.TryAppendAsync(next, cancellationToken)
                ? Done(write, next, storedNow: true)
                : new UpdateOutcome.Contended();
        }

        // Compacted away (the workflow ended since): whether the plan was stored cannot be told, and nothing follows a
        // terminal status, so the change is decided on the latest alone; it is refused.
        var (_, decided) = await DecideAsync(write, latest, cancellationToken);
        return decided ?? new UpdateOutcome.Contended();
    }

    // The request whose claim won answers as the write; any other request with the same key answers as a replay.
    private static UpdateOutcome Done(PendingWrite write, LogEntry entry, bool storedNow) =>
        write.Claimed ? new UpdateOutcome.Applied(entry, storedNow) : new UpdateOutcome.Replayed(entry, storedNow);

    // Whole milliseconds, as the stores keep it, so that the claim read back is equal to the one written.
    private DateTimeOffset ExpiryFrom(DateTimeOffset now) => UtcTimestampJsonConverter.Truncate(now + _keyLifetime);

}
