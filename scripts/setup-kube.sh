#!/usr/bin/env bash
# Idempotent setup of what the Kubernetes tests and the Helm chart checks need, cached outside the repo
# (like versitygw in scripts/setup.sh):
# - etcd (Debian's etcd-server) and kubectl (any on PATH, else Debian's kubernetes-client);
# - kube-apiserver and kube-controller-manager (only its garbage collector runs in the tests, so that
#   deletion cascades through ownerReferences for real), built once from the Go module proxy through a
#   wrapper module: k8s.io/kubernetes is not meant to be required as a library, its go.mod replaces every
#   k8s.io/* staging module with ./staging/..., so the wrapper pins each of them to the published v0.X.Y;
# - helm, built from the Go module proxy (the chart is linted and templated in CI).
# Called by scripts/setup.sh; safe to run again (each binary carries a version stamp).
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-v1.34.2}"
HELM_VERSION="${HELM_VERSION:-v3.22.0}"
CACHE_DIR="${EDDY_CACHE_DIR:-$HOME/.cache/eddy}"
KUBE_BIN="$CACHE_DIR/kube"
log() { printf '[setup-kube] %s\n' "$*" >&2; }
# shellcheck source=setup-apt.sh
. "$(dirname "$0")/setup-apt.sh"

need_pkgs=()
have_cmd etcd || need_pkgs+=(etcd-server)
have_cmd kubectl || need_pkgs+=(kubernetes-client)
have_cmd openssl || need_pkgs+=(openssl)
apt_install "${need_pkgs[@]}"

ensure_go
mkdir -p "$KUBE_BIN"
# Several worktrees share the cache: one build at a time, the others wait for it and find it done.
exec 9>"$KUBE_BIN/.lock"
flock 9
current() { [ -x "$KUBE_BIN/$1" ] && [ "$(cat "$KUBE_BIN/$1.version" 2>/dev/null)" = "$2" ]; }

# kube-apiserver and kube-controller-manager from one wrapper module (the second build reuses the first's cache).
kube_cmds=()
for cmd in kube-apiserver kube-controller-manager; do current "$cmd" "$KUBE_VERSION" || kube_cmds+=("$cmd"); done
if [ ${#kube_cmds[@]} -gt 0 ]; then
  staging_version="v0.${KUBE_VERSION#v1.}"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  log "building ${kube_cmds[*]} $KUBE_VERSION into $KUBE_BIN (one-time, ~8 min per binary on 2 cores)"
  start=$(date +%s)
  kube_mod="$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" |
    sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  {
    echo "module eddy.local/kube-build"
    echo
    echo "go $(sed -n 's/^go \([0-9.]*\)$/\1/p' "$kube_mod")"
    echo
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    echo
    grep -E '^[[:space:]]*k8s\.io/[a-z0-9-]+ => \./staging/' "$kube_mod" |
      awk -v v="$staging_version" '{ printf "replace %s => %s %s\n", $1, $1, v }'
  } > "$work/go.mod"
  count="$(grep -c '^replace ' "$work/go.mod")"
  if [ "$count" -lt 20 ]; then log "found only $count staging modules in $kube_mod; refusing to build"; exit 1; fi
  {
    echo "package main"
    echo
    for cmd in "${kube_cmds[@]}"; do echo "import _ \"k8s.io/kubernetes/cmd/$cmd\""; done
  } > "$work/tools.go"
  (cd "$work" && GOFLAGS=-mod=mod go mod tidy >/dev/null 2>&1 || true)
  for cmd in "${kube_cmds[@]}"; do
    (cd "$work" && GOFLAGS=-mod=mod go build -trimpath -ldflags='-s -w' -o "$KUBE_BIN/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd")
    mv "$KUBE_BIN/$cmd.tmp" "$KUBE_BIN/$cmd"
    echo "$KUBE_VERSION" > "$KUBE_BIN/$cmd.version"
    log "$cmd built ($(( $(date +%s) - start )) s so far; $count staging modules pinned to $staging_version)"
  done
fi

if ! current helm "$HELM_VERSION"; then
  log "building helm $HELM_VERSION into $KUBE_BIN (one-time, ~3 min)"
  start=$(date +%s)
  GOBIN="$KUBE_BIN" GOFLAGS=-mod=mod go install -trimpath -ldflags='-s -w' "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  echo "$HELM_VERSION" > "$KUBE_BIN/helm.version"
  log "helm built in $(( $(date +%s) - start )) s"
fi
