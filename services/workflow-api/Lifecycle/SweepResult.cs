using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Lifecycle;

/// <summary>What one sweep did.</summary>
public readonly record struct SweepResult(RetentionResult Compacted, RetentionResult Deleted, long KeysExpired);
