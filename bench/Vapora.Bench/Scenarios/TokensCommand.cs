using System.Globalization;
using Spectre.Console;
using Vapora.Bench.Cli;
using Vapora.Bench.Reporting;

namespace Vapora.Bench.Scenarios;

/// <summary><c>tokens</c>: what token expiry costs a fleet of clients, --runs times with fresh processes; prints and writes the median.</summary>
internal static class TokensCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var line = new CommandLine("tokens", args,
            ["--refresh", "--lifetime", "--clients", "--workflows", "--rate", "--duration", "--warmup", "--workers", "--runs", "--connect-concurrency", "--rest-concurrency", "--out"]);
        var workers = line.Int("--workers", 2, 0, 16);
        var clients = line.Int("--clients", 10_000, 1, 19_000 * Math.Max(1, workers), "one process holds at most ~19,000 sockets; --workers N spreads them");
        var lifetime = line.Seconds("--lifetime", 30, 10, 86_400);
        var settings = new TokensSettings(
            clients,
            line.Int("--workflows", Math.Min(clients, 100), 1, clients, "a workflow needs at least one watcher"),
            line.Int("--rate", 100, 1, 100_000),
            lifetime,
            line.RequiredChoice<TokenRenewal>("--refresh"),
            line.Seconds("--duration", 180, lifetime, 86_400),
            line.Seconds("--warmup", 3, 0, 600),
            workers,
            line.Int("--runs", 1, 1, 20),
            line.Int("--connect-concurrency", 200, 1, 5000),
            line.Int("--rest-concurrency", 64, 1, 1024));
        var mode = CommandLine.Name(settings.Refresh);
        var invocation = Invocation.Capture("tokens", args);
        var output = JsonReport.PathFor(line.Text("--out"), "tokens", mode);
        var description = string.Create(CultureInfo.InvariantCulture,
            $"Vapora: workflow-api (in-memory store) + 1 gateway with JWT authentication; {settings.Clients} clients over {settings.Workflows} workflows on /api/workflows/{{id}}/updates, tokens of {settings.LifetimeSeconds} s renewed {(settings.Refresh == TokenRenewal.Inband ? "in-band at token_expiring" : "by reconnecting at expiry (4401) and resuming")}; {settings.Rate} updates/s via REST");
        AnsiConsole.MarkupLineInterpolated($"[bold]{description}[/]; machine: {invocation.Machine}");

        var runs = new List<TokensFigures>();
        await AnsiConsole.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                for (var run = 1; run <= settings.Runs; run++)
                {
                    runs.Add(await TokensRun.MeasureAsync(settings, progress, $"tokens run {run}/{settings.Runs}:", cancellationToken));
                }
            });

        var median = TokensFigures.Median(runs);
        AnsiConsole.Write(ResultTables.Tokens($"token renewal: {mode}", runs, median));
        if (median.FirstProblem is { } problem)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]first problem seen[/]: {problem}");
        }

        if (median.FirstGap is { } gap)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]first client with a gap[/]: {gap}");
        }

        await JsonReport.WriteAsync(output, new TokensReport(invocation, description, settings, runs, median), cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"wrote [link]{output}[/]");
        return 0;
    }
}
