using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vapora.Contracts;
using Vapora.ServiceDefaults;
using Vapora.WorkflowApi.Internal;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Workflows;
using static Vapora.WorkflowApi.Tests.StoreHarness;

namespace Vapora.WorkflowApi.Tests;

/// <summary>
/// Every store call through its bound, on a fake clock: abandoned at <c>Storage:OperationTimeout</c> as an outage
/// (503 with Retry-After), a store that cannot be reached an outage, a refusal a defect (500, logged each time), a
/// caller that gave up a cancellation and no failure of the store; each counted by its operation's name.
/// </summary>
public sealed class BoundedStorageTests : IDisposable
{
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(5);
    private static readonly LogEntry First = Entry("bounded", 1);
    private static readonly IdempotencyClaim Claim = new(new SubjectKey(SubjectKey.Anonymous, "k"), "f", First, DateTimeOffset.UnixEpoch);

    // Each call of IStoragePrimitives by the operation name it is counted and reported under (two calls share "lease").
    private static readonly Dictionary<string, (string Operation, Func<IStoragePrimitives, Task> Call)> Calls = new()
    {
        ["append"] = ("append", s => s.TryAppendAsync(First, Ct)),
        ["read_latest"] = ("read_latest", s => s.ReadLatestAsync("bounded", Ct)),
        ["read_newest"] = ("read_newest", s => s.ReadNewestVersionAsync("bounded", Ct)),
        ["read_range"] = ("read_range", s => s.ReadRangeAsync("bounded", 0, 10, Ct)),
        ["upsert_summary"] = ("upsert_summary", s => s.UpsertSummaryAsync(First, Ct)),
        ["list_summaries"] = ("list_summaries", s => s.ListSummariesAsync(null, null, 10, Ct)),
        ["outbox_scan"] = ("outbox_scan", s => s.ScanUnpublishedAsync(DateTimeOffset.UnixEpoch, 10, Ct)),
        ["outbox_count"] = ("outbox_count", s => s.MeasureUnpublishedAsync(DateTimeOffset.UnixEpoch, 10, Ct)),
        ["mark_published"] = ("mark_published", s => s.MarkPublishedAsync([First.Key], Ct)),
        ["find_key"] = ("find_key", s => s.FindIdempotencyClaimAsync(Claim.Key, DateTimeOffset.UnixEpoch, Ct)),
        ["claim_key"] = ("claim_key", s => s.ClaimIdempotencyKeyAsync(Claim, DateTimeOffset.UnixEpoch, Ct)),
        ["replan_key"] = ("replan_key", s => s.ReplanIdempotencyClaimAsync(Claim, Entry("bounded", 2), Ct)),
        ["expire_keys"] = ("expire_keys", s => s.DeleteExpiredIdempotencyKeysAsync(DateTimeOffset.UnixEpoch, 10, Ct)),
        ["acquire_lease"] = ("lease", s => s.TryAcquireLeaseAsync("unit", "a", TimeSpan.FromSeconds(30), Ct)),
        ["release_lease"] = ("lease", s => s.ReleaseLeaseAsync("unit", "a", Ct)),
        ["retention_scan"] = ("retention_scan", s => s.FindRetentionDueAsync(RetentionStage.Compact, DateTimeOffset.UnixEpoch, 10, Ct)),
        ["compact"] = ("compact", s => s.CompactAsync([], Ct)),
        ["delete"] = ("delete", s => s.DeleteWorkflowsAsync([], Ct)),
    };

    private readonly FakeTimeProvider _time = new();
    private readonly StoreErrorCounts _errors;
    private readonly RecordingLogger<BoundedStorage> _log = new();
    private readonly FlakyStorage _store;

    public BoundedStorageTests()
    {
        _errors = new StoreErrorCounts(_time);
        _store = new FlakyStorage(Memory(_time));
    }

