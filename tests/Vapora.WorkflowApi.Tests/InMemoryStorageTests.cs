using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Tests;

public sealed class InMemoryStorageTests : WorkflowStoreContract
{
    protected override Task<IStoragePrimitives> CreateStorageAsync(TimeProvider? time = null) =>
        Task.FromResult<IStoragePrimitives>(StoreHarness.Memory(time));

    protected override Task<IStoragePrimitives> OpenSecondStorageAsync(IStoragePrimitives first) => Task.FromResult(first);
}
