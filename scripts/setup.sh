#!/usr/bin/env bash
# Idempotent machine setup for Eddy: Debian's FUSE packages, Go (only to build the S3 server),
# the S3 server itself (versitygw, pinned), and the npm dependencies from the lockfile.
# Set EDDY_SETUP_BENCH=1 to also install the benchmark peers (s3fs, rclone, fio, iproute2).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSITYGW_VERSION="${VERSITYGW_VERSION:-v1.8.0}"
CACHE_DIR="${EDDY_CACHE_DIR:-$HOME/.cache/eddy}"
GOBIN_DIR="$CACHE_DIR/gobin"
log() { printf '[setup] %s\n' "$*" >&2; }

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

need_pkgs=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_cmd fusermount || need_pkgs+=(fuse)
have_lib libfuse.so.2 || need_pkgs+=(libfuse2)
have_cmd node || need_pkgs+=(nodejs npm)
# Tests: TLS fixtures (openssl) and the network-partition fault test (ip netns).
have_cmd openssl || need_pkgs+=(openssl)
have_cmd ip || need_pkgs+=(iproute2)
if [ "${EDDY_SETUP_BENCH:-0}" = 1 ]; then
  have_cmd s3fs || need_pkgs+=(s3fs)
  have_cmd rclone || need_pkgs+=(rclone)
  have_cmd fio || need_pkgs+=(fio)
  have_cmd ip || need_pkgs+=(iproute2)
  have_cmd tc || need_pkgs+=(iproute2)
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing Debian packages: ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi
if [ ! -e /dev/fuse ]; then log "warning: /dev/fuse is missing; FUSE mounts will fail"; fi

# The S3 server, built from the Go module proxy at a pinned release, cached outside the repo.
VGW="$GOBIN_DIR/versitygw"
STAMP="$GOBIN_DIR/versitygw.version"
if [ ! -x "$VGW" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$VERSITYGW_VERSION" ]; then
  if ! have_cmd go; then
    if [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; else
      log "installing Debian golang-go"; $SUDO apt-get update -qq; $SUDO apt-get install -y -qq golang-go >/dev/null; fi
  fi
  mkdir -p "$GOBIN_DIR"
  log "building versitygw $VERSITYGW_VERSION into $GOBIN_DIR (one-time, ~2 min)"
  start=$(date +%s)
  GOBIN="$GOBIN_DIR" GOFLAGS=-mod=mod go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
  echo "$VERSITYGW_VERSION" > "$STAMP"
  log "versitygw built in $(( $(date +%s) - start )) s"
fi

# npm dependencies from the committed lockfile; reinstalled only when the lockfile changed.
if [ ! -f node_modules/.eddy-lock-hash ] || [ "$(sha256sum package-lock.json | cut -d' ' -f1)" != "$(cat node_modules/.eddy-lock-hash)" ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  sha256sum package-lock.json | cut -d' ' -f1 > node_modules/.eddy-lock-hash
fi

# EDDY_CLEAN_BUILD=1 (the test command sets it) removes every package's lib/ first, so no output of
# a deleted or moved source survives into the run.
if [ "${EDDY_CLEAN_BUILD:-0}" = 1 ]; then log "cleaning lib/"; npx tsc -b --clean; fi
log "building"
npm run --silent build
