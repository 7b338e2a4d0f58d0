using System.Text.Json;
using Vapora.Contracts;
using Vapora.Testing;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Workflows;
using static Vapora.WorkflowApi.Tests.StoreHarness;
using Vapora.Contracts.Serialization;

namespace Vapora.WorkflowApi.Tests;

/// <summary>
/// What every store must do. Each <see cref="IStoragePrimitives"/> runs this same suite: its primitives
/// (StoragePrimitivesContract.cs) and the API's one write path, <see cref="WorkflowRules"/>, on top of them (this file).
/// In-memory and SQLite always; MongoDB wherever a replica set is reachable.
/// </summary>
public abstract partial class WorkflowStoreContract
{
    /// <summary>A store with no data (a fresh database for durable stores) whose clock is <paramref name="time"/>.</summary>
    protected abstract Task<IStoragePrimitives> CreateStorageAsync(TimeProvider? time = null);

    /// <summary>A second handle on the same data, as another API process would have (the same object for in-memory).</summary>
    protected abstract Task<IStoragePrimitives> OpenSecondStorageAsync(IStoragePrimitives first);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<WritePath> CreateWritePathAsync() => WritePath(await CreateStorageAsync());

    private static async Task<string> CreateAsync(WritePath store, int totalSteps = 10) =>
        Assert.IsType<CreateOutcome.Created>(await store.CreateAsync(NewWorkflow(totalSteps: totalSteps))).First.WorkflowId;

    [Fact]
    public async Task A_new_workflow_is_pending_at_version_one()
    {
        var store = await CreateWritePathAsync();

        var created = Assert.IsType<CreateOutcome.Created>(await store.CreateAsync(NewWorkflow("deploy", 7)));

        Assert.Equal(1, created.State.Version);
        Assert.Equal(WorkflowStatus.Pending, created.State.Status);
        Assert.Equal("deploy", created.State.Name);
        Assert.Equal(7, created.State.TotalSteps);
        Assert.Equal(created.State, await store.GetAsync(created.State.WorkflowId, Ct));
        Assert.Equal(created.State, (await store.ListAsync(WorkflowStatus.Pending, null, 1000, Ct)).Items.Single(s => s.WorkflowId == created.State.WorkflowId));
    }

    [Fact]
    public async Task Each_accepted_update_is_exactly_the_next_version()
    {
        var store = await CreateWritePathAsync();
        var id = await CreateAsync(store);

        for (var step = 1; step <= 5; step++)
        {
            var applied = Assert.IsType<UpdateOutcome.Applied>(await store.UpdateAsync(id, Step(step), null));
            Assert.Equal(step + 1, applied.State.Version);
            Assert.Equal(step, applied.State.CurrentStep);
        }

        Assert.Equal(6, (await store.GetAsync(id, Ct))!.Version);
    }

