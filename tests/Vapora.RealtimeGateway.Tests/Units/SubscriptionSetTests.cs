using System.Security.Claims;
using Microsoft.Extensions.Time.Testing;
using Vapora.RealtimeGateway.Connections;
using Vapora.ServiceDefaults.Security;
using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>
/// One connection's workflows, in process on a fake clock: what a subscribe answers (and what it costs the failure
/// budget), the limits, letting go (references on the topic back to zero), the idle clock and a token refresh that
/// narrows what the connection may read.
/// </summary>
public sealed class SubscriptionSetTests : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new();
    private readonly ConnectionOptions _options = new() { MaxSubscriptionsPerConnection = 3, FailedSubscribeBudget = 3, FailedSubscribeRefill = TimeSpan.FromSeconds(1) };
    private readonly FakeUpdateLog _log = new(new HashSet<string>(["wf_a", "wf_b", "wf_c", "wf_d"], StringComparer.Ordinal), latest: 3);
    private readonly TestCore _core;
    private readonly FakeTransport _transport = new();
    private readonly Connection _connection;
    private readonly Task _run;

    public SubscriptionSetTests()
    {
        _core = new TestCore(_log, _time, connections: _options);
        _connection = new Connection(1, _transport, new ClaimsPrincipal(), _core.Services);
        _run = _connection.RunAsync(_transport.InboundAsync);
    }

    private SubscriptionSet Set => _connection.Subscriptions;

    public async ValueTask DisposeAsync()
    {
        _transport.EndInbound();
        await _run.WaitAsync(Deadline);
        _connection.Dispose();
        _core.Dispose();
    }

    [Fact]
    public async Task A_subscribe_joins_the_topic_catches_up_and_a_second_one_for_the_same_workflow_is_refused()
    {
        Assert.Equal(SubscribeResult.Subscribed, await Set.SubscribeAsync("wf_a", after: 1, enveloped: false, subscribedFrame: null));
        await Poll.UntilAsync(() => _transport.Sent.Count == 2, Deadline, "versions 2 and 3");

        Assert.Equal([2L, 3], _transport.SentVersions);
        Assert.Equal(SubscribeResult.AlreadySubscribed, await Set.SubscribeAsync("wf_a", after: null, enveloped: false, subscribedFrame: null));
        Assert.Equal(1, Set.Count);
        Assert.Equal(1, _core.Topics.ReferencesOf("wf_a"));
    }

    [Fact]
    public async Task The_subscribed_frame_goes_out_before_any_update()
    {
        var subscribed = "{\"type\":\"subscribed\"}"u8.ToArray();

        await Set.SubscribeAsync("wf_b", after: 2, enveloped: false, subscribedFrame: subscribed);

        await Poll.UntilAsync(() => _transport.Sent.Count == 2, Deadline, "the subscribed frame and version 3");
        Assert.Equal(subscribed, _transport.Sent[0]);
        Assert.Equal(-1, _transport.SentVersions[0]);
        Assert.Equal(3, _transport.SentVersions[1]);
    }

    [Fact]
    public async Task Subscriptions_past_the_limit_are_refused_and_unsubscribing_makes_room()
    {
        foreach (var id in new[] { "wf_a", "wf_b", "wf_c" })
        {
            Assert.Equal(SubscribeResult.Subscribed, await Set.SubscribeAsync(id, after: 3, enveloped: false, subscribedFrame: null));
        }

        Assert.Equal(SubscribeResult.TooManySubscriptions, await Set.SubscribeAsync("wf_d", after: 3, enveloped: false, subscribedFrame: null));
        Assert.Equal(0, _core.Topics.ReferencesOf("wf_d"));
        Assert.Equal(3, Set.Count);

        Assert.True(Set.Unsubscribe("wf_b"));
        Assert.False(Set.Unsubscribe("wf_b"));
        Assert.Equal(0, _core.Topics.ReferencesOf("wf_b"));
        Assert.Equal(SubscribeResult.Subscribed, await Set.SubscribeAsync("wf_d", after: 3, enveloped: false, subscribedFrame: null));
        Assert.Equal(3, Set.Count);
    }

    [Fact]
    public async Task An_unknown_workflow_is_not_found_once_from_the_api_then_from_the_cache_and_holds_no_reference()
    {
        Assert.Equal(SubscribeResult.NotFound, await Set.SubscribeAsync("wf_missing", after: null, enveloped: false, subscribedFrame: null));
        var reads = _log.StateReads;

        Assert.Equal(SubscribeResult.NotFound, await Set.SubscribeAsync("wf_missing", after: null, enveloped: false, subscribedFrame: null));

        Assert.Equal(reads, _log.StateReads);
        Assert.Equal(0, Set.Count);
        Assert.Equal(0, _core.Topics.ReferencesOf("wf_missing"));
        Assert.False(Set.Unsubscribe("wf_missing"));
    }

    [Fact]
    public async Task Failed_subscribes_spend_the_budget_then_are_rate_limited_until_it_refills_one_per_refill_period()
    {
        for (var i = 0; i < _options.FailedSubscribeBudget; i++)
        {
            Assert.Equal(SubscribeResult.NotFound, await Set.SubscribeAsync("wf_missing", after: null, enveloped: false, subscribedFrame: null));
        }

        // Out of budget: refused before any check, even for a workflow that exists.
        Assert.Equal(SubscribeResult.RateLimited, await Set.SubscribeAsync("wf_a", after: null, enveloped: false, subscribedFrame: null));
        Assert.Equal(1, _core.Metrics.Total("vapora.gateway.inbound.rejected"));
        _time.Advance(_options.FailedSubscribeRefill - TimeSpan.FromMilliseconds(1));
        Assert.Equal(SubscribeResult.RateLimited, await Set.SubscribeAsync("wf_a", after: null, enveloped: false, subscribedFrame: null));

        // One failure earned back: one more may fail, then none.
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(SubscribeResult.NotFound, await Set.SubscribeAsync("wf_missing", after: null, enveloped: false, subscribedFrame: null));
        Assert.Equal(SubscribeResult.RateLimited, await Set.SubscribeAsync("wf_missing", after: null, enveloped: false, subscribedFrame: null));

        // Two periods give two back, never more than the budget: a long quiet spell restores it whole, not beyond.
        _time.Advance(_options.FailedSubscribeRefill * 100);
        for (var i = 0; i < _options.FailedSubscribeBudget; i++)
        {
            Assert.Equal(SubscribeResult.NotFound, await Set.SubscribeAsync("wf_missing", after: null, enveloped: false, subscribedFrame: null));
        }

        Assert.Equal(SubscribeResult.RateLimited, await Set.SubscribeAsync("wf_missing", after: null, enveloped: false, subscribedFrame: null));
    }

    [Fact]
    public async Task Successful_subscribes_cost_no_budget()
    {
        for (var round = 0; round < _options.FailedSubscribeBudget + 2; round++)
        {
            Assert.Equal(SubscribeResult.Subscribed, await Set.SubscribeAsync("wf_a", after: 3, enveloped: false, subscribedFrame: null));
            Assert.True(Set.Unsubscribe("wf_a"));
        }

        Assert.Equal(SubscribeResult.NotFound, await Set.SubscribeAsync("wf_missing", after: null, enveloped: false, subscribedFrame: null));
    }

    [Fact]
    public async Task Repeated_and_over_the_limit_subscribes_spend_the_budget_too()
    {
        await Set.SubscribeAsync("wf_a", after: 3, enveloped: false, subscribedFrame: null);
        await Set.SubscribeAsync("wf_b", after: 3, enveloped: false, subscribedFrame: null);
        await Set.SubscribeAsync("wf_c", after: 3, enveloped: false, subscribedFrame: null);

        Assert.Equal(SubscribeResult.AlreadySubscribed, await Set.SubscribeAsync("wf_a", after: 3, enveloped: false, subscribedFrame: null));
        Assert.Equal(SubscribeResult.TooManySubscriptions, await Set.SubscribeAsync("wf_d", after: 3, enveloped: false, subscribedFrame: null));
        Assert.Equal(SubscribeResult.AlreadySubscribed, await Set.SubscribeAsync("wf_b", after: 3, enveloped: false, subscribedFrame: null));

        Assert.Equal(SubscribeResult.RateLimited, await Set.SubscribeAsync("wf_c", after: 3, enveloped: false, subscribedFrame: null));
    }

    [Fact]
    public async Task The_idle_clock_runs_from_the_open_while_nothing_is_watched_stops_while_something_is_and_restarts_when_the_last_goes()
    {
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(5), Set.IdleFor());

        await Set.SubscribeAsync("wf_a", after: 3, enveloped: false, subscribedFrame: null);
        await Set.SubscribeAsync("wf_b", after: 3, enveloped: false, subscribedFrame: null);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.Zero, Set.IdleFor());

        Set.Unsubscribe("wf_a");
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.Zero, Set.IdleFor());

        Set.Unsubscribe("wf_b");
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(TimeSpan.FromSeconds(3), Set.IdleFor());
    }

    [Fact]
    public async Task Clear_lets_go_of_every_workflow_once()
    {
        await Set.SubscribeAsync("wf_a", after: 3, enveloped: false, subscribedFrame: null);
        await Set.SubscribeAsync("wf_b", after: 3, enveloped: false, subscribedFrame: null);
        Assert.Equal(1, _core.Topics.ReferencesOf("wf_a"));

        Set.Clear();
        Set.Clear();

        Assert.Equal(0, Set.Count);
        Assert.Equal(0, _core.Topics.ReferencesOf("wf_a"));
        Assert.Equal(0, _core.Topics.ReferencesOf("wf_b"));
        Assert.False(Set.Unsubscribe("wf_a"));
    }

    [Fact]
    public async Task Down_to_one_workflow_and_back_up_the_set_still_finds_each_one()
    {
        await Set.SubscribeAsync("wf_a", after: 3, enveloped: false, subscribedFrame: null);
        await Set.SubscribeAsync("wf_b", after: 3, enveloped: false, subscribedFrame: null);
        Set.Unsubscribe("wf_a");

        Assert.Equal(SubscribeResult.AlreadySubscribed, await Set.SubscribeAsync("wf_b", after: 3, enveloped: false, subscribedFrame: null));
        Assert.Equal(SubscribeResult.Subscribed, await Set.SubscribeAsync("wf_a", after: 3, enveloped: false, subscribedFrame: null));
        Assert.Equal(2, Set.Count);
        Assert.True(Set.Unsubscribe("wf_b"));
        Assert.True(Set.Unsubscribe("wf_a"));
        Assert.Equal(0, Set.Count);
    }

    [Fact]
    public async Task With_authentication_on_a_workflow_the_token_does_not_name_is_forbidden_and_a_narrower_token_drops_only_what_it_no_longer_allows()
    {
        var services = _core.WithAuthentication();
        var transport = new FakeTransport();
        using var connection = new Connection(2, transport, Reader("wf_a wf_b"), services);
        var run = connection.RunAsync(transport.InboundAsync);

        Assert.True(connection.Subscriptions.MayRead("wf_a"));
        Assert.False(connection.Subscriptions.MayRead("wf_c"));
        Assert.Equal(SubscribeResult.Forbidden, await connection.Subscriptions.SubscribeAsync("wf_c", after: 3, enveloped: false, subscribedFrame: null));
        Assert.Equal(0, _core.Topics.ReferencesOf("wf_c"));
        Assert.Equal(SubscribeResult.Subscribed, await connection.Subscriptions.SubscribeAsync("wf_a", after: 3, enveloped: false, subscribedFrame: null));
        Assert.Equal(SubscribeResult.Subscribed, await connection.Subscriptions.SubscribeAsync("wf_b", after: 3, enveloped: false, subscribedFrame: null));

        connection.Grant.Renew(Reader("wf_b"), _time.GetUtcNow().AddMinutes(5));

        Assert.Equal(new[] { "wf_a" }, connection.Subscriptions.ForgetUnreadable());
        Assert.Equal(1, connection.Subscriptions.Count);
        Assert.Equal(0, _core.Topics.ReferencesOf("wf_a"));
        Assert.Equal(1, _core.Topics.ReferencesOf("wf_b"));
        Assert.Empty(connection.Subscriptions.ForgetUnreadable());

        transport.EndInbound();
        await run.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        Assert.Equal(0, _core.Topics.ReferencesOf("wf_b"));
    }

    private static ClaimsPrincipal Reader(string workflows) =>
        new(new ClaimsIdentity([new Claim(WorkflowClaims.WorkflowsClaim, workflows)], authenticationType: "test"));
}
