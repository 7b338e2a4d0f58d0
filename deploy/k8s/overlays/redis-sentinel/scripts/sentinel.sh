#!/bin/sh
# Starts a Sentinel of the overlay. Sentinel rewrites its configuration file, so each start writes a fresh one that
# monitors the current primary: the one the other Sentinels name, else a data node that says it is a primary, else
# redis-node-0 (the node that leads on a first start). Names, not pod IPs, are announced and resolved, so restarted
# pods are found again. Settings: POD_NAME, SENTINEL_PASSWORD (the vapora-sentinel user's), SENTINELS (every
# Sentinel, itself included, host:port), NODES (the data nodes, host:port), REDIS_SERVICE_NAME (vapora), SENTINEL_CONFIG
# (/data/sentinel.conf), SENTINEL_PORT (26379), SENTINEL_SERVICE (redis-sentinel).
set -eu
service=${REDIS_SERVICE_NAME:-vapora}
config=${SENTINEL_CONFIG:-/data/sentinel.conf}
port=${SENTINEL_PORT:-26379}
primary=""
for peer in $SENTINELS; do
  answer=$(redis-cli -h "${peer%:*}" -p "${peer##*:}" sentinel get-master-addr-by-name "$service" 2>/dev/null | head -n 1 || true)
  case "$answer" in ""|*ERR*|*rror*) ;; *) primary=$answer; break ;; esac
done
if [ -z "$primary" ]; then
  for node in $NODES; do
    if REDISCLI_AUTH=$SENTINEL_PASSWORD redis-cli --no-auth-warning --user vapora-sentinel -h "${node%:*}" -p "${node##*:}" role 2>/dev/null | head -n 1 | grep -qx master; then
      primary=${node%:*}
      break
    fi
  done
fi
if [ -z "$primary" ]; then first=${NODES%% *}; primary=${first%:*}; fi

echo "monitoring $service at $primary"
cat > "$config" <<CONFIG
port $port
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip $POD_NAME.${SENTINEL_SERVICE:-redis-sentinel}
sentinel announce-port $port
sentinel monitor $service $primary 6379 2
sentinel auth-user $service vapora-sentinel
sentinel auth-pass $service $SENTINEL_PASSWORD
sentinel down-after-milliseconds $service 5000
sentinel failover-timeout $service 30000
CONFIG
exec redis-sentinel "$config"
