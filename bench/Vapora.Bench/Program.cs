using Spectre.Console;
using Vapora.Bench;
using Vapora.Bench.Cli;
using Vapora.Bench.Scenarios;

// Ctrl+C cancels the run instead of killing the harness, so the processes it started are stopped.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

try
{
    return args.FirstOrDefault() switch
    {
        "latency" => await PatchToFrameLatency.RunAsync(args[1..]),
        "run" => await RunCommand.RunAsync(args[1..], cancellation.Token),
        "sweep" => await SweepCommand.RunAsync(args[1..], cancellation.Token),
        "idle" => await IdleCommand.RunAsync(args[1..], cancellation.Token),
        "storm" => await StormCommand.RunAsync(args[1..], cancellation.Token),
        "growth" => await GrowthCommand.RunAsync(args[1..], cancellation.Token),
        "tokens" => await TokensCommand.RunAsync(args[1..], cancellation.Token),
        "writes" => await WritesCommand.RunAsync(args[1..], cancellation.Token),
        "worker" => await Vapora.Bench.Workers.WorkerCommand.RunAsync(cancellation.Token),
        _ => Usage.Print(),
    };
}
catch (UsageException ex)
{
    AnsiConsole.MarkupLineInterpolated($"[red]{ex.Message}[/]");
    return Usage.Print();
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    AnsiConsole.MarkupLine("[yellow]cancelled; the processes this run started were stopped[/]");
    return 130;
}
