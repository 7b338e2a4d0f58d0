namespace Vapora.Bench.Clients;

/// <summary>What the clients of a run did about their tokens (in the measured window, summed over processes).</summary>
internal sealed record TokenCounts
{
    /// <summary><c>token_expiring</c> notices received.</summary>
    public long ExpiringNotices { get; init; }

    /// <summary>Fresh tokens sent in-band (<c>{"type":"token"}</c>).</summary>
    public long RefreshesSent { get; init; }

    /// <summary><c>token_accepted</c> answers.</summary>
    public long RefreshesAccepted { get; init; }

    /// <summary><c>error</c> answers to a refresh (unauthorized, unavailable).</summary>
    public long RefreshesRefused { get; init; }

    /// <summary>Sockets the gateway closed with 4401 (the token expired).</summary>
    public long ExpiryCloses { get; init; }

    /// <summary>Sockets that ended any other way (another close code, or dropped without one).</summary>
    public long OtherCloses { get; init; }

    /// <summary>Sockets opened again after one ended: what a user sees as "reconnecting…".</summary>
    public long Reconnects { get; init; }

    public TokenCounts Minus(TokenCounts earlier) => new()
    {
        ExpiringNotices = ExpiringNotices - earlier.ExpiringNotices,
        RefreshesSent = RefreshesSent - earlier.RefreshesSent,
        RefreshesAccepted = RefreshesAccepted - earlier.RefreshesAccepted,
        RefreshesRefused = RefreshesRefused - earlier.RefreshesRefused,
        ExpiryCloses = ExpiryCloses - earlier.ExpiryCloses,
        OtherCloses = OtherCloses - earlier.OtherCloses,
        Reconnects = Reconnects - earlier.Reconnects,
    };

    public static TokenCounts Sum(IEnumerable<TokenCounts> parts)
    {
        var all = parts.ToArray();
        return new()
        {
            ExpiringNotices = all.Sum(p => p.ExpiringNotices),
            RefreshesSent = all.Sum(p => p.RefreshesSent),
            RefreshesAccepted = all.Sum(p => p.RefreshesAccepted),
            RefreshesRefused = all.Sum(p => p.RefreshesRefused),
            ExpiryCloses = all.Sum(p => p.ExpiryCloses),
            OtherCloses = all.Sum(p => p.OtherCloses),
            Reconnects = all.Sum(p => p.Reconnects),
        };
    }
}
