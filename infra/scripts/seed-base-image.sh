#!/usr/bin/env bash
# Make sure the base image debian:bookworm-slim exists locally.
#
# Usage: infra/scripts/seed-base-image.sh
#
# 1. Present locally: nothing to do.
# 2. Else `docker pull` with a short timeout (EKSLAB_PULL_TIMEOUT, default 20 s).
# 3. Else build it: `debootstrap --variant=minbase bookworm` into a temp dir, using the Debian
#    mirror from this host's apt configuration, then `docker import` it. Needs root + debootstrap.
# Prints which path was taken. Nothing is cached in the repo; the temp dir is removed.
set -euo pipefail

readonly IMAGE=debian:bookworm-slim
readonly SUITE=bookworm
readonly PULL_TIMEOUT=${EKSLAB_PULL_TIMEOUT:-20}

log() { printf '[seed-base-image] %s\n' "$*" >&2; }

# First Debian (non-security) archive URI in the host's apt sources, deb822 or one-line format.
host_debian_mirror() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/ && $i ~ /debian/) { print $i; exit } }' "$f")
    [[ -n $uri ]] && { echo "$uri"; return 0; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|ftp):/) { if ($i !~ /security/ && $i ~ /debian/) { print $i; exit } else break } }' "$f")
    [[ -n $uri ]] && { echo "$uri"; return 0; }
  done
  return 1
}

# Makes the rootfs look like the official slim image (debuerreotype's minimizing config):
# dpkg skips docs, man pages and locales from now on, what minbase installed of them is deleted,
# apt keeps no caches, and policy-rc.d stops package scripts from starting services.
slim_rootfs() {
  local root=$1
  cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF_DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF_DPKG
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF_APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF_APT
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$root"/usr/share/man/* "$root"/usr/share/groff/* "$root"/usr/share/info/* \
    "$root"/usr/share/lintian/* "$root"/usr/share/linda/*
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/var/log/*.log "$root"/var/log/apt/*
}

# First Debian security archive URI in the host's apt sources, if any.
host_security_mirror() {
  cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    grep -v '^[[:space:]]*#' | grep -o '\(https\?\|ftp\)://[^[:space:]]*security[^[:space:]]*' | head -n1
}

# Same suites as the official image: release, -updates and -security (when the host names one).
write_sources() {
  local root=$1 mirror=$2 security
  security=$(host_security_mirror || true)
  {
    echo "deb $mirror $SUITE main"
    echo "deb $mirror $SUITE-updates main"
    [[ -z $security ]] || echo "deb $security $SUITE-security main"
  } >"$root/etc/apt/sources.list"
  log "apt sources in the image: $(tr '\n' ';' <"$root/etc/apt/sources.list")"
}

build_with_debootstrap() {
  if [[ $(id -u) -ne 0 ]] || ! command -v debootstrap >/dev/null 2>&1; then
    log "cannot build $IMAGE: needs root and debootstrap (apt-get install debootstrap)"
    exit 1
  fi
  local mirror rootfs
  mirror=$(host_debian_mirror || true)
  rootfs=$(mktemp -d /tmp/ekslab-rootfs.XXXXXX)
  # shellcheck disable=SC2064 # expand now: the path is fixed
  trap "rm -rf '$rootfs'" EXIT
  log "building $IMAGE with debootstrap --variant=minbase $SUITE (mirror: ${mirror:-debootstrap default}) in $rootfs"
  debootstrap --variant=minbase "$SUITE" "$rootfs" ${mirror:+"$mirror"} >&2
  [[ -z $mirror ]] || write_sources "$rootfs" "$mirror"
  slim_rootfs "$rootfs"
  log "importing rootfs as $IMAGE"
  tar -C "$rootfs" --numeric-owner -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    --message "debootstrap --variant=minbase $SUITE" - "$IMAGE" >&2
  log "built $IMAGE locally with debootstrap + docker import"
}

main() {
  if docker image inspect "$IMAGE" >/dev/null 2>&1; then
    log "$IMAGE already present locally; nothing to do"
    return 0
  fi
  log "$IMAGE not present; trying docker pull (timeout ${PULL_TIMEOUT}s)"
  if timeout "$PULL_TIMEOUT" docker pull "$IMAGE" >&2; then
    log "pulled $IMAGE from the registry"
    return 0
  fi
  log "docker pull failed or timed out; falling back to debootstrap"
  build_with_debootstrap
}

main "$@"
