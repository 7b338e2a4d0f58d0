#!/usr/bin/env bash
# usage: bench/ab.sh <base-commit> <rounds> <out-dir> <bench run options...>
#   e.g. bench/ab.sh ea2edba 3 artifacts/ab/breadth --clients 10000 --workflows 10000 --rate 10000 --duration 20 --workers 2
# An A/B of one `bench run` scenario: this checkout ("new") against <base-commit> ("base", built in a worktree under
# <out-dir>), one run each, alternating base, new, base, new... so that a machine whose speed drifts (a shared VM) skews
# both sides alike. Each run has bench/gc-watch.sh on its gateway; <out-dir>/summary.txt gets one line per run (p99,
# p99.9, the GC figures of bench/gc-pauses.py). Take the medians of each side from there.
set -euo pipefail
base=$1; rounds=$2; out=$3; shift 3
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"; out=$(cd "$out" && pwd)
worktree="$out/base-checkout"
if [ ! -d "$worktree" ]; then
  git -C "$here" worktree add --detach "$worktree" "$base" > /dev/null
fi
trap 'git -C "$here" worktree remove --force "$worktree" 2> /dev/null || true' EXIT
for root in "$worktree" "$here"; do
  (cd "$root" && dotnet build Vapora.sln -c Release --nologo -v quiet -clp:ErrorsOnly)
done
for round in $(seq 1 "$rounds"); do
  for side in base new; do
    root=$([ "$side" = base ] && echo "$worktree" || echo "$here")
    name=$side-$round
    (cd "$root" && exec bench/gc-watch.sh "$out/gc/$name") & watch=$!  # exec: the kill below reaches the watcher itself
    (cd "$root" && dotnet run -c Release --no-build --project bench/Vapora.Bench -- run --target vapora --runs 1 "$@" \
      --out "$out/$name.json") > "$out/$name.log" 2>&1
    kill "$watch"; wait "$watch" 2> /dev/null || true
    python3 "$here/bench/gc-pauses.py" "$out/gc/$name" >> "$out/$name.log"
    echo "$name $(grep -E 'latency p99 ms|latency p99\.9 ms|CPU-bound' "$out/$name.log" | tr -s ' ' | tr '\n' ' ') $(grep -o 'collections.*' "$out/$name.log" | head -1)" \
      | tee -a "$out/summary.txt"
  done
done
