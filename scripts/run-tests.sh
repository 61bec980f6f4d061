#!/usr/bin/env bash
# Runs every compiled test file with node's test runner. Expects a build (scripts/setup.sh).
# Arguments, if any, filter test files by substring (e.g. `scripts/run-tests.sh worker`).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t compiled < <(find packages/*/lib/test test/lib bench/lib -name '*.test.js' 2>/dev/null | sort)
# A compiled test whose source was deleted or moved is not a test any more: remove it, so a stale
# lib/ can neither pass nor fail the run (lib/test/x.test.js comes from test/x.test.ts).
files=()
for f in "${compiled[@]}"; do
  src="${f/\/lib\//\/}"; src="${src%.js}.ts"
  if [ -f "$src" ]; then files+=("$f"); else echo "removing stale compiled test $f (no $src)" >&2; rm -f "$f" "$f.map" "${f%.js}.d.ts" "${f%.js}.d.ts.map"; fi
done
if [ $# -gt 0 ]; then
  filtered=()
  for f in "${files[@]}"; do for pat in "$@"; do [[ "$f" == *"$pat"* ]] && filtered+=("$f") && break; done; done
  files=("${filtered[@]}")
fi
if [ ${#files[@]} -eq 0 ]; then echo "no test files found (did the build run?)" >&2; exit 1; fi
# FUSE and multi-process tests are heavy on a 2-core machine: run files one at a time. A file may take
# 600 s: at load 30 the three update-while-open tests alone took 280 s (25 s + 18 s + 7 s when quiet).
exec node --test --test-concurrency=1 --test-timeout=600000 --test-reporter=spec "${files[@]}"
