using System.Collections.Concurrent;

namespace Vapora.WorkflowApi.Persistence.Memory;

/// <summary>Idempotency keys, per subject, until they expire.</summary>
public sealed partial class InMemoryStorage
{
    private readonly ConcurrentDictionary<SubjectKey, IdempotencyClaim> _keys = new();

    /// <inheritdoc />
    public Task<IdempotencyClaim?> FindIdempotencyClaimAsync(SubjectKey key, DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult(_keys.TryGetValue(key, out var claim) && claim.ExpiresAt > now ? claim : null);

    /// <inheritdoc />
    public Task<IdempotencyClaim> ClaimIdempotencyKeyAsync(IdempotencyClaim claim, DateTimeOffset now, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_keys.TryAdd(claim.Key, claim))
            {
                return Task.FromResult(claim);
            }

            if (_keys.TryGetValue(claim.Key, out var holder))
            {
                // An expired claim is no claim: this one takes its place, unless another did a moment ago.
                if (holder.ExpiresAt > now)
                {
                    return Task.FromResult(holder);
                }

                if (_keys.TryUpdate(claim.Key, claim, holder))
                {
                    return Task.FromResult(claim);
                }
            }
        }
    }

    /// <inheritdoc />
    public Task<bool> ReplanIdempotencyClaimAsync(IdempotencyClaim current, LogEntry next, CancellationToken cancellationToken)
    {
        while (_keys.TryGetValue(current.Key, out var holder) && SamePlan(holder, current))
        {
            if (_keys.TryUpdate(current.Key, holder with { Planned = next }, holder))
            {
                return Task.FromResult(true);
            }
        }

        return Task.FromResult(false);
    }

    /// <inheritdoc />
    public Task<long> DeleteExpiredIdempotencyKeysAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        long deleted = 0;
        foreach (var expired in _keys.Where(k => k.Value.ExpiresAt <= now).Take(limit).ToList())
        {
            // Only the expired claim: one that took its place meanwhile stays.
            if (((ICollection<KeyValuePair<SubjectKey, IdempotencyClaim>>)_keys).Remove(expired))
            {
                deleted++;
            }
        }

        return Task.FromResult(deleted);
    }

    private static bool SamePlan(IdempotencyClaim a, IdempotencyClaim b) => a.Planned.Key == b.Planned.Key && a.ExpiresAt == b.ExpiresAt;
}