    public static TheoryData<string> CallNames => new(Calls.Keys);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Calls_within_the_bound_reach_the_store_and_return_its_answers()
    {
        var bounded = Bounded();

        Assert.True(await bounded.TryAppendAsync(First, Ct));
        Assert.False(await bounded.TryAppendAsync(First, Ct)); // taken: the store's answer, not an error
        Assert.Equal(First, await bounded.ReadLatestAsync("bounded", Ct));
        Assert.Equal(1, await bounded.ReadNewestVersionAsync("bounded", Ct));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([First.Key], (await bounded.ScanUnpublishedAsync(_time.GetUtcNow(), 10, Ct)).Select(e => e.Key));
        await bounded.MarkPublishedAsync([First.Key], Ct);
        Assert.Empty(await bounded.ScanUnpublishedAsync(_time.GetUtcNow(), 10, Ct));

        Assert.True(await bounded.TryAcquireLeaseAsync("unit", "a", TimeSpan.FromSeconds(30), Ct));
        Assert.False(await bounded.TryAcquireLeaseAsync("unit", "b", TimeSpan.FromSeconds(30), Ct));
        await bounded.ReleaseLeaseAsync("unit", "a", Ct);
        Assert.True(await bounded.TryAcquireLeaseAsync("unit", "b", TimeSpan.FromSeconds(30), Ct));

        Assert.Empty(_errors.Counted);
        Assert.Empty(_log.Entries);
    }

    [Theory]
    [MemberData(nameof(CallNames))]
    public async Task A_failure_of_any_call_names_its_operation_as_the_metric_counts_it(string call)
    {
        var (operation, invoke) = Calls[call];
        var hook = new Hook { Throws = new TimeoutException("no route to the store") };

        var failure = await Assert.ThrowsAsync<StoreUnavailableException>(() => invoke(Bounded(hook)));

        Assert.Contains(operation, ApiMetrics.StoreOperations); // exported at 0 from the start
        Assert.Equal(operation, failure.Operation);
        Assert.Equal($"The store cannot be reached ({operation}).", failure.Message);
        Assert.Equal([operation], hook.Operations);
        Assert.Equal(new Dictionary<(string, string), long> { [(operation, ApiMetrics.Outage)] = 1 }, _errors.Counted);
        Assert.Equal([operation], _errors.Timed.Select(t => t.Operation));
    }

    [Theory]
    [MemberData(nameof(CallNames))]
    public async Task Every_call_that_the_store_answers_is_timed_once_under_its_operation_and_counts_no_error(string call)
    {
        var (operation, invoke) = Calls[call];
        var hook = new Hook { Delay = TimeSpan.FromMilliseconds(40), Clock = _time };

        var answered = invoke(Bounded(hook));
        _time.Advance(TimeSpan.FromMilliseconds(40));
        await answered;

        Assert.Equal([(operation, 0.040)], _errors.Timed);
        Assert.Empty(_errors.Counted);
    }

    [Fact]
    public async Task A_store_that_never_answers_is_abandoned_at_the_operation_timeout_and_the_request_gets_503_with_retry_after()
    {
        _store.AppendsHang = true; // and ignores its token, as a driver may
        var append = Bounded().TryAppendAsync(First, Ct);

        _time.Advance(OperationTimeout - TimeSpan.FromMilliseconds(1));
        Assert.False(append.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var failure = await Assert.ThrowsAsync<StoreUnavailableException>(() => append);

        Assert.Equal("append", failure.Operation);
        Assert.Equal("The store did not answer (append) within 5 s.", failure.Message);
        Assert.Equal(new Dictionary<(string, string), long> { [("append", ApiMetrics.Outage)] = 1 }, _errors.Counted);
        Assert.Equal([("append", OperationTimeout.TotalSeconds)], _errors.Timed); // abandoned at the bound, timed to it
        var http = await AnswerAsync(failure);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, http.Response.StatusCode);
        Assert.Equal("1", http.Response.Headers.RetryAfter.ToString());
        Assert.Equal("The store did not answer (append) within 5 s. Retry shortly.", Detail(http));
    }

