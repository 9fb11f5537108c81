#!/bin/bash
# Entrypoint of ekslab/app: the first argument picks the service, the rest go to it.
#
# Usage: docker run ekslab/app:dev SERVICE [ARGS...]
#        docker run ekslab/app:dev help        lists the services
# Runs /app/dist/apps/<service>/main.mjs on Node 24 with source maps, as PID 1 via exec (each
# service's main.ts handles SIGTERM/SIGINT itself). EKSLAB_NODE_OPTIONS adds node flags.
set -euo pipefail

readonly SERVICES=(apiserver scheduler controller-manager cloud-controller-manager cloud kubelet ipamd cli)

usage() {
  echo "usage: docker run ekslab/app SERVICE [ARGS...]"
  echo "services: ${SERVICES[*]}"
}

service=${1:-help}
case $service in
  help | -h | --help) usage; exit 0 ;;
  ekslab) service=cli ;;
esac
shift || true

for known in "${SERVICES[@]}"; do
  if [[ $service == "$known" ]]; then
    bundle=/app/dist/apps/$service/main.mjs
    [[ -f $bundle ]] || { echo "ekslab/app: $bundle is missing from this image" >&2; exit 1; }
    # shellcheck disable=SC2086 # EKSLAB_NODE_OPTIONS is a list of flags
    exec node --enable-source-maps ${EKSLAB_NODE_OPTIONS:-} "$bundle" "$@"
  fi
done

echo "ekslab/app: unknown service '$service'" >&2
usage >&2
exit 2
