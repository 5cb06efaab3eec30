#!/usr/bin/env bash
# Benchmarks the kubernetes provider against `kubectl apply --server-side`, both talking to the
# standalone Kubernetes API emulator (tests/emulators/kube, HTTPS with a bearer token).
#
# Measured (one run each, the emulator started fresh): wall time and user+sys CPU time of each
# command, and the emulator's CPU time meanwhile (so that a slow emulator is seen, not blamed on
# the client):
#   cairn apply (from empty)       1,000 ConfigMaps + 100 Deployments + their Namespace
#   cairn plan (no change)         refresh (one LIST per kind) and diff
#   cairn plan (10 changed)        10 ConfigMaps edited in the blueprint
#   kubectl apply --server-side    the same objects, in another namespace
#   kubectl re-apply (no change)   what a kubectl user runs to converge
# and writes a markdown table (see docs/performance.md). With --repeat N the whole sequence runs N
# times, each against a fresh emulator, and the table gives each number's median and range.
#
#   bench/kube/run.sh                      # full size, with kubectl
#   bench/kube/run.sh --quick              # 50 ConfigMaps + 5 Deployments, cairn only
#   bench/kube/run.sh --no-compression     # the kubeconfig says disable-compression: true, so
#                                          # both clients get LISTs uncompressed (as on a LAN)
#   bench/kube/run.sh --repeat 5           # medians and ranges of five runs
#   bench/kube/run.sh --write-latency-ms 2 # the emulator answers each write 2 ms after applying
#                                          # it, as an API server's storage commit takes
#
# Needs bash, python3, the cairn and kube-emulator binaries (default: build/), kubectl on PATH
# for the comparison.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$(dirname "$here")")"
cairn="$root/build/cairn"
emulator="$root/build/tests/kube-emulator"
configmaps=1000
deployments=100
use_kubectl=1
parallelism=10  # cairn's default
work=""
out=""
compression=1
repeat=1
write_latency_ms=0

usage() {
  cat <<USAGE
usage: bench/kube/run.sh [--quick] [--no-kubectl] [--no-compression] [--cairn PATH] [--emulator PATH]
                         [--configmaps N] [--deployments N] [--parallelism N] [--repeat N]
                         [--write-latency-ms N]
                         [--work DIR] [--out FILE]
USAGE
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) configmaps=50 deployments=5 use_kubectl=0; shift ;;
    --no-kubectl) use_kubectl=0; shift ;;
    --no-compression) compression=0; shift ;;
    --cairn) cairn="$2"; shift 2 ;;
    --emulator) emulator="$2"; shift 2 ;;
    --configmaps) configmaps="$2"; shift 2 ;;
    --deployments) deployments="$2"; shift 2 ;;
    --parallelism) parallelism="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --write-latency-ms) write_latency_ms="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
[[ -x "$cairn" ]] || { echo "run.sh: no cairn binary at $cairn (use --cairn)" >&2; exit 1; }
[[ -x "$emulator" ]] || { echo "run.sh: no kube-emulator at $emulator (use --emulator)" >&2; exit 1; }
if [[ $use_kubectl == 1 ]] && ! command -v kubectl >/dev/null; then
  echo "run.sh: kubectl not found; measuring cairn only" >&2
  use_kubectl=0
fi
[[ "$repeat" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --repeat wants a positive number" >&2; exit 2; }
[[ -n "$work" ]] || work="$(mktemp -d)"
[[ -n "$out" ]] || out="$work/table.md"
mkdir -p "$work"
results="$work/results.txt"  # "step wall cpu emulator_cpu" per measured step, every run
: >"$results"
emu_pid=""
trap '[[ -z "$emu_pid" ]] || kill "$emu_pid" 2>/dev/null || true' EXIT

start_emulator() {
  rm -rf "$work/cairn"
  mkdir -p "$work/cairn"
  : >"$work/url"
  "$emulator" --tls --token bench-token --kubeconfig "$work/kubeconfig.yaml" \
    --write-latency-ms "$write_latency_ms" >"$work/url" 2>"$work/emulator.log" &
  emu_pid=$!
  for _ in $(seq 100); do [[ -s "$work/url" ]] && break; sleep 0.05; done
  [[ -s "$work/url" ]] || { echo "run.sh: the emulator did not start" >&2; cat "$work/emulator.log" >&2; exit 1; }
  if [[ $compression == 0 ]]; then
    # kubectl (>= 1.26) and cairn both read a cluster's disable-compression from the kubeconfig.
    sed -i 's/^    server: /    disable-compression: true\n    server: /' "$work/kubeconfig.yaml"
    grep -q "disable-compression: true" "$work/kubeconfig.yaml" || {
      echo "run.sh: could not set disable-compression in the kubeconfig" >&2; exit 1; }
  fi
}

stop_emulator() {
  kill "$emu_pid" 2>/dev/null || true
  wait "$emu_pid" 2>/dev/null || true
  emu_pid=""
}

gen() {
  python3 "$here/gen.py" --configmaps "$configmaps" --deployments "$deployments" \
    --blueprint "$work/cairn/blueprint.yaml" --manifests "$work/manifests.yaml" "$@"
}

# measure STEP COMMAND...: runs the command in the cairn folder; appends "STEP wall cpu
# emulator_cpu" to $results.
measure() {
  local label="$1"; shift
  local measured
  if ! measured=$(python3 "$here/measure.py" --cwd "$work/cairn" --log "$work/$label.log" \
      --emulator-pid "$emu_pid" -- "$@"); then
    echo "run.sh: $label failed:" >&2; tail -20 "$work/$label.log" >&2; exit 1
  fi
  echo "$label $measured" >>"$results"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for run in $(seq "$repeat"); do
  start_emulator
  gen
  measure cairn-apply "$cairn" apply --auto-approve --parallelism "$parallelism"
  measure cairn-plan "$cairn" plan
  grep -q "No changes" "$work/cairn-plan.log" || { echo "run.sh: the plan after apply is not empty" >&2; exit 1; }
  gen --changed 10
  measure cairn-plan-10 "$cairn" plan
  grep -q "0 to add, 10 to change, 0 to destroy" "$work/cairn-plan-10.log" || {
    echo "run.sh: the plan does not change exactly 10 objects" >&2; tail -3 "$work/cairn-plan-10.log" >&2; exit 1; }

  if [[ $use_kubectl == 1 ]]; then
    gen
    kube=(kubectl --kubeconfig "$work/kubeconfig.yaml")
    measure kubectl-apply "${kube[@]}" apply --server-side -f "$work/manifests.yaml"
    measure kubectl-reapply "${kube[@]}" apply --server-side -f "$work/manifests.yaml"
  fi
  stop_emulator
  [[ $repeat == 1 ]] || echo "run.sh: run $run of $repeat done" >&2
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

total=$((configmaps + deployments + 1))
note="cairn --parallelism $parallelism; LIST responses $([[ $compression == 1 ]] && echo "gzipped from 128 KiB (kube-apiserver's default)" || echo "uncompressed (kubeconfig disable-compression: true, both clients)"); load average (1, 5, 15 min) before: $load_before, after: $load_after"
[[ $write_latency_ms == 0 ]] || note="$note; every write answered $write_latency_ms ms after it is applied (--write-latency-ms)"
python3 "$here/table.py" --results "$results" --objects "$total" --runs "$repeat" --note "$note" >"$out"
cat "$out"
