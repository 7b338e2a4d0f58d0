using Microsoft.Extensions.Time.Testing;
using Vapora.Contracts;
using Vapora.Testing;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Workflows;
using static Vapora.WorkflowApi.Tests.StoreHarness;
using Vapora.Contracts.Serialization;

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
    public async Task An_earlier_version_is_due_with_a_later_one_even_when_its_replicas_clock_runs_ahead()
    {
        // The replica that accepted v1 and v2 runs an hour ahead: by its clock they were accepted later than v3.
        var now = UtcTimestampJsonConverter.Truncate(DateTimeOffset.UtcNow);
        var clock = new FakeTimeProvider(now.AddHours(1));
        var storage = await CreateStorageAsync(clock);
        var (skewed, other) = (WorkflowIdGenerator.NewId(now), WorkflowIdGenerator.NewId(now.AddSeconds(1)));
        await storage.TryAppendAsync(Entry(skewed, 1), Ct);
        await storage.TryAppendAsync(Entry(skewed, 2), Ct);
        await storage.TryAppendAsync(Entry(other, 1), Ct);
        clock.AdjustTime(now);
        await storage.TryAppendAsync(Entry(skewed, 3), Ct);
        await storage.TryAppendAsync(Entry(other, 2), Ct);

        var batch = await storage.ScanUnpublishedAsync(now.AddSeconds(1), 10, Ct);

        // v3 is due, so v1 and v2 are, and go first; of the other workflow only what is due, never v1 after v2.
        Assert.Equal([new UpdateKey(skewed, 1), new UpdateKey(skewed, 2), new UpdateKey(skewed, 3), new UpdateKey(other, 1), new UpdateKey(other, 2)],
            batch.Select(e => e.Key));
        Assert.Empty(await storage.ScanUnpublishedAsync(now.AddSeconds(-1), 10, Ct));
    }

    [Fact]
    public async Task A_lease_is_held_by_one_owner_renewed_by_it_taken_by_another_once_expired_and_given_up()
    {
        var storage = await CreateStorageAsync();
        var second = await OpenSecondStorageAsync(storage);
        var lease = "lease-" + Guid.NewGuid().ToString("N");
        var brief = TimeSpan.FromMilliseconds(300);

        var taken = await storage.TryAcquireLeaseAsync(lease, "a", TimeSpan.FromMinutes(1), Ct);
        var refused = await second.TryAcquireLeaseAsync(lease, "b", TimeSpan.FromMinutes(1), Ct);
        var renewed = await storage.TryAcquireLeaseAsync(lease, "a", brief, Ct);
        await Poll.UntilAsync(() => second.TryAcquireLeaseAsync(lease, "b", TimeSpan.FromMinutes(1), Ct), TimeSpan.FromSeconds(10), "b to take the expired lease");
        var lost = await storage.TryAcquireLeaseAsync(lease, "a", TimeSpan.FromMinutes(1), Ct);
        await storage.ReleaseLeaseAsync(lease, "a", Ct); // Not a's: stays b's.
        var stillB = await storage.TryAcquireLeaseAsync(lease, "c", TimeSpan.FromMinutes(1), Ct);
        await second.ReleaseLeaseAsync(lease, "b", Ct);
        var afterRelease = await storage.TryAcquireLeaseAsync(lease, "c", TimeSpan.FromMinutes(1), Ct);
        var otherLease = await second.TryAcquireLeaseAsync(lease + "-other", "b", TimeSpan.FromMinutes(1), Ct);

        Assert.Equal((true, false, true, false, false, true, true), (taken, refused, renewed, lost, stillB, afterRelease, otherLease));
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
