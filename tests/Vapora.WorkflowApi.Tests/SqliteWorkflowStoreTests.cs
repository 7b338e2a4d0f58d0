using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Persistence.Sqlite;

namespace Vapora.WorkflowApi.Tests;

/// <summary>The store contract against a real SQLite file (a second writer is a second store on the same file).</summary>
public sealed class SqliteWorkflowStoreTests : WorkflowStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vapora-sqlite-").FullName;

    private string ConnectionString => $"Data Source={Path.Combine(_directory, "vapora.db")};Pooling=False";

    protected override Task<IWorkflowStore> CreateStoreAsync() =>
        Task.FromResult<IWorkflowStore>(new SqliteWorkflowStore(ConnectionString, TimeProvider.System));

    protected override Task<IWorkflowStore> OpenSecondWriterAsync(IWorkflowStore first) => CreateStoreAsync();

    [Fact]
    public async Task Updates_survive_reopening_the_file()
    {
        var store = await CreateStoreAsync();
        var now = Contracts.UtcTimestampJsonConverter.Truncate(DateTimeOffset.UtcNow);
        var created = (CreateOutcome.Created)await store.CreateAsync(new NewWorkflow("wf_durable", "durable", 3, null, now, null, null), TestContext.Current.CancellationToken);
        await store.UpdateAsync(created.State.WorkflowId, new Workflows.WorkflowChange(Contracts.WorkflowStatus.Running, 1, null, null), null, TestContext.Current.CancellationToken);

        var reopened = await CreateStoreAsync();

        Assert.Equal(2, (await reopened.GetAsync("wf_durable", TestContext.Current.CancellationToken))!.Version);
        Assert.Equal(2, (await reopened.GetUnpublishedAsync(DateTimeOffset.UtcNow.AddSeconds(1), 10, TestContext.Current.CancellationToken)).Count);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
