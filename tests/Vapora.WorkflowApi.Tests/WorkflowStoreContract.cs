using System.Text.Json;
using Vapora.Contracts;
using Vapora.Testing;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Workflows;

namespace Vapora.WorkflowApi.Tests;

/// <summary>
/// What every <see cref="IWorkflowStore"/> must do. Each implementation runs this same suite
/// (in-memory always; MongoDB whenever one is reachable).
/// </summary>
public abstract class WorkflowStoreContract
{
    /// <summary>A store with no data (a fresh database for durable stores).</summary>
    protected abstract Task<IWorkflowStore> CreateStoreAsync();

    /// <summary>A second handle on the same data, as another API process would have (the same object for in-memory).</summary>
    protected abstract Task<IWorkflowStore> OpenSecondWriterAsync(IWorkflowStore first);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static NewWorkflow NewWorkflow(string name = "build", int totalSteps = 10, string? key = null, string? fingerprint = null)
    {
        var now = UtcTimestampJsonConverter.Truncate(DateTimeOffset.UtcNow);
        return new NewWorkflow(WorkflowIdGenerator.NewId(now), name, totalSteps, null, now, key, fingerprint ?? (key is null ? null : name));
    }

    private static WorkflowChange Step(int step) => new(WorkflowStatus.Running, step, null, null);

    [Fact]
    public async Task A_new_workflow_is_pending_at_version_one()
    {
        var store = await CreateStoreAsync();

        var created = Assert.IsType<CreateOutcome.Created>(await store.CreateAsync(NewWorkflow("deploy", 7), Ct));

        Assert.Equal(1, created.State.Version);
        Assert.Equal(WorkflowStatus.Pending, created.State.Status);
        Assert.Equal("deploy", created.State.Name);
        Assert.Equal(7, created.State.TotalSteps);
        Assert.Equal(created.State, await store.GetAsync(created.State.WorkflowId, Ct));
    }

    [Fact]
    public async Task Each_accepted_update_is_exactly_the_next_version()
    {
        var store = await CreateStoreAsync();
        var id = ((CreateOutcome.Created)await store.CreateAsync(NewWorkflow(), Ct)).State.WorkflowId;

        for (var step = 1; step <= 5; step++)
        {
            var applied = Assert.IsType<UpdateOutcome.Applied>(await store.UpdateAsync(id, Step(step), null, Ct));
            Assert.Equal(step + 1, applied.State.Version);
            Assert.Equal(step, applied.State.CurrentStep);
        }

        Assert.Equal(6, (await store.GetAsync(id, Ct))!.Version);
    }

