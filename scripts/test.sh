#!/usr/bin/env bash
# The README's test command: setup (idempotent), build, then every test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent lint
npm run --silent proto:check
bash scripts/run-tests.sh "$@"
