#!/usr/bin/env bash
# Builds the service images from their shipped Dockerfiles with podman, on a machine that reaches no container
# registry (prepares the machine first, once). The Dockerfiles' base images are build arguments whose defaults are
# the real mcr.microsoft.com images; here they point at local stand-ins made once and kept in podman's storage:
#   localhost/vapora-standin/debian      Debian bookworm from mmdebstrap, imported with `podman import`
#   localhost/vapora-standin/dotnet-sdk  + this machine's .NET SDK install            (for mcr…/dotnet/sdk:10.0)
#   localhost/vapora-standin/dotnet-aspnet + its .NET and ASP.NET Core runtimes       (for mcr…/dotnet/aspnet:10.0-alpine)
#   localhost/vapora-standin/redis:local, localhost/vapora-standin/nginx:local         (for docker-compose.podman.yml)
# Each stand-in is tagged with a key of everything it is made from (recipe, .NET install), so a change makes a new
# one and a second run finds it: only the service images are built again (podman's layer cache keeps that short
# when the sources did not change). Results: vapora/workflow-api:local and vapora/realtime-gateway:local, the names
# docker-compose.yml gives them.
#   VAPORA_IMAGES_BASES_ONLY=1   only make sure the stand-ins exist
#   VAPORA_IMAGES_LOG_DIR        where the build logs go (default artifacts/image-build)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prerequisites.sh
source scripts/lib/podman.sh
vapora_prepare images

