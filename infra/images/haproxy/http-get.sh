#!/bin/bash
# GET a path on this container's HAProxy (the image has no curl): the Docker healthcheck and
# infra/scripts/lab-up.sh (stats) use it.
#
# Usage: haproxy-http-get PATH [PORT]     (PORT defaults to 8404, the stats/health frontend)
# Prints the response body; exits 0 only on HTTP 200.
set -euo pipefail

path=${1:?usage: haproxy-http-get PATH [PORT]}
port=${2:-8404}
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
IFS= read -r status <&3
status=${status%$'\r'}
# Skip the headers; the body follows the first empty line.
while IFS= read -r line <&3; do [[ ${line%$'\r'} == '' ]] && break; done
cat <&3
[[ $status =~ ^HTTP/1\.[01]\ 200 ]]
