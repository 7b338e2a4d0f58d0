using System.Text.Json.Serialization;

namespace Vapora.Bench.Cli;

/// <summary>Everything one measurement needs; validated as a whole by <see cref="Read"/>.</summary>
internal sealed record LoadOptions
{
    /// <summary>Sockets kept free in the harness for Redis, HTTP and the runtime.</summary>
    private const int ReservedDescriptors = 500;

    /// <summary>nginx as NginxServer configures it: 8192 worker_connections, two per proxied client.</summary>
    private const int MaxClientsThroughNginx = 4000;

    public required Target Target { get; init; }

    public required int Clients { get; init; }

    public required int Workflows { get; init; }

    /// <summary>Updates per second, all workflows together (0 for the idle scenario).</summary>
    public required int Rate { get; init; }

    public required double DurationSeconds { get; init; }

    /// <summary>Load before the measured window (JIT, pools); its latencies are not recorded.</summary>
    public required double WarmupSeconds { get; init; }

    /// <summary>How long to wait after the last publish for every expected update.</summary>
    public required double DrainSeconds { get; init; }

    public required Source Source { get; init; }

    public required RedisTopology Cluster { get; init; }

    /// <summary>Clients that stop reading when the measured window opens; left out of the figures.</summary>
    public required int Stalled { get; init; }

    public required Via Via { get; init; }

    /// <summary>Vapora's clients: WebSockets or Server-Sent Events.</summary>
    public required ClientTransport Transport { get; init; }

    public required Cpus Cpus { get; init; }

    [JsonPropertyName("signalr_client")]
    public required SignalRClient SignalRClient { get; init; }

    public required int Runs { get; init; }

    public required int ConnectConcurrency { get; init; }

    public required int RestConcurrency { get; init; }

    /// <summary>Worker processes that hold the clients (0: the harness holds them itself).</summary>
    public required int Workers { get; init; }

    /// <summary>The server's garbage collector.</summary>
    public required GcMode Gc { get; init; }

    /// <summary>Subscribe + unsubscribe pairs per second on /ws sockets during the measured window (vapora; 0: none).</summary>
    public required int Churn { get; init; }

    /// <summary>Workflows that nobody else watches for the churn to cycle through (0: the watched workflows).</summary>
    public required int ChurnWorkflows { get; init; }

    /// <summary>Options shared by run, sweep and idle.</summary>
    public static readonly string[] CommonOptions =
        ["--target", "--clients", "--workflows", "--via", "--transport", "--cpus", "--signalr-client", "--runs", "--out", "--connect-concurrency", "--cluster", "--workers", "--gc"];

    /// <summary>Options of a load run (run and sweep).</summary>
    public static readonly string[] LoadOnlyOptions = ["--duration", "--warmup", "--drain", "--source", "--rest-concurrency", "--stalled", "--churn", "--churn-workflows"];

