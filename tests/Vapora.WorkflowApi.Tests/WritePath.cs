using Vapora.Contracts;
using Vapora.WorkflowApi.Messaging;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Workflows;

namespace Vapora.WorkflowApi.Tests;

/// <summary>Writes through <see cref="Workflows.UpdateWriter"/> without a deadline; reads through <see cref="WorkflowRules"/>.</summary>
internal sealed class WritePath(UpdateWriter writer, WorkflowRules rules)
{
    public Task<CreateOutcome> CreateAsync(NewWorkflow workflow) => writer.CreateAsync(workflow, RequestDeadline.None);

    public Task<UpdateOutcome> UpdateAsync(string workflowId, WorkflowChange change, long? expectedVersion = null, IdempotentRequest? key = null) =>
        writer.UpdateAsync(workflowId, change, expectedVersion, key, RequestDeadline.None);

    public Task<WorkflowState?> GetAsync(string workflowId, CancellationToken cancellationToken) => rules.GetAsync(workflowId, cancellationToken);

    public Task<HistoryOutcome> GetHistoryAsync(string workflowId, long afterVersion, int limit, CancellationToken cancellationToken) =>
        rules.GetHistoryAsync(workflowId, afterVersion, limit, cancellationToken);

    public Task<WorkflowPage> ListAsync(WorkflowStatus? status, string? cursor, int limit, CancellationToken cancellationToken) =>
        rules.ListAsync(status, cursor, limit, cancellationToken);
}