log_dir=${VAPORA_IMAGES_LOG_DIR:-artifacts/image-build}
mkdir -p "$log_dir"
log_dir=$(cd "$log_dir" && pwd)
standin=localhost/vapora-standin
suite=bookworm
mirror=${VAPORA_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# One base under every stand-in, all its packages fetched in one apt run (mmdebstrap, debootstrap's successor,
# downloads in parallel and is several times faster; on a fresh machine the base is the longest step): wget for the
# Dockerfiles' HEALTHCHECK (busybox has it in the Alpine originals), tzdata and ca-certificates as in the originals,
# and the Redis and nginx packages their stand-ins only configure.
base_packages=ca-certificates,tzdata,wget,redis-server,redis-tools,nginx-light,gettext-base
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")

# One build at a time on this machine: two runs would make the same stand-ins twice.
exec 9>"${TMPDIR:-/tmp}/vapora-build-images.lock"
flock 9

started=$SECONDS
step() { printf '%-44s %s\n' "$1" "$2"; }
key() { sha256sum | cut -c1-12; }

# Runs a build with its output in a log; shows the end of it when it fails.
logged() {
  local name=$1; shift
  if ! "$@" > "$log_dir/$name.log" 2>&1; then
    echo "Building $name failed; the end of $log_dir/$name.log:" >&2
    tail -n 40 "$log_dir/$name.log" >&2
    return 1
  fi
}

# Removes the older keyed tags of a stand-in (the image layers go with the last tag).
forget_older() {
  local repository=$1 current=$2 tag
  for tag in $(podman images --noheading --format '{{.Tag}}' "$repository" 2>/dev/null); do
    [ "$tag" = "$current" ] || [ "$tag" = local ] || podman rmi "$repository:$tag" >/dev/null 2>&1 || true
  done
}

# The certificate authorities this machine adds to Debian's (/usr/local/share/ca-certificates: a company's, or a
# TLS-inspecting egress proxy's) go into the base too, so a build reaches NuGet as this machine does.
local_cas=/usr/local/share/ca-certificates
base_key=$( { echo "mmdebstrap --variant=minbase --include=$base_packages --dpkgopt=force-unsafe-io $suite"; cat "$local_cas"/*.crt 2>/dev/null || true; } | key)
base=$standin/debian:$suite-$base_key
if podman image exists "$base"; then
  step "$base" "cached"
else
  t=$SECONDS
  work=$(mktemp -d /var/tmp/vapora-rootfs.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  tarball=$work/rootfs.tar
  hooks=()
  if compgen -G "$local_cas/*.crt" >/dev/null; then
    hooks=(--customize-hook="cp $local_cas/*.crt \"\$1$local_cas/\"" --customize-hook='chroot "$1" update-ca-certificates')
  fi
  # mmdebstrap's default clean-up leaves out apt's lists and downloaded packages. dpkg's fsync after every file
  # protects a live system from a crash; a root filesystem on its way into a tarball needs none of them.
  logged mmdebstrap mmdebstrap --variant=minbase --include="$base_packages" --dpkgopt=force-unsafe-io "${hooks[@]}" \
    "$suite" "$tarball" "$mirror"
  logged import podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["/bin/bash"]' \
    --message "mmdebstrap $suite ($base_packages)" "$tarball" "$base"
  rm -rf "$work"
  trap - EXIT
  forget_older "$standin/debian" "$suite-$base_key"
  step "$base" "built in $((SECONDS - t)) s"
fi

# A stand-in made from a Containerfile of scripts/images on top of the base; $3 is the build context.
standin_image() {
  local name=$1 version=$2 context=$3 fingerprint=$4 containerfile="$PWD/scripts/images/standin-$1.Containerfile"
  local tag image t
  tag=$version-$( { echo "$base_key"; cat "$containerfile"; echo "$fingerprint"; } | key)
  image=$standin/$name:$tag
  if podman image exists "$image"; then
    step "$image" "cached"
  else
    t=$SECONDS
    logged "standin-$name" podman build --network host --format docker --build-arg "BASE_IMAGE=$base" \
      -f "$containerfile" -t "$image" "$context"
    step "$image" "built in $((SECONDS - t)) s"
  fi
  podman tag "$image" "$standin/$name:local"
  forget_older "$standin/$name" "$tag"
  eval "${name//-/_}_image=\$image"
}

dotnet_install=$( { echo "$dotnet_root"; dotnet --list-sdks; dotnet --list-runtimes; } )
standin_image dotnet-sdk 10.0 "$dotnet_root" "$dotnet_install"
standin_image dotnet-aspnet 10.0 "$dotnet_root" "$dotnet_install"
standin_image redis 7 scripts/images "$(cat scripts/images/standin-redis.Containerfile)"
standin_image nginx 1 scripts/images "$(cat scripts/images/nginx/*)"

if [ "${VAPORA_IMAGES_BASES_ONLY:-0}" = 1 ]; then
  exit 0
fi

# The shipped Dockerfiles, with only the base images swapped. The restore reads this machine's NuGet cache (the
# solution's build filled it), so the build needs no download; host networking for anything it still fetches.
nuget=${NUGET_PACKAGES:-$HOME/.nuget/packages}
mkdir -p "$nuget"
# Everything a service image is made from (the files its Dockerfile copies, less what .dockerignore leaves out):
# when the image already carries this key, not even podman's layer cache is asked.
sources_key() {
  { echo "$dotnet_sdk_image $dotnet_aspnet_image"; cat "services/$1/Dockerfile" .dockerignore
    find global.json Directory.Build.props Directory.Packages.props libs "services/$1" clients/js/src -type f \
      -not -path '*/bin/*' -not -path '*/obj/*' -not -path '*/node_modules/*' -print0 | sort -z | xargs -0 sha256sum; } | key
}
service_image() {
  local service=$1 t=$SECONDS sources build_stage
  sources=$(sources_key "$service")
  if [ "$(podman image inspect --format '{{index .Labels "org.vapora.sources"}}' "vapora/$service:local" 2>/dev/null)" = "$sources" ]; then
    step "vapora/$service:local" "up to date"
    return
  fi
  logged "$service" podman build --network host --format docker \
    --build-arg "SDK_IMAGE=$dotnet_sdk_image" --build-arg "RUNTIME_IMAGE=$dotnet_aspnet_image" \
    --volume "$nuget:/root/.nuget/packages" --label "org.vapora.sources=$sources" \
    -f "services/$service/Dockerfile" -t "vapora/$service:local" .
  # The build stage's last layer is the next build's cache: tagged, it is kept when the older ones are pruned.
  build_stage=$(awk '/^\[2\/2\]/ { exit } /^--> / { id = $NF } END { print id }' "$log_dir/$service.log")
  [ -z "$build_stage" ] || podman tag "$build_stage" "vapora/$service:build-stage"
  step "vapora/$service:local" "built in $((SECONDS - t)) s"
}
# Both at once: each build is mostly one chain of projects compiled one after another, and its restore and layer
# commits wait on the disk, so two side by side use two cores better than one after the other.
pids=()
for service in workflow-api realtime-gateway; do
  service_image "$service" &
  pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do
  wait "$pid" || failed=1
done
[ "$failed" = 0 ] || exit 1
# Earlier builds' layers that nothing tagged uses any more (only images made on the stand-ins carry the label).
# Housekeeping only: an image held by a leftover build container (a build killed half-way) stays, the build does not fail.
if ! prune=$(podman image prune --force --filter label=org.vapora.standin 2>&1 >/dev/null); then
  echo "Older layers kept: $prune (podman ps --all --external lists what holds them)" >&2
fi
echo "Images ready in $((SECONDS - started)) s (logs in $log_dir)."
