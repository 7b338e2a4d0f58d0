# podman as this repository runs it (sourced, not run): the settings of scripts/lib/containers.conf unless the
# caller points CONTAINERS_CONF elsewhere.
export CONTAINERS_CONF="${CONTAINERS_CONF:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/containers.conf}"
