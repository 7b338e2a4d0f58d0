#!/bin/sh
# Starts a data node of the Sentinel overlay as the primary or as a replica of the primary, whichever the Sentinels
# name now. No Sentinel answers on the very first start, or when every Sentinel restarted: then redis-node-0 is the
# primary (Redis holds no data that matters, so a node that starts empty may lead). The container's arguments are
# passed on to redis-server. Settings: POD_NAME, REPLICATION_PASSWORD, SENTINELS (host:port, space-separated),
# NODES_SERVICE (redis-nodes), REDIS_SERVICE_NAME (vapora).
set -eu
me="$POD_NAME.${NODES_SERVICE:-redis-nodes}"
service=${REDIS_SERVICE_NAME:-vapora}
primary=""
for sentinel in $SENTINELS; do
  answer=$(redis-cli -h "${sentinel%:*}" -p "${sentinel##*:}" sentinel get-master-addr-by-name "$service" 2>/dev/null | head -n 1 || true)
  case "$answer" in ""|*ERR*|*rror*) ;; *) primary=$answer; break ;; esac
done
if [ -z "$primary" ]; then primary="${POD_NAME%-*}-0.${NODES_SERVICE:-redis-nodes}"; fi

if [ "$primary" = "$me" ]; then
  echo "starting $me as the primary"
  exec redis-server "$@" --masteruser vapora-replication --masterauth "$REPLICATION_PASSWORD" --replica-announce-ip "$me"
fi
echo "starting $me as a replica of $primary"
exec redis-server "$@" --masteruser vapora-replication --masterauth "$REPLICATION_PASSWORD" --replica-announce-ip "$me" \
  --replicaof "$primary" 6379
