using Spectre.Console;
using Vapora.Bench.Cli;
using Vapora.Bench.Reporting;
using Vapora.Bench.Targets;

namespace Vapora.Bench.Scenarios;

/// <summary><c>idle</c>: the memory scenario. N connections that receive nothing; RSS per connection once RSS settles.</summary>
internal static class IdleCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var line = new CommandLine("idle", args, [.. LoadOptions.CommonOptions, "--settle", "--hold"]);
        var options = LoadOptions.Read(line, rate: 0, defaultClients: 10_000);
        var settleAtMost = TimeSpan.FromSeconds(line.Seconds("--settle", 60, 3, 3600));
        var hold = TimeSpan.FromSeconds(line.Seconds("--hold", 0, 0, 3600));
        var invocation = Invocation.Capture("idle", args);
        var target = CommandLine.Name(options.Target);
        var output = JsonReport.PathFor(line.Text("--out"), "idle", target);
        AnsiConsole.MarkupLineInterpolated($"[bold]{TargetLauncher.Describe(options)}[/]");
        AnsiConsole.MarkupLineInterpolated($"{options.Clients} idle clients on {options.Workflows} workflows; machine: {invocation.Machine}");

        var runs = new List<IdleFigures>();
        await AnsiConsole.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                for (var run = 1; run <= options.Runs; run++)
                {
                    runs.Add(await IdleRun.MeasureAsync(options, settleAtMost, hold, progress, $"idle run {run}/{options.Runs}:", cancellationToken));
                }
            });

        var median = IdleFigures.Median(runs);
        AnsiConsole.Write(ResultTables.Idle($"{target}: {options.Clients} idle clients", runs, median));
        if (median.FirstProblem is { } problem)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]first problem seen[/]: {problem}");
        }

        await JsonReport.WriteAsync(output, new IdleReport(invocation, target, TargetLauncher.Describe(options), IdleSettings.From(options, settleAtMost), runs, median), cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"wrote [link]{output}[/]");
        return 0;
    }
}
