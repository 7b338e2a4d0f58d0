using System.Diagnostics.Metrics;
using Microsoft.Coyote.Specifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vapora.Contracts;
using Vapora.WorkflowApi.Internal;
using Vapora.WorkflowApi.Lifecycle;
using Vapora.WorkflowApi.Messaging;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Workflows;

namespace Vapora.WorkflowApi.Concurrency.Tests;

/// <summary>
/// One schedule of the store's write path, as the API wires it (<see cref="UpdateWriter"/> over
/// <see cref="WorkflowRules"/> over <see cref="BoundedStorage"/>), with every primitive a scheduling point: three creates
/// with one Idempotency-Key (two with the same body), two PATCHes with <c>If-Match: "1"</c>, two without, two retries of
/// one PATCH with one Idempotency-Key, one PATCH whose request deadline fires at some point, a pass of each of two
/// replicas' relays (one outbox-relay lease) and a flush of the published marks, all at once. Then the outbox is drained
/// and the invariants are checked.
/// </summary>
internal static class WritePathScenario
{
    private static readonly ApiMetrics Metrics = new(
        new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>(), TimeProvider.System);

    // Ids and times are the same in every schedule, so that a schedule replays exactly from its trace.
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task RunAsync(StoreKind kind)
    {
        // The store's clock (acceptance times, the relay's grace, call bounds): it moves only when told, 1 ms at a time.
        var clock = new FakeTimeProvider(Start);
        using var store = new ExploredStore(kind, clock);
        // The scheduling points sit above the call bounds, so that a bounded call never waits on one (Coyote would see
        // a task it does not control).
        var storage = new InterleavingStorage(
            new BoundedStorage(store.Primitives, Options.Create(new StorageOptions()), Metrics, clock, NullLogger<BoundedStorage>.Instance, []));
        var publisher = new RecordingPublisher();
        var relayed = new RecordingPublisher();
        var marks = new PublishedMarks(storage, NullLogger<PublishedMarks>.Instance);
        var writer = new UpdateWriter(
            new WorkflowRules(storage, new ImmediateTimers(), Options.Create(new StorageOptions { ContentionMaxDelay = TimeSpan.Zero }),
                Options.Create(new RetentionOptions()), NullLogger<WorkflowRules>.Instance),
            storage,
            new UpdateDispatcher(publisher, [], Metrics, clock, Options.Create(new PublishingOptions()), NullLogger<UpdateDispatcher>.Instance),
            marks, Metrics, NullLogger<UpdateWriter>.Instance);
        // Two replicas' relays: each publishes what it relays to both recorders, so that relays' duplicates show apart.
        var relays = Enumerable.Range(0, 2).Select(_ => new OutboxRelay(storage, new TeePublisher(publisher, relayed), Metrics, clock,
            Options.Create(new PublishingOptions { OutboxBatchSize = 2 }), NullLogger<OutboxRelay>.Instance)).ToArray();

        var watchedId = ((CreateOutcome.Created)await writer.CreateAsync(NewWorkflow("watched", "wf_watched", key: null), RequestDeadline.None)).First.WorkflowId;
        var deadlineClock = new FakeTimeProvider();
        using var deadline = new RequestDeadline(TimeSpan.FromSeconds(1), deadlineClock);
        const string key = "one-key"; // each schedule has a store of its own

        var creates = new[] { "same", "same", "other" }
            .Select((body, i) => Outcome(() => writer.CreateAsync(NewWorkflow(body, "wf_keyed" + i, key), RequestDeadline.None))).ToArray();
        var ifMatch = new[] { 1, 2 }.Select(op => Outcome(() => writer.UpdateAsync(watchedId, Change(op), 1, null, RequestDeadline.None))).ToArray();
        var free = new[] { 3, 4 }.Select(op => Outcome(() => writer.UpdateAsync(watchedId, Change(op), null, null, RequestDeadline.None))).ToArray();
        var patchKey = new IdempotentRequest(new SubjectKey(SubjectKey.Anonymous, "patch-key"), "op6");
        var keyed = new[] { 6, 6 }.Select(op => Outcome(() => writer.UpdateAsync(watchedId, Change(op), null, patchKey, RequestDeadline.None))).ToArray();
        var cut = Outcome(() => writer.UpdateAsync(watchedId, Change(5), null, null, deadline));
        var background = new List<Task>
        {
            Task.Run(() => deadlineClock.Advance(TimeSpan.FromSeconds(1))),
            Task.Run(() => marks.FlushQueuedAsync(CancellationToken.None)),
        };
        background.AddRange(relays.Select(relay => Task.Run(async () =>
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            await relay.RunOnceAsync(TimeSpan.Zero, CancellationToken.None);
        })));

