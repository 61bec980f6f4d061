# Sourced by the setup scripts (which define log): install the Debian packages that are missing.
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
have_cmd() { command -v "$1" >/dev/null 2>&1; }

# apt_install [--no-install-recommends] PKG...: nothing to do without packages.
apt_install() {
  local flags=()
  if [ "${1:-}" = --no-install-recommends ]; then flags=(--no-install-recommends); shift; fi
  [ $# -gt 0 ] || return 0
  log "installing Debian packages: $*"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${flags[@]}" "$@" >/dev/null
}

# Go, only to build pinned servers from the module proxy: an official install if present, else Debian's.
ensure_go() {
  have_cmd go && return 0
  if [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; else apt_install golang-go; fi
}
