using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Tests;

public sealed class InMemoryStorageTests : WorkflowStoreContract
{
    protected override Task<IWorkflowStorage> CreateStorageAsync(TimeProvider? time = null) =>
        Task.FromResult<IWorkflowStorage>(StoreHarness.Memory(time));

    protected override Task<IWorkflowStorage> OpenSecondStorageAsync(IWorkflowStorage first) => Task.FromResult(first);
}
