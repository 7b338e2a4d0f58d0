using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Tests;

public sealed class InMemoryWorkflowStoreTests : WorkflowStoreContract
{
    protected override Task<IWorkflowStore> CreateStoreAsync() =>
        Task.FromResult<IWorkflowStore>(new InMemoryWorkflowStore(TimeProvider.System));

    protected override Task<IWorkflowStore> OpenSecondWriterAsync(IWorkflowStore first) => Task.FromResult(first);
}
