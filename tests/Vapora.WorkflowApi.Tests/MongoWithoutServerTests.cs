using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using MongoDB.Driver;
using Vapora.Contracts;
using Vapora.Testing;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Persistence.Mongo;
using static Vapora.WorkflowApi.Tests.StoreHarness;

namespace Vapora.WorkflowApi.Tests;

/// <summary>What the MongoDB store does that can be shown without a mongod: bounds, settings and reading stored data.</summary>
public sealed class MongoWithoutServerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_call_with_mongodb_unreachable_returns_within_the_bound()
    {
        var bound = TimeSpan.FromSeconds(1);
        var database = new MongoClient(MongoClientFactory.CreateSettings(ClosedPortUrl(), new MongoStoreOptions(), TimeSpan.FromSeconds(5))).GetDatabase("vapora");
        var indexes = new MongoIndexes(database, NullLogger<MongoIndexes>.Instance);
        var store = Rules(Bounded(new MongoStorage(database, indexes, TimeProvider.System), new StorageOptions { OperationTimeout = bound }));
        var watch = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.UpdateAsync("wf_x", Step(1), null, null, Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct));

        Assert.InRange(watch.Elapsed, bound * 0.9, bound + TimeSpan.FromSeconds(1));
        Assert.Equal("read_latest", failure.Operation);
    }

    [Fact]
    public async Task While_mongodb_is_unreachable_a_call_fails_when_server_selection_does_not_only_at_the_bound()
    {
        var options = new MongoStoreOptions { ServerSelectionTimeout = TimeSpan.FromMilliseconds(500) };
        var database = new MongoClient(MongoClientFactory.CreateSettings(ClosedPortUrl(), options, TimeSpan.FromSeconds(5))).GetDatabase("vapora");
        var storage = Bounded(new MongoStorage(database, new MongoIndexes(database, NullLogger<MongoIndexes>.Instance), TimeProvider.System),
            new StorageOptions { OperationTimeout = TimeSpan.FromSeconds(10) });
        var watch = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<StoreUnavailableException>(() => storage.ReadLatestAsync("wf_x", Ct).WaitAsync(TimeSpan.FromSeconds(20), Ct));

        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(4));
        Assert.IsType<TimeoutException>(failure.InnerException);
    }

    [Fact]
    public async Task Server_selection_gives_up_after_the_configured_timeout_not_the_drivers_thirty_seconds()
    {
        var options = new MongoStoreOptions { ServerSelectionTimeout = TimeSpan.FromMilliseconds(500) };
        var database = new MongoClient(MongoClientFactory.CreateSettings(ClosedPortUrl(), options, TimeSpan.FromSeconds(5))).GetDatabase("vapora");
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAsync<TimeoutException>(() => new MongoIndexes(database, NullLogger<MongoIndexes>.Instance).EnsureAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct));

        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void Durability_is_set_in_code_with_wtimeout_just_below_the_call_bound_and_timeouts_named_in_the_url_win()
    {
        var fromDefaults = MongoClientFactory.CreateSettings("mongodb://db:27017/vapora?w=1&readConcernLevel=local&wtimeoutMS=60000", new MongoStoreOptions(), TimeSpan.FromSeconds(5));
        var fromUrl = MongoClientFactory.CreateSettings("mongodb://db:27017/?serverSelectionTimeoutMS=1500&CONNECTTIMEOUTMS=2500", new MongoStoreOptions(), TimeSpan.FromSeconds(1));

        // MongoDB gives up waiting for a majority, and answers, before the API abandons the call (Storage:OperationTimeout).
        Assert.Equal(WriteConcern.WMajority.With(journal: true, wTimeout: TimeSpan.FromMilliseconds(4500)), fromDefaults.WriteConcern);
        Assert.Equal(TimeSpan.FromMilliseconds(900), fromUrl.WriteConcern.WTimeout);
        Assert.Equal(ReadConcern.Majority, fromDefaults.ReadConcern);
        Assert.Equal(ReadPreference.Primary, fromDefaults.ReadPreference);
        Assert.Equal((TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)), (fromDefaults.ServerSelectionTimeout, fromDefaults.ConnectTimeout));
        Assert.Equal((TimeSpan.FromMilliseconds(1500), TimeSpan.FromMilliseconds(2500)), (fromUrl.ServerSelectionTimeout, fromUrl.ConnectTimeout));
        Assert.Equal("vapora", MongoClientFactory.DatabaseName("mongodb://db:27017/?replicaSet=rs0", new MongoStoreOptions()));
    }

    [Fact]
    public void A_summary_with_an_unknown_status_reads_as_an_error()
    {
        static WorkflowDocument Summary(string status) => new()
        {
            Id = "wf_x", Name = "n", Status = status, Version = 2, CreatedAt = DateTime.UtcNow, Timestamp = DateTime.UtcNow,
        };

        var error = Assert.Throws<StoredDataException>(Summary("paused").ToState);

        Assert.Contains("paused", error.Message, StringComparison.Ordinal);
        Assert.Equal(WorkflowStatus.Cancelled, Summary("cancelled").ToState().Status);
    }

    // A port nothing listens on.
    private static string ClosedPortUrl() => $"mongodb://127.0.0.1:{TestPorts.GetFree()}/vapora?directConnection=true";
}
