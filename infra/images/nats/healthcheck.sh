#!/bin/bash
# Container healthcheck for nats-server: GET /healthz on the monitor port, exit 0 on HTTP 200.
#
# Usage: nats-healthcheck [PATH_AND_QUERY] [PORT]
#   default: nats-healthcheck '/healthz?js-enabled-only=true' 8222
# Uses bash's /dev/tcp so the image needs no curl or wget.
set -euo pipefail

path=${1:-/healthz?js-enabled-only=true}
port=${2:-8222}

exec 3<>"/dev/tcp/127.0.0.1/${port}"
printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
response=$(timeout 5 cat <&3)
exec 3<&-

status_line=${response%%$'\r'*}
echo "${response##*$'\r\n\r\n'}"
[[ $status_line == *" 200 "* ]]
