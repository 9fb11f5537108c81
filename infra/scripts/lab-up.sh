#!/usr/bin/env bash
# Start the ekslab lab and prove it works.
#
# Usage: infra/scripts/lab-up.sh [--timeout SECONDS]      (default 180; env EKSLAB_LAB_TIMEOUT)
#
# 1. docker-bootstrap.sh, then build-images.sh etcd nats haproxy app (layer cache makes a re-run take
#    seconds; the app image is built from the current tree). EKSLAB_SKIP_BUILD=1 skips building.
# 2. compose up -d.
# 3. Waits until every compose service's container is healthy (one-shot jobs: exited 0), saying
#    what it still waits for.
# 4. Verifies for real: etcd member list shows every member started and endpoint status --cluster
#    shows exactly one leader; every NATS server has routes to all others and the same JetStream
#    meta leader with cluster_size = number of servers; HAProxy reports every apiserver UP and every
#    cloud replica UP (behind 127.0.0.1:50061).
# 5. Writes .ekslab/kubeconfig (cluster, user and context "ekslab" → https://127.0.0.1:6443 with the
#    lab CA and the kubernetes-admin token from the shared PKI volume; http:// and no credentials
#    while the apiserver serves plain HTTP, i.e. there is no ca.crt in the volume), then runs
#    `kubectl version` and `kubectl get --raw /readyz` with it (skipped when kubectl is missing).
# 6. Prints the summary table (same as lab-status.sh) and the kubeconfig hint.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
LAB_LOG_TAG=lab-up
# shellcheck source-path=SCRIPTDIR source=lib/lab.sh
source "$SCRIPT_DIR/lib/lab.sh"

TIMEOUT=${EKSLAB_LAB_TIMEOUT:-180}
readonly REPORT_EVERY=5

parse_args() {
  while (($# > 0)); do
    case $1 in
      --timeout) TIMEOUT=$2; shift 2 ;;
      *) lab_log "unknown argument '$1' (usage: lab-up.sh [--timeout SECONDS])"; exit 2 ;;
    esac
  done
}

build_images() {
  if [[ ${EKSLAB_SKIP_BUILD:-0} == 1 ]]; then
    lab_log "EKSLAB_SKIP_BUILD=1: not building images"
    return 0
  fi
  bash "$SCRIPT_DIR/build-images.sh" etcd nats haproxy app
}

# One-shot jobs (pki-init): done when they exited 0.
is_oneshot() { [[ $1 == *-init ]]; }

# Prints the container row for service $1 from lab_containers output in $2.
row_of() { awk -F'|' -v s="$1" '$1 == s { print; exit }' <<<"$2"; }

