using Microsoft.Extensions.Time.Testing;
using Vapora.Contracts;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Workflows;
using static Vapora.WorkflowApi.Tests.StoreHarness;
using Vapora.Contracts.Serialization;

namespace Vapora.WorkflowApi.Tests;

/// <summary>
/// Idempotency keys on every store: per subject, expiring, on creates and PATCHes (issue 25 findings 9 and 11, issue 30
/// item 3). A retry with the key stores nothing twice; another request with the key stores nothing and names nothing.
/// </summary>
public abstract partial class WorkflowStoreContract
{
    private static readonly DateTimeOffset KeyTime = UtcTimestampJsonConverter.Truncate(DateTimeOffset.UtcNow);

    private static IdempotencyClaim Claim(string key, string fingerprint, LogEntry planned, string subject = SubjectKey.Anonymous, TimeSpan? lifetime = null) =>
        new(new SubjectKey(subject, key), fingerprint, planned, KeyTime + (lifetime ?? TimeSpan.FromHours(1)));

    [Fact]
    public async Task A_claimed_idempotency_key_holds_the_first_claim_for_its_subject_only()
    {
        var storage = await CreateStorageAsync();
        var second = await OpenSecondStorageAsync(storage);
        var key = "key-" + Guid.NewGuid();
        var first = Claim(key, "fingerprint-a", Entry(NewId(), 1, name: "first"));

        var won = await storage.ClaimIdempotencyKeyAsync(first, KeyTime, Ct);
        var late = Claim(key, "fingerprint-b", Entry(NewId(), 1, name: "second"));
        var lost = await second.ClaimIdempotencyKeyAsync(late, KeyTime, Ct);
        var otherSubject = Claim(key, "fingerprint-b", Entry(NewId(), 1, name: "other subject"), subject: "sub:someone-else");
        var ownKey = await second.ClaimIdempotencyKeyAsync(otherSubject, KeyTime, Ct);

        foreach (var holder in new[] { won, lost, (await storage.FindIdempotencyClaimAsync(first.Key, KeyTime, Ct))! })
        {
            Assert.Equal((first.Key, first.Fingerprint, first.ExpiresAt, first.Planned.ToState()), (holder.Key, holder.Fingerprint, holder.ExpiresAt, holder.Planned.ToState()));
            Assert.Equal(first.Planned.Update.Json.ToArray(), holder.Planned.Update.Json.ToArray());
        }

        Assert.Same(first, won); // The very instance tells the caller its claim won.
        Assert.NotSame(late, lost);
        Assert.Same(otherSubject, ownKey);
        Assert.Null(await storage.FindIdempotencyClaimAsync(new SubjectKey("sub:nobody", key), KeyTime, Ct));
    }

    [Fact]
    public async Task An_expired_claim_is_no_claim_a_new_one_takes_its_place_and_the_sweep_deletes_expired_ones_only()
    {
        var storage = await CreateStorageAsync();
        var (key, live) = ("key-" + Guid.NewGuid(), "key-" + Guid.NewGuid());
        var old = Claim(key, "old", Entry(NewId(), 1), lifetime: TimeSpan.FromSeconds(1));
        await storage.ClaimIdempotencyKeyAsync(old, KeyTime, Ct);
        await storage.ClaimIdempotencyKeyAsync(Claim(live, "live", Entry(NewId(), 1), lifetime: TimeSpan.FromDays(1)), KeyTime, Ct);
        var later = KeyTime.AddSeconds(2);

        var found = await storage.FindIdempotencyClaimAsync(old.Key, later, Ct);
        var replacement = Claim(key, "new", Entry(NewId(), 1)) with { ExpiresAt = later.AddHours(1) };
        var holder = await storage.ClaimIdempotencyKeyAsync(replacement, later, Ct);
        await storage.ClaimIdempotencyKeyAsync(Claim("key-" + Guid.NewGuid(), "gone", Entry(NewId(), 1), lifetime: TimeSpan.FromSeconds(1)), KeyTime, Ct);
        var deleted = await storage.DeleteExpiredIdempotencyKeysAsync(later, 10, Ct);

        Assert.Null(found);
        Assert.Equal(("new", replacement.ExpiresAt), (holder.Fingerprint, holder.ExpiresAt));
        Assert.Equal(1, deleted);
        Assert.NotNull(await storage.FindIdempotencyClaimAsync(new SubjectKey(SubjectKey.Anonymous, live), later, Ct));
        Assert.Equal("new", (await storage.FindIdempotencyClaimAsync(old.Key, later, Ct))!.Fingerprint);
    }

