using MongoDB.Driver;

namespace Vapora.WorkflowApi.Persistence.Mongo;

/// <summary>Idempotency keys, per subject, until they expire (collection <c>idempotency_keys</c>; each call names its <c>_id</c>).</summary>
internal sealed partial class MongoStorage
{
    private static FilterDefinitionBuilder<IdempotencyDocument> Key => Builders<IdempotencyDocument>.Filter;

    public async Task<IdempotencyClaim?> FindIdempotencyClaimAsync(SubjectKey key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await indexes.WaitAsync(cancellationToken);
        var held = await _keys.Find(Key.Eq(k => k.Id, IdempotencyDocument.IdOf(key)) & Key.Gt(k => k.ExpiresAt, now.UtcDateTime))
            .FirstOrDefaultAsync(cancellationToken);
        return held?.ToClaim();
    }

    public async Task<IdempotencyClaim> ClaimIdempotencyKeyAsync(IdempotencyClaim claim, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await indexes.WaitAsync(cancellationToken);
        var document = IdempotencyDocument.From(claim);
        while (true)
        {
            try
            {
                await _keys.InsertOneAsync(document, cancellationToken: cancellationToken);
                return claim;
            }
            catch (MongoWriteException ex) when (IsDuplicateKey(ex))
            {
            }

            // Read at majority: the holder's insert may not be majority-committed yet (or may be rolled back, and
            // then this claim can win); wait for one or the other, within the caller's bound.
            var holder = await _keys.Find(Key.Eq(k => k.Id, document.Id)).FirstOrDefaultAsync(cancellationToken);
            if (holder is not null && holder.ExpiresAt > now.UtcDateTime)
            {
                return holder.ToClaim();
            }

            // Expired (the TTL monitor has not deleted it yet): this claim takes its place, unless another did first.
            if (holder is not null && (await _keys.ReplaceOneAsync(
                    Key.Eq(k => k.Id, document.Id) & Key.Eq(k => k.ExpiresAt, holder.ExpiresAt), document, cancellationToken: cancellationToken)).ModifiedCount == 1)
            {
                return claim;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken);
        }
    }

    public async Task<bool> ReplanIdempotencyClaimAsync(IdempotencyClaim current, LogEntry next, CancellationToken cancellationToken)
    {
        await indexes.WaitAsync(cancellationToken);
        var replanned = await _keys.UpdateOneAsync(
            Key.Eq(k => k.Id, IdempotencyDocument.IdOf(current.Key)) & Key.Eq(k => k.WorkflowId, current.Planned.WorkflowId)
                & Key.Eq(k => k.Version, current.Planned.Version) & Key.Eq(k => k.ExpiresAt, current.ExpiresAt.UtcDateTime),
            Builders<IdempotencyDocument>.Update.Set(k => k.Version, next.Version).Set(k => k.Payload, next.Update.Json.ToArray()),
            cancellationToken: cancellationToken);
        return replanned.ModifiedCount == 1;
    }

    public async Task<long> DeleteExpiredIdempotencyKeysAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        await indexes.WaitAsync(cancellationToken);
        // The TTL index deletes expired keys by itself; this finds the ones it has not reached yet and, once, the keys of
        // the layout before subjects (no expires_at, which the TTL index never deletes).
        var expired = await _keys.Find(Key.Lte(k => k.ExpiresAt, now.UtcDateTime) | Key.Exists(k => k.ExpiresAt, false))
            .Project(k => k.Id)
            .Limit(limit)
            .ToListAsync(cancellationToken);
        if (expired.Count == 0)
        {
            return 0;
        }

        var deleted = await _keys.DeleteManyAsync(Key.In(k => k.Id, expired)
            & (Key.Lte(k => k.ExpiresAt, now.UtcDateTime) | Key.Exists(k => k.ExpiresAt, false)), cancellationToken);
        return deleted.DeletedCount;
    }
}
