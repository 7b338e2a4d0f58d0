using System.Diagnostics;
using System.Globalization;
using HdrHistogram;
using Vapora.Bench.Measurement;
using Vapora.Bench.Publishing;
using Vapora.Bench.Reporting;
using Vapora.Testing;

namespace Vapora.Bench.Scenarios;

/// <summary>
/// One <c>writes</c> measurement with fresh processes: redis-server and workflow-api (the chosen store, write limits
/// lifted), the API alone on the last CPU and told it has one, redis and the harness on the others. PATCHes go out at
/// the rate, open loop, round-robin over the workflows; the window's answers are timed from their place in the schedule.
/// </summary>
internal static class WritesRun
{
    // The store operations the API times (vapora_api_store_duration_seconds{operation}).
    private static readonly string[] Operations =
    [
        "append", "read_latest", "read_newest", "read_range", "upsert_summary", "list_summaries", "outbox_scan", "outbox_count",
        "mark_published", "find_key", "claim_key", "replan_key", "expire_keys", "lease", "retention_scan", "compact", "delete",
    ];

    public static async Task<WritesFigures> MeasureAsync(WritesSettings settings, int rate, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("vapora-writes-");
        try
        {
            await using var redis = await RedisServer.StartProcessAsync();
            var environment = new Dictionary<string, string?>
            {
                ["Storage__Provider"] = settings.Store == WriteStore.Sqlite ? "sqlite" : "memory",
                ["ConnectionStrings__sqlite"] = settings.Store == WriteStore.Sqlite ? $"Data Source={Path.Combine(folder.FullName, "vapora.db")}" : null,
                // The harness is one client at thousands of writes per second.
                ["RateLimits__WritesPerSecond"] = "1000000",
                ["RateLimits__WriteBurst"] = "1000000",
                // As the images ship it, on the one core it is pinned to.
                ["DOTNET_gcServer"] = "0",
                ["DOTNET_PROCESSOR_COUNT"] = "1",
            };
            await using var api = await ServiceProcess.StartApiAsync(redis.ConnectionString, environment);
            CpuAffinity.PinServer(api.Pid);
            CpuAffinity.PinOther(Environment.ProcessId);
            CpuAffinity.PinOther(redis.Pid!.Value);

            var client = new WorkflowApiClient(api.Http);
            var ids = new string[settings.Workflows];
            await Parallel.ForAsync(0, ids.Length, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
                async (i, _) => ids[i] = (await client.CreateAsync($"writes {i}", UpdatePayload.TotalSteps)).WorkflowId);

            using var answers = new LatencyRecorder();
            await using var publisher = new RestPublisher(api.BaseUrl, ids, settings.Concurrency, answers);
            var pacer = new Pacer(publisher, ids.Length, rate);
            pacer.Start();
            WritesFigures figures;
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(settings.WarmupSeconds), cancellationToken);
                var startMetrics = await api.MetricsAsync();
                var (startApi, startRedis, startMachine) = (ProcessSample.Take(api.Pid), ProcessSample.Take(redis.Pid!.Value), MachineCpuSample.Take());
                var startSent = pacer.Sent;
                var failuresBefore = publisher.Failed;
                var opened = Stopwatch.GetTimestamp();
                answers.StartWindow(opened);

                await Task.Delay(TimeSpan.FromSeconds(settings.DurationSeconds), cancellationToken);

                var closed = Stopwatch.GetTimestamp();
                answers.EndWindow(closed);
                var (endApi, endRedis, endMachine) = (ProcessSample.Take(api.Pid), ProcessSample.Take(redis.Pid!.Value), MachineCpuSample.Take());
                var endMetrics = await api.MetricsAsync();
                var seconds = Stopwatch.GetElapsedTime(opened, closed).TotalSeconds;
                var accepted = endMetrics.Value("vapora_api_updates_accepted_total") - startMetrics.Value("vapora_api_updates_accepted_total");
                var backlog = publisher.Backlog;
                pacer.Stop();
                // Whatever is still queued is answered before the histogram is read (it is in the window's tail).
                await publisher.FlushAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
                var histogram = answers.Merge();
                figures = new WritesFigures
                {
                    Rate = rate,
                    OfferedPerSecond = (pacer.Sent - startSent) / seconds,
                    AcceptedPerSecond = accepted / seconds,
                    Failures = publisher.Failed - failuresBefore,
                    FirstFailure = publisher.FirstError,
                    BacklogAtEnd = backlog,
                    P50Ms = histogram.GetValueAtPercentile(50) / 1000.0,
                    P99Ms = histogram.GetValueAtPercentile(99) / 1000.0,
                    MaxMs = histogram.GetMaxValue() / 1000.0,
                    ApiCpuCores = endApi.CoresSince(startApi),
                    RedisCpuCores = endRedis.CoresSince(startRedis),
                    MachineCpuCores = endMachine.CoresSince(startMachine),
                    StoreCallsPerPatch = Operations
                        .Select(operation => (operation, calls: Calls(endMetrics, operation) - Calls(startMetrics, operation)))
                        .Where(c => c.calls > 0)
                        .ToDictionary(c => c.operation, c => accepted <= 0 ? 0 : c.calls / accepted, StringComparer.Ordinal),
                };
            }
            finally
            {
                pacer.Stop();
            }

            return figures;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static double Calls(MetricsSnapshot metrics, string operation) =>
        metrics.Value("vapora_api_store_duration_seconds_count", string.Create(CultureInfo.InvariantCulture, $"operation=\"{operation}\""));
}