    [Fact]
    public async Task A_claim_lapses_at_its_expiry_itself()
    {
        var storage = await CreateStorageAsync();
        var (replaced, swept) = (Claim("key-" + Guid.NewGuid(), "old", Entry(NewId(), 1), lifetime: TimeSpan.FromSeconds(1)),
            Claim("key-" + Guid.NewGuid(), "swept", Entry(NewId(), 1), lifetime: TimeSpan.FromSeconds(1)));
        await storage.ClaimIdempotencyKeyAsync(replaced, KeyTime, Ct);
        await storage.ClaimIdempotencyKeyAsync(swept, KeyTime, Ct);
        var expiry = replaced.ExpiresAt;

        var found = await storage.FindIdempotencyClaimAsync(replaced.Key, expiry, Ct);
        var replacement = Claim(replaced.Key.Key, "new", Entry(NewId(), 1)) with { ExpiresAt = expiry.AddHours(1) };
        var holder = await storage.ClaimIdempotencyKeyAsync(replacement, expiry, Ct);
        var deleted = await storage.DeleteExpiredIdempotencyKeysAsync(expiry, 10, Ct);

        Assert.Null(found);
        Assert.Equal("new", holder.Fingerprint);
        Assert.Equal(1, deleted);
        Assert.Null(await storage.FindIdempotencyClaimAsync(swept.Key, KeyTime, Ct));
    }

    [Fact]
    public async Task A_claim_is_replanned_only_from_the_plan_it_holds()
    {
        var storage = await CreateStorageAsync();
        var second = await OpenSecondStorageAsync(storage);
        var id = NewId();
        var claim = Claim("key-" + Guid.NewGuid(), "patch", Entry(id, 2));
        await storage.ClaimIdempotencyKeyAsync(claim, KeyTime, Ct);

        var first = await storage.ReplanIdempotencyClaimAsync(claim, Entry(id, 3, name: "replanned"), Ct);
        var raced = await second.ReplanIdempotencyClaimAsync(claim, Entry(id, 4), Ct);

        Assert.Equal((true, false), (first, raced));
        var holder = (await storage.FindIdempotencyClaimAsync(claim.Key, KeyTime, Ct))!;
        Assert.Equal((3L, claim.ExpiresAt, "patch"), (holder.Planned.Version, holder.ExpiresAt, holder.Fingerprint));
    }

    [Fact]
    public async Task An_idempotency_key_replays_the_first_create_and_refuses_another_request_naming_nothing()
    {
        var store = await CreateWritePathAsync();
        var key = "key-" + Guid.NewGuid();

        var first = Assert.IsType<CreateOutcome.Created>(await store.CreateAsync(NewWorkflow("a", key: key)));
        var replay = Assert.IsType<CreateOutcome.Replayed>(await store.CreateAsync(NewWorkflow("a", key: key)));
        var reused = await store.CreateAsync(NewWorkflow("b", key: key));
        var onPatch = await store.UpdateAsync(first.State.WorkflowId, Step(1), key: PatchKey(key));
        var otherSubject = await store.CreateAsync(NewWorkflow("a", key: key, subject: "sub:other"));

        Assert.Equal(first.State, replay.State);
        Assert.IsType<CreateOutcome.KeyReused>(reused);
        Assert.IsType<UpdateOutcome.KeyReused>(onPatch);
        Assert.NotEqual(first.State.WorkflowId, Assert.IsType<CreateOutcome.Created>(otherSubject).State.WorkflowId);
        Assert.Equal(1, (await store.GetAsync(first.State.WorkflowId, Ct))!.Version);
    }

