using Vapora.Contracts;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Workflows;
using static Vapora.WorkflowApi.Tests.StoreHarness;

namespace Vapora.WorkflowApi.Tests;

/// <summary>The outbox shared by the relays of several API replicas, and writes that meet a lagging read.</summary>
public abstract partial class WorkflowStoreContract
{
    [Fact]
    public async Task Two_relays_that_start_a_pass_at_the_same_moment_publish_each_entry_once_in_version_order()
    {
        var storage = await CreateStorageAsync();
        var second = await OpenSecondStorageAsync(storage);
        var id = WorkflowIdGenerator.NewId(DateTimeOffset.UtcNow);
        for (var v = 1; v <= 5; v++)
        {
            await storage.TryAppendAsync(Entry(id, v), Ct);
        }

        var gate = new PassStartGate();
        var publisher = new RecordingPublisher();

        var finished = await Task.WhenAll(
            Relay(new GatedStorage(storage, gate), publisher).RunOnceAsync(TimeSpan.Zero, Ct),
            Relay(new GatedStorage(second, gate), publisher).RunOnceAsync(TimeSpan.Zero, Ct));

        Assert.Equal(Enumerable.Range(1, 5).Select(v => new UpdateKey(id, v)), publisher.Published);
        Assert.Equal(5, finished.Sum());
        Assert.Empty(await storage.ScanUnpublishedAsync(DateTimeOffset.UtcNow.AddMinutes(1), 10, Ct));
    }

    [Fact]
    public async Task An_if_match_naming_a_version_a_lagging_read_does_not_show_yet_is_retried_until_it_does_not_refused()
    {
        var storage = await CreateStorageAsync();
        var id = await CreateAsync(WritePath(storage));
        Assert.IsType<UpdateOutcome.Applied>(await WritePath(storage).UpdateAsync(id, Step(1))); // The client holds ETag "2".
        var lagging = new LaggingReadStorage(storage, staleReads: 2);

        var outcome = await WritePath(lagging).UpdateAsync(id, Step(2), expectedVersion: 2);
        var never = await WritePath(storage).UpdateAsync(id, Step(3), expectedVersion: 99);

        Assert.Equal(3, Assert.IsType<UpdateOutcome.Applied>(outcome).Entry.Version);
        Assert.Equal(2, lagging.StaleReadsServed);
        // A version the store never had is refused at once, with the current one.
        Assert.Equal(3, Assert.IsType<UpdateOutcome.VersionMismatch>(never).CurrentVersion);
    }
}
