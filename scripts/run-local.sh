#!/usr/bin/env bash
# Runs Vapora on this machine without Docker (prepares the machine first, once):
#   Redis            started here unless ConnectionStrings__redis is set
#   workflow-api     http://127.0.0.1:5080  store: SQLite in .run/vapora.db (durable across restarts of this script)
#   gateways         http://127.0.0.1:5081 and http://127.0.0.1:5082 (each serves the live progress page)
# Other stores: VAPORA_STORE=memory (not durable) or ConnectionStrings__mongodb=mongodb://… (MongoDB).
# Start clean: rm -rf .run. Ports: VAPORA_API_PORT, VAPORA_GATEWAY_PORTS="5081 5082", VAPORA_REDIS_PORT.
# VAPORA_RUN_DIR moves .run (data and logs); VAPORA_NO_BUILD=1 uses the last build of VAPORA_CONFIGURATION (Release).
# Ctrl+C (or SIGTERM) stops everything this script started. Logs go to .run/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prerequisites.sh
vapora_prepare run
run_dir=$(mkdir -p "${VAPORA_RUN_DIR:-.run}" && cd "${VAPORA_RUN_DIR:-.run}" && pwd)
configuration=${VAPORA_CONFIGURATION:-Release}

if [ "${VAPORA_NO_BUILD:-0}" != 1 ]; then
  echo "Building ($configuration)..."
  dotnet build Vapora.sln -c "$configuration" --nologo -v quiet -clp:ErrorsOnly
fi

pids=()
stop() {
  trap - EXIT INT TERM
  echo; echo "Stopping..."
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

if [ -z "${ConnectionStrings__redis:-}" ]; then
  redis_port=${VAPORA_REDIS_PORT:-6379}
  # Redis holds nothing durable here (the store does): no snapshots.
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no > "$run_dir/redis.log" 2>&1 &
  pids+=($!)
  export ConnectionStrings__redis="127.0.0.1:$redis_port"
fi

# Local development runs without authentication unless told otherwise (both services log that loudly).
export Auth__Mode="${Auth__Mode:-none}"

if [ -n "${ConnectionStrings__mongodb:-}" ]; then
  export Storage__Provider=mongodb
  store="MongoDB"
elif [ "${VAPORA_STORE:-sqlite}" = memory ]; then
  export Storage__Provider=memory
  store="in-memory (not durable)"
else
  export Storage__Provider=sqlite
  export ConnectionStrings__sqlite="Data Source=$run_dir/vapora.db"
  store="SQLite, $run_dir/vapora.db"
fi

api_port=${VAPORA_API_PORT:-5080}
gateway_ports=(${VAPORA_GATEWAY_PORTS:-5081 5082})
api=http://127.0.0.1:$api_port
# Without a load balancer the page (served by each gateway) calls the API on another origin: allow the gateways.
i=0
for port in "${gateway_ports[@]}"; do export "Cors__AllowedOrigins__$i=http://127.0.0.1:$port"; i=$((i + 1)); done
dotnet services/workflow-api/bin/$configuration/net10.0/Vapora.WorkflowApi.dll --urls "$api" > "$run_dir/api.log" 2>&1 &
pids+=($!)
for port in "${gateway_ports[@]}"; do
  Gateway__WorkflowApiUrl="$api" Page__ApiBaseUrl="$api" dotnet services/realtime-gateway/bin/$configuration/net10.0/Vapora.RealtimeGateway.dll \
    --urls "http://127.0.0.1:$port" > "$run_dir/gateway-$port.log" 2>&1 &
  pids+=($!)
done

for url in "$api" "${gateway_ports[@]/#/http://127.0.0.1:}"; do
  for _ in $(seq 1 300); do
    curl -fs "$url/health/ready" >/dev/null 2>&1 && break
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || { echo "A process exited during start-up; see $run_dir/*.log" >&2; tail -n 5 "$run_dir"/*.log >&2; exit 1; }
    done
    sleep 0.1
  done
done

echo
echo "Vapora is running (logs in $run_dir):"
echo "  Redis              ${ConnectionStrings__redis}"
echo "  workflow-api       $api   store: $store, auth: ${Auth__Mode}"
for port in "${gateway_ports[@]}"; do
  echo "  realtime-gateway   http://127.0.0.1:$port   page at /, ws://127.0.0.1:$port/api/workflows/{id}/updates and /ws"
done
cat <<INFO

Try:
  curl -s -X POST $api/api/workflows -H 'content-type: application/json' -d '{"name":"build","total_steps":3}'

Press Ctrl+C to stop.
INFO

wait -n "${pids[@]}"
echo "A process exited; see $run_dir/*.log" >&2
exit 1
