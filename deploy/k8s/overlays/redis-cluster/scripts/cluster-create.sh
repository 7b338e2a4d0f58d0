#!/bin/sh
# The create Job: makes the cluster once. Shard X's pod -0 becomes a primary and its pod -1 that primary's replica
# (the two never share a node). Every step runs only when it is missing, so the Job can run again at any time.
# Settings: REDIS_CLUSTER_SHARDS, one "primary/replica" pair of host:port per shard, space-separated;
# REDISCLI_AUTH (the admin user's password); REDIS_ADMIN_USER (vapora-admin).
set -eu
admin=${REDIS_ADMIN_USER:-vapora-admin}
shards=${REDIS_CLUSTER_SHARDS:?one primary/replica pair of host:port per shard}

cli() {
  node=$1
  shift
  redis-cli --no-auth-warning --user "$admin" -h "${node%:*}" -p "${node##*:}" "$@"
}

resolve() {
  case "$1" in
    *[!0-9.]*) getent hosts "$1" | awk '{ print $1; exit }' ;;
    *) echo "$1" ;;
  esac
}

address() { echo "$(resolve "${1%:*}"):${1##*:}"; }

for pair in $shards; do
  for node in "${pair%/*}" "${pair#*/}"; do
    until cli "$node" ping 2>/dev/null | grep -q PONG; do
      echo "waiting for $node"
      sleep 2
    done
  done
done

primaries=""
for pair in $shards; do primaries="$primaries $(address "${pair%/*}")"; done
first=${shards%%/*}
if cli "$first" cluster info | grep -q '^cluster_slots_assigned:0'; then
  echo "creating the cluster from the primaries$primaries"
  # shellcheck disable=SC2086 # one argument per primary
  redis-cli --no-auth-warning --user "$admin" --cluster create $primaries --cluster-yes
fi

for pair in $shards; do
  primary=${pair%/*}
  replica=${pair#*/}
  id=$(cli "$primary" cluster myid)
  if cli "$replica" cluster nodes | grep -q "myself,slave $id"; then continue; fi
  primary_address=$(address "$primary")
  cli "$replica" cluster meet "${primary_address%:*}" "${primary_address##*:}" > /dev/null
  until cli "$replica" cluster nodes | grep -q "^$id "; do sleep 1; done
  echo "$replica replicates $primary"
  cli "$replica" cluster replicate "$id"
done

for pair in $shards; do
  until cli "${pair%/*}" cluster info | grep -q '^cluster_state:ok'; do sleep 1; done
done
echo "the cluster is formed"
