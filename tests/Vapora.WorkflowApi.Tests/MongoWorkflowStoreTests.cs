using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MongoDB.Driver;
using Vapora.WorkflowApi.Persistence;
using Vapora.Testing;
using Vapora.WorkflowApi.Persistence.Mongo;

namespace Vapora.WorkflowApi.Tests;

/// <summary>The store contract against a real MongoDB; skipped, with the reason, where none is reachable.</summary>
public sealed class MongoWorkflowStoreTests(MongoFixture mongo) : WorkflowStoreContract, IClassFixture<MongoFixture>, IAsyncLifetime
{
    private readonly string _database = "vapora_test_" + Guid.NewGuid().ToString("N");

    protected override async Task<IWorkflowStore> CreateStoreAsync() => await OpenAsync();

    protected override async Task<IWorkflowStore> OpenSecondWriterAsync(IWorkflowStore first) => await OpenAsync();

    public ValueTask InitializeAsync()
    {
        if (mongo.Server.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (mongo.Server.ConnectionString is { } cs)
        {
            await new MongoClient(cs).DropDatabaseAsync(_database);
        }
    }

    // Each call is a separate client, as a separate API process would have.
    private async Task<MongoWorkflowStore> OpenAsync()
    {
        var database = new MongoClient(mongo.Server.ConnectionString).GetDatabase(_database);
        var indexes = new MongoIndexes(database, NullLogger<MongoIndexes>.Instance);
        await indexes.EnsureAsync(TestContext.Current.CancellationToken);
        return new MongoWorkflowStore(database, indexes, TimeProvider.System, Options.Create(new MongoStoreOptions()));
    }
}

/// <summary>One MongoDB (or the reason there is none) for the test class.</summary>
public sealed class MongoFixture : IAsyncLifetime
{
    public MongoServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await MongoServer.StartAsync();

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