    [Fact]
    public async Task A_create_that_stopped_after_claiming_its_key_is_finished_by_its_retry()
    {
        var storage = await CreateStorageAsync();
        var store = WritePath(storage);
        var key = "key-" + Guid.NewGuid();
        var abandoned = NewWorkflow("half-done", key: key);
        // The first request claimed the key and its process died before storing version 1.
        await storage.ClaimIdempotencyKeyAsync(Claim(key, abandoned.Idempotency!.Fingerprint, abandoned.FirstEntry()), KeyTime, Ct);

        var retry = Assert.IsType<CreateOutcome.Replayed>(await store.CreateAsync(NewWorkflow("half-done", key: key)));

        Assert.True(retry.FinishedNow);
        Assert.Equal(abandoned.Id, retry.State.WorkflowId);
        Assert.Equal(retry.State, await store.GetAsync(abandoned.Id, Ct));
        Assert.Contains(abandoned.Id, (await store.ListAsync(null, null, 1000, Ct)).Items.Select(s => s.WorkflowId));
    }

    [Fact]
    public async Task A_keyed_patch_is_applied_once_and_its_retry_replays_the_version_it_made()
    {
        var store = await CreateWritePathAsync();
        var id = await CreateAsync(store);
        var key = PatchKey("key-" + Guid.NewGuid());

        var first = Assert.IsType<UpdateOutcome.Applied>(await store.UpdateAsync(id, Step(1), key: key));
        Assert.IsType<UpdateOutcome.Applied>(await store.UpdateAsync(id, Step(2)));
        var retry = Assert.IsType<UpdateOutcome.Replayed>(await store.UpdateAsync(id, Step(1), key: key));
        var otherSubject = await store.UpdateAsync(id, Step(1), key: key with { Key = key.Key with { Subject = "sub:other" } });
        var otherRequest = await store.UpdateAsync(id, Step(1), key: key with { Fingerprint = "another body" });

        Assert.Equal((2L, 2L, false), (first.Entry.Version, retry.Entry.Version, retry.FinishedNow));
        Assert.Equal(first.State, retry.State);
        Assert.Equal(4, Assert.IsType<UpdateOutcome.Applied>(otherSubject).Entry.Version);
        Assert.IsType<UpdateOutcome.KeyReused>(otherRequest);
        Assert.Equal([1L, 2, 3, 4], await VersionsAsync(store, id));
    }

    [Fact]
    public async Task A_keyed_patch_whose_version_another_writer_took_is_planned_again_stored_once_and_replayed()
    {
        var storage = await CreateStorageAsync();
        var id = await CreateAsync(WritePath(storage));
        var key = PatchKey("key-" + Guid.NewGuid());
        // Between this PATCH's claim of its key and its append, another writer takes the version it planned.
        var raced = WritePath(new AfterFirstClaimStorage(storage, async () =>
            Assert.IsType<UpdateOutcome.Applied>(await WritePath(storage).UpdateAsync(id, new WorkflowChange(null, null, null, "the other writer")))));

        var applied = Assert.IsType<UpdateOutcome.Applied>(await raced.UpdateAsync(id, Step(5), key: key));
        var retry = Assert.IsType<UpdateOutcome.Replayed>(await WritePath(storage).UpdateAsync(id, Step(5), key: key));

        Assert.Equal((3L, 3L), (applied.Entry.Version, retry.Entry.Version));
        Assert.Equal((5, "the other writer"), (applied.State.CurrentStep, applied.State.Message));
        Assert.Equal([1L, 2, 3], await VersionsAsync(WritePath(storage), id));
    }

