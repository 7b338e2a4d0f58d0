using System.Globalization;
using System.Security.Claims;
using Vapora.Contracts;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// Whom a connection acts for and until when: its user, which an in-band token refresh replaces
/// (<see cref="Renew"/>), and one timer that warns the client before the token expires (a transport that can carry
/// the warning) and closes the connection with 4401 when it does.
/// </summary>
/// <remarks>
/// Timers take at most about 49.7 days (<see cref="MaxTimerDue"/>); a token valid longer (service tokens often are) is
/// waited for in steps of that length, each step checking the clock again.
/// </remarks>
internal sealed class ConnectionGrant(Connection connection, ClaimsPrincipal user, ConnectionServices services) : IDisposable
{
    /// <summary>The longest due time a timer accepts (<c>uint.MaxValue - 1</c> ms).</summary>
    internal static readonly TimeSpan MaxTimerDue = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly object _lock = new();
    private ClaimsPrincipal _user = user;
    private ITimer? _timer;
    private DateTimeOffset _expiresAt;
    private DateTimeOffset _warnAt;
    private bool _warned;
    private bool _disposed;
    private Func<DateTimeOffset, ReadOnlyMemory<byte>>? _expiringFrame;

    /// <summary>The user of the connection's current token (anonymous when authentication is off).</summary>
    public ClaimsPrincipal User => Volatile.Read(ref _user);

    /// <summary>When the current token expires; null when nothing expires (authentication off, not started).</summary>
    public DateTimeOffset? ExpiresAt
    {
        get { lock (_lock) { return _timer is null ? null : _expiresAt; } }
    }

    /// <summary>The token's <c>exp</c>, if it has one.</summary>
    public static DateTimeOffset? ExpiryOf(ClaimsPrincipal user) =>
        long.TryParse(user.FindFirst("exp")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var exp)
            ? DateTimeOffset.FromUnixTimeSeconds(Math.Min(exp, DateTimeOffset.MaxValue.ToUnixTimeSeconds()))
            : null;

    /// <summary>
    /// Arms the token's expiry (nothing when authentication is off or the token has no <c>exp</c>).
    /// <paramref name="expiringFrame"/> encodes the warning sent before it; null for a transport that cannot carry a
    /// fresh token back (an event stream simply ends at expiry and resumes with a fresh token).
    /// </summary>
    public void Start(Func<DateTimeOffset, ReadOnlyMemory<byte>>? expiringFrame)
    {
        if (services.Access.IsOpen || ExpiryOf(User) is not { } expiresAt)
        {
            return;
        }

        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _expiringFrame = expiringFrame;
            _timer = services.Time.CreateTimer(static state => ((ConnectionGrant)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            ArmLocked(User, expiresAt, warnIfDue: true);
        }
    }

    /// <summary>
    /// Takes a refreshed token's user: the connection now ends at its expiry, with a new warning before it. A token
    /// already past its warning time is not warned at once: token_accepted has just told the client its expiry, and a
    /// client that answers every warning with the token it has would otherwise loop (send, accepted, warned, send…).
    /// </summary>
    public void Renew(ClaimsPrincipal renewed, DateTimeOffset expiresAt)
    {
        lock (_lock)
        {
            Volatile.Write(ref _user, renewed);
            if (_timer is not null && !_disposed)
            {
                ArmLocked(renewed, expiresAt, warnIfDue: false);
            }
        }
    }

    /// <summary>Checks a token the client sent in-band and, if valid, makes it the connection's (<see cref="TokenRefresh"/>).</summary>
    public Task<TokenRefreshResult> RefreshAsync(string? token) => services.TokenRefresh.RefreshAsync(connection, token);

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _timer?.Dispose();
        }
    }

    /// <summary>
    /// The warning comes <see cref="ConnectionOptions.TokenExpiringNotice"/> before expiry, but never in the first 80% of
    /// the token's life: a short token is not told to refresh as soon as it arrives.
    /// </summary>
    internal static DateTimeOffset WarningTime(DateTimeOffset now, DateTimeOffset? issuedAt, DateTimeOffset expiresAt, TimeSpan notice)
    {
        var start = issuedAt is { } iat && iat < expiresAt ? iat : now;
        var lifetime = expiresAt - start;
        var lead = lifetime > TimeSpan.Zero && notice > lifetime / 5 ? lifetime / 5 : notice;
        return expiresAt - lead;
    }

    private void ArmLocked(ClaimsPrincipal owner, DateTimeOffset expiresAt, bool warnIfDue)
    {
        var now = services.Time.GetUtcNow();
        var notice = services.Options.TokenExpiringNotice;
        _expiresAt = expiresAt;
        _warnAt = WarningTime(now, IssuedAt(owner), expiresAt, notice);
        _warned = _expiringFrame is null || notice <= TimeSpan.Zero || (!warnIfDue && _warnAt <= now);
        ScheduleLocked(now);
    }

    private void ScheduleLocked(DateTimeOffset now)
    {
        var next = _warned ? _expiresAt : _warnAt;
        var due = next - now;
        _timer!.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due > MaxTimerDue ? MaxTimerDue : due, Timeout.InfiniteTimeSpan);
    }

    /// <summary>On a timer thread, where an exception would end the process: whatever happens is logged, never thrown.</summary>
    private void OnTimer()
    {
        try
        {
            ReadOnlyMemory<byte>? warning = null;
            var expired = false;
            lock (_lock)
            {
                if (_disposed)
                {
                    return;
                }

                var now = services.Time.GetUtcNow();
                if (now >= _expiresAt)
                {
                    expired = true;
                }
                else
                {
                    if (!_warned && now >= _warnAt)
                    {
                        _warned = true;
                        warning = _expiringFrame!(_expiresAt);
                    }

                    ScheduleLocked(now);
                }
            }

            if (expired)
            {
                connection.Close(CloseReason.TokenExpired);
            }
            else if (warning is { } frame)
            {
                connection.EnqueueControl(frame);
            }
        }
        catch (Exception ex)
        {
            GatewayLog.ConnectionFailed(services.Logger, connection.Id, ex);
        }
    }

    private static DateTimeOffset? IssuedAt(ClaimsPrincipal owner) =>
        long.TryParse(owner.FindFirst("iat")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var iat) && iat < 253_402_300_799
            ? DateTimeOffset.FromUnixTimeSeconds(iat)
            : null;
}
