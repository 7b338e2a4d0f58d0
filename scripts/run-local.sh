#!/usr/bin/env bash
# Runs Vapora on this machine without Docker:
#   Redis            started here unless ConnectionStrings__redis is set
#   workflow-api     http://127.0.0.1:5080  (in-memory store unless ConnectionStrings__mongodb is set)
#   gateways         http://127.0.0.1:5081 and http://127.0.0.1:5082
# Ctrl+C stops everything this script started. Logs go to .run/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .run

echo "Building (Release)..."
dotnet build Vapora.sln -c Release --nologo -v quiet -clp:ErrorsOnly

pids=()
stop() {
  trap - EXIT INT TERM
  echo; echo "Stopping..."
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

if [ -z "${ConnectionStrings__redis:-}" ]; then
  if ! command -v redis-server >/dev/null; then
    echo "redis-server not found. Install it (apt-get install -y redis-server) or set ConnectionStrings__redis." >&2
    exit 1
  fi
  redis_port=${VAPORA_REDIS_PORT:-6379}
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no > .run/redis.log 2>&1 &
  pids+=($!)
  export ConnectionStrings__redis="127.0.0.1:$redis_port"
fi

# Local development runs without authentication unless told otherwise (both services log that loudly).
export Auth__Mode="${Auth__Mode:-none}"

if [ -n "${ConnectionStrings__mongodb:-}" ]; then
  export Storage__Provider=mongodb
else
  export Storage__Provider=memory
fi

api=http://127.0.0.1:5080
# Without a load balancer the page (served by each gateway) calls the API on its own origin: allow it.
Cors__AllowedOrigins__0=http://127.0.0.1:5081 Cors__AllowedOrigins__1=http://127.0.0.1:5082 \
  dotnet services/workflow-api/bin/Release/net10.0/Vapora.WorkflowApi.dll --urls "$api" > .run/api.log 2>&1 &
pids+=($!)
for port in 5081 5082; do
  Gateway__WorkflowApiUrl="$api" Page__ApiBaseUrl="$api" dotnet services/realtime-gateway/bin/Release/net10.0/Vapora.RealtimeGateway.dll \
    --urls "http://127.0.0.1:$port" > ".run/gateway-$port.log" 2>&1 &
  pids+=($!)
done

for url in "$api" http://127.0.0.1:5081 http://127.0.0.1:5082; do
  for _ in $(seq 1 300); do
    curl -fs "$url/health/ready" >/dev/null 2>&1 && break
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || { echo "A process exited during start-up; see .run/*.log" >&2; exit 1; }
    done
    sleep 0.1
  done
done

cat <<INFO

Vapora is running (logs in .run/):
  Redis              ${ConnectionStrings__redis}
  workflow-api       $api            store: ${Storage__Provider}, auth: ${Auth__Mode}
  realtime-gateway   http://127.0.0.1:5081   ws://127.0.0.1:5081/api/workflows/{id}/updates
  realtime-gateway   http://127.0.0.1:5082   ws://127.0.0.1:5082/ws
  live progress page http://127.0.0.1:5081/  (and :5082)

Try:
  curl -s -X POST $api/api/workflows -H 'content-type: application/json' -d '{"name":"build","total_steps":3}'

Press Ctrl+C to stop.
INFO

wait -n "${pids[@]}"
echo "A process exited; see .run/*.log" >&2