    [Fact]
    public async Task A_keyed_patch_with_if_match_whose_version_another_writer_took_is_refused_and_refused_again_on_retry()
    {
        var storage = await CreateStorageAsync();
        var id = await CreateAsync(WritePath(storage));
        var key = PatchKey("key-" + Guid.NewGuid());
        var raced = WritePath(new AfterFirstClaimStorage(storage, async () =>
            Assert.IsType<UpdateOutcome.Applied>(await WritePath(storage).UpdateAsync(id, Step(1)))));

        var refused = await raced.UpdateAsync(id, Step(5), expectedVersion: 1, key: key);
        var retry = await WritePath(storage).UpdateAsync(id, Step(5), expectedVersion: 1, key: key);

        Assert.Equal(2, Assert.IsType<UpdateOutcome.VersionMismatch>(refused).CurrentVersion);
        Assert.Equal(2, Assert.IsType<UpdateOutcome.VersionMismatch>(retry).CurrentVersion);
        Assert.Equal([1L, 2], await VersionsAsync(WritePath(storage), id));
    }

    [Fact]
    public async Task A_keyed_patch_whose_first_request_stopped_after_claiming_is_finished_by_its_retry()
    {
        var storage = await CreateStorageAsync();
        var store = WritePath(storage);
        var id = await CreateAsync(store);
        var key = PatchKey("key-" + Guid.NewGuid());
        var latest = (await storage.ReadLatestAsync(id, Ct))!;
        var planned = new LogEntry(StoredUpdate.Encode(Step(3).ApplyTo(latest.Update.Update, DateTimeOffset.UtcNow).Update!), latest.Name, latest.CreatedAt);
        await storage.ClaimIdempotencyKeyAsync(new IdempotencyClaim(key.Key, key.Fingerprint, planned, KeyTime.AddHours(1)), KeyTime, Ct);

        var retry = Assert.IsType<UpdateOutcome.Replayed>(await store.UpdateAsync(id, Step(3), key: key));

        Assert.True(retry.FinishedNow);
        Assert.Equal(planned.Update.Json.ToArray(), retry.Entry.Update.Json.ToArray());
        Assert.Equal([1L, 2], await VersionsAsync(store, id));
        Assert.Equal(2, (await store.ListAsync(null, null, 1000, Ct)).Items.Single(s => s.WorkflowId == id).Version);
    }

    [Fact]
    public async Task Concurrent_keyed_patches_through_two_store_instances_store_one_version()
    {
        var storage = await CreateStorageAsync();
        var (first, second) = (WritePath(storage), WritePath(await OpenSecondStorageAsync(storage)));
        var id = await CreateAsync(first);
        var key = PatchKey("key-" + Guid.NewGuid());

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(
            () => (i % 2 == 0 ? first : second).UpdateAsync(id, Step(7), key: key), Ct)));
        var free = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() => first.UpdateAsync(id, Step(i)), Ct)));

        var applied = Assert.Single(outcomes.OfType<UpdateOutcome.Applied>());
        Assert.All(outcomes.OfType<UpdateOutcome.Replayed>(), r => Assert.Equal(applied.Entry.Update.Json.ToArray(), r.Entry.Update.Json.ToArray()));
        Assert.Equal(7, outcomes.Count(o => o is UpdateOutcome.Replayed));
        Assert.All(free, f => Assert.IsType<UpdateOutcome.Applied>(f));
        var history = Assert.IsType<HistoryOutcome.Found>(await first.GetHistoryAsync(id, 0, 100, Ct)).Updates;
        Assert.Equal(Enumerable.Range(1, 6).Select(v => (long)v), history.Select(u => u.Update.Version));
        Assert.Single(history, u => u.Update.CurrentStep == 7);
    }

    private static async Task<IReadOnlyList<long>> VersionsAsync(WritePath store, string id) =>
        Assert.IsType<HistoryOutcome.Found>(await store.GetHistoryAsync(id, 0, 100, Ct)).Updates.Select(u => u.Update.Version).ToList();
}