        var all = new List<Task>(background) { cut };
        all.AddRange(creates);
        all.AddRange(ifMatch);
        all.AddRange(free);
        all.AddRange(keyed);
        await Task.WhenAll(all);
        await DrainAsync(clock, storage, marks, relays);

        var created = CheckKeyedCreates(creates.Select(c => c.Result).ToList());
        var watchedLog = await LogAsync(storage, watchedId);
        CheckWatched(watchedLog, ifMatch.Concat(free).Select(c => c.Result).ToList(), cut.Result, keyed.Select(k => k.Result).ToList());
        var relayedTwice = relayed.Published.GroupBy(k => k).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Check(relayedTwice.Count == 0, "the relays of two replicas publish each entry once: " + string.Join(", ", relayedTwice));
        Check((await LogAsync(storage, created)).Select(u => u.Version).SequenceEqual([1L]), "the keyed workflow has exactly version 1");
        Check(storage.SummaryRegressions.IsEmpty, "summaries only move forward: " + string.Join("; ", storage.SummaryRegressions));
        var summaries = await storage.ListSummariesAsync(null, null, 100, CancellationToken.None);
        Check(summaries.Count == 2, $"two workflows are listed, not {summaries.Count}");
        foreach (var summary in summaries)
        {
            var log = await LogAsync(storage, summary.WorkflowId);
            Check(summary.Version == log[^1].Version, $"{summary.WorkflowId}'s summary ends at the latest version ({summary.Version}, not {log[^1].Version})");
            Check(log.All(u => publisher.Published.Contains(new UpdateKey(u.WorkflowId, u.Version))), $"every version of {summary.WorkflowId} was published");
        }

