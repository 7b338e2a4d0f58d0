using Vapora.Contracts;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>A validated create request with its server-assigned id and time.</summary>
/// <param name="Idempotency">The client's Idempotency-Key with its subject, if it sent one.</param>
public sealed record NewWorkflow(
    string Id,
    string Name,
    int TotalSteps,
    string? Message,
    DateTimeOffset CreatedAt,
    IdempotentRequest? Idempotency)
{
    /// <summary>Version 1: pending, no step done, encoded once.</summary>
    public LogEntry FirstEntry() => new(StoredUpdate.Encode(new WorkflowUpdate
    {
        WorkflowId = Id,
        Version = 1,
        Status = WorkflowStatus.Pending,
        CurrentStep = 0,
        TotalSteps = TotalSteps,
        Message = Message,
        Timestamp = CreatedAt,
    }), Name, CreatedAt);
}
