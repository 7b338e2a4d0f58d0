using System.Globalization;
using Spectre.Console;
using Vapora.Bench.Cli;
using Vapora.Bench.Measurement;
using Vapora.Bench.Reporting;

namespace Vapora.Bench.Scenarios;

/// <summary>
/// <c>writes</c>: the write path alone, per store. At each rate, lowest first, --runs measurements with fresh processes;
/// stops after the first rate whose median p99 exceeds --max-p99 or that refused a PATCH. Prints and writes the medians
/// and the highest rate sustained.
/// </summary>
internal static class WritesCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var line = new CommandLine("writes", args,
            ["--store", "--rates", "--workflows", "--duration", "--warmup", "--concurrency", "--runs", "--max-p99", "--out"]);
        if (Environment.ProcessorCount < 2)
        {
            throw new UsageException("writes pins the API to a CPU of its own: it needs at least 2 CPUs.");
        }

        var settings = new WritesSettings(
            line.RequiredChoice<WriteStore>("--store"),
            line.Has("--rates") ? line.IntList("--rates", 1, 1_000_000) : [1000, 2000, 4000, 6000, 8000, 10_000],
            line.Int("--workflows", 1000, 1, 1_000_000),
            line.Seconds("--duration", 10, 1, 3600),
            line.Seconds("--warmup", 3, 0, 600),
            line.Int("--concurrency", 64, 1, 1024),
            line.Int("--runs", 1, 1, 20),
            line.Seconds("--max-p99", 50, 0.1, 60_000));
        var store = CommandLine.Name(settings.Store);
        var invocation = Invocation.Capture("writes", args);
        var output = JsonReport.PathFor(line.Text("--out"), "writes", store);
        var description = string.Create(CultureInfo.InvariantCulture,
            $"workflow-api ({store} store) alone on CPU {CpuAffinity.ServerCpu} (DOTNET_PROCESSOR_COUNT=1, workstation GC); redis-server and the harness on CPU {CpuAffinity.OtherCpus}; "
            + $"PATCH /api/workflows/{{id}} open loop over {settings.Workflows} workflows, {settings.Concurrency} connections");
        AnsiConsole.MarkupLineInterpolated($"[bold]{description}[/]; machine: {invocation.Machine}");

        var steps = new List<WritesStep>();
        foreach (var rate in settings.Rates)
        {
            var runs = new List<WritesFigures>();
            for (var run = 1; run <= settings.Runs; run++)
            {
                AnsiConsole.MarkupLineInterpolated($"{store}: {rate} PATCH/s, run {run}/{settings.Runs} (warm-up {settings.WarmupSeconds:0.#} s + {settings.DurationSeconds:0.#} s)");
                runs.Add(await WritesRun.MeasureAsync(settings, rate, cancellationToken));
            }

            var median = WritesFigures.Median(runs);
            steps.Add(new WritesStep(rate, runs, median));
            if (median.FirstFailure is { } failure)
            {
                AnsiConsole.MarkupLineInterpolated($"[yellow]first failure[/]: {failure}");
            }

            if (!median.Sustained(settings.MaxP99Ms))
            {
                break;
            }
        }

        AnsiConsole.Write(WritesFigures.Table($"writes, {store} store (medians of {settings.Runs})", steps.Select(s => s.Median), settings.MaxP99Ms));
        foreach (var step in steps)
        {
            AnsiConsole.MarkupLineInterpolated($"store calls per PATCH at {step.Rate}/s: {step.Median.StoreCallsByOperation()}");
        }

        var highest = steps.Where(s => s.Median.Sustained(settings.MaxP99Ms)).Select(s => (int?)s.Rate).Max();
        AnsiConsole.MarkupLineInterpolated($"highest rate sustained (p99 ≤ {settings.MaxP99Ms:0.#} ms, nothing refused): [bold]{(highest is { } h ? h.ToString("N0", CultureInfo.InvariantCulture) + " PATCH/s" : "none of the rates")}[/]");
        await JsonReport.WriteAsync(output, new WritesReport(invocation, description, settings, steps, highest), cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"wrote [link]{output}[/]");
        return 0;
    }
}