    [Fact]
    public async Task Concurrent_writers_keep_versions_contiguous_without_duplicates()
    {
        var store = await CreateStoreAsync();
        var second = await OpenSecondWriterAsync(store);
        var id = ((CreateOutcome.Created)await store.CreateAsync(NewWorkflow(totalSteps: 1000), Ct)).State.WorkflowId;
        const int writers = 8, updatesEach = 25;

        var results = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var writer = w % 2 == 0 ? store : second;
            var versions = new List<long>();
            for (var i = 0; i < updatesEach; i++)
            {
                var outcome = await writer.UpdateAsync(id, Step(w * 100 + i), null, Ct);
                versions.Add(Assert.IsType<UpdateOutcome.Applied>(outcome).Update.Update.Version);
            }

            return versions;
        }, Ct)));

        var accepted = results.SelectMany(v => v).Order().ToList();
        Assert.Equal(Enumerable.Range(2, writers * updatesEach).Select(v => (long)v), accepted);
        var history = Assert.IsType<HistoryOutcome.Found>(await store.GetHistoryAsync(id, 0, 1000, Ct)).Updates;
        Assert.Equal(Enumerable.Range(1, writers * updatesEach + 1).Select(v => (long)v), history.Select(u => u.Update.Version));
    }

    [Fact]
    public async Task History_returns_the_versions_after_N_in_order_up_to_the_limit()
    {
        var store = await CreateStoreAsync();
        var id = ((CreateOutcome.Created)await store.CreateAsync(NewWorkflow(), Ct)).State.WorkflowId;
        for (var step = 1; step <= 9; step++)
        {
            await store.UpdateAsync(id, Step(step), null, Ct);
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
        var store = await CreateStoreAsync();
        var id = ((CreateOutcome.Created)await store.CreateAsync(NewWorkflow(), Ct)).State.WorkflowId;
        await store.UpdateAsync(id, new WorkflowChange(WorkflowStatus.Running, 2, null, "héllo \"quoted\" ✓"), null, Ct);

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
        var store = await CreateStoreAsync();

        Assert.Null(await store.GetAsync("wf_missing", Ct));
        Assert.IsType<HistoryOutcome.NotFound>(await store.GetHistoryAsync("wf_missing", 0, 10, Ct));
        Assert.IsType<UpdateOutcome.NotFound>(await store.UpdateAsync("wf_missing", Step(1), null, Ct));
    }

    [Fact]
    public async Task An_if_match_on_another_version_is_refused_and_stores_nothing()
    {
        var store = await CreateStoreAsync();
        var id = ((CreateOutcome.Created)await store.CreateAsync(NewWorkflow(), Ct)).State.WorkflowId;
        await store.UpdateAsync(id, Step(1), null, Ct);

        var mismatch = Assert.IsType<UpdateOutcome.VersionMismatch>(await store.UpdateAsync(id, Step(2), expectedVersion: 1, Ct));
        var applied = Assert.IsType<UpdateOutcome.Applied>(await store.UpdateAsync(id, Step(2), expectedVersion: 2, Ct));

        Assert.Equal(2, mismatch.CurrentVersion);
        Assert.Equal(3, applied.State.Version);
    }

    [Fact]
    public async Task Nothing_follows_a_terminal_status()
    {
        var store = await CreateStoreAsync();
        var id = ((CreateOutcome.Created)await store.CreateAsync(NewWorkflow(), Ct)).State.WorkflowId;
        await store.UpdateAsync(id, new WorkflowChange(WorkflowStatus.Completed, 10, null, null), null, Ct);

        var rejected = Assert.IsType<UpdateOutcome.Rejected>(await store.UpdateAsync(id, Step(3), null, Ct));

        Assert.Equal(ChangeRejectionKind.IllegalTransition, rejected.Reason.Kind);
        Assert.Equal(2, (await store.GetAsync(id, Ct))!.Version);
    }

    [Fact]
    public async Task Current_step_may_not_exceed_total_steps_of_the_stored_state()
    {
        var store = await CreateStoreAsync();
        var id = ((CreateOutcome.Created)await store.CreateAsync(NewWorkflow(totalSteps: 5), Ct)).State.WorkflowId;

        var rejected = Assert.IsType<UpdateOutcome.Rejected>(await store.UpdateAsync(id, Step(6), null, Ct));

        Assert.Equal(ChangeRejectionKind.InvalidValue, rejected.Reason.Kind);
        Assert.Equal("current_step", rejected.Reason.Field);
        Assert.Equal(1, (await store.GetAsync(id, Ct))!.Version);
    }

    [Fact]
    public async Task An_idempotency_key_replays_the_first_create_and_refuses_a_different_body()
    {
        var store = await CreateStoreAsync();
        var key = "key-" + Guid.NewGuid();

        var first = Assert.IsType<CreateOutcome.Created>(await store.CreateAsync(NewWorkflow("a", key: key), Ct));
        var replay = Assert.IsType<CreateOutcome.Replayed>(await store.CreateAsync(NewWorkflow("a", key: key), Ct));
        var reused = Assert.IsType<CreateOutcome.KeyReused>(await store.CreateAsync(NewWorkflow("b", key: key), Ct));

        Assert.Equal(first.State, replay.State);
        Assert.Equal(first.State.WorkflowId, reused.ExistingWorkflowId);
    }

    [Fact]
    public async Task Concurrent_creates_with_one_idempotency_key_make_one_workflow()
    {
        var store = await CreateStoreAsync();
        var key = "key-" + Guid.NewGuid();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => store.CreateAsync(NewWorkflow("same", key: key), Ct), Ct)));

        Assert.Single(outcomes.OfType<CreateOutcome.Created>());
        Assert.Single(outcomes.Select(o => o switch
        {
            CreateOutcome.Created c => c.State.WorkflowId,
            CreateOutcome.Replayed r => r.State.WorkflowId,
            _ => throw new InvalidOperationException(o.ToString()),
        }).Distinct());
    }

    [Fact]
    public async Task Lists_are_newest_first_filtered_by_status_and_paged()
    {
        var store = await CreateStoreAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var created = (CreateOutcome.Created)await store.CreateAsync(NewWorkflow($"w{i}"), Ct);
            ids.Add(created.State.WorkflowId);
            if (i % 2 == 0)
            {
                await store.UpdateAsync(created.State.WorkflowId, Step(1), null, Ct);
            }

            // ULIDs are ordered across milliseconds; within one they are random.
            await Poll.UntilAsync(() => UtcTimestampJsonConverter.Truncate(DateTimeOffset.UtcNow) > created.State.CreatedAt, TimeSpan.FromSeconds(1), "the clock to move to the next millisecond");
        }

        var firstPage = await store.ListAsync(null, null, 3, Ct);
        var secondPage = await store.ListAsync(null, firstPage.NextCursor, 3, Ct);
        var running = await store.ListAsync(WorkflowStatus.Running, null, 10, Ct);

        ids.Reverse();
        Assert.Equal(ids.Take(3), firstPage.Items.Select(s => s.WorkflowId));
        Assert.Equal(ids.Skip(3), secondPage.Items.Select(s => s.WorkflowId));
        Assert.Null(secondPage.NextCursor);
        Assert.Equal([ids[0], ids[2], ids[4]], running.Items.Select(s => s.WorkflowId));
    }

    [Fact]
    public async Task Unpublished_updates_wait_in_the_outbox_until_marked_published()
    {
        var store = await CreateStoreAsync();
        var id = ((CreateOutcome.Created)await store.CreateAsync(NewWorkflow(), Ct)).State.WorkflowId;
        await store.UpdateAsync(id, Step(1), null, Ct);
        await store.UpdateAsync(id, Step(2), null, Ct);

        var due = await store.GetUnpublishedAsync(DateTimeOffset.UtcNow.AddSeconds(1), 100, Ct);
        var mine = due.Where(u => u.Update.WorkflowId == id).Select(u => u.Update.Version).ToList();
        await store.MarkPublishedAsync([new UpdateKey(id, 1), new UpdateKey(id, 2)], Ct);
        var after = await store.GetUnpublishedAsync(DateTimeOffset.UtcNow.AddSeconds(1), 100, Ct);
        var notYetDue = await store.GetUnpublishedAsync(DateTimeOffset.UtcNow.AddSeconds(-60), 100, Ct);

        Assert.Equal([1L, 2, 3], mine);
        Assert.Equal([3L], after.Where(u => u.Update.WorkflowId == id).Select(u => u.Update.Version));
        Assert.DoesNotContain(notYetDue, u => u.Update.WorkflowId == id);
    }
}
