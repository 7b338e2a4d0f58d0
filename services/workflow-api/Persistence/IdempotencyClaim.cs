namespace Vapora.WorkflowApi.Persistence;

/// <summary>
/// An Idempotency-Key of one subject, held by the write that came first: what tells a retry (same fingerprint) from
/// another request reusing the key, and the entry that write stores. For a create that is its version 1 in full; for
/// a PATCH, the next version as last planned (a plan that loses its version to another writer is planned again on top
/// of the winner's, <see cref="IStoragePrimitives.ReplanIdempotencyClaimAsync"/>). So a retry that finds the key can
/// tell whether the write was stored (the log holds exactly this entry), and finish it if its first request stopped
/// between claiming the key and storing the entry.
/// </summary>
/// <param name="Fingerprint">A hash of the request (method, target, If-Match, body).</param>
/// <param name="Planned">The entry this key stores, or stored.</param>
/// <param name="ExpiresAt">After this the key is free again (<c>Retention:IdempotencyKeyLifetime</c> after the claim).</param>
public sealed record IdempotencyClaim(SubjectKey Key, string Fingerprint, LogEntry Planned, DateTimeOffset ExpiresAt);
