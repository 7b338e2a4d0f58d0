using Vapora.Bench;

return args.FirstOrDefault() switch
{
    "latency" => await PatchToFrameLatency.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: dotnet run -c Release --project bench/Vapora.Bench -- <scenario> [options]

          latency [--updates 1000] [--watchers 1]
              Starts redis-server, workflow-api (in-memory store) and one gateway on loopback, then times each
              REST PATCH until its WebSocket frame arrives at every watcher. Prints median, p90, p99 and max.
        """);
    return 2;
}
