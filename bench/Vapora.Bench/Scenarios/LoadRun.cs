using System.Diagnostics;
using System.Globalization;
using HdrHistogram;
using Spectre.Console;
using Vapora.Bench.Cli;
using Vapora.Bench.Clients;
using Vapora.Bench.Measurement;
using Vapora.Bench.Publishing;
using Vapora.Bench.Reporting;
using Vapora.Bench.Targets;

namespace Vapora.Bench.Scenarios;

/// <summary>
/// One measurement with fresh processes: start the target, connect the clients, warm up, measure for the duration,
/// drain, stop everything. Latencies count only updates sent in the measured window.
/// </summary>
internal static class LoadRun
{
    private static readonly TimeSpan SettleSteady = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SettleAtMost = TimeSpan.FromSeconds(10);

    public static async Task<RunFigures> MeasureAsync(LoadOptions options, ProgressContext progress, string label, CancellationToken cancellationToken)
    {
        var starting = progress.AddTask(Title($"{label} starting processes"), maxValue: 1);
        await using var target = await TargetLauncher.StartAsync(options, cancellationToken);
        var (baseline, _) = await MemorySettling.WaitAsync(target.ServerPid, SettleSteady, SettleAtMost, cancellationToken);
        starting.Increment(1);

        var connecting = progress.AddTask(Title($"{label} connecting {options.Clients} clients"), maxValue: options.Clients);
        await using var fleet = await Fleets.ConnectAsync(target, options, connecting, cancellationToken);
        var (connected, _) = await MemorySettling.WaitAsync(target.ServerPid, SettleSteady, SettleAtMost, cancellationToken);

        await using var publisher = await target.CreatePublisherAsync(cancellationToken);
        var pacer = new Pacer(publisher, options.Workflows, options.Rate);
        var loading = progress.AddTask(Title($"{label} {options.Rate} updates/s (warm-up {options.WarmupSeconds:0.#} s + {options.DurationSeconds:0.#} s)"),
            maxValue: options.WarmupSeconds + options.DurationSeconds);
        await using var churn = options.Churn > 0 ? await ChurnDriver.StartAsync((VaporaTarget)target, options, cancellationToken) : null;
        Window window;
        pacer.Start();
        try
        {
            await WaitShowingAsync(loading, options.WarmupSeconds, cancellationToken);
            await fleet.StallAsync(options.Stalled);
            window = await Window.OpenAsync(target, fleet, pacer, churn);
            pacer.ResetMaxBehind();
            await fleet.StartWindowAsync(window.StartedAt);
            await WaitShowingAsync(loading, options.DurationSeconds, cancellationToken);
            await fleet.EndWindowAsync(Stopwatch.GetTimestamp());
            window = await window.CloseAsync(target, fleet, pacer, publisher, churn);
        }
        finally
        {
            pacer.Stop();
        }

        var draining = progress.AddTask(Title($"{label} draining (at most {options.DrainSeconds:0.#} s)"), maxValue: 1);
        var lastPublish = Stopwatch.GetTimestamp();
        await publisher.FlushAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(options.DrainSeconds + 30), cancellationToken);
        var accepted = Enumerable.Range(0, options.Workflows).Select(publisher.Accepted).ToArray();
        var expected = Fleets.Expected(options, accepted);
        var drainDeadline = lastPublish + (long)(options.DrainSeconds * Stopwatch.Frequency);
        while (await fleet.DeliveredAsync() < expected && Stopwatch.GetTimestamp() < drainDeadline)
        {
            await Task.Delay(20, cancellationToken);
        }

        var drainTime = Stopwatch.GetElapsedTime(lastPublish);
        draining.Increment(1);
        var end = ProcessSample.Take(target.ServerPid);

