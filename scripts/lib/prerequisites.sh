# Prepares what ./scripts/run-local.sh and ./scripts/test.sh need, once and idempotently. Sourced, not run.
#
#   vapora_prepare run|test|images
#
# Debian packages are installed with apt-get only when a command is missing and we are root (or have
# passwordless sudo); npm packages with `npm ci` only when node_modules is missing or older than its lockfile.
# VAPORA_SKIP_INSTALL=1 never installs: it only checks. When something is missing and cannot be installed, it
# prints one message listing everything missing with the command that installs it, and returns non-zero
# before anything is built. A second run only checks (a few milliseconds).

# command → Debian package that provides it
_vapora_package_of() {
  case "$1" in
    redis-cli) echo redis-tools ;;
    nginx) echo nginx-light ;;
    node) echo nodejs ;;
    promtool) echo prometheus ;;
    *) echo "$1" ;;
  esac
}

# Commands each profile needs (beyond the .NET SDK). nginx lives in /usr/sbin, which a non-root PATH may lack.
# images (scripts/build-images.sh, the container tests): podman with runc, its network stack (netavark, aardvark-dns
# for names, iptables for published ports) and mmdebstrap for the stand-in base image.
_vapora_commands() {
  case "$1" in
    run)
      echo curl
      [ -n "${ConnectionStrings__redis:-}" ] || echo redis-server ;;
    images)
      echo podman runc netavark aardvark-dns iptables mmdebstrap ;;
    test)
      echo curl openssl redis-server redis-cli redis-sentinel nginx chromium docker-compose prometheus promtool node npm
      _vapora_commands images ;;
  esac
}

# package.json folders whose node_modules the profile needs
_vapora_npm_folders() {
  case "$1" in
    test) echo deploy/k8s clients/js ;;
  esac
}

# podman's network helpers live in /usr/lib/podman.
_vapora_have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ] || [ -x "/usr/lib/podman/$1" ]; }

_vapora_can_install() {
  [ "${VAPORA_SKIP_INSTALL:-0}" != 1 ] || return 1
  [ "$(id -u)" -eq 0 ] && return 0
  command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1
}

_vapora_apt_get() {
  if [ "$(id -u)" -eq 0 ]; then apt-get "$@"; else sudo -n apt-get "$@"; fi
}

# A folder's node_modules is current when it was installed from the lockfile it has now.
_vapora_npm_current() {
  local folder=$1 stamp="$1/node_modules/.vapora-lock.sha256"
  [ -f "$stamp" ] && [ "$(sha256sum "$folder/package-lock.json" | cut -d' ' -f1)" = "$(cat "$stamp")" ]
}

vapora_prepare() {
  local profile=$1 missing_commands=() packages=() command package
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "dotnet is not on PATH: install the .NET 10 SDK (https://learn.microsoft.com/dotnet/core/install/linux-debian)." >&2
    return 1
  fi
  for command in $(_vapora_commands "$profile"); do
    _vapora_have "$command" && continue
    missing_commands+=("$command")
    package=$(_vapora_package_of "$command")
    [[ " ${packages[*]} " == *" $package "* ]] || packages+=("$package")
  done

  if [ ${#packages[@]} -gt 0 ] && _vapora_can_install; then
    echo "Installing Debian packages: ${packages[*]} (once; VAPORA_SKIP_INSTALL=1 skips this)..."
    export DEBIAN_FRONTEND=noninteractive
    if _vapora_apt_get update -qq && _vapora_apt_get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null; then
      # Debian starts the packaged servers as system services; Vapora starts its own on free ports.
      for service in redis-server redis-sentinel nginx prometheus; do
        command -v systemctl >/dev/null 2>&1 && systemctl disable --now "$service" >/dev/null 2>&1 || true
      done
      local still=()
      for command in "${missing_commands[@]}"; do _vapora_have "$command" || still+=("$command"); done
      missing_commands=("${still[@]}")
    fi
  fi

  local npm_missing=()
  for folder in $(_vapora_npm_folders "$profile"); do
    _vapora_npm_current "$folder" && continue
    if [ "${VAPORA_SKIP_INSTALL:-0}" != 1 ] && command -v npm >/dev/null 2>&1; then
      echo "Installing npm packages of $folder (npm ci; once per lockfile change)..."
      if npm ci --prefix "$folder" --no-audit --no-fund --loglevel=error >/dev/null; then
        sha256sum "$folder/package-lock.json" | cut -d' ' -f1 > "$folder/node_modules/.vapora-lock.sha256"
        continue
      fi
    fi
    npm_missing+=("$folder")
  done

  [ ${#missing_commands[@]} -eq 0 ] && [ ${#npm_missing[@]} -eq 0 ] && return 0

  {
    echo "Missing prerequisites for ./scripts/$(case $profile in run) echo run-local ;; images) echo build-images ;; *) echo test ;; esac).sh:"
    if [ ${#missing_commands[@]} -gt 0 ]; then
      packages=()
      for command in "${missing_commands[@]}"; do
        package=$(_vapora_package_of "$command")
        echo "  - $command (Debian package $package)"
        [[ " ${packages[*]} " == *" $package "* ]] || packages+=("$package")
      done
    fi
    for folder in "${npm_missing[@]}"; do echo "  - npm packages of $folder"; done
    echo "Install them with:"
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo "
    [ ${#missing_commands[@]} -gt 0 ] && echo "  ${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${packages[*]}"
    for folder in "${npm_missing[@]}"; do echo "  npm ci --prefix $folder"; done
    echo "(Run as root and without VAPORA_SKIP_INSTALL=1, the script installs them itself.)"
  } >&2
  return 1
}
