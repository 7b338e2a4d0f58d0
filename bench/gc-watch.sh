#!/usr/bin/env bash
# usage: bench/gc-watch.sh <outdir> &   (stop it with kill)
# Attaches dotnet-counters (System.Runtime, 1 s intervals, CSV) to every gateway of this checkout that starts while it
# runs, so a bench run's gateways (fresh processes per run) each leave gateway-<pid>.csv; bench/gc-pauses.py reads them.
# Needs dotnet-counters: dotnet tool install -g dotnet-counters --version 10.0.750501
set -u
out=$1; mkdir -p "$out"
root=$(cd "$(dirname "$0")/.." && pwd)
counters=${DOTNET_COUNTERS:-$HOME/.dotnet/tools/dotnet-counters}
declare -A seen
trap 'kill $(jobs -p) 2>/dev/null; exit 0' TERM INT
while true; do
  for pid in $(pgrep -f "$root/.*Vapora.RealtimeGateway.dll"); do
    if [ -z "${seen[$pid]:-}" ]; then
      seen[$pid]=1
      "$counters" collect -p "$pid" --refresh-interval 1 --format csv -o "$out/gateway-$pid.csv" --counters System.Runtime > "$out/counters-$pid.log" 2>&1 &
    fi
  done
  sleep 0.5
done
