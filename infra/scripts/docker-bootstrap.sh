#!/usr/bin/env bash
# Make sure a Docker daemon answers `docker info`.
#
# Usage: infra/scripts/docker-bootstrap.sh
#
# - If `docker info` already answers: does nothing (prints which daemon).
# - Else, as root on Debian: installs docker.io and docker-compose if missing, removes stale
#   dockerd/containerd pid files whose process is gone, starts dockerd in the background
#   (log: /var/log/dockerd.log; it outlives this script) and waits up to 60 s for `docker info`.
# - Otherwise prints what is missing and exits 1.
# Safe to run concurrently: the start sequence is serialised with flock.
set -euo pipefail

readonly LOCK_FILE=/tmp/ekslab-docker-bootstrap.lock
readonly DOCKERD_LOG=/var/log/dockerd.log
readonly WAIT_SECONDS=${EKSLAB_DOCKER_WAIT_SECONDS:-60}

log() { printf '[docker-bootstrap] %s\n' "$*" >&2; }

docker_answers() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

describe_daemon() {
  local desc
  desc=$(docker info --format '{{.Name}} (server {{.ServerVersion}}, {{.OperatingSystem}}, storage {{.Driver}})' 2>/dev/null || true)
  log "docker daemon answers: ${desc:-unknown} via ${DOCKER_HOST:-default socket}"
}

# True when pid runs and is not a zombie (a just-killed daemon lingers as one until it is reaped).
process_alive() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

# The pids of live dockerd processes, space-separated; empty when there is none.
live_dockerd_pids() {
  local pid live=()
  for pid in $(pgrep -x dockerd 2>/dev/null); do process_alive "$pid" && live+=("$pid"); done
  echo "${live[*]}"
}

# Removes a pid file when the process it names no longer runs.
remove_stale_pidfile() {
  local file=$1 pid
  [[ -f $file ]] || return 0
  pid=$(tr -dc '0-9' <"$file" || true)
  if [[ -n $pid ]] && process_alive "$pid"; then
    log "$file names running process $pid; keeping it"
    return 0
  fi
  log "removing stale pid file $file (pid '${pid:-none}' is gone)"
  rm -f "$file"
}

ensure_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  ((${#missing[@]} == 0)) && return 0
  log "installing missing packages: ${missing[*]} (apt-get update first)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
}

start_dockerd() {
  remove_stale_pidfile /var/run/docker.pid
  remove_stale_pidfile /var/run/docker/containerd/containerd.pid
  local running
  running=$(live_dockerd_pids)
  if [[ -n $running ]]; then
    log "a dockerd process already runs (pid $running); waiting for it instead of starting another"
    return 0
  fi
  log "starting dockerd in the background (log: $DOCKERD_LOG)"
  # setsid + nohup: the daemon must not die with this shell or its session.
  # 9>&-: it must not inherit the lock fd, or it would hold the lock forever.
  setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null 9>&- &
  disown || true
}

wait_for_docker() {
  local waited=0 restarts=0
  while ! docker_answers; do
    # The dockerd we waited for may have been on its way out (killed, exiting): start our own, once or twice.
    if [[ -z $(live_dockerd_pids) ]] && ((restarts < 2)); then
      log "no live dockerd process; starting one"
      restarts=$((restarts + 1))
      start_dockerd
    fi
    if ((waited >= WAIT_SECONDS)); then
      log "docker info still fails after ${WAIT_SECONDS}s; last lines of $DOCKERD_LOG:"
      tail -n 20 "$DOCKERD_LOG" >&2 || true
      exit 1
    fi
    ((waited % 5 == 0)) && log "waiting for docker info (${waited}s/${WAIT_SECONDS}s)"
    sleep 1
    waited=$((waited + 1))
  done
}

main() {
  if docker_answers; then
    describe_daemon
    return 0
  fi

  local problems=()
  [[ $(id -u) -eq 0 ]] || problems+=("not root (needed to install packages and start dockerd)")
  [[ -f /etc/debian_version ]] || problems+=("not Debian (/etc/debian_version missing)")
  if ((${#problems[@]} > 0)); then
    log "docker info does not answer and this script cannot start a daemon:"
    local p
    for p in "${problems[@]}"; do log "  - $p"; done
    command -v docker >/dev/null 2>&1 || log "  - docker CLI not found on PATH"
    log "start a Docker daemon yourself (or set DOCKER_HOST) and run again"
    exit 1
  fi

  exec 9>"$LOCK_FILE"
  log "taking lock $LOCK_FILE"
  flock 9
  # Another caller may have started the daemon while we waited for the lock.
  if docker_answers; then
    describe_daemon
    return 0
  fi
  ensure_packages
  start_dockerd
  wait_for_docker
  describe_daemon
}

main "$@"
