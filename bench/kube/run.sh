#!/usr/bin/env bash
# Benchmarks the kubernetes provider against `kubectl apply --server-side`, both talking to the
# standalone Kubernetes API emulator (tests/emulators/kube, HTTPS with a bearer token).
#
# Measured (wall time of one run each; the emulator is started fresh):
#   cairn apply (from empty)       1,000 ConfigMaps + 100 Deployments + their Namespace
#   cairn plan (no change)         refresh (one LIST per kind) and diff
#   cairn plan (10 changed)        10 ConfigMaps edited in the blueprint
#   kubectl apply --server-side    the same objects, in another namespace
#   kubectl re-apply (no change)   what a kubectl user runs to converge
# and writes a markdown table (see docs/performance.md).
#
#   bench/kube/run.sh                      # full size, with kubectl
#   bench/kube/run.sh --quick              # 50 ConfigMaps + 5 Deployments, cairn only
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
# The emulator serves 8 connections at once (a thread each while kept alive); more parallel
# clients would queue behind idle keep-alive connections.
parallelism=8
work=""
out=""

usage() {
  cat <<USAGE
usage: bench/kube/run.sh [--quick] [--no-kubectl] [--cairn PATH] [--emulator PATH]
                         [--configmaps N] [--deployments N] [--work DIR] [--out FILE]
USAGE
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) configmaps=50 deployments=5 use_kubectl=0; shift ;;
    --no-kubectl) use_kubectl=0; shift ;;
    --cairn) cairn="$2"; shift 2 ;;
    --emulator) emulator="$2"; shift 2 ;;
    --configmaps) configmaps="$2"; shift 2 ;;
    --deployments) deployments="$2"; shift 2 ;;
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
[[ -n "$work" ]] || work="$(mktemp -d)"
[[ -n "$out" ]] || out="$work/table.md"
rm -rf "$work/cairn"
mkdir -p "$work/cairn"

"$emulator" --tls --token bench-token --kubeconfig "$work/kubeconfig.yaml" >"$work/url" 2>"$work/emulator.log" &
emu_pid=$!
trap 'kill "$emu_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [[ -s "$work/url" ]] && break; sleep 0.05; done
[[ -s "$work/url" ]] || { echo "run.sh: the emulator did not start" >&2; cat "$work/emulator.log" >&2; exit 1; }

gen() {
  python3 "$here/gen.py" --configmaps "$configmaps" --deployments "$deployments" \
    --blueprint "$work/cairn/blueprint.yaml" --manifests "$work/manifests.yaml" "$@"
}

# seconds STEP COMMAND...: runs the command in the cairn folder, prints its wall time.
seconds() {
  local label="$1"; shift
  local start end
  start=$(date +%s.%N)
  if ! (cd "$work/cairn" && "$@") >"$work/$label.log" 2>&1; then
    echo "run.sh: $label failed:" >&2; tail -20 "$work/$label.log" >&2; exit 1
  fi
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.2f}')"
}

gen
t_apply=$(seconds cairn-apply "$cairn" apply --auto-approve --parallelism "$parallelism")
t_plan=$(seconds cairn-plan "$cairn" plan)
grep -q "No changes" "$work/cairn-plan.log" || { echo "run.sh: the plan after apply is not empty" >&2; exit 1; }
gen --changed 10
t_plan10=$(seconds cairn-plan-10 "$cairn" plan)
grep -q "0 to add, 10 to change, 0 to destroy" "$work/cairn-plan-10.log" || {
  echo "run.sh: the plan does not change exactly 10 objects" >&2; tail -3 "$work/cairn-plan-10.log" >&2; exit 1; }

k_apply="-" k_reapply="-"
if [[ $use_kubectl == 1 ]]; then
  gen
  kube=(kubectl --kubeconfig "$work/kubeconfig.yaml")
  k_apply=$(seconds kubectl-apply "${kube[@]}" apply --server-side -f "$work/manifests.yaml")
  k_reapply=$(seconds kubectl-reapply "${kube[@]}" apply --server-side -f "$work/manifests.yaml")
fi

ratio() { [[ "$2" == "-" ]] && { echo "-"; return; }; python3 -c "print(f'{$2 / max($1, 0.01):.1f}x')"; }
total=$((configmaps + deployments + 1))
{
  echo "| objects | step | cairn | kubectl --server-side | kubectl / cairn |"
  echo "| --- | --- | --- | --- | --- |"
  echo "| $total | apply from empty | $t_apply s | $k_apply s | $(ratio "$t_apply" "$k_apply") |"
  echo "| $total | no-change plan (kubectl: re-apply) | $t_plan s | $k_reapply s | $(ratio "$t_plan" "$k_reapply") |"
  echo "| $total | plan after changing 10 | $t_plan10 s | - | - |"
} >"$out"
cat "$out"
