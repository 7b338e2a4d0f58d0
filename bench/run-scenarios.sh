#!/usr/bin/env bash
# Runs every scenario of docs/benchmarks.md, one after another (they must not overlap: 2 cores), and writes the JSON
# results (and the sweep charts) to bench/results/. About 35 minutes on the reference machine.
#   bench/run-scenarios.sh [scenario ...]     scenarios: fanout fanout3 latency memory breadth cluster stalled sse (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build Vapora.sln -c Release --nologo -v quiet -clp:ErrorsOnly
out=bench/results
bench() { dotnet run -c Release --no-build --project bench/Vapora.Bench -- "$@"; }
scenarios=("${@:-fanout fanout3 latency memory breadth cluster stalled sse}")
for scenario in ${scenarios[@]}; do
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
      bench sweep --target vapora --transport sse --clients 10000 --workflows 100 --rates 400,500,600,700 --duration 8 --runs 3 --out "$out/fanout3-vapora-sse.json"
      bench idle --target vapora --transport sse --clients 10000 --settle 20 --runs 3 --out "$out/memory-vapora-sse.json"
      ;;
    *) echo "unknown scenario $scenario" >&2; exit 2 ;;
  esac
done
