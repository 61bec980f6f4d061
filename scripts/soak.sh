#!/usr/bin/env bash
# Soak (not CI): 64 concurrent readers (random and sequential) through an `eddy mount` for N
# minutes while objects change every 30 s and a Cron DataLoad refreshes the cache. Prints read
# errors, mixed-version reads, corrupt reads and RSS figures; exits non-zero on any error.
# Usage: scripts/soak.sh [--minutes N] [--readers N] [--objects N] [--change-every SECONDS]
# Needs root and /dev/fuse (it mounts), and a build (scripts/setup.sh or `npx tsc -b`).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f test/lib/soak.js ]; then npx tsc -b; fi
# Node's file reads run on the libuv thread pool: give each reader its own thread.
export UV_THREADPOOL_SIZE="${UV_THREADPOOL_SIZE:-64}"
export EDDY_LOG_LEVEL="${EDDY_LOG_LEVEL:-warn}"
exec node test/lib/soak.js "$@"