        var result = await fleet.ResultAsync(accepted);
        var histogram = result.Histogram();
        double Ms(double micros) => histogram.TotalCount == 0 ? 0 : micros / 1000.0;
        return new RunFigures
        {
            PublishedPerSecond = window.Published / window.Seconds,
            PublisherMaxLagMs = window.MaxBehind * 1000.0 / options.Rate,
            PublishFailures = publisher.Failed,
            PublishBacklogAtEnd = window.Backlog,
            ExpectedDeliveries = expected,
            Delivered = result.Delivered,
            DeliveredPerSecond = result.ReceivedInWindow / window.Seconds,
            P50Ms = Ms(histogram.GetValueAtPercentile(50)),
            P90Ms = Ms(histogram.GetValueAtPercentile(90)),
            P99Ms = Ms(histogram.GetValueAtPercentile(99)),
            P999Ms = Ms(histogram.GetValueAtPercentile(99.9)),
            MaxMs = Ms(histogram.GetMaxValue()),
            MeanMs = Ms(histogram.TotalCount == 0 ? 0 : histogram.GetMean()),
            LatencySamples = histogram.TotalCount,
            Lost = result.Lost,
            LostInGaps = result.LostInGaps,
            Duplicated = result.Duplicated,
            Reordered = result.Reordered,
            Unreadable = result.Unreadable,
            Disconnected = result.Disconnected,
            ServerCpuCores = window.ServerCores,
            HelperCpuCores = window.HelperCores,
            HarnessCpuCores = window.HarnessCores,
            MachineCpuCores = window.MachineCores,
            HarnessGcPauseMs = window.HarnessGcPaused.TotalMilliseconds + result.WorkerGcPausedMs,
            HarnessProcesses = 1 + fleet.ProcessIds.Count,
            ChurnPerSecond = window.ChurnPairs / window.Seconds,
            RedisSubscribesPerSecond = window.RedisSubscribes / window.Seconds,
            RedisUnsubscribesPerSecond = window.RedisUnsubscribes / window.Seconds,
            RssBaselineMib = baseline.RssKiB / 1024.0,
            RssConnectedMib = connected.RssKiB / 1024.0,
            RssPerConnectionKib = (connected.RssKiB - baseline.RssKiB) / (double)options.Clients,
            RssEndMib = end.RssKiB / 1024.0,
            PeakRssMib = end.PeakRssKiB / 1024.0,
            ConnectSeconds = fleet.ConnectTime.TotalSeconds,
            DrainSeconds = drainTime.TotalSeconds,
            FirstProblem = result.FirstProblem ?? publisher.FirstError,
        };
    }

    // Task descriptions are Spectre markup: brackets in them must not be read as styles.
    private static string Title(FormattableString text) => Markup.Escape(text.ToString(CultureInfo.InvariantCulture));

    private static async Task WaitShowingAsync(ProgressTask task, double seconds, CancellationToken cancellationToken)
    {
        var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            var left = TimeSpan.FromTicks(Math.Max(0, (until - Stopwatch.GetTimestamp()) * TimeSpan.TicksPerSecond / Stopwatch.Frequency));
            var step = left < TimeSpan.FromMilliseconds(250) ? left : TimeSpan.FromMilliseconds(250);
            await Task.Delay(step, cancellationToken);
            task.Increment(step.TotalSeconds);
        }
    }

    /// <summary>CPU samples, the pacer's count and the churn's counts at the start and end of the measured window.</summary>
    private sealed record Window(long StartedAt, long SentAtStart, ProcessSample Server, IReadOnlyDictionary<string, ProcessSample> Helpers,
        IReadOnlyList<ProcessSample> Harness, MachineCpuSample Machine, TimeSpan HarnessGcPausedBefore, ChurnCounts ChurnBefore)
    {
        public double Seconds { get; private init; }

        public long Published { get; private init; }

        public long Backlog { get; private init; }

        public long MaxBehind { get; private init; }

        public double ServerCores { get; private init; }

        public Dictionary<string, double> HelperCores { get; private init; } = [];

        public double HarnessCores { get; private init; }

        public double MachineCores { get; private init; }

        public TimeSpan HarnessGcPaused { get; private init; }

        public long ChurnPairs { get; private init; }

        public long RedisSubscribes { get; private init; }

        public long RedisUnsubscribes { get; private init; }

        public static async Task<Window> OpenAsync(IBenchTarget target, IFleet fleet, Pacer pacer, ChurnDriver? churn) => new(
            Stopwatch.GetTimestamp(),
            pacer.Sent,
            ProcessSample.Take(target.ServerPid),
            target.HelperPids.ToDictionary(h => h.Key, h => ProcessSample.Take(h.Value, includeChildren: true)),
            [.. HarnessPids(fleet).Select(pid => ProcessSample.Take(pid))],
            MachineCpuSample.Take(),
            GC.GetTotalPauseDuration(),
            churn is null ? default : await churn.CountsAsync());

        public async Task<Window> CloseAsync(IBenchTarget target, IFleet fleet, Pacer pacer, IUpdatePublisher publisher, ChurnDriver? churn)
        {
            var churnAfter = churn is null ? default : await churn.CountsAsync();
            return this with
            {
                Backlog = publisher.Backlog,
                MaxBehind = pacer.MaxBehind,
                Seconds = Stopwatch.GetElapsedTime(StartedAt).TotalSeconds,
                Published = pacer.Sent - SentAtStart,
                ServerCores = ProcessSample.Take(target.ServerPid).CoresSince(Server),
                HelperCores = target.HelperPids.ToDictionary(h => h.Key, h => ProcessSample.Take(h.Value, includeChildren: true).CoresSince(Helpers[h.Key])),
                HarnessCores = HarnessPids(fleet).Zip(Harness, (pid, before) => ProcessSample.Take(pid).CoresSince(before)).Sum(),
                MachineCores = MachineCpuSample.Take().CoresSince(Machine),
                HarnessGcPaused = GC.GetTotalPauseDuration() - HarnessGcPausedBefore,
                ChurnPairs = churnAfter.Pairs - ChurnBefore.Pairs,
                RedisSubscribes = churnAfter.RedisSubscribes - ChurnBefore.RedisSubscribes,
                RedisUnsubscribes = churnAfter.RedisUnsubscribes - ChurnBefore.RedisUnsubscribes,
            };
        }

        private static IEnumerable<int> HarnessPids(IFleet fleet) => [Environment.ProcessId, .. fleet.ProcessIds];
    }
}
