#!/usr/bin/env bash
# Build the lab's images: ekslab/<name>:${EKSLAB_IMAGE_TAG:-dev}.
#
# Usage: infra/scripts/build-images.sh [etcd|nats|haproxy|app ...]    (default: all four, in that order)
#
# Starts Docker and seeds debian:bookworm-slim first (docker-bootstrap.sh, seed-base-image.sh).
# Relies on Docker's layer cache: a second run with no changes takes seconds.
# Uses BuildKit when the buildx plugin is present, else the legacy builder (DOCKER_BUILDKIT=0).
# The build context is always a tar stream, so node_modules, dist, .nx, .git never reach the daemon,
# whichever builder runs (the legacy builder ignores per-Dockerfile .dockerignore files).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
readonly SCRIPT_DIR REPO_ROOT
readonly TAG=${EKSLAB_IMAGE_TAG:-dev}
readonly ALL_IMAGES=(etcd nats haproxy app)
readonly SOURCE_LABEL=org.opencontainers.image.source=ekslab

log() { printf '[build-images] %s\n' "$*" >&2; }

# Paths (relative to the repo root) that never belong in a build context.
readonly CONTEXT_EXCLUDES=(
  --exclude=./.git --exclude=./.nx --exclude=./dist --exclude=./tmp --exclude=./coverage
  --exclude=./.lab --exclude=./bench-results --exclude=node_modules --exclude='*.log'
)

choose_builder() {
  if docker buildx version >/dev/null 2>&1; then
    export DOCKER_BUILDKIT=1
    BUILD_PROGRESS=(--progress=plain)
    log "builder: BuildKit (buildx present)"
  else
    export DOCKER_BUILDKIT=0
    BUILD_PROGRESS=()
    log "builder: legacy (no buildx plugin here)"
  fi
}

# Stages the host's locally added CA certificates (Debian: /usr/local/share/ca-certificates, plus
# $EKSLAB_BUILD_CA_FILE) in $1/infra/images/app/build-ca/ so npm ci inside the build trusts a
# TLS-inspecting proxy. They go into the streamed context only, never into the repo.
stage_build_cas() {
  local dest="$1/infra/images/app/build-ca" n=0 f
  mkdir -p "$dest"
  while IFS= read -r -d '' f; do
    n=$((n + 1))
    cp "$f" "$dest/host-$n.crt"
  done < <(find /usr/local/share/ca-certificates -name '*.crt' -type f -print0 2>/dev/null)
  if [[ -n ${EKSLAB_BUILD_CA_FILE:-} ]]; then
    n=$((n + 1))
    cp "$EKSLAB_BUILD_CA_FILE" "$dest/host-$n.crt"
  fi
  ((n == 0)) || log "adding $n host CA certificate(s) to the app build context (build stages only)"
}

# Writes the build context for image $1 to stdout as a tar stream.
context_tar() {
  case $1 in
    app)
      local extra
      extra=$(mktemp -d /tmp/ekslab-build-ctx.XXXXXX)
      stage_build_cas "$extra"
      # Repo first, then the staged extras: later tar entries add files beside the repo's.
      tar -c -C "$REPO_ROOT" "${CONTEXT_EXCLUDES[@]}" . -C "$extra" ./infra
      rm -rf "$extra"
      ;;
    *) tar -C "$REPO_ROOT/infra/images/$1" -c . ;;
  esac
}

dockerfile_in_context() {
  case $1 in
    app) echo infra/images/app/Dockerfile ;;
    *) echo Dockerfile ;;
  esac
}

build_one() {
  local name=$1 image="ekslab/$1:$TAG" started elapsed
  [[ -f $REPO_ROOT/infra/images/$name/Dockerfile ]] || {
    log "unknown image '$name' (expected one of: ${ALL_IMAGES[*]})"
    exit 2
  }
  log "building $image"
  started=$SECONDS
  context_tar "$name" | docker build "${BUILD_PROGRESS[@]}" \
    --label "$SOURCE_LABEL" \
    --tag "$image" \
    --file "$(dockerfile_in_context "$name")" \
    -
  elapsed=$((SECONDS - started))
  log "built $image in ${elapsed}s ($(docker image inspect --format '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"
}

main() {
  local images=("$@")
  ((${#images[@]} > 0)) || images=("${ALL_IMAGES[@]}")
  bash "$SCRIPT_DIR/docker-bootstrap.sh"
  bash "$SCRIPT_DIR/seed-base-image.sh"
  choose_builder
  local name
  for name in "${images[@]}"; do build_one "$name"; done
  log "done: $(printf 'ekslab/%s:'"$TAG"' ' "${images[@]}")"
}

main "$@"
