using Spectre.Console;
using Vapora.Bench.Cli;
using Vapora.Bench.Reporting;
using Vapora.Bench.Targets;

namespace Vapora.Bench.Scenarios;

/// <summary><c>run</c>: one load level, measured --runs times with fresh processes; prints and writes the median.</summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var line = new CommandLine("run", args, [.. LoadOptions.CommonOptions, .. LoadOptions.LoadOnlyOptions, "--rate"]);
        var options = LoadOptions.Read(line, line.RequiredInt("--rate", 1, 1_000_000), defaultClients: 1000);
        var invocation = Invocation.Capture("run", args);
        var output = JsonReport.PathFor(line.Text("--out"), "run", CommandLine.Name(options.Target));
        AnsiConsole.MarkupLineInterpolated($"[bold]{TargetLauncher.Describe(options)}[/]");
        AnsiConsole.MarkupLineInterpolated($"{options.Clients} clients on {options.Workflows} workflows, {options.Rate} updates/s → {options.Rate * (double)options.Clients / options.Workflows:N0} deliveries/s; machine: {invocation.Machine}");

        var runs = await MeasureAsync(options, cancellationToken);
        var median = RunFigures.Median(runs);
        AnsiConsole.Write(ResultTables.Runs($"{CommandLine.Name(options.Target)}: {options.Clients} clients, {options.Workflows} workflows, {options.Rate}/s, {options.DurationSeconds:0.#} s", runs, median));
        ReportProblems(options, median);
        await JsonReport.WriteAsync(output, new RunReport(invocation, CommandLine.Name(options.Target), TargetLauncher.Describe(options), options, runs, median), cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"wrote [link]{output}[/]");
        return 0;
    }

    /// <summary>Measures --runs times, each with fresh processes.</summary>
    public static async Task<IReadOnlyList<RunFigures>> MeasureAsync(LoadOptions options, CancellationToken cancellationToken)
    {
        var runs = new List<RunFigures>();
        await AnsiConsole.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                for (var run = 1; run <= options.Runs; run++)
                {
                    runs.Add(await LoadRun.MeasureAsync(options, progress, $"{options.Rate}/s run {run}/{options.Runs}:", cancellationToken));
                }
            });
        return runs;
    }

    /// <summary>Says when figures are suspect: updates missing, or CPU so short that the machine, not the server, was measured.</summary>
    public static void ReportProblems(LoadOptions options, RunFigures median)
    {
        if (median.Lost > 0 || median.Duplicated > 0 || median.Reordered > 0 || median.Disconnected > 0 || median.PublishFailures > 0)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]delivery problems[/]: lost {median.Lost}, duplicated {median.Duplicated}, reordered {median.Reordered}, disconnected {median.Disconnected}, publish failures {median.PublishFailures}");
        }

        var cores = Environment.ProcessorCount;
        var harnessCores = options.Cpus == Cpus.Split ? cores - 1 : cores;
        var ours = median.HarnessCpuCores + median.ServerCpuCores + median.HelperCpuCores.Values.Sum();
        if (median.MachineCpuCores > 0.9 * cores)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]the machine was CPU-bound[/]: {median.MachineCpuCores:0.00} of {cores} cores busy, {Math.Max(0, median.MachineCpuCores - ours):0.00} of them by processes outside this run; latencies include waiting for CPU");
        }

        if (median.HarnessCpuCores > 0.85 * harnessCores)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]the harness was near its CPU limit[/] ({median.HarnessCpuCores:0.00} of {harnessCores} cores): it may be what limits delivery (try fewer clients or a lower rate)");
        }

        if (median.PublisherMaxLagMs > 20)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]the pacer woke up to {median.PublisherMaxLagMs:0} ms late[/] (busy machine): updates due meanwhile went out as a burst");
        }

        if (median.FirstProblem is { } problem)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]first problem seen[/]: {problem}");
        }
    }
}
