using System.Globalization;
using Spectre.Console;
using Vapora.Bench.Cli;
using Vapora.Bench.Reporting;

namespace Vapora.Bench.Scenarios;

/// <summary><c>storm</c>: the reconnect storm, --runs times with fresh processes; prints and writes the median.</summary>
internal static class StormCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var line = new CommandLine("storm", args,
            ["--clients", "--workflows", "--rate", "--workers", "--coalesce", "--placement", "--hang", "--storm", "--warmup", "--runs", "--connect-concurrency", "--rest-concurrency", "--admissions", "--out"]);
        var clients = line.Int("--clients", 10_000, 2, 19_000, "nginx in front holds at most ~9,500 proxied sockets per worker, two workers");
        var workers = line.Int("--workers", 2, 0, 16);
        var coalesce = line.Text("--coalesce") ?? "on";
        if (coalesce is not ("on" or "off"))
        {
            throw new UsageException($"--coalesce must be on or off, not '{coalesce}'.");
        }

        var settings = new StormSettings(
            clients,
            line.Int("--workflows", 100, 2, clients, "half of them start on the gateway that dies"),
            line.Int("--rate", 200, 1, 100_000),
            workers,
            coalesce == "on",
            line.Choice("--placement", StormPlacement.Split),
            line.Seconds("--hang", 0, 0, 60),
            line.Seconds("--storm", 15, 1, 600),
            line.Seconds("--warmup", 3, 0, 600),
            line.Int("--runs", 1, 1, 20),
            line.Int("--connect-concurrency", 200, 1, 5000),
            line.Int("--rest-concurrency", 64, 1, 1024),
            line.Has("--admissions") ? line.Int("--admissions", 16, 0, 100_000) : null);
        var invocation = Invocation.Capture("storm", args);
        var output = JsonReport.PathFor(line.Text("--out"), "storm", coalesce == "on" ? "coalesced" : "uncoalesced");
        var description = string.Create(CultureInfo.InvariantCulture,
            $"Vapora: workflow-api (in-memory store) + 2 gateways behind nginx; {settings.Clients} clients over {settings.Workflows} workflows ({settings.Placement.ToString().ToLowerInvariant()} placement), {settings.Rate} updates/s via REST; kill -9 the gateway holding half; coalesced catch-up {coalesce}{(settings.Admissions is { } admissions ? $"; Gateway__MaxConcurrentAdmissions={admissions}" : "")}");
        AnsiConsole.MarkupLineInterpolated($"[bold]{description}[/]; machine: {invocation.Machine}");

        var runs = new List<StormFigures>();
        await AnsiConsole.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                for (var run = 1; run <= settings.Runs; run++)
                {
                    runs.Add(await StormRun.MeasureAsync(settings, progress, $"storm run {run}/{settings.Runs}:", cancellationToken));
                }
            });

        var median = StormFigures.Median(runs);
        AnsiConsole.Write(ResultTables.Storm("reconnect storm", runs, median));
        if (median.FirstProblem is { } problem)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]first problem seen[/]: {problem}");
        }

        await JsonReport.WriteAsync(output, new StormReport(invocation, description, settings, runs, median), cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"wrote [link]{output}[/]");
        return 0;
    }
}