        Check((await storage.ScanUnpublishedAsync(clock.GetUtcNow().AddHours(1), 100, CancellationToken.None)).Count == 0,
            "the outbox marks every entry");
    }

    // The relay holding the lease finishes whatever the writers left (a summary the deadline cut, a mark not written yet).
    private static async Task DrainAsync(FakeTimeProvider clock, IStoragePrimitives storage, PublishedMarks marks, OutboxRelay[] relays)
    {
        await marks.FlushQueuedAsync(CancellationToken.None);
        for (var pass = 0; pass < 20; pass++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            foreach (var relay in relays)
            {
                await relay.RunOnceAsync(TimeSpan.Zero, CancellationToken.None);
            }

            if ((await storage.ScanUnpublishedAsync(clock.GetUtcNow(), 1, CancellationToken.None)).Count == 0)
            {
                return;
            }
        }
    }

    // A keyed create makes one workflow and never fails: one Created; the same body replays it, another body is refused.
    private static string CheckKeyedCreates(IReadOnlyList<Result<CreateOutcome>> outcomes)
    {
        Check(outcomes.All(o => o.Error is null), "no keyed create fails: " + string.Join("; ", outcomes.Select(o => o.Error?.ToString()).OfType<string>()));
        var created = outcomes.Select(o => o.Value).OfType<CreateOutcome.Created>().ToList();
        Check(created.Count == 1, $"one keyed create is Created, not {created.Count}");
        var id = created[0].First.WorkflowId;
        foreach (var outcome in outcomes.Select(o => o.Value))
        {
            Check(outcome switch
            {
                CreateOutcome.Created => true,
                CreateOutcome.Replayed replayed => replayed.First.WorkflowId == id,
                CreateOutcome.KeyReused => true,
                _ => false,
            }, $"every keyed create names the one workflow ({outcome})");
        }

        return id;
    }

    // One stored version per accepted write, contiguous; If-Match never lets two writers win; a write whose deadline
    // passed either applied or was cancelled (503), and may have been stored without its answer; the two retries of one
    // keyed PATCH store it once, one answering as the write and the other as its replay, both with that version.
    private static void CheckWatched(IReadOnlyList<WorkflowUpdate> log, IReadOnlyList<Result<UpdateOutcome>> writes, Result<UpdateOutcome> cut,
        IReadOnlyList<Result<UpdateOutcome>> keyed)
    {
        var keyedStored = log.Where(u => u.Message == Change(6).Message).Select(u => u.Version).ToList();
        Check(keyed.All(k => k.Error is null), "no keyed write fails: " + string.Join("; ", keyed.Select(k => k.Error?.ToString()).OfType<string>()));
        Check(keyedStored.Count == 1, $"a keyed PATCH and its retry store it once, not {keyedStored.Count} times");
        Check(keyed.Count(k => k.Value is UpdateOutcome.Applied) == 1 && keyed.Count(k => k.Value is UpdateOutcome.Replayed) == 1,
            "one keyed retry answers as the write, the other as its replay: " + string.Join(", ", keyed.Select(k => k.Value)));
        Check(keyed.All(k => k.Value switch
            {
                UpdateOutcome.Applied a => a.Entry.Version == keyedStored[0],
                UpdateOutcome.Replayed r => r.Entry.Version == keyedStored[0],
                _ => false,
            }), "both keyed answers name the version stored");
        Check(log.Select(u => u.Version).SequenceEqual(Enumerable.Range(1, log.Count).Select(v => (long)v)), "the watched log is contiguous from 1");
        Check(writes.All(w => w.Error is null), "no write fails: " + string.Join("; ", writes.Select(w => w.Error?.ToString()).OfType<string>()));
        Check(cut.Error is null or OperationCanceledException, $"the write cut by its deadline was cancelled, not failed: {cut.Error}");
        Check(writes.Take(2).Count(w => w.Value is UpdateOutcome.Applied) <= 1, "two writers with If-Match: \"1\" do not both win");
        var applied = writes.Append(cut).Select(w => w.Value).OfType<UpdateOutcome.Applied>().Select(a => a.Entry.Update.Update.Message).ToList();
        var stored = log.Skip(1).Select(u => u.Message).ToList();
        Check(stored.Distinct().Count() == stored.Count, "no write is stored twice: " + string.Join(", ", stored));
        Check(applied.All(stored.Contains), "every applied write is stored");
        Check(stored.All(m => applied.Contains(m) || m == Change(6).Message || (m == Change(5).Message && cut.Error is not null)),
            "every stored write was applied (or is the one whose answer the deadline cut)");
    }

    private static async Task<IReadOnlyList<WorkflowUpdate>> LogAsync(IStoragePrimitives storage, string workflowId) =>
        (await storage.ReadRangeAsync(workflowId, 0, 100, CancellationToken.None)).Select(u => u.Update).ToList();

    private static NewWorkflow NewWorkflow(string body, string id, string? key) =>
        new(id, body, 10, null, Start, key is null ? null : new IdempotentRequest(new SubjectKey(SubjectKey.Anonymous, key), body));

    private static WorkflowChange Change(int op) => new(WorkflowStatus.Running, op, null, "op" + op);

    private static Task<Result<T>> Outcome<T>(Func<Task<T>> write) => Task.Run(async () =>
    {
        try
        {
            return new Result<T>(await write(), null);
        }
        catch (Exception ex)
        {
            return new Result<T>(default, ex);
        }
    });

    private static void Check(bool holds, string invariant) => Specification.Assert(holds, "Invariant broken: {0}", invariant);

    private readonly record struct Result<T>(T? Value, Exception? Error);
}
