using Microsoft.Extensions.Time.Testing;
using Vapora.Contracts;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Workflows;
using static Vapora.WorkflowApi.Tests.StoreHarness;
using Vapora.Contracts.Serialization;

namespace Vapora.WorkflowApi.Tests;

/// <summary>The primitives every <see cref="IStoragePrimitives"/> implements, each on its own.</summary>
public abstract partial class WorkflowStoreContract
{
    private static string NewId() => WorkflowIdGenerator.NewId(DateTimeOffset.UtcNow);

    [Fact]
    public async Task Appending_a_version_that_exists_stores_nothing_and_keeps_the_first()
    {
        var storage = await CreateStorageAsync();
        var second = await OpenSecondStorageAsync(storage);
        var id = NewId();
        var winner = Entry(id, 1, name: "winner");

        var stored = await storage.TryAppendAsync(winner, Ct);
        var raced = await second.TryAppendAsync(Entry(id, 1, name: "loser"), Ct);

        Assert.True(stored);
        Assert.False(raced);
        var latest = await storage.ReadLatestAsync(id, Ct);
        Assert.Equal("winner", latest!.Name);
        Assert.Equal(winner.Update.Json.ToArray(), latest.Update.Json.ToArray());
        Assert.Single(await storage.ReadRangeAsync(id, 0, 10, Ct));
    }

    [Fact]
    public async Task Read_latest_and_read_range_return_the_entries_as_appended()
    {
        var storage = await CreateStorageAsync();
        var id = NewId();
        var created = UtcTimestampJsonConverter.Truncate(DateTimeOffset.UtcNow.AddMinutes(-5));
        var entries = Enumerable.Range(1, 4).Select(v => Entry(id, v, name: "ranged", createdAt: created)).ToList();
        foreach (var entry in entries)
        {
            Assert.True(await storage.TryAppendAsync(entry, Ct));
        }

        var latest = await storage.ReadLatestAsync(id, Ct);
        var range = await storage.ReadRangeAsync(id, 1, 2, Ct);

        Assert.Equal(entries[3].ToState(), latest!.ToState());
        Assert.Equal(entries[3].Update.Json.ToArray(), latest.Update.Json.ToArray());
        Assert.Equal([entries[1].Update.Json.ToArray(), entries[2].Update.Json.ToArray()], range.Select(u => u.Json.ToArray()));
        Assert.Null(await storage.ReadLatestAsync(NewId(), Ct));
        Assert.Empty(await storage.ReadRangeAsync(NewId(), 0, 10, Ct));
    }

    [Fact]
    public async Task A_summary_is_created_by_whichever_entry_comes_first_and_only_moves_forward()
    {
        var storage = await CreateStorageAsync();
        var id = NewId();
        // One creation time for the three, as the write path gives every entry of a workflow (three calls of UtcNow can
        // fall in different milliseconds on a busy machine, and the summary keeps the first entry's).
        var created = DateTimeOffset.UtcNow;
        var (v1, v2, v3) = (Entry(id, 1, name: "forward", createdAt: created), Entry(id, 2, name: "forward", createdAt: created),
            Entry(id, 3, WorkflowStatus.Completed, name: "forward", createdAt: created));

        var createdBySecond = await storage.UpsertSummaryAsync(v2, Ct);
        var firstComesLate = await storage.UpsertSummaryAsync(v1, Ct);
        var sameAgain = await storage.UpsertSummaryAsync(v2, Ct);
        var movedToThird = await storage.UpsertSummaryAsync(v3, Ct);

        Assert.Equal((true, false, false, true), (createdBySecond, firstComesLate, sameAgain, movedToThird));
        var listed = Assert.Single(await storage.ListSummariesAsync(WorkflowStatus.Completed, null, 1000, Ct), s => s.WorkflowId == id);
        Assert.Equal(v3.ToState(), listed);
        Assert.DoesNotContain(await storage.ListSummariesAsync(WorkflowStatus.Running, null, 1000, Ct), s => s.WorkflowId == id);
    }

    [Fact]
    public async Task Concurrent_summary_writers_leave_the_highest_version()
    {
        var storage = await CreateStorageAsync();
        var second = await OpenSecondStorageAsync(storage);
        var id = NewId();

        await Task.WhenAll(Enumerable.Range(1, 20).Select(v => Task.Run(
            () => (v % 2 == 0 ? storage : second).UpsertSummaryAsync(Entry(id, v, name: "race"), Ct), Ct)));

        Assert.Equal(20, Assert.Single(await storage.ListSummariesAsync(null, null, 1000, Ct), s => s.WorkflowId == id).Version);
    }

