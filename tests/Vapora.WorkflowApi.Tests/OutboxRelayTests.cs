using Microsoft.Extensions.Time.Testing;
using Vapora.Contracts;
using Vapora.WorkflowApi.Messaging;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Workflows;
using static Vapora.WorkflowApi.Tests.StoreHarness;
using Vapora.Contracts.Serialization;

namespace Vapora.WorkflowApi.Tests;

/// <summary>The relay's own decisions, over the in-memory store (its Redis side is covered by OutboxTests).</summary>
public sealed class OutboxRelayTests
{
    private const string Backlog = "vapora.api.outbox.backlog";
    private const string OldestAge = "vapora.api.outbox.oldest_age";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Five workflows of five versions each: 25 unpublished entries, more than two batches of 10.
    private static async Task<IStoragePrimitives> BacklogOf25Async(IStoragePrimitives storage)
    {
        for (var w = 0; w < 5; w++)
        {
            var id = WorkflowIdGenerator.NewId(DateTimeOffset.UtcNow);
            for (var v = 1; v <= 5; v++)
            {
                await storage.TryAppendAsync(Entry(id, v), Ct);
            }
        }

        return storage;
    }

    [Fact]
    public async Task The_backlog_gauge_shows_the_whole_backlog_beyond_one_batch_and_falls_as_the_relay_drains()
    {
        using var gauges = new ApiGauges();
        var publisher = new RecordingPublisher();
        var options = new PublishingOptions { OutboxBatchSize = 10, OutboxCountInterval = TimeSpan.Zero };
        var relay = Relay(await BacklogOf25Async(Memory()), publisher, options, gauges.Metrics);

        var seen = new List<long>();
        for (var pass = 0; pass < 4; pass++)
        {
            await relay.RunOnceAsync(TimeSpan.Zero, Ct);
            seen.Add(gauges.Read(Backlog));
        }

        Assert.Equal([25L, 15, 5, 0], seen);
        Assert.Equal(25, publisher.Published.Count);
    }

    [Fact]
    public async Task While_batches_come_back_full_the_backlog_is_counted_once_per_count_interval()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var gauges = new ApiGauges();
        var storage = new CountWatchingStorage(await BacklogOf25Async(Memory(clock)));
        var options = new PublishingOptions { OutboxBatchSize = 10, OutboxCountInterval = TimeSpan.FromSeconds(10) };
        var relay = Relay(storage, new RecordingPublisher(), options, gauges.Metrics, clock);
        clock.Advance(TimeSpan.FromMilliseconds(1)); // The entries were accepted at the clock's start: now they are due.

        await relay.RunOnceAsync(TimeSpan.Zero, Ct);
        var (firstCount, counts) = (gauges.Read(Backlog), storage.Counts);
        await relay.RunOnceAsync(TimeSpan.Zero, Ct);
        var (keptCount, countsWithinInterval) = (gauges.Read(Backlog), storage.Counts);
        await BacklogOf25Async(storage);
        clock.Advance(TimeSpan.FromSeconds(10));
        await relay.RunOnceAsync(TimeSpan.Zero, Ct);

        Assert.Equal((25L, 1), (firstCount, counts));
        Assert.Equal((25L, 1), (keptCount, countsWithinInterval));
        Assert.Equal((30L, 2), (gauges.Read(Backlog), storage.Counts)); // 5 left of the first 25, and 25 more.
    }

    [Fact]
    public async Task The_oldest_age_gauge_shows_the_oldest_unpublished_update_when_it_lies_beyond_the_batch()
    {
        var start = UtcTimestampJsonConverter.Truncate(DateTimeOffset.UtcNow);
        var clock = new FakeTimeProvider(start);
        using var gauges = new ApiGauges(clock);
        var storage = Memory(clock);
        var writer = Rules(storage, time: clock);
        // A batch is ordered by workflow id: the oldest update belongs to the workflow whose id sorts last.
        var (busy, oldest) = (WorkflowIdGenerator.NewId(start), WorkflowIdGenerator.NewId(start.AddSeconds(1)));
        await writer.CreateAsync(NewWorkflow("oldest", now: start) with { Id = oldest }, Ct);
        clock.Advance(TimeSpan.FromMinutes(5));
        await writer.CreateAsync(NewWorkflow("busy", totalSteps: 100, now: clock.GetUtcNow()) with { Id = busy }, Ct);
        for (var step = 1; step < 25; step++)
        {
            await writer.UpdateAsync(busy, Step(step), null, null, Ct);
        }

        clock.Advance(TimeSpan.FromMinutes(2));
        var options = new PublishingOptions { OutboxBatchSize = 10, OutboxCountInterval = TimeSpan.FromSeconds(10) };
        var relay = Relay(storage, new RecordingPublisher(), options, gauges.Metrics, clock);

        var ages = new List<double>();
        for (var pass = 0; pass < 4; pass++)
        {
            await relay.RunOnceAsync(TimeSpan.Zero, Ct);
            ages.Add(gauges.ReadDouble(OldestAge));
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        // Measured, kept within the count interval while batches of "busy" come back full, then in the last batch.
        Assert.Equal([420.0, 421, 422, 0], ages);
    }

    [Fact]
    public async Task A_failed_backlog_count_leaves_the_batch_size_on_the_gauge_and_the_relay_publishing_and_waits_an_interval_to_retry()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var gauges = new ApiGauges();
        var publisher = new RecordingPublisher();
        var storage = new CountWatchingStorage(await BacklogOf25Async(Memory(clock)), refuse: true);
        var options = new PublishingOptions { OutboxBatchSize = 10, OutboxCountInterval = TimeSpan.FromSeconds(10) };
        var relay = Relay(storage, publisher, options, gauges.Metrics, clock);
        clock.Advance(TimeSpan.FromMilliseconds(1));

        var finished = await relay.RunOnceAsync(TimeSpan.Zero, Ct);
        var (gauge, counts) = (gauges.Read(Backlog), storage.Counts);
        await relay.RunOnceAsync(TimeSpan.Zero, Ct);

        Assert.Equal((10, 10L, 1), (finished, gauge, counts));
        Assert.Equal((10L, 1), (gauges.Read(Backlog), storage.Counts)); // No second count, refused again, within the interval.
        Assert.Equal(20, publisher.Published.Count);
    }

    [Fact]
    public async Task A_summary_that_cannot_be_moved_keeps_only_its_own_workflow_in_the_outbox()
    {
        var storage = Memory();
        var store = Rules(storage);
        var stuck = ((CreateOutcome.Created)await store.CreateAsync(NewWorkflow("stuck"), Ct)).First.WorkflowId;
        var fine = ((CreateOutcome.Created)await store.CreateAsync(NewWorkflow("fine"), Ct)).First.WorkflowId;
        var publisher = new RecordingPublisher();
        var relay = Relay(new SummaryRefusingStorage(storage, onlyWorkflowId: stuck), publisher);

        var finished = await relay.RunOnceAsync(TimeSpan.Zero, Ct);
        var secondPass = await relay.RunOnceAsync(TimeSpan.Zero, Ct);

        Assert.Equal((1, 0), (finished, secondPass));
        Assert.Equal([new UpdateKey(stuck, 1)], (await storage.ScanUnpublishedAsync(DateTimeOffset.UtcNow.AddMinutes(1), 100, Ct)).Select(e => e.Key));
        Assert.Contains(new UpdateKey(fine, 1), publisher.Published);
        Assert.Equal(2, publisher.Published.Count(k => k == new UpdateKey(stuck, 1)));
    }
}
