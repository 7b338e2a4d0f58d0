using System.Globalization;
using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Vapora.Contracts;
using Vapora.RealtimeGateway.Connections;
using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>A connection's token expiry on a fake clock: the notice before it, the close at it, a renewal, and tokens beyond a timer's range.</summary>
public sealed class ConnectionGrantTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private readonly TestCore _core;
    private readonly ConnectionServices _services;

    public ConnectionGrantTests()
    {
        _core = new TestCore(new FakeUpdateLog("wf_grant_unit", latest: 1), _time);
        _services = _core.WithAuthentication();
    }

    public void Dispose() => _core.Dispose();

    [Theory]
    [InlineData(3600, 30_000)]   // long token: the notice setting
    [InlineData(6, 1_200)]       // short token: a fifth of its lifetime
    public void The_notice_comes_the_setting_before_expiry_but_never_in_the_first_80_percent_of_the_lifetime(int lifetimeSeconds, int leadMs)
    {
        var now = _time.GetUtcNow();
        var exp = now.AddSeconds(lifetimeSeconds);
        Assert.Equal(exp - TimeSpan.FromMilliseconds(leadMs), ConnectionGrant.WarningTime(now, now, exp, TimeSpan.FromSeconds(30)));
    }

    [Theory]
    [InlineData(-100, 20, 24_000)] // issued 100 s ago: the lifetime runs from iat (120 s), not from now
    [InlineData(70, 60, 12_000)]   // iat after expiry says nothing: the lifetime runs from now (60 s)
    [InlineData(60, 60, 12_000)]   // iat at expiry itself: the same
    [InlineData(null, 0, 30_000)]  // no lifetime left: the notice as set
    [InlineData(null, -5, 30_000)] // already expired: the notice as set
    public void The_lifetime_runs_from_the_tokens_iat_when_it_is_before_expiry_else_from_now(int? issuedSecondsFromNow, int expiresSecondsFromNow, int leadMs)
    {
        var now = _time.GetUtcNow();
        var exp = now.AddSeconds(expiresSecondsFromNow);
        DateTimeOffset? iat = issuedSecondsFromNow is { } issued ? now.AddSeconds(issued) : null;

        Assert.Equal(exp - TimeSpan.FromMilliseconds(leadMs), ConnectionGrant.WarningTime(now, iat, exp, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_60_day_token_is_warned_30s_before_and_closed_at_expiry_in_timer_steps()
    {
        var transport = new FakeTransport();
        var lifetime = TimeSpan.FromDays(60);
        using var connection = new Connection(1, transport, User(lifetime), _services);
        var run = connection.RunAsync(transport.InboundAsync);
        connection.Grant.Start(expiresAt => Encoding.UTF8.GetBytes("expiring " + expiresAt.ToUnixTimeSeconds()));

        _time.Advance(lifetime - TimeSpan.FromSeconds(31));
        Assert.Empty(transport.Sent);
        _time.Advance(TimeSpan.FromSeconds(2));
        await Poll.UntilAsync(() => transport.Sent.Count == 1, Deadline, "the notice");
        Assert.StartsWith("expiring ", Encoding.UTF8.GetString(transport.Sent[0]), StringComparison.Ordinal);
        Assert.False(connection.IsClosing);

        _time.Advance(TimeSpan.FromSeconds(30));
        await Poll.UntilAsync(() => transport.ClosedWith is not null, Deadline, "the close at expiry");
        Assert.Equal(CloseReason.TokenExpired, transport.ClosedWith);
        transport.EndInbound();
        await run.WaitAsync(Deadline, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_renewed_grant_ends_at_the_new_expiry_not_the_old_one()
    {
        var transport = new FakeTransport();
        using var connection = new Connection(1, transport, User(TimeSpan.FromSeconds(10)), _services);
        var run = connection.RunAsync(transport.InboundAsync);
        connection.Grant.Start(expiringFrame: null);

        _time.Advance(TimeSpan.FromSeconds(5));
        var renewed = User(TimeSpan.FromSeconds(60));
        connection.Grant.Renew(renewed, ConnectionGrant.ExpiryOf(renewed)!.Value);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(connection.IsClosing);
        Assert.Same(renewed, connection.User);

        _time.Advance(TimeSpan.FromSeconds(50));
        await Poll.UntilAsync(() => transport.ClosedWith is not null, Deadline, "the close at the new expiry");
        Assert.Equal(CloseReason.TokenExpired, transport.ClosedWith);
        transport.EndInbound();
        await run.WaitAsync(Deadline, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_renewal_already_in_its_last_fifth_is_not_warned_again_but_a_later_one_is_warned_when_due()
    {
        var transport = new FakeTransport();
        using var connection = new Connection(1, transport, User(TimeSpan.FromSeconds(10)), _services);
        var run = connection.RunAsync(transport.InboundAsync);
        connection.Grant.Start(expiresAt => Encoding.UTF8.GetBytes("expiring " + expiresAt.ToUnixTimeSeconds()));

        _time.Advance(TimeSpan.FromSeconds(8.5));
        await Poll.UntilAsync(() => transport.Sent.Count == 1, Deadline, "the warning at 80%");

        // The client answers with the token it already has (its last fifth): accepted, and not warned again, which
        // would invite the same token back at once, round after round.
        var same = connection.User;
        for (var round = 0; round < 3; round++)
        {
            connection.Grant.Renew(same, ConnectionGrant.ExpiryOf(same)!.Value);
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Single(transport.Sent);

        // A fresh token is warned again at its own 80%.
        var fresh = User(TimeSpan.FromSeconds(10));
        connection.Grant.Renew(fresh, ConnectionGrant.ExpiryOf(fresh)!.Value);
        _time.Advance(TimeSpan.FromSeconds(7));
        Assert.Single(transport.Sent);
        _time.Advance(TimeSpan.FromSeconds(1.5));
        await Poll.UntilAsync(() => transport.Sent.Count == 2, Deadline, "the fresh token's warning");
        Assert.False(connection.IsClosing);
        transport.EndInbound();
        await run.WaitAsync(Deadline, TestContext.Current.CancellationToken);
    }

    private ClaimsPrincipal User(TimeSpan lifetime)
    {
        var now = _time.GetUtcNow();
        return new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim("sub", "tester"),
            new Claim("iat", now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
            new Claim("exp", (now + lifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
        ], "test"));
    }
}
