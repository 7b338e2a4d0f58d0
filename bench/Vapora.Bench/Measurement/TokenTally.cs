using Vapora.Bench.Clients;

namespace Vapora.Bench.Measurement;

/// <summary>The token counters of every client in this process (their receive loops add to them concurrently).</summary>
internal sealed class TokenTally
{
    private long _expiringNotices;
    private long _refreshesSent;
    private long _refreshesAccepted;
    private long _refreshesRefused;
    private long _expiryCloses;
    private long _otherCloses;
    private long _reconnects;

    public void ExpiringNotice() => Interlocked.Increment(ref _expiringNotices);

    public void RefreshSent() => Interlocked.Increment(ref _refreshesSent);

    public void RefreshAccepted() => Interlocked.Increment(ref _refreshesAccepted);

    public void RefreshRefused() => Interlocked.Increment(ref _refreshesRefused);

    public void Closed(bool tokenExpired) => Interlocked.Increment(ref tokenExpired ? ref _expiryCloses : ref _otherCloses);

    public void Reconnected() => Interlocked.Increment(ref _reconnects);

    public TokenCounts Snapshot() => new()
    {
        ExpiringNotices = Interlocked.Read(ref _expiringNotices),
        RefreshesSent = Interlocked.Read(ref _refreshesSent),
        RefreshesAccepted = Interlocked.Read(ref _refreshesAccepted),
        RefreshesRefused = Interlocked.Read(ref _refreshesRefused),
        ExpiryCloses = Interlocked.Read(ref _expiryCloses),
        OtherCloses = Interlocked.Read(ref _otherCloses),
        Reconnects = Interlocked.Read(ref _reconnects),
    };
}
