using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>A write sent with an Idempotency-Key: its subject's key, and what tells a retry from another request reusing it.</summary>
/// <param name="Fingerprint">A hash of the request: method, target, If-Match and body.</param>
public sealed record IdempotentRequest(SubjectKey Key, string Fingerprint);
