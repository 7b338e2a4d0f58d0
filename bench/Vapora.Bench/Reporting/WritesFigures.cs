using System.Globalization;
using Spectre.Console;

namespace Vapora.Bench.Reporting;

/// <summary>
/// One measured window of the <c>writes</c> scenario: PATCHes offered and accepted per second, their answer times
/// (scheduled → answered, queueing in the harness included), the API's CPU per accepted PATCH and its store calls per
/// accepted PATCH by operation (its own <c>vapora_api_store_duration_seconds_count</c>).
/// </summary>
internal sealed record WritesFigures
{
    public required int Rate { get; init; }

    public required double OfferedPerSecond { get; init; }

    public required double AcceptedPerSecond { get; init; }

    public required long Failures { get; init; }

    public string? FirstFailure { get; init; }

    public required long BacklogAtEnd { get; init; }

    public required double P50Ms { get; init; }

    public required double P99Ms { get; init; }

    public required double MaxMs { get; init; }

    public required double ApiCpuCores { get; init; }

    public required double RedisCpuCores { get; init; }

    public required double MachineCpuCores { get; init; }

    /// <summary>Store calls per accepted PATCH, by operation (those with any).</summary>
    public required IReadOnlyDictionary<string, double> StoreCallsPerPatch { get; init; }

    public double CpuMicrosecondsPerPatch => AcceptedPerSecond <= 0 ? 0 : ApiCpuCores * 1_000_000 / AcceptedPerSecond;

    public double TotalStoreCallsPerPatch => StoreCallsPerPatch.Values.Sum();

    /// <summary>Kept up: nothing refused, the rate accepted, and answered within the p99 bound (a queue that grows shows there).</summary>
    public bool Sustained(double maxP99Ms) => Failures == 0 && P99Ms <= maxP99Ms && AcceptedPerSecond >= 0.95 * Rate;

    public static WritesFigures Median(IReadOnlyList<WritesFigures> runs) => new()
    {
        Rate = runs[0].Rate,
        OfferedPerSecond = Statistics.Median(runs.Select(r => r.OfferedPerSecond)),
        AcceptedPerSecond = Statistics.Median(runs.Select(r => r.AcceptedPerSecond)),
        Failures = Statistics.Median(runs.Select(r => r.Failures)),
        FirstFailure = runs.Select(r => r.FirstFailure).FirstOrDefault(f => f is not null),
        BacklogAtEnd = Statistics.Median(runs.Select(r => r.BacklogAtEnd)),
        P50Ms = Statistics.Median(runs.Select(r => r.P50Ms)),
        P99Ms = Statistics.Median(runs.Select(r => r.P99Ms)),
        MaxMs = Statistics.Median(runs.Select(r => r.MaxMs)),
        ApiCpuCores = Statistics.Median(runs.Select(r => r.ApiCpuCores)),
        RedisCpuCores = Statistics.Median(runs.Select(r => r.RedisCpuCores)),
        MachineCpuCores = Statistics.Median(runs.Select(r => r.MachineCpuCores)),
        StoreCallsPerPatch = Statistics.Median(runs.Select(r => r.StoreCallsPerPatch).ToList()),
    };

    /// <summary>One row per rate (the medians).</summary>
    public static Table Table(string title, IEnumerable<WritesFigures> steps, double maxP99Ms)
    {
        var table = new Table().Title(title);
        foreach (var column in new[]
                 {
                     "rate/s", "offered/s", "accepted/s", "p50 ms", "p99 ms", "max ms", "failures", "API cores", "API µs/PATCH",
                     "store calls/PATCH", "redis cores", "machine cores", $"p99 ≤ {maxP99Ms:0} ms",
                 })
        {
            table.AddColumn(column);
        }

        foreach (var s in steps)
        {
            table.AddRow(
                N0(s.Rate), N0(s.OfferedPerSecond), N0(s.AcceptedPerSecond), F2(s.P50Ms), F2(s.P99Ms), F2(s.MaxMs),
                s.Failures.ToString(CultureInfo.InvariantCulture), F2(s.ApiCpuCores), F1(s.CpuMicrosecondsPerPatch),
                F2(s.TotalStoreCallsPerPatch),
                F2(s.RedisCpuCores), F2(s.MachineCpuCores), s.Sustained(maxP99Ms) ? "yes" : "no");
        }

        return table;
    }

    /// <summary>The store calls per PATCH by operation, for the line under the table.</summary>
    public string StoreCallsByOperation() => string.Join(", ", StoreCallsPerPatch.Select(c => $"{c.Key} {F2(c.Value)}"));

    private static string N0(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string F1(double value) => value.ToString("F1", CultureInfo.InvariantCulture);

    private static string F2(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
}

/// <summary>The JSON written by <c>writes</c>.</summary>
internal sealed record WritesReport(Invocation Invocation, string Description, Scenarios.WritesSettings Options, IReadOnlyList<WritesStep> Steps, int? HighestSustainedRate);

/// <summary>One rate of a <c>writes</c> sweep: every run and their median.</summary>
internal sealed record WritesStep(int Rate, IReadOnlyList<WritesFigures> Runs, WritesFigures Median);
