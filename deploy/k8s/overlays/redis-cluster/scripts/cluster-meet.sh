#!/bin/sh
# Runs beside every Redis Cluster node (the cluster-meet container). When pods restart they get new IP addresses,
# while each node's nodes.conf still names its peers by their old ones: after every pod restarted at once nobody
# reaches anybody and the cluster stays down. Nodes also record each other's DNS names (cluster-announce-hostname);
# this loop resolves them and, for every peer whose address changed, sends CLUSTER MEET to the new one, which is how
# Redis learns a known node's new address (its gossip then tells the others). Nothing is sent while addresses match.
# Settings: REDISCLI_AUTH (the admin user's password), REDIS_ADMIN_USER (vapora-admin), REDIS_HOST and REDIS_PORT of
# the node beside it (127.0.0.1:6379), REDIS_MEET_INTERVAL in seconds (5).
set -u
admin=${REDIS_ADMIN_USER:-vapora-admin}
host=${REDIS_HOST:-127.0.0.1}
port=${REDIS_PORT:-6379}
interval=${REDIS_MEET_INTERVAL:-5}

cli() { redis-cli --no-auth-warning --user "$admin" -h "$host" -p "$port" "$@"; }

resolve() {
  case "$1" in
    *[!0-9.]*) getent hosts "$1" | awk '{ print $1; exit }' ;;
    *) echo "$1" ;;
  esac
}

while true; do
  # Lines of CLUSTER NODES: <id> <ip>:<port>@<bus port>,<hostname> <flags> ...
  cli cluster nodes 2>/dev/null | while read -r _ address flags _; do
    case "$flags" in *myself*) continue ;; esac
    case "$address" in *,?*) ;; *) continue ;; esac
    name=${address#*,}
    recorded=${address%%:*}
    peer_port=${address#*:}
    peer_port=${peer_port%%@*}
    current=$(resolve "$name")
    if [ -n "$current" ] && [ "$current" != "$recorded" ]; then
      echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $name is at $current now (was ${recorded:-unknown}): CLUSTER MEET $current $peer_port"
      cli cluster meet "$current" "$peer_port" > /dev/null
    fi
  done
  touch /tmp/cluster-meet.alive
  sleep "$interval"
done
