#!/usr/bin/env bash
# The README's main command (`npm run up`): setup (idempotent), the example bucket, then master,
# workers and the FUSE mount of examples/eddy.yaml in the foreground. Ctrl-C stops everything.
# EDDY_MOUNT picks the mount directory (default /data); extra arguments go to `eddy up`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node examples/generate-data.mjs
exec ./bin/eddy up -f examples/eddy.yaml --mount "${EDDY_MOUNT:-/data}" "$@"