    /// <summary>Reads and checks the options; <paramref name="rate"/> comes from --rate or a sweep step.</summary>
    public static LoadOptions Read(CommandLine line, int rate, int defaultClients)
    {
        var target = line.RequiredChoice<Target>("--target");
        var workers = line.Int("--workers", 0, 0, 16);
        var perProcess = MaxClientsForThisProcess();
        var maxClients = perProcess * Math.Max(1, workers);
        var clients = line.Int("--clients", defaultClients, 1, maxClients,
            $"each process that holds clients may open {perProcess + ReservedDescriptors} files; --workers N spreads them over N processes");
        var options = new LoadOptions
        {
            Target = target,
            Clients = clients,
            Workflows = line.Int("--workflows", Math.Min(clients, 100), 1, clients, "a workflow needs at least one watcher"),
            Rate = rate,
            DurationSeconds = line.Seconds("--duration", 20, 1, 3600),
            WarmupSeconds = line.Seconds("--warmup", 2, 0, 600),
            DrainSeconds = line.Seconds("--drain", 5, 0.5, 600),
            Source = line.Choice("--source", Source.Redis),
            Cluster = line.Choice("--cluster", RedisTopology.None),
            Stalled = line.Int("--stalled", 0, 0, Math.Max(0, clients - 1), "at least one client must keep reading"),
            Via = line.Choice("--via", Via.Direct),
            Transport = line.Choice("--transport", ClientTransport.WebSocket),
            Cpus = line.Choice("--cpus", Cpus.Shared),
            SignalRClient = line.Choice("--signalr-client", SignalRClient.Raw),
            Runs = line.Int("--runs", 1, 1, 20),
            ConnectConcurrency = line.Int("--connect-concurrency", 200, 1, 5000),
            RestConcurrency = line.Int("--rest-concurrency", 64, 1, 1024),
            Workers = workers,
            Gc = line.Choice("--gc", GcMode.Workstation),
            Churn = line.Int("--churn", 0, 0, 100_000),
            ChurnWorkflows = line.Int("--churn-workflows", 0, 0, 100_000),
        };

        if (options.Churn > 0 && target != Target.Vapora)
        {
            throw new UsageException("--churn needs --target vapora: it subscribes and unsubscribes on /ws.");
        }

        if (options.Source == Source.Rest && target != Target.Vapora)
        {
            throw new UsageException("--source rest needs --target vapora: only Vapora has a REST API that publishes.");
        }

        if (options.Via == Via.Lb && target != Target.Vapora)
        {
            throw new UsageException("--via lb needs --target vapora: the nginx configuration is Vapora's (deploy/nginx).");
        }

        if (options.Transport != ClientTransport.WebSocket && target != Target.Vapora)
        {
            throw new UsageException("--transport sse needs --target vapora: only Vapora serves Server-Sent Events here.");
        }

        if (options.Stalled > 0 && target != Target.Vapora)
        {
            throw new UsageException("--stalled needs --target vapora: the ceiling app has no per-client queue, and SignalR clients here cannot stall.");
        }

        if (options.Cluster != RedisTopology.None && target != Target.Vapora)
        {
            throw new UsageException("--cluster classic|sharded needs --target vapora.");
        }

        if (line.Has("--signalr-client") && target != Target.SignalR)
        {
            throw new UsageException("--signalr-client needs --target signalr.");
        }

        if (options.Via == Via.Lb && clients > MaxClientsThroughNginx)
        {
            throw new UsageException($"--via lb allows at most {MaxClientsThroughNginx} clients (nginx has 8192 worker_connections, two per client).");
        }

        if (options.Cpus == Cpus.Split && Environment.ProcessorCount < 2)
        {
            throw new UsageException("--cpus split needs at least 2 CPUs.");
        }

        return options;
    }

    /// <summary>
    /// The clients of a scenario that builds its own Vapora system (storm, tokens): WebSocket streams, updates PATCHed
    /// through the API (a client that resumes catches up from its history, so the updates must be stored).
    /// </summary>
    public static LoadOptions RestFleet(int clients, int workflows, int rate, double durationSeconds, double warmupSeconds, int runs, int workers,
        int connectConcurrency, int restConcurrency) => new()
    {
        Target = Target.Vapora,
        Clients = clients,
        Workflows = workflows,
        Rate = rate,
        DurationSeconds = durationSeconds,
        WarmupSeconds = warmupSeconds,
        DrainSeconds = 10,
        Source = Source.Rest,
        Cluster = RedisTopology.None,
        Stalled = 0,
        Via = Via.Direct,
        Transport = ClientTransport.WebSocket,
        Cpus = Cpus.Shared,
        SignalRClient = SignalRClient.Raw,
        Runs = runs,
        ConnectConcurrency = connectConcurrency,
        RestConcurrency = restConcurrency,
        Workers = workers,
        Gc = GcMode.Workstation,
        Churn = 0,
        ChurnWorkflows = 0,
    };

    /// <summary>Environment for the server process: with --cpus split the runtime sizes itself for one core.</summary>
    public IReadOnlyDictionary<string, string?> ServerEnvironment()
    {
        var environment = new Dictionary<string, string?> { ["DOTNET_gcServer"] = Gc == GcMode.Server ? "1" : "0" };
        if (Cpus == Cpus.Split)
        {
            environment["DOTNET_PROCESSOR_COUNT"] = "1";
        }

        return environment;
    }

    private static int MaxClientsForThisProcess() => Math.Max(1, OpenFileLimit() - ReservedDescriptors);

    // ulimit -n of this process, from /proc/self/limits ("Max open files  <soft>  <hard>  files").
    private static int OpenFileLimit()
    {
        foreach (var line in File.ReadLines("/proc/self/limits"))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                var soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return soft == "unlimited" ? 1_000_000 : int.Parse(soft, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 1024;
    }
}
