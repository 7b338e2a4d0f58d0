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

        using var latency = new LatencyRecorder();
        var connecting = progress.AddTask(Title($"{label} connecting {options.Clients} clients"), maxValue: options.Clients);
        await using var fleet = await ClientFleet.ConnectAsync(target, options, latency, connecting, cancellationToken);
        var (connected, _) = await MemorySettling.WaitAsync(target.ServerPid, SettleSteady, SettleAtMost, cancellationToken);

        await using var publisher = await target.CreatePublisherAsync(cancellationToken);
        var pacer = new Pacer(publisher, options.Workflows, options.Rate);
        var loading = progress.AddTask(Title($"{label} {options.Rate} updates/s (warm-up {options.WarmupSeconds:0.#} s + {options.DurationSeconds:0.#} s)"),
            maxValue: options.WarmupSeconds + options.DurationSeconds);
        Window window;
        pacer.Start();
        try
        {
            await WaitShowingAsync(loading, options.WarmupSeconds, cancellationToken);
            fleet.Stall(options.Stalled);
            window = Window.Open(target, pacer);
            pacer.ResetMaxBehind();
            latency.StartWindow(window.StartedAt);
            await WaitShowingAsync(loading, options.DurationSeconds, cancellationToken);
            latency.EndWindow(Stopwatch.GetTimestamp());
            window = window.Close(target, pacer, publisher);
        }
        finally
        {
            pacer.Stop();
        }

        var draining = progress.AddTask(Title($"{label} draining (at most {options.DrainSeconds:0.#} s)"), maxValue: 1);
        var lastPublish = Stopwatch.GetTimestamp();
        await publisher.FlushAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(options.DrainSeconds + 30), cancellationToken);
        var expected = fleet.Expected(publisher);
        var drainDeadline = lastPublish + (long)(options.DrainSeconds * Stopwatch.Frequency);
        while (fleet.Delivered() < expected && Stopwatch.GetTimestamp() < drainDeadline)
        {
            await Task.Delay(20, cancellationToken);
        }

        var drainTime = Stopwatch.GetElapsedTime(lastPublish);
        draining.Increment(1);
        var end = ProcessSample.Take(target.ServerPid);

        var histogram = latency.Merge();
        double Ms(double micros) => histogram.TotalCount == 0 ? 0 : micros / 1000.0;
        return new RunFigures
        {
            PublishedPerSecond = window.Published / window.Seconds,
            PublisherMaxLagMs = window.MaxBehind * 1000.0 / options.Rate,
            PublishFailures = publisher.Failed,
            PublishBacklogAtEnd = window.Backlog,
            ExpectedDeliveries = expected,
            Delivered = fleet.Delivered(),
            DeliveredPerSecond = fleet.Measured.Sum(t => t.ReceivedInWindow) / window.Seconds,
            P50Ms = Ms(histogram.GetValueAtPercentile(50)),
            P90Ms = Ms(histogram.GetValueAtPercentile(90)),
            P99Ms = Ms(histogram.GetValueAtPercentile(99)),
            P999Ms = Ms(histogram.GetValueAtPercentile(99.9)),
            MaxMs = Ms(histogram.GetMaxValue()),
            MeanMs = Ms(histogram.TotalCount == 0 ? 0 : histogram.GetMean()),
            LatencySamples = histogram.TotalCount,
            Lost = fleet.Lost(publisher),
            LostInGaps = fleet.LostInGaps,
            Duplicated = fleet.Measured.Sum(t => t.Duplicated),
            Reordered = fleet.Measured.Sum(t => t.Reordered),
            Unreadable = fleet.Measured.Sum(t => t.Unreadable),
            Disconnected = fleet.Disconnected,
            ServerCpuCores = window.ServerCores,
            HelperCpuCores = window.HelperCores,
            HarnessCpuCores = window.HarnessCores,
            MachineCpuCores = window.MachineCores,
            HarnessGcPauseMs = window.HarnessGcPaused.TotalMilliseconds,
            RssBaselineMib = baseline.RssKiB / 1024.0,
            RssConnectedMib = connected.RssKiB / 1024.0,
            RssPerConnectionKib = (connected.RssKiB - baseline.RssKiB) / (double)options.Clients,
            RssEndMib = end.RssKiB / 1024.0,
            PeakRssMib = end.PeakRssKiB / 1024.0,
            ConnectSeconds = fleet.ConnectTime.TotalSeconds,
            DrainSeconds = drainTime.TotalSeconds,
            FirstProblem = fleet.FirstCloseReason ?? publisher.FirstError,
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

    /// <summary>CPU samples and the pacer's count at the start and end of the measured window.</summary>
    private sealed record Window(long StartedAt, long SentAtStart, ProcessSample Server, IReadOnlyDictionary<string, ProcessSample> Helpers,
        ProcessSample Harness, MachineCpuSample Machine, TimeSpan HarnessGcPausedBefore)
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

        public static Window Open(IBenchTarget target, Pacer pacer) => new(
            Stopwatch.GetTimestamp(),
            pacer.Sent,
            ProcessSample.Take(target.ServerPid),
            target.HelperPids.ToDictionary(h => h.Key, h => ProcessSample.Take(h.Value, includeChildren: true)),
            ProcessSample.Take(Environment.ProcessId),
            MachineCpuSample.Take(),
            GC.GetTotalPauseDuration());

        public Window Close(IBenchTarget target, Pacer pacer, IUpdatePublisher publisher) => this with
        {
            Backlog = publisher.Backlog,
            MaxBehind = pacer.MaxBehind,
            Seconds = Stopwatch.GetElapsedTime(StartedAt).TotalSeconds,
            Published = pacer.Sent - SentAtStart,
            ServerCores = ProcessSample.Take(target.ServerPid).CoresSince(Server),
            HelperCores = target.HelperPids.ToDictionary(h => h.Key, h => ProcessSample.Take(h.Value, includeChildren: true).CoresSince(Helpers[h.Key])),
            HarnessCores = ProcessSample.Take(Environment.ProcessId).CoresSince(Harness),
            MachineCores = MachineCpuSample.Take().CoresSince(Machine),
            HarnessGcPaused = GC.GetTotalPauseDuration() - HarnessGcPausedBefore,
        };
    }
}
