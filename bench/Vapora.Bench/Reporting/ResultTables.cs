using System.Globalization;
using Spectre.Console;

namespace Vapora.Bench.Reporting;

/// <summary>The console tables: one column per run plus the median; one row per rate for a sweep.</summary>
internal static class ResultTables
{
    private static readonly (string Label, Func<RunFigures, string> Value)[] RunRows =
    [
        ("published updates/s", f => N0(f.PublishedPerSecond)),
        ("delivered msgs/s", f => N0(f.DeliveredPerSecond)),
        ("latency p50 ms", f => F2(f.P50Ms)),
        ("latency p90 ms", f => F2(f.P90Ms)),
        ("latency p99 ms", f => F2(f.P99Ms)),
        ("latency p99.9 ms", f => F2(f.P999Ms)),
        ("latency max ms", f => F2(f.MaxMs)),
        ("delivered / expected", f => $"{N0(f.Delivered)} / {N0(f.ExpectedDeliveries)}"),
        ("lost (in gaps) / dup / reordered", f => $"{f.Lost} ({f.LostInGaps}) / {f.Duplicated} / {f.Reordered}"),
        ("disconnected / unreadable", f => $"{f.Disconnected} / {f.Unreadable}"),
        ("server CPU cores", f => F2(f.ServerCpuCores)),
        ("helpers CPU cores", f => f.HelperCpuCores.Count == 0 ? "-" : string.Join(", ", f.HelperCpuCores.Select(h => $"{h.Key} {F2(h.Value)}"))),
        ("harness CPU cores", f => F2(f.HarnessCpuCores)),
        ("machine CPU cores busy (all processes)", f => F2(f.MachineCpuCores)),
        ("harness GC pauses ms (total)", f => F1(f.HarnessGcPauseMs)),
        ("server RSS MiB: idle → N clients", f => $"{F1(f.RssBaselineMib)} → {F1(f.RssConnectedMib)}"),
        ("server RSS KiB per connection", f => F1(f.RssPerConnectionKib)),
        ("server RSS MiB: end / peak", f => $"{F1(f.RssEndMib)} / {F1(f.PeakRssMib)}"),
        ("connect s / drain s", f => $"{F1(f.ConnectSeconds)} / {F2(f.DrainSeconds)}"),
        ("publish failures / backlog at end", f => $"{f.PublishFailures} / {f.PublishBacklogAtEnd}"),
        ("pacer max lag ms", f => F1(f.PublisherMaxLagMs)),
        ("harness processes", f => f.HarnessProcesses.ToString(CultureInfo.InvariantCulture)),
        ("churn pairs/s; Redis SUBSCRIBE/s, UNSUBSCRIBE/s", f => $"{F1(f.ChurnPerSecond)}; {F1(f.RedisSubscribesPerSecond)}, {F1(f.RedisUnsubscribesPerSecond)}"),
    ];

    private static readonly (string Label, Func<IdleFigures, string> Value)[] IdleRows =
    [
        ("server RSS MiB before clients", f => F1(f.RssBaselineMib)),
        ("server RSS MiB with N clients", f => F1(f.RssConnectedMib) + (f.Settled ? "" : " (still moving)")),
        ("server RSS KiB per connection", f => F1(f.RssPerConnectionKib)),
        ("server peak RSS MiB", f => F1(f.PeakRssMib)),
        ("settled after s", f => F1(f.SettleSeconds)),
        ("idle server CPU cores", f => F3(f.IdleServerCpuCores)),
        ("connect s", f => F1(f.ConnectSeconds)),
        ("disconnected", f => f.Disconnected.ToString(CultureInfo.InvariantCulture)),
    ];

    private static readonly (string Label, Func<StormFigures, string> Value)[] StormRows =
    [
        ("orphaned clients (resumed through nginx)", f => N0(f.Orphans)),
        ("kill → live again p50 / p99 / max ms", f => $"{F1(f.LiveAgainP50Ms)} / {F1(f.LiveAgainP99Ms)} / {F1(f.LiveAgainMaxMs)}"),
        ("orphans not live again", f => N0(f.NotLiveAgain)),
        ("API history requests during the storm", f => N0(f.ApiHistoryRequests)),
        ("survivor: history reads / coalesced / refused", f => $"{N0(f.SurvivorHistoryReads)} / {N0(f.SurvivorCoalesced)} / {N0(f.SurvivorRefused)}"),
        ("survivors' latency p50 / p99 / max ms", f => $"{F2(f.SurvivorsP50Ms)} / {F2(f.SurvivorsP99Ms)} / {F2(f.SurvivorsMaxMs)}"),
        ("survivor: accept → write p50 / p99, fan-out p99 ms", f => $"{F2(f.SurvivorSendLagP50Ms)} / {F2(f.SurvivorSendLagP99Ms)}, {F2(f.SurvivorFanOutP99Ms)}"),
        ("GC paused in the window ms: survivor, harness workers", f => $"{F1(f.SurvivorGcPausedMs)}, {F1(f.HarnessGcPausedMs)}"),
        ("lost / dup / reordered / gave up", f => $"{f.Lost} / {f.Duplicated} / {f.Reordered} / {f.Disconnected}"),
        ("CPU cores: survivor, API, harness, machine", f => $"{F2(f.SurvivorCpuCores)}, {F2(f.ApiCpuCores)}, {F2(f.HarnessCpuCores)}, {F2(f.MachineCpuCores)}"),
        ("published updates/s", f => N0(f.PublishedPerSecond)),
    ];

