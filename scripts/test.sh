#!/usr/bin/env bash
# The README's test command: setup (idempotent), build, then every test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
EDDY_CLEAN_BUILD=1 bash scripts/setup.sh
npm run --silent lint
npm run --silent proto:check
node scripts/gen-crds.mjs --check
bash scripts/run-tests.sh "$@"
