using Microsoft.Extensions.Logging.Abstractions;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Persistence.Memory;

namespace Vapora.WorkflowApi.Tests;

public sealed class InMemoryStorageTests : WorkflowStoreContract
{
    protected override Task<IWorkflowStorage> CreateStorageAsync(TimeProvider? time = null) =>
        Task.FromResult<IWorkflowStorage>(new InMemoryStorage(time ?? TimeProvider.System, NullLogger<InMemoryStorage>.Instance));

    protected override Task<IWorkflowStorage> OpenSecondStorageAsync(IWorkflowStorage first) => Task.FromResult(first);
}
