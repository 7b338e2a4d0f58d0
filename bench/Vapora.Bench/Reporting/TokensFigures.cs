namespace Vapora.Bench.Reporting;

/// <summary>One run of the tokens scenario (or the median of several). Counts are of the measured window.</summary>
internal sealed record TokensFigures
{
    /// <summary>The per-hour figure is derived for tokens of this lifetime (the 5 minutes).</summary>
    public const double DerivedLifetimeSeconds = 300;

    public long Clients { get; init; }

    public double WindowSeconds { get; init; }

    /// <summary>Token lifetimes in the window (window ÷ lifetime).</summary>
    public double Lifetimes { get; init; }

    /// <summary>Sockets opened again after one ended (client side).</summary>
    public long Reconnects { get; init; }

    /// <summary>Sockets the gateway closed with 4401 because the token expired.</summary>
    public long ExpiryCloses { get; init; }

    /// <summary>Sockets that ended another way.</summary>
    public long OtherCloses { get; init; }

    public long ExpiringNotices { get; init; }

    public long RefreshesSent { get; init; }

    public long RefreshesAccepted { get; init; }

    public long RefreshesRefused { get; init; }

    /// <summary>Reconnects ÷ (clients × lifetimes): 1 when every token's expiry costs a reconnect, 0 when none does.</summary>
    public double ReconnectsPerClientPerLifetime { get; init; }

    /// <summary>
    /// Derived, not measured for an hour: <see cref="Clients"/> × (3600 s ÷ <see cref="DerivedLifetimeSeconds"/>) ×
    /// <see cref="ReconnectsPerClientPerLifetime"/>.
    /// </summary>
    public double DerivedReconnectsPerHour { get; init; }

    /// <summary>The gateway's own counters over the window: refreshes accepted and refused, subscriptions resumed after a version.</summary>
    public double GatewayRefreshesAccepted { get; init; }

    public double GatewayRefreshesRefused { get; init; }

    public double GatewayResumes { get; init; }

    /// <summary>The gateway's counters of what makes a client miss a version: resets, conflated frames, slow-consumer closes.</summary>
    public double GatewayResets { get; init; }

    public double GatewayConflated { get; init; }

    public double GatewaySlowConsumersClosed { get; init; }

    public double DeliveredPerSecond { get; init; }

    public long Delivered { get; init; }

    public long Expected { get; init; }

    public long Lost { get; init; }

    public long LostInGaps { get; init; }

    public long Duplicated { get; init; }

    public long Reordered { get; init; }

    /// <summary>Frames that were neither an update nor a token frame.</summary>
    public long Unreadable { get; init; }

    /// <summary>Clients that gave up (a give-up close code other than an expired token's).</summary>
    public long Disconnected { get; init; }

    /// <summary>
    /// Clients that never reconnected. Latency is of live deliveries before a client's first reconnect (a resumed client's
    /// catch-up is not a live delivery): all of them with in-band renewal, the first part of the window otherwise.
    /// </summary>
    public long ClientsNeverReconnected { get; init; }

    public double P50Ms { get; init; }

    public double P99Ms { get; init; }

    public double MaxMs { get; init; }

    public double ServerCpuCores { get; init; }

    public double ApiCpuCores { get; init; }

    public double HarnessCpuCores { get; init; }

    public double MachineCpuCores { get; init; }

    public double PublishedPerSecond { get; init; }

    public double ConnectSeconds { get; init; }

    public string? FirstProblem { get; init; }

    /// <summary>The first client with a version missing below its highest, and which.</summary>
    public string? FirstGap { get; init; }

    public static TokensFigures Median(IReadOnlyList<TokensFigures> runs)
    {
        double M(Func<TokensFigures, double> figure) => Statistics.Median(runs.Select(figure));
        long L(Func<TokensFigures, long> figure) => Statistics.Median(runs.Select(figure));
        return new()
        {
            Clients = L(r => r.Clients),
            WindowSeconds = M(r => r.WindowSeconds),
            Lifetimes = M(r => r.Lifetimes),
            Reconnects = L(r => r.Reconnects),
            ExpiryCloses = L(r => r.ExpiryCloses),
            OtherCloses = L(r => r.OtherCloses),
            ExpiringNotices = L(r => r.ExpiringNotices),
            RefreshesSent = L(r => r.RefreshesSent),
            RefreshesAccepted = L(r => r.RefreshesAccepted),
            RefreshesRefused = L(r => r.RefreshesRefused),
            ReconnectsPerClientPerLifetime = M(r => r.ReconnectsPerClientPerLifetime),
            DerivedReconnectsPerHour = M(r => r.DerivedReconnectsPerHour),
            GatewayRefreshesAccepted = M(r => r.GatewayRefreshesAccepted),
            GatewayRefreshesRefused = M(r => r.GatewayRefreshesRefused),
            GatewayResumes = M(r => r.GatewayResumes),
            GatewayResets = M(r => r.GatewayResets),
            GatewayConflated = M(r => r.GatewayConflated),
            GatewaySlowConsumersClosed = M(r => r.GatewaySlowConsumersClosed),
            DeliveredPerSecond = M(r => r.DeliveredPerSecond),
            Delivered = L(r => r.Delivered),
            Expected = L(r => r.Expected),
            Lost = L(r => r.Lost),
            LostInGaps = L(r => r.LostInGaps),
            Duplicated = L(r => r.Duplicated),
            Reordered = L(r => r.Reordered),
            Unreadable = L(r => r.Unreadable),
            Disconnected = L(r => r.Disconnected),
            ClientsNeverReconnected = L(r => r.ClientsNeverReconnected),
            P50Ms = M(r => r.P50Ms),
            P99Ms = M(r => r.P99Ms),
            MaxMs = M(r => r.MaxMs),
            ServerCpuCores = M(r => r.ServerCpuCores),
            ApiCpuCores = M(r => r.ApiCpuCores),
            HarnessCpuCores = M(r => r.HarnessCpuCores),
            MachineCpuCores = M(r => r.MachineCpuCores),
            PublishedPerSecond = M(r => r.PublishedPerSecond),
            ConnectSeconds = M(r => r.ConnectSeconds),
            FirstProblem = runs.Select(r => r.FirstProblem).FirstOrDefault(p => p is not null),
            FirstGap = runs.Select(r => r.FirstGap).FirstOrDefault(p => p is not null),
        };
    }
}
