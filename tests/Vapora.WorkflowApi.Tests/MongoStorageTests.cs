using Microsoft.Extensions.Logging.Abstractions;
using MongoDB.Bson;
using MongoDB.Driver;
using Vapora.Testing;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Persistence.Mongo;
using static Vapora.WorkflowApi.Tests.StoreHarness;

namespace Vapora.WorkflowApi.Tests;

/// <summary>The store contract against a real MongoDB replica set; skipped, with the reason, where none is reachable.</summary>
public sealed class MongoStorageTests(MongoFixture mongo) : WorkflowStoreContract, IClassFixture<MongoFixture>, IAsyncLifetime
{
    private readonly string _database = "vapora_test_" + Guid.NewGuid().ToString("N");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected override async Task<IStoragePrimitives> CreateStorageAsync(TimeProvider? time = null) => await OpenAsync(time);

    protected override async Task<IStoragePrimitives> OpenSecondStorageAsync(IStoragePrimitives first) => await OpenAsync(null);

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
            using var client = new MongoClient(cs);
            await client.DropDatabaseAsync(_database);
        }
    }

    [Fact]
    public async Task Acknowledged_writes_survive_a_mongod_restart()
    {
        if (mongo.Server.CannotRestartReason is { } reason)
        {
            Assert.Skip(reason);
        }

        var store = Rules(await CreateStorageAsync());
        var created = NewWorkflow("survivor");
        await store.CreateAsync(created, Ct);
        await store.UpdateAsync(created.Id, Step(1), null, null, Ct);

        await mongo.Server.RestartAsync();

        var reopened = Rules(await CreateStorageAsync());
        Assert.Equal(2, (await reopened.GetAsync(created.Id, Ct))!.Version);
        Assert.IsType<Workflows.UpdateOutcome.Applied>(await reopened.UpdateAsync(created.Id, Step(2), null, null, Ct));
    }

    [Fact]
    public async Task A_summary_with_an_unknown_status_is_an_error_not_another_status()
    {
        var storage = await CreateStorageAsync();
        using var client = new MongoClient(mongo.Server.ConnectionString);
        await client.GetDatabase(_database).GetCollection<BsonDocument>(MongoIndexes.SummaryCollection).InsertOneAsync(new BsonDocument
        {
            ["_id"] = "wf_foreign", ["name"] = "written elsewhere", ["created_at"] = DateTime.UtcNow, ["version"] = 3L,
            ["status"] = "paused", ["current_step"] = 0, ["total_steps"] = 1, ["timestamp"] = DateTime.UtcNow,
        }, cancellationToken: Ct);

        await Assert.ThrowsAsync<StoredDataException>(() => storage.ListSummariesAsync(null, null, 10, Ct));
    }

    [Fact]
    public async Task An_index_that_conflicts_with_an_existing_one_is_named_and_calls_fail_at_once()
    {
        using var client = new MongoClient(mongo.Server.ConnectionString);
        var database = client.GetDatabase(_database);
        // An index of the same name on other keys, as an older or hand-made deployment might have.
        await database.GetCollection<BsonDocument>(MongoIndexes.SummaryCollection).Indexes.CreateOneAsync(
            new CreateIndexModel<BsonDocument>(Builders<BsonDocument>.IndexKeys.Ascending("name"), new CreateIndexOptions { Name = "status_newest_first" }),
            cancellationToken: Ct);
        var indexes = new MongoIndexes(database, NullLogger<MongoIndexes>.Instance);

        var conflict = await Assert.ThrowsAsync<MongoIndexConflictException>(() => indexes.EnsureAsync(Ct));
        var call = await Assert.ThrowsAsync<MongoIndexConflictException>(() => new MongoStorage(database, indexes, TimeProvider.System).ReadLatestAsync("wf_x", Ct));

        Assert.Equal(("status_newest_first", MongoIndexes.SummaryCollection), (conflict.Index, conflict.Collection));
        Assert.Contains("status_newest_first", indexes.Conflict, StringComparison.Ordinal);
        Assert.Equal(conflict.Message, call.Message);
    }

    // Each call is a separate client, as a separate API process would have, with the API's own settings.
    private async Task<MongoStorage> OpenAsync(TimeProvider? time)
    {
        var client = new MongoClient(MongoClientFactory.CreateSettings(mongo.Server.ConnectionString!, new MongoStoreOptions(), TimeSpan.FromSeconds(5)));
        var database = client.GetDatabase(_database);
        var indexes = new MongoIndexes(database, NullLogger<MongoIndexes>.Instance);
        await indexes.EnsureAsync(Ct);
        return new MongoStorage(database, indexes, time ?? TimeProvider.System);
    }
}

/// <summary>One MongoDB (or the reason there is none) for the test class.</summary>
public sealed class MongoFixture : IAsyncLifetime
{
    public MongoServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await MongoServer.StartAsync();

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
