namespace Vapora.Bench.Cli;

internal static class Usage
{
    public static int Print()
    {
        Console.Error.WriteLine("""
            usage: dotnet run -c Release --project bench/Vapora.Bench -- <scenario> [options]
            (build first: dotnet build -c Release Vapora.sln; the harness starts the Release builds)

              latency [--updates 1000] [--watchers 1]
                  One REST PATCH at a time through real processes, timed until its WebSocket frame arrives.

              run --target vapora|signalr|ceiling --rate R [options]
                  Starts the target's processes on loopback, connects the clients, publishes R updates/s in all
                  (round-robin over the workflows, paced every ~1 ms) and measures delivery and latency.
                    --clients N            WebSocket clients (default 1000; at most the open-file limit - 500)
                    --workflows W          workflows; client i watches workflow i mod W (default min(N, 100))
                    --duration S           measured seconds (default 20)      --warmup S   unmeasured load first (2)
                    --drain S              wait for late updates after the last publish (default 5)
                    --source redis|rest    vapora: PUBLISH into Redis (gateway alone) or PATCH the API (default redis)
                    --via direct|lb        vapora: clients straight to the gateway or through nginx (≤ 4000 clients)
                    --transport websocket|sse  vapora: clients watch over WebSockets (default) or Server-Sent Events
                                           (/api/workflows/{id}/events, one HTTP/1.1 stream per client)
                    --stalled K            vapora: K clients stop reading when the measured window opens (slow
                                           consumers); the figures are the other clients'
                    --cluster none|classic|sharded  vapora: one redis-server (default), or a 3-node Redis Cluster
                                           with PUBLISH/SUBSCRIBE (classic) or SPUBLISH/SSUBSCRIBE (Redis__PubSub=sharded)
                    --cpus shared|split    split: the server alone on the last CPU (DOTNET_PROCESSOR_COUNT=1), the
                                           harness, redis, workflow-api and nginx on the others (default shared)
                    --signalr-client raw|hub  signalr: the JSON hub protocol on plain WebSockets (default; costs the
                                           harness what a Vapora client costs), or HubConnection clients (costlier:
                                           at high rates they saturate the harness before the server)
                    --workers N            hold the clients in N worker processes (the same binary in worker mode)
                                           instead of the harness itself: no one process's GC pauses or socket
                                           limit is the whole harness's; results are merged (default 0)
                    --gc workstation|server  the server's GC (default workstation, as Vapora ships; server is
                                           ASP.NET Core's default, as SignalR and Kestrel users run them)
                    --churn R              vapora: R subscribe + unsubscribe pairs per second on /ws sockets during
                                           the window; reports Redis SUBSCRIBE/UNSUBSCRIBE per second
                    --churn-workflows P    cycle the churn through P workflows nobody else watches (0: the watched)
                    --runs K               repeat with fresh processes; the report gives each figure's median (1)
                    --rest-concurrency C   concurrent PATCH requests for --source rest (default 64)
                    --connect-concurrency C  connections opened at once (default 200)
                    --out FILE             JSON result (default artifacts/bench/run-<target>-<time>.json)

              sweep --target ... --rates 1000,2000,4000 [--max-p99 50] [run options except --rate]
                  run at each rate, lowest first, until p99 > --max-p99 ms or an update is lost; writes the JSON and a
                  chart (PNG, or SVG where Skia cannot load) of p50/p99 against delivered messages/s next to it.

              idle --target ... [--clients 10000] [--workflows W] [--settle 60] [--runs K] [--via ...] [--transport ...] [--cpus ...]
                   [--signalr-client ...] [--workers N] [--gc ...] [--hold S] [--out FILE]
                  Memory: N connections that receive nothing; server RSS per connection once RSS stops moving.
                  --hold S keeps everything up S seconds afterwards and prints the server PID (for dotnet-gcdump).

              storm [--clients 10000] [--workflows 100] [--rate 200] [--workers 2] [--coalesce on|off]
                    [--placement split|lb] [--hang S] [--storm 15] [--warmup 3] [--admissions N] [--runs K] [--out FILE]
                  Reconnect storm: 2 gateways behind nginx, updates through REST; kill -9 the gateway holding half of
                  the clients (split: every client of the first half of the workflows, which the other gateway does
                  not watch; lb: round-robin). Orphans resume through nginx like Vapora.Client. Reports kill → live
                  again p50/p99/max, API history requests (the API's own counter), the survivors' latency, loss.
                  --coalesce off runs the gateways with Gateway__CoalesceCatchUp=false; --hang S SIGSTOPs it first;
                  --admissions N runs them with Gateway__MaxConcurrentAdmissions=N (0: no pacing; default: theirs).

              tokens --refresh inband|reconnect [--lifetime 30] [--clients 10000] [--workflows 100] [--rate 100]
                     [--duration 180] [--warmup 3] [--workers 2] [--runs K] [--out FILE]
                  What token expiry costs: a gateway with JWT authentication, every client on its own workflow socket
                  with its own token of --lifetime s (first expiries spread over a lifetime), updates through REST.
                  inband: the client sends a fresh token when the gateway sends token_expiring; reconnect: it does
                  nothing, the gateway closes at expiry (4401) and the client reconnects with a fresh token and resumes
                  from its last version. Reports reconnects per client per lifetime (and the per-hour figure derived
                  for 5-minute tokens), refreshes sent/accepted, and every version once, in order.

              writes --store memory|sqlite [--rates 1000,2000,4000,6000,8000,10000] [--workflows 1000] [--duration 10]
                     [--warmup 3] [--concurrency 64] [--runs K] [--max-p99 50] [--out FILE]
                  The write path alone: workflow-api on a CPU of its own (DOTNET_PROCESSOR_COUNT=1), redis and the harness
                  on the others; PATCHes open loop at each rate, lowest first, until p99 (schedule → answer) exceeds
                  --max-p99 ms or a PATCH is refused. Reports PATCH/s accepted, p50/p99, the API's CPU µs per PATCH and
                  its store calls per PATCH by operation (from its vapora_api_store_duration_seconds), and the highest
                  rate sustained.

              growth --target ... --sizes 1000,5000,10000 [--deliveries 20000] [run options except --clients]
                  The same delivered rate at each number of sockets: server CPU µs per delivered message and RSS per
                  connection, one JSON and one chart.
            """);
        return 2;
    }
}