    [Fact]
    public async Task A_call_held_up_in_front_of_the_store_past_the_timeout_is_an_outage_and_stores_nothing()
    {
        var hook = new Hook { Stalls = true };
        var append = Bounded(hook).TryAppendAsync(First, Ct);

        _time.Advance(OperationTimeout);

        var failure = await Assert.ThrowsAsync<StoreUnavailableException>(() => append);
        Assert.StartsWith("The store did not answer (append)", failure.Message, StringComparison.Ordinal);
        Assert.Equal(["append"], hook.Operations);
        Assert.Null(await _store.ReadLatestAsync("bounded", Ct));
    }

    [Fact]
    public async Task When_the_request_deadline_passes_before_the_append_nothing_is_stored_and_the_store_is_not_blamed()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(2), _time);
        var append = Bounded(new Hook { Stalls = true }).TryAppendAsync(First, deadline.Token);

        _time.Advance(TimeSpan.FromSeconds(2));

        var cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => append);
        Assert.Null(await _store.ReadLatestAsync("bounded", Ct));
        Assert.Empty(_errors.Counted);
        Assert.Empty(_log.Entries);
    }

    [Fact]
    public async Task A_driver_error_caused_by_the_callers_cancellation_goes_on_as_a_cancellation_of_the_caller()
    {
        _store.RefusesCancelledReads = true;
        using var deadline = new CancellationTokenSource();
        await deadline.CancelAsync();

        var cancelled = await Assert.ThrowsAsync<OperationCanceledException>(() => Bounded().ReadLatestAsync("bounded", deadline.Token));

        Assert.Equal(deadline.Token, cancelled.CancellationToken);
        Assert.IsType<TimeoutException>(cancelled.InnerException);
        Assert.Equal("The caller stopped waiting for read_latest.", cancelled.Message);
        Assert.Empty(_errors.Counted);
        Assert.Empty(_log.Entries);
    }

    [Fact]
    public async Task A_store_that_cannot_be_reached_is_an_outage_and_the_stores_own_outage_goes_on_as_it_is()
    {
        var bounded = Bounded();
        var unreachable = new TimeoutException("no route to the store");
        var electing = new StoreUnavailableException("read_latest", "The replica set is electing a primary.");

        _store.ReadFault = unreachable;
        var first = await Assert.ThrowsAsync<StoreUnavailableException>(() => bounded.ReadLatestAsync("bounded", Ct));
        _store.ReadFault = electing;
        var second = await Assert.ThrowsAsync<StoreUnavailableException>(() => bounded.ReadLatestAsync("bounded", Ct));

        Assert.Equal("The store cannot be reached (read_latest).", first.Message);
        Assert.Same(unreachable, first.InnerException);
        Assert.Same(electing, second);
        Assert.Equal(new Dictionary<(string, string), long> { [("read_latest", ApiMetrics.Outage)] = 2 }, _errors.Counted);
        Assert.True(bounded.IsUnavailable(first));
        Assert.True(bounded.IsUnavailable(unreachable)); // as the store itself classifies it
        Assert.False(bounded.IsUnavailable(new InvalidOperationException()));
    }

    [Fact]
    public async Task A_store_that_refuses_a_call_is_a_defect_that_goes_on_as_it_is_and_is_logged_every_time()
    {
        var bounded = Bounded();
        var refused = new InvalidOperationException("document failed validation");
        _store.ReadFault = refused;

        for (var i = 0; i < 2; i++)
        {
            Assert.Same(refused, await Assert.ThrowsAsync<InvalidOperationException>(() => bounded.ReadLatestAsync("bounded", Ct)));
        }

        Assert.Equal(new Dictionary<(string, string), long> { [("read_latest", ApiMetrics.Defect)] = 2 }, _errors.Counted);
        Assert.Equal([(LogLevel.Error, 8), (LogLevel.Error, 8)], _log.Entries.Select(e => (e.Level, e.EventId)));
        Assert.False(await new StoreUnavailableHandler(Services().GetRequiredService<IProblemDetailsService>())
            .TryHandleAsync(new DefaultHttpContext(), refused, Ct)); // left to the 500 answer
    }

    [Fact]
    public async Task Outages_are_logged_once_per_window_with_the_number_left_out()
    {
        var bounded = Bounded();
        _store.ReadFault = new TimeoutException("no route to the store");
        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<StoreUnavailableException>(() => bounded.ReadLatestAsync("bounded", Ct));
        }

        _time.Advance(LogBurst.DefaultWindow);
        _store.AppendsHang = true;
        var append = bounded.TryAppendAsync(First, Ct);
        _time.Advance(OperationTimeout);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => append);

        var logged = _log.Entries.ToArray();
        Assert.Equal([(LogLevel.Warning, 7), (LogLevel.Warning, 6)], logged.Select(e => (e.Level, e.EventId)));
        Assert.Contains("(0 more store failures", logged[0].Message, StringComparison.Ordinal);
        Assert.Contains("did not answer append", logged[1].Message, StringComparison.Ordinal);
        Assert.Contains("(2 more store failures", logged[1].Message, StringComparison.Ordinal);
    }

    public void Dispose() => _errors.Dispose();

    private BoundedStorage Bounded(params IStoreCallHook[] hooks) =>
        new(_store, Options.Create(new StorageOptions { OperationTimeout = OperationTimeout }), _errors.Metrics, _time, _log, hooks);

    private static ServiceProvider Services() => new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();

    private static async Task<DefaultHttpContext> AnswerAsync(Exception failure)
    {
        var http = new DefaultHttpContext { RequestServices = Services(), Response = { Body = new MemoryStream() } };
        var handler = new StoreUnavailableHandler(http.RequestServices.GetRequiredService<IProblemDetailsService>());
        Assert.True(await handler.TryHandleAsync(http, failure, Ct));
        return http;
    }

    private static string? Detail(HttpContext http)
    {
        http.Response.Body.Position = 0;
        using var problem = JsonDocument.Parse(http.Response.Body);
        return problem.RootElement.GetProperty("detail").GetString();
    }

    /// <summary>Runs before each call: records its operation, then throws, waits until the call's token ends, or lets it through.</summary>
    private sealed class Hook : IStoreCallHook
    {
        public List<string> Operations { get; } = [];

        public Exception? Throws { get; init; }

        public bool Stalls { get; init; }

        /// <summary>How long each call takes on <see cref="Clock"/> before it reaches the store.</summary>
        public TimeSpan Delay { get; init; }

        public TimeProvider Clock { get; init; } = TimeProvider.System;

        public async ValueTask BeforeCallAsync(string operation, CancellationToken cancellationToken)
        {
            Operations.Add(operation);
            if (Throws is not null)
            {
                throw Throws;
            }

            if (Stalls)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            }

            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, Clock, cancellationToken);
            }
        }
    }

    /// <summary>The memory store with a driver's failures on demand; it calls a <see cref="TimeoutException"/> unreachable, as drivers do.</summary>
    private sealed class FlakyStorage(IStoragePrimitives inner) : DelegatingStorage(inner)
    {
        public bool AppendsHang { get; set; }

        public Exception? ReadFault { get; set; }

        public bool RefusesCancelledReads { get; set; }

        public override Task<bool> TryAppendAsync(LogEntry entry, CancellationToken cancellationToken) =>
            AppendsHang ? new TaskCompletionSource<bool>().Task : base.TryAppendAsync(entry, cancellationToken);

        public override Task<LogEntry?> ReadLatestAsync(string workflowId, CancellationToken cancellationToken) =>
            RefusesCancelledReads && cancellationToken.IsCancellationRequested ? throw new TimeoutException("the driver gave up")
            : ReadFault is not null ? throw ReadFault
            : base.ReadLatestAsync(workflowId, cancellationToken);

        public override bool IsUnavailable(Exception exception) => exception is TimeoutException;
    }
}
