#!/usr/bin/env bash
# `npm run bench`: machine setup including the benchmark peers (s3fs, rclone, fio, iproute2),
# the build, then the bench itself. Needs root (FUSE mounts, drop_caches, network namespaces).
# Arguments go to the bench: npm run bench -- --quick --workloads model-load,small-files
set -euo pipefail
cd "$(dirname "$0")/.."
if ! EDDY_SETUP_BENCH=1 bash scripts/setup.sh; then
  # A package that does not build must not hide the peers' figures: build what the bench needs.
  echo '[bench] setup or full build failed; building bench/ and its references only' >&2
  npx tsc -b bench
fi
exec node bench/lib/run.js "$@"