wait_healthy() {
  local deadline=$((SECONDS + TIMEOUT)) next_report=$SECONDS
  local services svc rows row status health
  services=$(lab_services)
  lab_log "waiting up to ${TIMEOUT}s for $(wc -l <<<"$services") services to be healthy"
  while :; do
    local pending=() failed=()
    rows=$(lab_containers)
    while read -r svc; do
      row=$(row_of "$svc" "$rows")
      if [[ -z $row ]]; then
        pending+=("$svc: no container")
        continue
      fi
      IFS='|' read -r _ _ _ _ status health code _ <<<"$row"
      if is_oneshot "$svc"; then
        if [[ $status == exited && $code == 0 ]]; then
          continue
        elif [[ $status == exited || $status == dead ]]; then
          failed+=("$svc")
        else
          pending+=("$svc: $status (one-shot job)")
        fi
      elif [[ $status == exited || $status == dead ]]; then
        failed+=("$svc")
      elif [[ $status != running ]]; then
        pending+=("$svc: $status")
      elif [[ -n $health && $health != healthy ]]; then
        pending+=("$svc: $health")
      fi
    done <<<"$services"

    if ((${#failed[@]} > 0)); then
      lab_log "containers stopped while starting: ${failed[*]}; their last log lines:"
      for svc in "${failed[@]}"; do lab_compose logs --tail=15 "$svc" >&2 || true; done
      exit 1
    fi
    if ((${#pending[@]} == 0)); then
      lab_log "all services healthy after $((SECONDS - deadline + TIMEOUT))s"
      return 0
    fi
    if ((SECONDS >= deadline)); then
      lab_log "gave up after ${TIMEOUT}s; still waiting for: ${pending[*]}"
      lab_print_table >&2
      exit 1
    fi
    if ((SECONDS >= next_report)); then
      local joined
      joined=$(printf '%s, ' "${pending[@]}")
      lab_log "still waiting for: ${joined%, }"
      next_report=$((SECONDS + REPORT_EVERY))
    fi
    sleep 1
  done
}

# Retries check function $1 (which prints what it found) until it passes or $3 seconds (default 30) pass.
verify_until() {
  local check=$1 what=$2 deadline=$((SECONDS + ${3:-30})) out
  while :; do
    if out=$($check 2>&1); then
      lab_log "OK   $what: $out"
      return 0
    fi
    if ((SECONDS >= deadline)); then
      lab_log "FAIL $what: $out"
      exit 1
    fi
    sleep 2
  done
}

expected_count() { lab_services | grep -c "^$1-" || true; }

check_etcd() {
  local want c members started status endpoints leaders
  want=$(expected_count etcd)
  c=$(lab_running_container etcd)
  [[ -n $c ]] || { echo "no running etcd container"; return 1; }
  members=$(docker exec "$c" etcdctl --command-timeout=3s member list -w simple)
  started=$(grep -c ', started, ' <<<"$members" || true)
  status=$(docker exec "$c" etcdctl --command-timeout=3s endpoint status --cluster -w simple 2>&1) || true
  endpoints=$(grep -c '^http' <<<"$status" || true)
  leaders=$(awk -F', ' '$5 == "true"' <<<"$status" | wc -l)
  echo "$started/$want members started, $endpoints/$want endpoints answer, $leaders leader(s)" \
    "($(awk -F', ' '$5 == "true" { print $1 }' <<<"$status"))"
  [[ $started == "$want" && $endpoints == "$want" && $leaders == 1 ]]
}

# GET $2 on the monitor port inside NATS container $1 (the image has no curl; see nats-healthcheck).
nats_get() { docker exec "$1" nats-healthcheck "$2" 8222; }

check_nats() {
  local want c name jsz leader size routes leaders=() problems=()
  want=$(expected_count nats)
  local containers
  containers=$(docker ps -q --filter "label=$LAB_LABEL" --filter label=ekslab.component=nats --filter status=running)
  [[ $(wc -w <<<"$containers") == "$want" ]] || { echo "$(wc -w <<<"$containers")/$want NATS containers running"; return 1; }
  for c in $containers; do
    name=$(docker inspect --format '{{index .Config.Labels "com.docker.compose.service"}}' "$c")
    jsz=$(nats_get "$c" /jsz) || { problems+=("$name: /jsz failed"); continue; }
    leader=$(grep -o '"leader": *"[^"]*"' <<<"$jsz" | head -n1 | sed 's/.*: *"\(.*\)"/\1/')
    size=$(grep -o '"cluster_size": *[0-9]*' <<<"$jsz" | grep -o '[0-9]*$' || true)
    routes=$(nats_get "$c" /routez | grep -o '"num_routes": *[0-9]*' | grep -o '[0-9]*$' || true)
    [[ -n $leader ]] || problems+=("$name: no JetStream meta leader")
    [[ $size == "$want" ]] || problems+=("$name: meta cluster_size ${size:-?}")
    [[ $routes == $((want - 1)) ]] || problems+=("$name: ${routes:-?} routes")
    leaders+=("$leader")
  done
  if [[ $(printf '%s\n' "${leaders[@]}" | sort -u | wc -l) != 1 ]]; then
    problems+=("servers disagree on the meta leader: ${leaders[*]}")
  fi
  if ((${#problems[@]} > 0)); then
    echo "${problems[*]}"
    return 1
  fi
  echo "$want servers, each with $((want - 1)) routes, JetStream meta leader ${leaders[0]}, cluster_size $want"
}

# The first running apiserver container (they share the PKI volume, so any of them will do).
apiserver_container() {
  local c
  c=$(lab_running_container apiserver)
  [[ -n $c ]] || { lab_log "no running apiserver container"; return 1; }
  echo "$c"
}

# Every apiserver is a server of HAProxy's kube-apiserver backend, UP by its /readyz check.
check_haproxy() {
  local want c csv up total
  want=$(expected_count apiserver)
  c=$(lab_running_container nlb)
  [[ -n $c ]] || { echo "no running haproxy container"; return 1; }
  # /stats;csv: pxname,svname,...; field 18 is status (UP, DOWN, MAINT, "UP 1/2"...).
  csv=$(docker exec "$c" haproxy-http-get '/stats;csv') || { echo "GET /stats;csv failed"; return 1; }
  total=$(awk -F, '$1 == "kube-apiserver" && $2 != "FRONTEND" && $2 != "BACKEND"' <<<"$csv" | wc -l)
  up=$(awk -F, '$1 == "kube-apiserver" && $2 != "FRONTEND" && $2 != "BACKEND" && $18 == "UP" { printf "%s ", $2 }' <<<"$csv")
  echo "$(wc -w <<<"$up")/$want apiservers UP behind 127.0.0.1:6443 (${up% }; $total servers in the backend)"
  [[ $(wc -w <<<"$up") == "$want" && $total == "$want" ]]
}

# Every cloud replica is a server of HAProxy's cloud-grpc backend, UP by its /readyz check (etcd, NATS,
# fault state), so `ekslab cloud …` on 127.0.0.1:50061 reaches a ready replica.
check_cloud() {
  local want c csv up total
  want=$(expected_count cloud)
  c=$(lab_running_container nlb)
  [[ -n $c ]] || { echo "no running haproxy container"; return 1; }
  csv=$(docker exec "$c" haproxy-http-get '/stats;csv') || { echo "GET /stats;csv failed"; return 1; }
  total=$(awk -F, '$1 == "cloud-grpc" && $2 != "FRONTEND" && $2 != "BACKEND"' <<<"$csv" | wc -l)
  up=$(awk -F, '$1 == "cloud-grpc" && $2 != "FRONTEND" && $2 != "BACKEND" && $18 == "UP" { printf "%s ", $2 }' <<<"$csv")
  echo "$(wc -w <<<"$up")/$want cloud replicas UP behind 127.0.0.1:50061 (${up% }; $total servers in the backend)"
  [[ $(wc -w <<<"$up") == "$want" && $total == "$want" ]]
}

# Writes $LAB_KUBECONFIG (mode 0600, atomically). TLS when the shared PKI volume holds ca.crt.
write_kubeconfig() {
  local c ca_data='' token='' server user_block tmp
  c=$(apiserver_container)
  mkdir -p "$(dirname "$LAB_KUBECONFIG")"
  if docker exec "$c" test -f "$LAB_PKI_DIR/ca.crt"; then
    ca_data=$(docker exec "$c" cat "$LAB_PKI_DIR/ca.crt" | base64 | tr -d '\n')
    # tokens.csv: token,user,uid,"group1,group2" (kube-apiserver --token-auth-file); the admin row
    # is user kubernetes-admin (group system:masters).
    token=$(docker exec "$c" cat "$LAB_PKI_DIR/tokens.csv" 2>/dev/null |
      awk -F, '{ u = $2; gsub(/[" \r]/, "", u) } u == "kubernetes-admin" { t = $1; gsub(/[" \r]/, "", t); print t; exit }') || true
    if [[ -z $token ]]; then
      lab_log "FAIL kubeconfig: $LAB_PKI_DIR/ca.crt exists but tokens.csv has no kubernetes-admin row"
      exit 1
    fi
    server=https://127.0.0.1:6443
    user_block="    token: $token"
  else
    lab_log "the apiserver serves plain HTTP (no $LAB_PKI_DIR/ca.crt in the pki volume): kubeconfig without TLS or credentials"
    server=http://127.0.0.1:6443
    user_block=''
  fi
  tmp=$(mktemp "$LAB_KUBECONFIG.XXXXXX")
  chmod 0600 "$tmp"
  {
    echo "# Written by infra/scripts/lab-up.sh: the ekslab lab's API through its load balancer (HAProxy)."
    echo "apiVersion: v1"
    echo "kind: Config"
    echo "clusters:"
    echo "- name: ekslab"
    echo "  cluster:"
    echo "    server: $server"
    [[ -z $ca_data ]] || echo "    certificate-authority-data: $ca_data"
    echo "users:"
    echo "- name: kubernetes-admin"
    if [[ -n $user_block ]]; then
      echo "  user:"
      echo "$user_block"
    else
      echo "  user: {}"
    fi
    echo "contexts:"
    echo "- name: ekslab"
    echo "  context:"
    echo "    cluster: ekslab"
    echo "    user: kubernetes-admin"
    echo "    namespace: default"
    echo "current-context: ekslab"
    echo "preferences: {}"
  } >"$tmp"
  mv -f "$tmp" "$LAB_KUBECONFIG"
  lab_log "wrote $LAB_KUBECONFIG (server $server${ca_data:+, lab CA, kubernetes-admin token})"
}

lab_kubectl() { kubectl --kubeconfig "$LAB_KUBECONFIG" --request-timeout=5s "$@"; }

check_kubectl_version() {
  local out
  out=$(lab_kubectl version 2>&1) || { echo "$out"; return 1; }
  grep -E '^(Server|Client) Version' <<<"$out" | tr '\n' ';' | sed 's/;$//; s/;/; /'
}

check_kubectl_readyz() {
  local out
  out=$(lab_kubectl get --raw /readyz 2>&1) || { echo "$out"; return 1; }
  echo "/readyz says '$out'"
  [[ $out == ok ]]
}

# Every node the kubelet agents host is registered and Ready (only when the lab runs kubelet agents). The
# expected count is the node group's desired size, read from the first agent's command line.
check_nodes() {
  local want c out ready total
  c=$(lab_running_container kubelet)
  [[ -n $c ]] || { echo "no running kubelet agent"; return 1; }
  want=$(docker inspect --format '{{range .Config.Cmd}}{{println .}}{{end}}' "$c" | sed -n 's/^--nodegroup-desired-size=//p' | head -n1)
  out=$(lab_kubectl get nodes --no-headers 2>&1) || { echo "$out"; return 1; }
  total=$(grep -c . <<<"$out" || true)
  ready=$(awk '$2 == "Ready"' <<<"$out" | wc -l)
  echo "$ready/${want:-?} nodes Ready ($total registered)"
  [[ -n $want && $ready == "$want" ]]
}

# EKS's own kube-system objects (aws-node and kube-proxy DaemonSets, the coredns Deployment, their service
# accounts, the kube-dns Service), as a new EKS cluster has them: applied server-side with field manager
# "eks" (re-applying on a running lab changes nothing a user has not changed).
apply_addons() {
  local out
  out=$(lab_kubectl apply --server-side --force-conflicts --field-manager=eks -f "$LAB_ADDONS_DIR" 2>&1) || { echo "$out"; return 1; }
  echo "$(grep -c . <<<"$out") objects applied from ${LAB_ADDONS_DIR#"$LAB_REPO_ROOT"/}"
}

# The addons run: each DaemonSet has a Ready pod on every node, coredns has its replicas available.
check_addons() {
  local ds out line summary="" ok=0
  for ds in aws-node kube-proxy; do
    out=$(lab_kubectl -n kube-system get ds "$ds" -o 'jsonpath={.status.desiredNumberScheduled} {.status.numberReady}' 2>&1) || { echo "$out"; return 1; }
    read -r want ready <<<"$out"
    summary+="$ds ${ready:-0}/${want:-0}, "
    [[ -n $want && $want -gt 0 && $ready == "$want" ]] || ok=1
  done
  line=$(lab_kubectl -n kube-system get deploy coredns -o 'jsonpath={.spec.replicas} {.status.availableReplicas}' 2>&1) || { echo "$line"; return 1; }
  read -r want ready <<<"$line"
  echo "${summary}coredns ${ready:-0}/${want:-0}"
  [[ $ok == 0 && -n $want && $ready == "$want" ]]
}

verify_kubectl() {
  if ! command -v kubectl >/dev/null 2>&1; then
    lab_log "SKIP kubectl checks: kubectl is not on PATH"
    return 0
  fi
  verify_until check_kubectl_version "kubectl version (127.0.0.1:6443)"
  verify_until check_kubectl_readyz "kubectl get --raw /readyz"
  if [[ $(expected_count kubelet) -gt 0 ]]; then
    verify_until check_nodes "nodes" 120
    verify_until apply_addons "EKS addons" 60
    verify_until check_addons "addons running" 120
  fi
}

# `compose up -d`, tried again when it fails: compose v1 gives up ("Encountered errors while bringing up the
# project") when a dependency's health check has not passed yet while containers are being recreated; `up`
# is idempotent, so a second try picks up where the first stopped. Three failures are an error.
compose_up() {
  local attempt
  for attempt in 1 2 3; do
    lab_log "compose up -d (attempt $attempt/3)"
    if lab_compose up -d --remove-orphans; then return 0; fi
    lab_log "compose up failed; containers now:"
    lab_compose ps >&2 || true
    sleep 5
  done
  lab_log "ERROR compose up failed 3 times"
  return 1
}

main() {
  parse_args "$@"
  local started=$SECONDS
  bash "$SCRIPT_DIR/docker-bootstrap.sh"
  build_images
  compose_up
  wait_healthy
  verify_until check_etcd "etcd cluster"
  verify_until check_nats "NATS cluster"
  verify_until check_haproxy "load balancer"
  verify_until check_cloud "cloud service"
  write_kubeconfig
  verify_kubectl
  lab_log "lab is up in $((SECONDS - started))s"
  lab_print_table
  echo
  lab_print_kubeconfig_hint
}

main "$@"
