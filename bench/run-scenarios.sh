#!/usr/bin/env bash
# Runs every scenario of docs/benchmarks.md, one after another (they must not overlap: 2 cores), and writes the JSON
# results (and the sweep charts) to bench/results/. About 35 minutes on the reference machine.
#   bench/run-scenarios.sh [scenario ...]     scenarios: fanout fanout3 latency memory breadth cluster stalled sse
#                                              fanout-vapora fanout-vapora-high storm breadth-split growth churn peers
#                                              memory-server-gc tokens writes breadth-recent storm-paced
#                                              (default: all but fanout-vapora, fanout-vapora-high, breadth-recent and storm-paced)
# Issue 18's scenarios split the harness's clients over worker processes (--workers 2).
set -euo pipefail
cd "$(dirname "$0")/.."
# VAPORA_BENCH_NO_BUILD=1: the Release build is fresh; do not rebuild (a long pass must not pick up edits half-way).
[ -n "${VAPORA_BENCH_NO_BUILD:-}" ] || dotnet build Vapora.sln -c Release --nologo -v quiet -clp:ErrorsOnly
out=bench/results
bench() { dotnet run -c Release --no-build --project bench/Vapora.Bench -- "$@"; }
scenarios=("${@:-fanout fanout3 latency memory breadth cluster stalled sse storm breadth-split growth churn peers memory-server-gc tokens writes}")
load() { cut -d' ' -f1-3 /proc/loadavg; }
for scenario in ${scenarios[@]}; do
  echo "== $scenario (load $(load))"
  case "$scenario" in
    fanout)   # 1. 10,000 connections, 100 workflows x 100 watchers; raise R until p99 > 50 ms or any loss
      # (rates per target bracket where each one stops on this machine; a sweep stops at the first failing rate)
      bench sweep --target signalr --clients 10000 --workflows 100 --rates 50,100,150,200,250,300 --duration 8 --out "$out/fanout-signalr.json"
      for target in vapora ceiling; do
        bench sweep --target "$target" --clients 10000 --workflows 100 --rates 250,500,600,700,800,1000 --duration 8 --out "$out/fanout-$target.json"
      done ;;
    fanout3)  # 1 again, each step the median of 3 runs, around where each target stops
      bench sweep --target signalr --clients 10000 --workflows 100 --rates 50,100,150,200 --duration 8 --runs 3 --out "$out/fanout3-signalr.json"
      bench sweep --target vapora --clients 10000 --workflows 100 --rates 400,500,600,700 --duration 8 --runs 3 --out "$out/fanout3-vapora.json"
      bench sweep --target ceiling --clients 10000 --workflows 100 --rates 250,400,500,600 --duration 8 --runs 3 --out "$out/fanout3-ceiling.json"
      bench sweep --target ceiling --clients 10000 --workflows 100 --rates 700,800 --duration 8 --runs 3 --out "$out/fanout3-ceiling-high.json"
      ;;
    latency)  # 2. 1,000 clients, 100 updates/s (Vapora through REST; the peers have no REST API: straight into their input)
      bench run --target vapora --source rest --clients 1000 --workflows 100 --rate 100 --duration 20 --runs 3 --out "$out/latency-vapora-rest.json"
      for target in vapora signalr ceiling; do
        bench run --target "$target" --clients 1000 --workflows 100 --rate 100 --duration 20 --runs 3 --out "$out/latency-$target.json"
      done ;;
    memory)   # 3. 10,000 idle connections
      for target in vapora signalr ceiling; do
        bench idle --target "$target" --clients 10000 --settle 20 --runs 3 --out "$out/memory-$target.json"
      done ;;
    breadth)  # 4. 10,000 clients each on its own workflow, one update each per second
      for target in vapora signalr ceiling; do
        bench run --target "$target" --clients 10000 --workflows 10000 --rate 10000 --duration 10 --runs 3 --out "$out/breadth-$target.json"
      done ;;
    cluster)  # Redis Cluster (3 nodes): classic PUBLISH vs sharded SPUBLISH at the same load
      for mode in classic sharded; do
        bench run --target vapora --cluster "$mode" --clients 1000 --workflows 100 --rate 2000 --duration 10 --runs 3 --out "$out/cluster-$mode.json"
      done ;;
    stalled)  # slow consumers: 10 clients (one per workflow) stop reading; do the other 990 notice?
      for stalled in 0 10; do
        bench run --target vapora --clients 1000 --workflows 10 --rate 400 --duration 20 --stalled "$stalled" --runs 3 --out "$out/stalled-$stalled.json"
      done ;;
    sse)      # 1 and 3 with Vapora's clients on Server-Sent Events instead of WebSockets, beside fanout3-vapora and memory-vapora
      bench sweep --target vapora --transport sse --clients 10000 --workflows 100 --rates 200,300,400,500,600,700 --duration 8 --runs 3 --out "$out/fanout3-vapora-sse.json"
      bench idle --target vapora --transport sse --clients 10000 --settle 20 --runs 3 --out "$out/memory-vapora-sse.json"
      ;;
    fanout-vapora)  # 1 again for Vapora alone (after a change to the gateway), as fanout3 runs it
      bench sweep --target vapora --clients 10000 --workflows 100 --rates 400,500,600,700 --duration 8 --runs 3 --out "$out/fanout3-vapora.json" ;;
    fanout-vapora-high)  # and on from where that stopped passing every rate (the tables join the two)
      bench sweep --target vapora --clients 10000 --workflows 100 --rates 800,900,1000 --duration 8 --runs 3 --out "$out/fanout3-vapora-high.json" ;;
    storm)    # reconnect storm: 2 gateways behind nginx, 10,000 clients over 100 workflows, 200 updates/s through REST;
      # kill -9 the gateway holding half (every client of 50 workflows, which the other gateway does not watch yet)
      for coalesce in on off; do
        bench storm --clients 10000 --workflows 100 --rate 200 --workers 2 --storm 15 --coalesce "$coalesce" --runs 3 --out "$out/storm-coalesce-$coalesce.json"
      done ;;
    storm-paced)  # issue 29: the storm above with admission paced (the default, 16 at a time) and not (0)
      for admissions in 16 0; do
        bench storm --clients 10000 --workflows 100 --rate 200 --workers 2 --storm 15 --admissions "$admissions" --runs 3 --out "$out/storm-admissions-$admissions.json"
      done ;;
    breadth-recent)  # issue 29: 4 split, recent frames as objects (RecentFramesMaxBytes=0) vs in the log, both GCs, with GC counters
      for gc in workstation server; do
        for recent in objects log; do
          name="breadth-split-recent-$recent$([ "$gc" = server ] && echo -server-gc)"
          bench/gc-watch.sh "$out/gc/$name" & watch=$!
          Gateway__RecentFramesMaxBytes=$([ "$recent" = objects ] && echo 0 || echo 67108864) \
            bench run --target vapora --gc "$gc" --clients 10000 --workflows 10000 --rate 10000 --duration 20 --runs 3 --workers 2 --out "$out/$name.json"
          kill "$watch"; python3 bench/gc-pauses.py "$out/gc/$name"
        done
      done ;;
    breadth-split)  # 4 again with the clients over two worker processes, into Redis and through REST
      bench run --target vapora --clients 10000 --workflows 10000 --rate 10000 --duration 10 --runs 3 --workers 2 --out "$out/breadth-split-vapora.json"
      bench run --target vapora --source rest --clients 10000 --workflows 10000 --rate 10000 --duration 10 --runs 3 --workers 2 --out "$out/breadth-split-vapora-rest.json"
      for target in signalr ceiling; do
        bench run --target "$target" --clients 10000 --workflows 10000 --rate 10000 --duration 10 --runs 3 --workers 2 --out "$out/breadth-split-$target.json"
      done ;;
    growth)   # 20,000 delivered msgs/s at 1k, 5k, 10k and 19k sockets (100 workflows): CPU per message and RSS per connection
      bench growth --target vapora --sizes 1000,5000,10000,19000 --workflows 100 --deliveries 20000 --duration 10 --runs 3 --workers 2 --out "$out/growth-vapora.json" ;;
    churn)    # 1,000 subscribe + unsubscribe per second on /ws while 10,000 clients watch 100 workflows (100 updates/s)
      bench run --target vapora --clients 10000 --workflows 100 --rate 100 --duration 10 --runs 3 --workers 2 --churn 1000 --churn-workflows 10000 --out "$out/churn-cold.json"
      bench run --target vapora --clients 10000 --workflows 100 --rate 100 --duration 10 --runs 3 --workers 2 --churn 1000 --out "$out/churn-watched.json"
      bench run --target vapora --clients 10000 --workflows 100 --rate 100 --duration 10 --runs 3 --workers 2 --out "$out/churn-none.json" ;;
    peers)    # fan-out at 10,000 connections, p99 at every rate for all three; the peers with server GC and workstation GC
      # (VAPORA_PEERS_RUNS=1: one run per step, when a measurement pass has no time for medians of 3)
      runs=${VAPORA_PEERS_RUNS:-3}
      bench sweep --target vapora --clients 10000 --workflows 100 --rates 100,300,500 --max-p99 2000 --duration 8 --runs "$runs" --workers 2 --out "$out/peers-vapora.json"
      for target in signalr ceiling; do
        for gc in workstation server; do
          bench sweep --target "$target" --gc "$gc" --clients 10000 --workflows 100 --rates 100,300,500 --max-p99 2000 --duration 8 --runs "$runs" --workers 2 --out "$out/peers-$target-$gc.json"
        done
      done ;;
    memory-server-gc)  # 3 with server GC (ASP.NET Core's default) for all three
      for target in vapora signalr ceiling; do
        bench idle --target "$target" --gc server --clients 10000 --settle 20 --runs 3 --out "$out/memory-$target-server-gc.json"
      done ;;
    tokens)   # issue 28: token expiry, 10,000 clients with 30 s tokens for 3 minutes (6 lifetimes), 100 updates/s through REST:
      # clients that reconnect at expiry (4401) and resume, against clients that refresh in-band at token_expiring (~8 min)
      for refresh in reconnect inband; do
        bench tokens --refresh "$refresh" --lifetime 30 --clients 10000 --workflows 100 --rate 100 --duration 180 --workers 2 --out "$out/tokens-$refresh.json"
      done ;;
    writes)   # issue 29: the write path alone per store, the API on one core; PATCH/s at p99 <= 50 ms (~10 min)
      bench writes --store memory --rates 500,750,1000,1250 --runs 3 --out "$out/writes-memory.json"
      bench writes --store memory --rates 1500,2000,2500,3000 --runs 3 --out "$out/writes-memory-high.json"
      bench writes --store sqlite --rates 250,500,750,1000 --runs 3 --out "$out/writes-sqlite.json" ;;
    *) echo "unknown scenario $scenario" >&2; exit 2 ;;
  esac
done
