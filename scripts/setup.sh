#!/usr/bin/env bash
# Idempotent machine setup for Eddy: Debian's FUSE packages, Go (only to build the S3 server and the
# Kubernetes test binaries), the S3 server itself (versitygw, pinned), the Kubernetes parts of the tests
# (scripts/setup-kube.sh), and the npm dependencies from the lockfile.
# Set EDDY_SETUP_BENCH=1 to also install the benchmark peers (s3fs, rclone, fio, iproute2).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSITYGW_VERSION="${VERSITYGW_VERSION:-v1.8.0}"
CACHE_DIR="${EDDY_CACHE_DIR:-$HOME/.cache/eddy}"
GOBIN_DIR="$CACHE_DIR/gobin"
log() { printf '[setup] %s\n' "$*" >&2; }

# shellcheck source=setup-apt.sh
. scripts/setup-apt.sh

need_pkgs=()
need_build=()
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
  have_cmd tc || need_pkgs+=(iproute2)
fi
apt_install "${need_pkgs[@]}"
# Tests: a real Prometheus scraping a test cluster, and headless Chromium loading the status page.
# Without recommends: Prometheus' would pull in exporters, Chromium's a desktop's worth.
obs_pkgs=()
have_cmd prometheus || obs_pkgs+=(prometheus)
have_cmd chromium || obs_pkgs+=(chromium)
apt_install --no-install-recommends "${obs_pkgs[@]}"
if [ ! -e /dev/fuse ]; then log "warning: /dev/fuse is missing; FUSE mounts will fail"; fi

# The S3 server, built from the Go module proxy at a pinned release, cached outside the repo.
VGW="$GOBIN_DIR/versitygw"
STAMP="$GOBIN_DIR/versitygw.version"
if [ ! -x "$VGW" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$VERSITYGW_VERSION" ]; then
  ensure_go
  mkdir -p "$GOBIN_DIR"
  log "building versitygw $VERSITYGW_VERSION into $GOBIN_DIR (one-time, ~2 min)"
  start=$(date +%s)
  GOBIN="$GOBIN_DIR" GOFLAGS=-mod=mod go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
  echo "$VERSITYGW_VERSION" > "$STAMP"
  log "versitygw built in $(( $(date +%s) - start )) s"
fi

# Kubernetes test parts (etcd, kubectl, kube-apiserver and kube-controller-manager built from the Go
# module proxy, helm), cached under the same directory; see the script.
EDDY_CACHE_DIR="$CACHE_DIR" bash scripts/setup-kube.sh

# npm dependencies from the committed lockfile; reinstalled only when the lockfile changed.
if [ ! -f node_modules/.eddy-lock-hash ] || [ "$(sha256sum package-lock.json | cut -d' ' -f1)" != "$(cat node_modules/.eddy-lock-hash)" ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  sha256sum package-lock.json | cut -d' ' -f1 > node_modules/.eddy-lock-hash
fi

# fuse-native is patched (patches/, applied by patch-package at npm's postinstall): its open callback
# so that a handle can be opened with direct_io / keep_cache, and its read callback so that reads of
# pinned local blocks are answered in libfuse's threads (the fast read path). Its prebuilt binary
# predates the patch, so the addon is built from the patched C (libfuse 2.9's headers and library
# come with the fuse-shared-library npm package: no libfuse-dev needed). node-gyp-build loads
# build/Release before prebuilds/.
FUSE_NATIVE=node_modules/fuse-native
if ! grep -q release_queue_supported "$FUSE_NATIVE/fuse-native.c"; then
  if grep -q open_flags_supported "$FUSE_NATIVE/fuse-native.c"; then
    # An older version of the patch is applied: put the package's own files back first (npm's cache).
    log "restoring fuse-native's files before applying the current patch"
    pristine="$(mktemp -d)"
    (cd "$pristine" && npm pack fuse-native@2.2.6 --silent >/dev/null && tar -xzf fuse-native-2.2.6.tgz)
    cp "$pristine/package/fuse-native.c" "$pristine/package/index.js" "$FUSE_NATIVE/"
    rm -rf "$pristine"
  fi
  log "applying patches/ (patch-package)"
  node node_modules/patch-package/index.js --error-on-fail >/dev/null
fi
fuse_stamp="$(cat "$FUSE_NATIVE/fuse-native.c" "$FUSE_NATIVE/binding.gyp" | sha256sum | cut -d' ' -f1) $(node --version)"
if [ ! -f "$FUSE_NATIVE/build/Release/fuse.node" ] || [ "$(cat "$FUSE_NATIVE/build/.eddy-stamp" 2>/dev/null)" != "$fuse_stamp" ]; then
  for c in gcc g++ make python3; do have_cmd "$c" || need_build+=("$c"); done
  apt_install "${need_build[@]}" # build tools for fuse-native
  # node-gyp ships with npm; headers from the local Node install (Debian's nodejs ships
  # /usr/include/node), so nothing is downloaded. libfuse's headers come from fuse-shared-library.
  node_gyp="${npm_config_node_gyp:-$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js}"
  if [ ! -f "$node_gyp" ] && have_cmd node-gyp; then node_gyp="$(readlink -f "$(command -v node-gyp)")"; fi
  nodedir_arg=()
  node_prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
  if [ -f "$node_prefix/include/node/node_api.h" ]; then nodedir_arg=(--nodedir="$node_prefix"); fi
  log "building fuse-native from the patched source"
  (cd "$FUSE_NATIVE" && node "$node_gyp" rebuild "${nodedir_arg[@]}" --loglevel=error >/dev/null)
  echo "$fuse_stamp" > "$FUSE_NATIVE/build/.eddy-stamp"
fi
node -e "const F = require('fuse-native'); if (!F.SUPPORTS_OPEN_FLAGS || !F.SUPPORTS_FAST_READ) { console.error('fuse-native: the patched build did not load'); process.exit(1) }"

# EDDY_CLEAN_BUILD=1 (the test command sets it) removes every package's lib/ first, so no output of
# a deleted or moved source survives into the run.
if [ "${EDDY_CLEAN_BUILD:-0}" = 1 ]; then log "cleaning lib/"; npx tsc -b --clean; fi
log "building"
npm run --silent build
