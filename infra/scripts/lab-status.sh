#!/usr/bin/env bash
# Print the lab's summary table: service, AZ, container, state, host endpoints.
#
# Usage: infra/scripts/lab-status.sh
#
# Lists every container labelled ekslab.lab=ekslab, running or not (a killed member shows as
# "exited (137)"), then where the kubeconfig is. Exits 0 even when the lab is down; the table says so.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/lab.sh
source "$SCRIPT_DIR/lib/lab.sh"

lab_print_table
echo
lab_print_kubeconfig_hint
