#!/usr/bin/env bash
# Stop and remove the lab's containers and network. Images are kept.
#
# Usage: infra/scripts/lab-down.sh [--purge]
#   --purge   also remove the named data volumes (etcd and JetStream data): the next lab-up
#             bootstraps fresh clusters.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_LOG_TAG=lab-down
# shellcheck source-path=SCRIPTDIR source=lib/lab.sh
source "$SCRIPT_DIR/lib/lab.sh"

args=(down --remove-orphans)
case ${1:-} in
  '') lab_log "stopping the lab (data volumes kept; --purge removes them)" ;;
  --purge) args+=(--volumes); lab_log "stopping the lab and removing its data volumes" ;;
  *) lab_log "unknown argument '$1' (usage: lab-down.sh [--purge])"; exit 2 ;;
esac

if ! docker info >/dev/null 2>&1; then
  lab_log "docker does not answer; nothing to stop"
  exit 0
fi
lab_compose "${args[@]}"
lab_log "done"
