using System.Globalization;
using Spectre.Console;
using Vapora.Bench.Cli;
using Vapora.Bench.Reporting;
using Vapora.Bench.Targets;

namespace Vapora.Bench.Scenarios;

/// <summary>
/// <c>growth</c>: the same delivered rate (--deliveries messages/s) at each of --sizes sockets over --workflows
/// workflows (the update rate is deliveries × W / N), to see how server CPU per delivered message and RSS per
/// connection grow with the number of open sockets. Writes the JSON and one chart.
/// </summary>
internal static class GrowthCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var line = new CommandLine("growth", args,
            [.. LoadOptions.CommonOptions.Where(o => o != "--clients"), .. LoadOptions.LoadOnlyOptions, "--sizes", "--deliveries"]);
        var sizes = line.IntList("--sizes", 1, 100_000);
        var deliveries = line.Int("--deliveries", 20_000, 1, 10_000_000);
        var baseOptions = LoadOptions.Read(line, rate: 1, defaultClients: sizes[^1]);
        var invocation = Invocation.Capture("growth", args);
        var target = CommandLine.Name(baseOptions.Target);
        var output = JsonReport.PathFor(line.Text("--out"), "growth", target);
        var title = string.Create(CultureInfo.InvariantCulture, $"{target}: {deliveries:N0} delivered msgs/s at each size, {baseOptions.Workflows} workflows");
        AnsiConsole.MarkupLineInterpolated($"[bold]{TargetLauncher.Describe(baseOptions)}[/]; machine: {invocation.Machine}");

        var steps = new List<GrowthStep>();
        foreach (var clients in sizes)
        {
            var workflows = Math.Min(baseOptions.Workflows, clients);
            var rate = Math.Max(1, (int)Math.Round(deliveries * (double)workflows / clients));
            var options = baseOptions with { Clients = clients, Workflows = workflows, Rate = rate };
            var runs = await RunCommand.MeasureAsync(options, cancellationToken);
            var median = RunFigures.Median(runs);
            RunCommand.ReportProblems(options, median);
            steps.Add(new GrowthStep(clients, rate, runs, median));
        }

        var table = new Table().Title(Markup.Escape(title)).Border(TableBorder.Rounded);
        foreach (var column in new[] { "sockets", "rate/s", "delivered msgs/s", "server CPU", "µs/msg", "RSS KiB/conn", "p99 ms", "lost/dup/reord" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (var step in steps)
        {
            var m = step.Median;
            table.AddRow(string.Create(CultureInfo.InvariantCulture, $"{step.Clients:N0}"), step.Rate.ToString(CultureInfo.InvariantCulture),
                m.DeliveredPerSecond.ToString("N0", CultureInfo.InvariantCulture), m.ServerCpuCores.ToString("0.00", CultureInfo.InvariantCulture),
                step.CpuMicrosecondsPerMessage.ToString("0.0", CultureInfo.InvariantCulture), m.RssPerConnectionKib.ToString("0.0", CultureInfo.InvariantCulture),
                m.P99Ms.ToString("0.00", CultureInfo.InvariantCulture), $"{m.Lost}/{m.Duplicated}/{m.Reordered}");
        }

        AnsiConsole.Write(table);
        var chart = GrowthChart.Save(Path.ChangeExtension(output, null), title, steps);
        await JsonReport.WriteAsync(output, new GrowthReport(invocation, target, TargetLauncher.Describe(baseOptions), baseOptions, deliveries, steps, chart), cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"wrote [link]{output}[/] and [link]{chart}[/]");
        return 0;
    }
}
