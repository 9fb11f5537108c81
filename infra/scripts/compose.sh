#!/usr/bin/env bash
# Run Docker Compose on the lab: `<compose> -p ekslab -f infra/compose/docker-compose.yml ARGS...`
#
# Usage: infra/scripts/compose.sh ARGS...        e.g. compose.sh ps; compose.sh logs -f etcd-a
#
# Uses `docker compose` (v2) when `docker compose version` succeeds (it fails when the plugin is
# absent), else `docker-compose` (v1). EKSLAB_COMPOSE=v1|v2 forces one. Works from any directory.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
readonly SCRIPT_DIR REPO_ROOT
readonly COMPOSE_FILE="$REPO_ROOT/infra/compose/docker-compose.yml"
readonly PROJECT=ekslab

has_v2() { docker compose version >/dev/null 2>&1; }
has_v1() { command -v docker-compose >/dev/null 2>&1; }

case ${EKSLAB_COMPOSE:-auto} in
  v2)
    has_v2 || { echo "[compose] EKSLAB_COMPOSE=v2 but 'docker compose version' fails: no compose v2 plugin" >&2; exit 1; }
    compose=(docker compose)
    ;;
  v1)
    has_v1 || { echo "[compose] EKSLAB_COMPOSE=v1 but docker-compose is not installed" >&2; exit 1; }
    compose=(docker-compose)
    ;;
  auto)
    if has_v2; then
      compose=(docker compose)
    elif has_v1; then
      compose=(docker-compose)
    else
      echo "[compose] neither 'docker compose' (v2 plugin) nor 'docker-compose' (v1) is installed" >&2
      echo "[compose] on Debian: apt-get install docker-compose" >&2
      exit 1
    fi
    ;;
  *)
    echo "[compose] EKSLAB_COMPOSE must be v1, v2 or auto (got '${EKSLAB_COMPOSE}')" >&2
    exit 2
    ;;
esac

exec "${compose[@]}" -p "$PROJECT" -f "$COMPOSE_FILE" "$@"
