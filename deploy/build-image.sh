#!/usr/bin/env bash
# Builds the Eddy image (deploy/Dockerfile) from the repository root with docker, podman or buildah.
#   deploy/build-image.sh [IMAGE]        default IMAGE: eddy:<version of package.json>
# EDDY_BASE_IMAGE pins the base (e.g. node:20.19.5-bookworm-slim@sha256:...); without it the script
# resolves the digest of the default tag when the engine can, so a rebuild gets the same base.
# Not run in CI: no base image can be pulled there (the tests run the same entrypoints as processes).
set -euo pipefail
cd "$(dirname "$0")/.."
version="$(node -p 'require("./package.json").version')"
image="${1:-eddy:$version}"
base="${EDDY_BASE_IMAGE:-node:20.19.5-bookworm-slim}"

engine=""
for e in docker podman buildah; do if command -v "$e" >/dev/null 2>&1; then engine="$e"; break; fi; done
if [ -z "$engine" ]; then echo "build-image: no docker, podman or buildah found" >&2; exit 1; fi

if [[ "$base" != *@sha256:* ]] && [ "$engine" != buildah ]; then
  if "$engine" pull -q "$base" >/dev/null 2>&1; then
    digest="$("$engine" image inspect --format '{{index .RepoDigests 0}}' "$base" 2>/dev/null || true)"
    if [ -n "$digest" ]; then base="$digest"; fi
  fi
fi
echo "build-image: $engine building $image on $base" >&2
if [ "$engine" = buildah ]; then
  buildah bud --build-arg "BASE_IMAGE=$base" -f deploy/Dockerfile -t "$image" .
else
  "$engine" build --build-arg "BASE_IMAGE=$base" -f deploy/Dockerfile -t "$image" .
fi
echo "build-image: built $image; load it into your cluster (kind load docker-image $image, or push it) and" >&2
echo "            helm install eddy deploy/helm/eddy --set image.repository=${image%:*} --set image.tag=${image##*:}" >&2
