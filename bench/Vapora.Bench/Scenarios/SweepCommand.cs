using System.Globalization;
using Spectre.Console;
using Vapora.Bench.Cli;
using Vapora.Bench.Reporting;
using Vapora.Bench.Targets;

namespace Vapora.Bench.Scenarios;

/// <summary>
/// <c>sweep</c>: <c>run</c> at each of --rates, lowest first, until p99 exceeds --max-p99 or anything is lost;
/// writes the JSON and a chart of p50/p99 against delivered messages per second.
/// </summary>
internal static class SweepCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var line = new CommandLine("sweep", args, [.. LoadOptions.CommonOptions, .. LoadOptions.LoadOnlyOptions, "--rates", "--max-p99"]);
        var rates = line.IntList("--rates", 1, 1_000_000);
        var maxP99 = line.Seconds("--max-p99", 50, 0.1, 60_000);
        var baseOptions = LoadOptions.Read(line, rates[0], defaultClients: 1000);
        var invocation = Invocation.Capture("sweep", args);
        var target = CommandLine.Name(baseOptions.Target);
        var output = JsonReport.PathFor(line.Text("--out"), "sweep", target);
        var title = $"{target}: {baseOptions.Clients} clients, {baseOptions.Workflows} workflows";
        AnsiConsole.MarkupLineInterpolated($"[bold]{TargetLauncher.Describe(baseOptions)}[/]; machine: {invocation.Machine}");

        var steps = new List<SweepStep>();
        var stoppedBecause = "all rates passed";
        foreach (var rate in rates)
        {
            var options = baseOptions with { Rate = rate };
            var runs = await RunCommand.MeasureAsync(options, cancellationToken);
            var median = RunFigures.Median(runs);
            steps.Add(new SweepStep(rate, runs, median));
            RunCommand.ReportProblems(options, median);
            if (median.Lost > 0 || runs.Any(r => r.Lost > 0))
            {
                stoppedBecause = string.Create(CultureInfo.InvariantCulture, $"updates were lost at {rate}/s");
                break;
            }

            if (median.P99Ms > maxP99)
            {
                stoppedBecause = string.Create(CultureInfo.InvariantCulture, $"p99 {median.P99Ms:0.0} ms > {maxP99} ms at {rate}/s");
                break;
            }
        }

        AnsiConsole.Write(ResultTables.Sweep(title, steps));
        AnsiConsole.MarkupLineInterpolated($"stopped: {stoppedBecause}");
        var chart = SweepChart.Save(Path.ChangeExtension(output, null), title, steps);
        await JsonReport.WriteAsync(output, new SweepReport(invocation, target, TargetLauncher.Describe(baseOptions), baseOptions, maxP99, steps, stoppedBecause, chart), cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"wrote [link]{output}[/] and [link]{chart}[/]");
        return 0;
    }
}
