#!/bin/bash
# Container healthcheck for the ekslab services: GET a path on the ops port, exit 0 on HTTP 200.
#
# Usage: ekslab-healthcheck PORT [PATH]      (default path /readyz)
# bash's /dev/tcp, no curl: a check costs a few milliseconds of CPU. `node -e fetch(…)` cost ~70 ms of CPU per
# check, which with twenty containers checked every 3 s kept most of a core busy on a 2-core machine.
set -euo pipefail

port=${1:?usage: ekslab-healthcheck PORT [PATH]}
path=${2:-/readyz}

exec 3<>"/dev/tcp/127.0.0.1/${port}"
printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
IFS= read -r -t 3 status_line <&3
exec 3<&-
[[ $status_line == "HTTP/1."?" 200 "* ]]
