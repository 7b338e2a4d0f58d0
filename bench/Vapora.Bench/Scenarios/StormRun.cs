using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using HdrHistogram;
using Vapora.Bench.Clients;
using Vapora.Bench.Measurement;
using Vapora.Bench.Publishing;
using Vapora.Bench.Reporting;
using Vapora.Bench.Targets;
using Vapora.Testing;

namespace Vapora.Bench.Scenarios;

/// <summary>
/// One reconnect storm with fresh processes: connect the clients, publish through REST, (optionally hang, then)
/// SIGKILL the gateway that holds half of them, and watch the orphans resume on the survivor through nginx.
/// </summary>
internal static class StormRun
{
    public static async Task<StormFigures> MeasureAsync(StormSettings settings, ProgressContext progress, string label, CancellationToken cancellationToken)
    {
        var starting = progress.AddTask(Markup.Escape($"{label} starting processes"), maxValue: 1);
        await using var target = await StormTarget.StartAsync(settings, cancellationToken);
        starting.Increment(1);

        var connecting = progress.AddTask(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{label} connecting {settings.Clients} clients")), maxValue: settings.Clients);
        await using var fleet = await Fleets.ConnectAsync(target, settings.Fleet, connecting, cancellationToken);
        await using var publisher = await target.CreatePublisherAsync(cancellationToken);
        var pacer = new Pacer(publisher, settings.Workflows, settings.Rate);
        var storming = progress.AddTask(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{label} {settings.Rate} updates/s; warm-up {settings.WarmupSeconds} s, hang {settings.HangSeconds} s, kill -9, storm {settings.StormSeconds} s")), maxValue: 1);

        long windowStart, killAt, windowEnd, sentAtStart, sentAtEnd;
        double historyBefore, historyAfter;
        WindowCpu cpuBefore, cpuAfter;
        MetricsSnapshot survivorBefore, survivorAfter;
        pacer.Start();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(settings.WarmupSeconds), cancellationToken);
            historyBefore = await target.ApiHistoryRequestsAsync();
            survivorBefore = await target.Survivor.MetricsAsync();
            windowStart = Stopwatch.GetTimestamp();
            sentAtStart = pacer.Sent;
            cpuBefore = WindowCpu.Take(target.ServerPid, target.HelperPids["workflow-api"], fleet);
            await fleet.StartWindowAsync(windowStart);
            if (settings.HangSeconds > 0)
            {
                target.Doomed.Process.Freeze();
                await Task.Delay(TimeSpan.FromSeconds(settings.HangSeconds), cancellationToken);
            }

            killAt = Stopwatch.GetTimestamp();
            await target.Doomed.KillAsync();
            await Task.Delay(TimeSpan.FromSeconds(settings.StormSeconds), cancellationToken);
            windowEnd = Stopwatch.GetTimestamp();
            sentAtEnd = pacer.Sent;
            await fleet.EndWindowAsync(windowEnd);
            historyAfter = await target.ApiHistoryRequestsAsync();
            survivorAfter = await target.Survivor.MetricsAsync();
            cpuAfter = WindowCpu.Take(target.ServerPid, target.HelperPids["workflow-api"], fleet);
        }
        finally
        {
            pacer.Stop();
        }

        storming.Increment(1);
        var (_, _, result) = await Fleets.DrainAsync(fleet, publisher, settings.Fleet, TimeSpan.FromSeconds(30), cancellationToken);
        var survivor = await target.Survivor.MetricsAsync();
        var liveAgain = result.Resumes.Where(r => r[1] != 0).Select(r => Stopwatch.GetElapsedTime(killAt, r[1]).TotalMilliseconds).Order().ToArray();
        var latency = result.Histogram();
        double Ms(long micros) => latency.TotalCount == 0 ? 0 : micros / 1000.0;
        var seconds = Stopwatch.GetElapsedTime(windowStart, windowEnd).TotalSeconds;
        return new StormFigures
        {
            Orphans = result.Resumes.Count,
            LiveAgainP50Ms = Percentile(liveAgain, 50),
            LiveAgainP99Ms = Percentile(liveAgain, 99),
            LiveAgainMaxMs = liveAgain.Length == 0 ? 0 : liveAgain[^1],
            NotLiveAgain = result.Resumes.Count - liveAgain.Length,
            ApiHistoryRequests = historyAfter - historyBefore,
            SurvivorHistoryReads = survivor.Value("vapora_gateway_catchup_history_reads_total"),
            SurvivorCoalesced = survivor.Value("vapora_gateway_catchup_coalesced_total"),
            SurvivorRefused = survivor.Value("vapora_gateway_catchup_refused_total"),
            SurvivorsP50Ms = Ms(latency.GetValueAtPercentile(50)),
            SurvivorsP99Ms = Ms(latency.GetValueAtPercentile(99)),
            SurvivorsMaxMs = Ms(latency.GetMaxValue()),
            SurvivorSendLagP50Ms = BucketPercentile(survivorBefore, survivorAfter, SendLag, 0.50),
            SurvivorSendLagP99Ms = BucketPercentile(survivorBefore, survivorAfter, SendLag, 0.99),
            SurvivorFanOutP99Ms = BucketPercentile(survivorBefore, survivorAfter, FanOut, 0.99),
            SurvivorGcPausedMs = (GcPaused(survivorAfter) - GcPaused(survivorBefore)) * 1000,
            HarnessGcPausedMs = result.WorkerGcPausedMs,
            Lost = result.Lost,
            Duplicated = result.Duplicated,
            Reordered = result.Reordered,
            Disconnected = result.Disconnected,
            SurvivorCpuCores = cpuAfter.ServerCores(cpuBefore),
            ApiCpuCores = cpuAfter.ApiCores(cpuBefore),
            HarnessCpuCores = cpuAfter.HarnessCores(cpuBefore),
            MachineCpuCores = cpuAfter.MachineCores(cpuBefore),
            PublishedPerSecond = (sentAtEnd - sentAtStart) / seconds,
            FirstProblem = result.FirstProblem ?? publisher.FirstError,
        };
    }

    /// <summary>The survivor's own histogram of API accept → socket write, every live frame it sent (its own and the orphans' clients).</summary>
    private const string SendLag = "vapora_gateway_publish_to_send_lag_milliseconds";

    /// <summary>Seconds the process spent in GC pauses (the runtime's own counter, as the gateway's /metrics exports it on .NET 10).</summary>
    private static double GcPaused(MetricsSnapshot metrics) => metrics.Value("dotnet_gc_pause_time_seconds_total");

    /// <summary>The survivor's own histogram of Redis receive → queued on every watcher.</summary>
    private const string FanOut = "vapora_gateway_fanout_duration_milliseconds";

    /// <summary>The upper bound of the bucket holding <paramref name="quantile"/> of what <paramref name="name"/> recorded between two scrapes.</summary>
    private static double BucketPercentile(MetricsSnapshot before, MetricsSnapshot after, string name, double quantile)
    {
        var earlier = before.Buckets(name).ToDictionary(b => b.UpperBound, b => b.Count);
        var window = after.Buckets(name).Select(b => (b.UpperBound, Count: b.Count - earlier.GetValueOrDefault(b.UpperBound))).ToList();
        if (window.Count == 0 || window[^1].Count <= 0)
        {
            return 0;
        }

        var rank = quantile * window[^1].Count;
        return window.First(b => b.Count >= rank).UpperBound;
    }

    private static double Percentile(double[] sorted, double percentile) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1)];
}
