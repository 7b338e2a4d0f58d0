#!/usr/bin/env bash
# Prepares this machine (once), builds the solution and runs every test against real processes (redis-server,
# nginx, Chromium, Prometheus, the services, sockets): the .NET test projects, then the JavaScript client's
# (clients/js, node --test). Always ends with "N passed, N failed, N skipped" and exits non-zero when anything
# failed. Extra arguments go to `dotnet test` (e.g. --filter ...); with them, the JavaScript tests are not run.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prerequisites.sh

summary() { echo "$1 passed, $2 failed, $3 skipped"; }

if ! vapora_prepare test; then
  summary 0 1 0
  exit 1
fi

results=artifacts/test-results
rm -rf "$results" artifacts/test-logs
if ! dotnet build Vapora.sln -c Release --nologo -v quiet -clp:ErrorsOnly; then
  echo "The build failed (errors above)." >&2
  summary 0 1 0
  exit 1
fi

# The container images (stand-in bases, both services) take minutes on a fresh machine, mostly downloads: they are
# made in the background at the lowest CPU priority while the other projects run, and the container tests run last
# (their fixture calls the same script, which waits for this run's lock and then finds every image made).
images_pid=
if [ $# -eq 0 ]; then
  mkdir -p artifacts/test-logs
  VAPORA_IMAGES_LOG_DIR=artifacts/test-logs/image-build nice -n 19 scripts/build-images.sh > artifacts/test-logs/build-images-background.log 2>&1 &
  images_pid=$!
fi

# One test project at a time: they start real processes, and two cores are better spent on one run's servers.
status=0
for project in $(ls tests/*/*.Tests.csproj | grep -v /Vapora.Deployment.Tests/) tests/Vapora.Deployment.Tests/Vapora.Deployment.Tests.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build --nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results" "$@" || status=1
done
if [ -n "$images_pid" ]; then
  # Done by now (the container tests waited for it); its failure shows in their results, with its log.
  wait "$images_pid" || true
fi

# The JavaScript client (clients/js): node's test runner against the same built services; TAP for the counts.
passed=0; failed=0; skipped=0
if [ $# -eq 0 ]; then
  js_tap="$results/js-client.tap"
  mkdir -p "$results"
  node --test --test-concurrency=1 --test-timeout=180000 --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$js_tap" \
    clients/js/test/unit/*.test.js clients/js/test/package.test.js clients/js/test/e2e/*.test.js || status=1
  tap() { sed -nE "s/^# $1 ([0-9]+)$/\1/p" "$js_tap" 2>/dev/null | tail -1; }
  if [ -n "$(tap pass)" ]; then
    passed=$((passed + $(tap pass)))
    failed=$((failed + $(tap fail) + $(tap cancelled)))
    skipped=$((skipped + $(tap skipped) + $(tap todo)))
  else
    echo "The JavaScript tests wrote no summary to $js_tap." >&2
    status=1
  fi
fi

for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  get() { echo "$counters" | sed -E "s/.* $1=\"([0-9]+)\".*/\1/"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get total) - $(get executed)))
done
# Name what failed, with the first lines of each message, right above the summary: the last lines of a long log say it.
node scripts/lib/failures.mjs "$results" || true
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # the run itself failed (crash or a project without results) without a failed test to show for it
fi
summary "$passed" "$failed" "$skipped"
[ "$failed" -eq 0 ] && exit 0 || exit 1
