#!/usr/bin/env bash
# Stop and remove the lab's containers and network. Images are kept.
#
# Usage: infra/scripts/lab-down.sh [--purge]
#   --purge   also remove the named data volumes (etcd and JetStream data, the lab PKI) and
#             .ekslab/kubeconfig: the next lab-up bootstraps fresh clusters and a new CA.
# Without --purge .ekslab/kubeconfig is kept: the PKI volume survives, so it stays valid.
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
if [[ ${1:-} == --purge && -f $LAB_KUBECONFIG ]]; then
  rm -f "$LAB_KUBECONFIG"
  lab_log "removed $LAB_KUBECONFIG (its CA and token went with the pki volume)"
fi
lab_log "done"
