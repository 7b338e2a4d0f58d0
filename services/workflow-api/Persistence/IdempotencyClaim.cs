namespace Vapora.WorkflowApi.Persistence;

/// <summary>
/// An Idempotency-Key held by the create that came first. It carries that create's version 1 in full, so a retry
/// that finds the key can finish a create whose process stopped between claiming the key and storing version 1.
/// </summary>
/// <param name="Fingerprint">A hash of the request body, to tell a retry from a different request reusing the key.</param>
public sealed record IdempotencyClaim(string Key, string Fingerprint, LogEntry First);
