#!/usr/bin/env bash
# Builds the solution and runs every test against real processes (redis-server, the services, sockets).
# Prints "N passed, N failed, N skipped" at the end. Extra arguments go to `dotnet test` (e.g. --filter ...).
set -uo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null && [ -z "${VAPORA_TEST_REDIS:-}" ]; then
  echo "redis-server is not on PATH and VAPORA_TEST_REDIS is not set: apt-get install -y redis-server" >&2
  exit 2
fi

results=artifacts/test-results
rm -rf "$results" artifacts/test-logs
dotnet build Vapora.sln -c Release --nologo -v quiet -clp:ErrorsOnly || exit 1
# One test project at a time: they start real processes, and two cores are better spent on one run's servers.
status=0
for project in tests/*/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build --nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results" "$@" || status=1
done

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  get() { echo "$counters" | sed -E "s/.* $1=\"([0-9]+)\".*/\1/"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get total) - $(get executed)))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # the run itself failed (crash or build error) without a failed test to show for it
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
