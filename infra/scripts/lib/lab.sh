# shellcheck shell=bash
# Shared helpers for lab-up.sh, lab-status.sh and lab-down.sh. Source it; it defines functions only.
#
# Containers are found by label, never by name pattern: every lab container carries
# ekslab.lab=ekslab, ekslab.component and ekslab.az (see infra/compose/docker-compose.yml).

LAB_SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB_REPO_ROOT=$(cd "$LAB_SCRIPT_DIR/../.." && pwd)
readonly LAB_SCRIPT_DIR LAB_REPO_ROOT
readonly LAB_LABEL=ekslab.lab=ekslab
# Written by lab-up.sh for the load balancer on 127.0.0.1:6443; `ekslab kubeconfig` prints this path.
readonly LAB_KUBECONFIG=$LAB_REPO_ROOT/.ekslab/kubeconfig
# EKS's own kube-system objects, applied by lab-up.sh once the nodes are Ready.
# shellcheck disable=SC2034
readonly LAB_ADDONS_DIR=$LAB_REPO_ROOT/infra/lab/addons
# Where the apiservers keep the lab PKI (the shared `pki` volume); used by lab-up.sh.
# shellcheck disable=SC2034
readonly LAB_PKI_DIR=/var/lib/ekslab/pki

lab_log() { printf '[%s] %s\n' "${LAB_LOG_TAG:-lab}" "$*" >&2; }

lab_compose() { bash "$LAB_SCRIPT_DIR/compose.sh" "$@"; }

# Services declared in the compose file, one per line.
lab_services() { lab_compose config --services; }

# Prints "service|az|component|container|status|health|exitcode|ports" for every lab container,
# sorted by component then AZ. ports are the configured host bindings, so they show when stopped.
lab_containers() {
  local ids
  ids=$(docker ps -aq --filter "label=$LAB_LABEL")
  [[ -n $ids ]] || return 0
  # shellcheck disable=SC2086 # ids are whitespace-separated on purpose
  docker inspect --format \
    '{{index .Config.Labels "com.docker.compose.service"}}|{{index .Config.Labels "ekslab.az"}}|{{index .Config.Labels "ekslab.component"}}|{{slice .Name 1}}|{{.State.Status}}|{{if .State.Health}}{{.State.Health.Status}}{{end}}|{{.State.ExitCode}}|{{range $p, $b := .HostConfig.PortBindings}}{{range $b}}{{.HostIp}}:{{.HostPort}}->{{$p}} {{end}}{{end}}' \
    $ids | sort -t'|' -k3,3 -k2,2
}

# Human-readable state: "running (healthy)", "exited (137)"; a one-shot job (component init) that
# exited 0 is "completed".
lab_state_text() {
  local status=$1 health=$2 code=$3 component=${4:-}
  if [[ $component == init && $status == exited && $code == 0 ]]; then
    echo completed
    return 0
  fi
  case $status in
    running) echo "running${health:+ ($health)}" ;;
    exited | dead) echo "$status ($code)" ;;
    *) echo "$status" ;;
  esac
}

lab_print_table() {
  local rows
  rows=$(lab_containers)
  if [[ -z $rows ]]; then
    echo "no ekslab lab containers exist (start them with infra/scripts/lab-up.sh)"
    return 0
  fi
  {
    echo "SERVICE|AZ|CONTAINER|STATE|HOST ENDPOINTS"
    local service az component container status health code ports
    while IFS='|' read -r service az component container status health code ports; do
      ports=${ports%% }
      ports=${ports//\/tcp/}
      echo "$service|$az|$container|$(lab_state_text "$status" "$health" "$code" "$component")|${ports// /, }"
    done <<<"$rows"
  } | lab_align
}

# Aligns '|'-separated columns (awk, because `column` is not on every minimal host).
lab_align() {
  awk -F'|' '
    { for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } nf[NR] = NF }
    END {
      for (r = 1; r <= NR; r++) {
        line = ""
        for (i = 1; i <= nf[r]; i++) line = line (i < nf[r] ? sprintf("%-" w[i] + 2 "s", cell[r, i]) : cell[r, i])
        print line
      }
    }'
}

# First running container of a component (etcd|nats|apiserver|cloud|nlb), or nothing.
lab_running_container() {
  docker ps -q --filter "label=$LAB_LABEL" --filter "label=ekslab.component=$1" --filter status=running | head -n1
}

# Prints where the kubeconfig is and how to use it (or that lab-up.sh has not written one).
lab_print_kubeconfig_hint() {
  if [[ -f $LAB_KUBECONFIG ]]; then
    echo "kubeconfig: $LAB_KUBECONFIG   (API through the load balancer: $(awk '$1 == "server:" { print $2; exit }' "$LAB_KUBECONFIG"))"
    echo "  export KUBECONFIG=$LAB_KUBECONFIG    # or: kubectl --kubeconfig $LAB_KUBECONFIG get ns"
  else
    echo "kubeconfig: not written yet (infra/scripts/lab-up.sh writes $LAB_KUBECONFIG)"
  fi
}