    [Fact]
    public async Task Unpublished_entries_wait_in_the_outbox_until_marked_published()
    {
        var storage = await CreateStorageAsync();
        var id = NewId();
        for (var v = 1; v <= 3; v++)
        {
            await storage.TryAppendAsync(Entry(id, v), Ct);
        }

        var due = await storage.ScanUnpublishedAsync(DateTimeOffset.UtcNow.AddSeconds(1), 100, Ct);
        await storage.MarkPublishedAsync([new UpdateKey(id, 1), new UpdateKey(id, 2)], Ct);
        var after = await storage.ScanUnpublishedAsync(DateTimeOffset.UtcNow.AddSeconds(1), 100, Ct);
        var notYetDue = await storage.ScanUnpublishedAsync(DateTimeOffset.UtcNow.AddSeconds(-60), 100, Ct);

        Assert.Equal([1L, 2, 3], due.Where(e => e.WorkflowId == id).Select(e => e.Version));
        Assert.Equal([3L], after.Where(e => e.WorkflowId == id).Select(e => e.Version));
        Assert.DoesNotContain(notYetDue, e => e.WorkflowId == id);
    }

    [Fact]
    public async Task The_outbox_measurement_counts_unpublished_entries_accepted_before_the_time_up_to_the_cap_and_finds_the_oldest_beyond_it()
    {
        var start = UtcTimestampJsonConverter.Truncate(DateTimeOffset.UtcNow.AddDays(-1)); // Whole milliseconds, as stores keep them.
        var clock = new FakeTimeProvider(start);
        var storage = await CreateStorageAsync(clock);
        var (first, last) = (WorkflowIdGenerator.NewId(start), WorkflowIdGenerator.NewId(start.AddSeconds(1))); // The order of an outbox batch.
        var empty = await storage.MeasureUnpublishedAsync(start.AddHours(2), 100, Ct);
        await storage.TryAppendAsync(Entry(first, 1), Ct); // The oldest of all, but published below.
        clock.Advance(TimeSpan.FromMinutes(1));
        await storage.TryAppendAsync(Entry(last, 1), Ct); // The oldest unpublished: in the last workflow, beyond a cap of 1.
        clock.Advance(TimeSpan.FromMinutes(1));
        for (var v = 2; v <= 5; v++)
        {
            await storage.TryAppendAsync(Entry(first, v), Ct);
        }

        clock.Advance(TimeSpan.FromHours(1));
        await storage.TryAppendAsync(Entry(last, 2), Ct);
        await storage.TryAppendAsync(Entry(last, 3), Ct);
        await storage.MarkPublishedAsync([new UpdateKey(first, 1), new UpdateKey(first, 2)], Ct);

        var oldest = start.AddMinutes(1);
        Assert.Equal(new OutboxBacklog(0, null), empty);
        Assert.Equal(new OutboxBacklog(6, oldest), await storage.MeasureUnpublishedAsync(start.AddHours(2), 100, Ct));
        Assert.Equal(new OutboxBacklog(4, oldest), await storage.MeasureUnpublishedAsync(start.AddMinutes(30), 100, Ct));
        Assert.Equal(new OutboxBacklog(0, null), await storage.MeasureUnpublishedAsync(oldest, 100, Ct));
        Assert.Equal(new OutboxBacklog(4, oldest), await storage.MeasureUnpublishedAsync(start.AddHours(2), 4, Ct));
        Assert.Equal(new OutboxBacklog(1, oldest), await storage.MeasureUnpublishedAsync(start.AddHours(2), 1, Ct));
    }

    [Fact]
    public async Task An_outbox_batch_smaller_than_the_backlog_holds_each_workflows_oldest_versions_whatever_the_clocks()
    {
        // One replica's clock runs an hour ahead of the other's: the versions it accepted look newer than later ones.
        var start = DateTimeOffset.UtcNow.AddDays(-1);
        var clock = new FakeTimeProvider(start.AddHours(1));
        var storage = await CreateStorageAsync(clock);
        var (a, b) = (WorkflowIdGenerator.NewId(start), WorkflowIdGenerator.NewId(start.AddSeconds(1)));
        await storage.TryAppendAsync(Entry(a, 1), Ct);
        await storage.TryAppendAsync(Entry(a, 2), Ct);
        clock.AdjustTime(start);
        await storage.TryAppendAsync(Entry(a, 3), Ct);
        await storage.TryAppendAsync(Entry(a, 4), Ct);
        await storage.TryAppendAsync(Entry(b, 1), Ct);

        var batch = await storage.ScanUnpublishedAsync(start.AddHours(2), 3, Ct);

        Assert.Equal([new UpdateKey(a, 1), new UpdateKey(a, 2), new UpdateKey(a, 3)], batch.Select(e => e.Key));
    }
}