    private static readonly (string Label, Func<TokensFigures, string> Value)[] TokensRows =
    [
        ("clients; measured s (token lifetimes)", f => $"{N0(f.Clients)}; {F1(f.WindowSeconds)} ({F1(f.Lifetimes)})"),
        ("reconnects (sockets reopened)", f => N0(f.Reconnects)),
        ("reconnects per client per lifetime", f => F3(f.ReconnectsPerClientPerLifetime)),
        ("derived: reconnects/hour, 5-min tokens", f => N0(f.DerivedReconnectsPerHour)),
        ("closes: token expired (4401) / other", f => $"{N0(f.ExpiryCloses)} / {N0(f.OtherCloses)}"),
        ("token_expiring notices received", f => N0(f.ExpiringNotices)),
        ("refreshes sent / accepted / refused", f => $"{N0(f.RefreshesSent)} / {N0(f.RefreshesAccepted)} / {N0(f.RefreshesRefused)}"),
        ("gateway: refreshes accepted / refused; resumes", f => $"{N0(f.GatewayRefreshesAccepted)} / {N0(f.GatewayRefreshesRefused)}; {N0(f.GatewayResumes)}"),
        ("gateway: resets / conflated / slow-consumer closes", f => $"{N0(f.GatewayResets)} / {N0(f.GatewayConflated)} / {N0(f.GatewaySlowConsumersClosed)}"),
        ("delivered msgs/s; delivered / expected", f => $"{N0(f.DeliveredPerSecond)}; {N0(f.Delivered)} / {N0(f.Expected)}"),
        ("lost (in gaps) / dup / reordered / gave up", f => $"{f.Lost} ({f.LostInGaps}) / {f.Duplicated} / {f.Reordered} / {f.Disconnected}"),
        ("unreadable frames", f => N0(f.Unreadable)),
        ("latency p50 / p99 / max ms before a first reconnect (clients never reconnected)", f => $"{F2(f.P50Ms)} / {F2(f.P99Ms)} / {F2(f.MaxMs)} ({N0(f.ClientsNeverReconnected)})"),
        ("CPU cores: gateway, API, harness, machine", f => $"{F2(f.ServerCpuCores)}, {F2(f.ApiCpuCores)}, {F2(f.HarnessCpuCores)}, {F2(f.MachineCpuCores)}"),
        ("published updates/s; connect s", f => $"{N0(f.PublishedPerSecond)}; {F1(f.ConnectSeconds)}"),
    ];

    public static Table Tokens(string title, IReadOnlyList<TokensFigures> runs, TokensFigures median) => Build(title, TokensRows, runs, median);

    public static Table Storm(string title, IReadOnlyList<StormFigures> runs, StormFigures median) => Build(title, StormRows, runs, median);

    public static Table Runs(string title, IReadOnlyList<RunFigures> runs, RunFigures median) => Build(title, RunRows, runs, median);

    public static Table Idle(string title, IReadOnlyList<IdleFigures> runs, IdleFigures median) => Build(title, IdleRows, runs, median);

    public static Table Sweep(string title, IReadOnlyList<SweepStep> steps)
    {
        var table = new Table().Title(Markup.Escape(title)).Border(TableBorder.Rounded);
        foreach (var column in new[] { "rate/s", "delivered msgs/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "lost/dup/reord", "server CPU", "harness CPU", "machine CPU" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (var step in steps)
        {
            var m = step.Median;
            table.AddRow(N0(step.Rate), N0(m.DeliveredPerSecond), F2(m.P50Ms), F2(m.P99Ms), F2(m.P999Ms), F2(m.MaxMs),
                $"{m.Lost}/{m.Duplicated}/{m.Reordered}", F2(m.ServerCpuCores), F2(m.HarnessCpuCores), F2(m.MachineCpuCores));
        }

        return table;
    }

    private static Table Build<T>(string title, (string Label, Func<T, string> Value)[] rows, IReadOnlyList<T> runs, T median)
    {
        var table = new Table().Title(Markup.Escape(title)).Border(TableBorder.Rounded).AddColumn("figure");
        for (var i = 0; i < runs.Count; i++)
        {
            table.AddColumn(new TableColumn($"run {i + 1}").RightAligned());
        }

        if (runs.Count > 1)
        {
            table.AddColumn(new TableColumn("[bold]median[/]").RightAligned());
        }

        foreach (var (label, value) in rows)
        {
            var cells = runs.Select(value).Append(runs.Count > 1 ? value(median) : null).OfType<string>().Select(Markup.Escape);
            table.AddRow([label, .. cells]);
        }

        return table;
    }

    private static string N0(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string F1(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);

    private static string F2(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    private static string F3(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
}