    [Fact]
    public async Task Concurrent_writers_keep_versions_contiguous_without_duplicates()
    {
        var storage = await CreateStorageAsync();
        var (first, second) = (WritePath(storage), WritePath(await OpenSecondStorageAsync(storage)));
        var id = await CreateAsync(first, totalSteps: 1000);
        const int writers = 8, updatesEach = 25;

        var results = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var writer = w % 2 == 0 ? first : second;
            var versions = new List<long>();
            for (var i = 0; i < updatesEach; i++)
            {
                var outcome = await writer.UpdateAsync(id, Step(w * 100 + i), null);
                versions.Add(Assert.IsType<UpdateOutcome.Applied>(outcome).Entry.Version);
            }

            return versions;
        }, Ct)));

        var accepted = results.SelectMany(v => v).Order().ToList();
        Assert.Equal(Enumerable.Range(2, writers * updatesEach).Select(v => (long)v), accepted);
        var history = Assert.IsType<HistoryOutcome.Found>(await first.GetHistoryAsync(id, 0, 1000, Ct)).Updates;
        Assert.Equal(Enumerable.Range(1, writers * updatesEach + 1).Select(v => (long)v), history.Select(u => u.Update.Version));
    }

    [Fact]
    public async Task Concurrent_patches_with_one_if_match_give_exactly_one_applied()
    {
        var storage = await CreateStorageAsync();
        var (first, second) = (WritePath(storage), WritePath(await OpenSecondStorageAsync(storage)));
        var id = await CreateAsync(first);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(
            () => (i % 2 == 0 ? first : second).UpdateAsync(id, Step(i + 1), expectedVersion: 1), Ct)));

        Assert.Single(outcomes.OfType<UpdateOutcome.Applied>());
        Assert.All(outcomes.Where(o => o is not UpdateOutcome.Applied), o => Assert.Equal(2, Assert.IsType<UpdateOutcome.VersionMismatch>(o).CurrentVersion));
        Assert.Equal(2, Assert.IsType<HistoryOutcome.Found>(await first.GetHistoryAsync(id, 0, 10, Ct)).Updates.Count);
    }

    [Fact]
    public async Task History_returns_the_versions_after_N_in_order_up_to_the_limit()
    {
        var store = await CreateWritePathAsync();
        var id = await CreateAsync(store);
        for (var step = 1; step <= 9; step++)
        {
            await store.UpdateAsync(id, Step(step), null);
        }

        var page = Assert.IsType<HistoryOutcome.Found>(await store.GetHistoryAsync(id, 3, 4, Ct)).Updates;
        var latest = Assert.IsType<HistoryOutcome.Found>(await store.GetHistoryAsync(id, 10, 100, Ct)).Updates;
        var beyond = Assert.IsType<HistoryOutcome.Found>(await store.GetHistoryAsync(id, 50, 100, Ct)).Updates;

        Assert.Equal([4L, 5, 6, 7], page.Select(u => u.Update.Version));
        Assert.Empty(latest);
        Assert.Empty(beyond);
    }

    [Fact]
    public async Task The_stored_json_is_the_update_encoded_once_with_the_shared_serializer()
    {
        var store = await CreateWritePathAsync();
        var id = await CreateAsync(store);
        await store.UpdateAsync(id, new WorkflowChange(WorkflowStatus.Running, 2, null, "héllo \"quoted\" ✓"), null);

        var history = Assert.IsType<HistoryOutcome.Found>(await store.GetHistoryAsync(id, 0, 10, Ct)).Updates;

        foreach (var stored in history)
        {
            Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(stored.Update, VaporaJsonContext.Default.WorkflowUpdate), stored.Json.ToArray());
        }

        Assert.Equal("héllo \"quoted\" ✓", history[1].Update.Message);
    }

    [Fact]
    public async Task An_unknown_workflow_is_not_found_everywhere()
    {
        var store = await CreateWritePathAsync();

        Assert.Null(await store.GetAsync("wf_missing", Ct));
        Assert.IsType<HistoryOutcome.NotFound>(await store.GetHistoryAsync("wf_missing", 0, 10, Ct));
        Assert.IsType<UpdateOutcome.NotFound>(await store.UpdateAsync("wf_missing", Step(1), null));
    }

    [Fact]
    public async Task An_if_match_on_another_version_is_refused_and_stores_nothing()
    {
        var store = await CreateWritePathAsync();
        var id = await CreateAsync(store);
        await store.UpdateAsync(id, Step(1), null);

        var mismatch = Assert.IsType<UpdateOutcome.VersionMismatch>(await store.UpdateAsync(id, Step(2), expectedVersion: 1));
        var applied = Assert.IsType<UpdateOutcome.Applied>(await store.UpdateAsync(id, Step(2), expectedVersion: 2));

        Assert.Equal(2, mismatch.CurrentVersion);
        Assert.Equal(3, applied.State.Version);
    }

    [Fact]
    public async Task Nothing_follows_a_terminal_status()
    {
        var store = await CreateWritePathAsync();
        var id = await CreateAsync(store);
        await store.UpdateAsync(id, new WorkflowChange(WorkflowStatus.Completed, 10, null, null), null);

        var rejected = Assert.IsType<UpdateOutcome.Rejected>(await store.UpdateAsync(id, Step(3), null));

        Assert.Equal(ChangeRejectionKind.IllegalTransition, rejected.Reason.Kind);
        Assert.Equal(2, (await store.GetAsync(id, Ct))!.Version);
    }

    [Fact]
    public async Task Current_step_may_not_exceed_total_steps_of_the_stored_state()
    {
        var store = await CreateWritePathAsync();
        var id = await CreateAsync(store, totalSteps: 5);

        var rejected = Assert.IsType<UpdateOutcome.Rejected>(await store.UpdateAsync(id, Step(6), null));

        Assert.Equal(ChangeRejectionKind.InvalidValue, rejected.Reason.Kind);
        Assert.Equal("current_step", rejected.Reason.Field);
        Assert.Equal(1, (await store.GetAsync(id, Ct))!.Version);
    }

    [Fact]
    public async Task Concurrent_keyed_creates_through_two_store_instances_make_one_workflow()
    {
        var storage = await CreateStorageAsync();
        var (first, second) = (WritePath(storage), WritePath(await OpenSecondStorageAsync(storage)));
        var key = "key-" + Guid.NewGuid();
        var name = "same-" + Guid.NewGuid().ToString("N");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(
            () => (i % 2 == 0 ? first : second).CreateAsync(NewWorkflow(name, key: key, fingerprint: "same body")), Ct)));

        var created = Assert.Single(outcomes.OfType<CreateOutcome.Created>());
        Assert.All(outcomes.OfType<CreateOutcome.Replayed>(), r => Assert.Equal(created.State, r.State));
        Assert.Equal(8, outcomes.Count(o => o is CreateOutcome.Created or CreateOutcome.Replayed));
        var listed = (await first.ListAsync(null, null, 1000, Ct)).Items.Where(s => s.Name == name);
        Assert.Equal(created.State.WorkflowId, Assert.Single(listed).WorkflowId);
    }

    [Fact]
    public async Task A_keyed_create_whose_retry_finishes_it_between_its_claim_and_its_append_is_created_once_without_an_error()
    {
        var storage = await CreateStorageAsync();
        var key = "key-" + Guid.NewGuid();
        CreateOutcome? retried = null;
        // The retry (same key, same body) arrives while the first request is between claiming the key and storing
        // version 1, finds the key and stores that version 1 itself.
        var first = WritePath(new AfterFirstClaimStorage(storage, async () =>
            retried = await WritePath(storage).CreateAsync(NewWorkflow("raced", key: key, fingerprint: "body"))));

        var outcome = await first.CreateAsync(NewWorkflow("raced", key: key, fingerprint: "body"));

        var created = Assert.IsType<CreateOutcome.Created>(outcome);
        Assert.Equal(created.State, Assert.IsType<CreateOutcome.Replayed>(retried).State);
        Assert.Equal([1L], Assert.IsType<HistoryOutcome.Found>(await WritePath(storage).GetHistoryAsync(created.State.WorkflowId, 0, 10, Ct)).Updates.Select(u => u.Update.Version));
        Assert.Equal(created.State, (await WritePath(storage).ListAsync(null, null, 1000, Ct)).Items.Single(s => s.Name == "raced"));
    }

    [Fact]
    public async Task The_summary_is_current_after_a_second_writer_beats_the_creators_summary()
    {
        var storage = await CreateStorageAsync();
        var other = WritePath(await OpenSecondStorageAsync(storage));
        var created = NewWorkflow("raced");
        // The creator stored version 1 and stalls before writing its summary; another replica updates meanwhile.
        Assert.True(await storage.TryAppendAsync(created.FirstEntry(), Ct));
        Assert.IsType<UpdateOutcome.Applied>(await other.UpdateAsync(created.Id, Step(1), null));

        var creatorMoved = await storage.UpsertSummaryAsync(created.FirstEntry(), Ct);

        Assert.False(creatorMoved);
        var listed = (await other.ListAsync(WorkflowStatus.Running, null, 1000, Ct)).Items.Single(s => s.WorkflowId == created.Id);
        Assert.Equal((2L, "raced", created.CreatedAt), (listed.Version, listed.Name, listed.CreatedAt));
        Assert.DoesNotContain(created.Id, (await other.ListAsync(WorkflowStatus.Pending, null, 1000, Ct)).Items.Select(s => s.WorkflowId));
    }

    [Fact]
    public async Task A_write_whose_summary_fails_succeeds_and_the_relay_moves_the_summary()
    {
        var storage = await CreateStorageAsync();
        var id = await CreateAsync(WritePath(storage));
        var publisher = new RecordingPublisher();

        var applied = Assert.IsType<UpdateOutcome.Applied>(await WritePath(new SummaryRefusingStorage(storage)).UpdateAsync(id, Step(4), null));
        var before = (await WritePath(storage).ListAsync(null, null, 1000, Ct)).Items.Single(s => s.WorkflowId == id);
        await StoreHarness.Relay(storage, publisher).RunOnceAsync(TimeSpan.Zero, Ct);
        var after = (await WritePath(storage).ListAsync(null, null, 1000, Ct)).Items.Single(s => s.WorkflowId == id);

        Assert.Equal(1, before.Version);
        Assert.Equal(applied.State, after);
        Assert.Contains(new UpdateKey(id, 2), publisher.Published);
        Assert.DoesNotContain(await storage.ScanUnpublishedAsync(DateTimeOffset.UtcNow.AddMinutes(1), 1000, Ct), e => e.WorkflowId == id);
    }

    [Fact]
    public async Task Lists_are_newest_first_filtered_by_status_and_paged()
    {
        var store = await CreateWritePathAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var created = (CreateOutcome.Created)await store.CreateAsync(NewWorkflow($"w{i}"));
            ids.Add(created.State.WorkflowId);
            if (i % 2 == 0)
            {
                await store.UpdateAsync(created.State.WorkflowId, Step(1), null);
            }

            // ULIDs are ordered across milliseconds; within one they are random.
            await Poll.UntilAsync(() => UtcTimestampJsonConverter.Truncate(DateTimeOffset.UtcNow) > created.State.CreatedAt, TimeSpan.FromSeconds(1), "the clock to move to the next millisecond");
        }

        var firstPage = await store.ListAsync(null, null, 3, Ct);
        var secondPage = await store.ListAsync(null, firstPage.NextCursor, 3, Ct);
        var exactlyFull = await store.ListAsync(null, firstPage.NextCursor, 2, Ct);
        var running = await store.ListAsync(WorkflowStatus.Running, null, 10, Ct);

        ids.Reverse();
        Assert.Equal(ids.Take(3), firstPage.Items.Select(s => s.WorkflowId));
        Assert.Equal(ids.Skip(3), secondPage.Items.Select(s => s.WorkflowId));
        Assert.Null(secondPage.NextCursor);
        Assert.Equal(secondPage.Items, exactlyFull.Items);
        Assert.Null(exactlyFull.NextCursor); // a page exactly full is the last: nothing follows it
        Assert.Equal([ids[0], ids[2], ids[4]], running.Items.Select(s => s.WorkflowId));
    }
}
