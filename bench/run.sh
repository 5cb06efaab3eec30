#!/usr/bin/env bash
# Benchmarks cairn against Terraform's built-in terraform_data resource.
#
# For each size and shape it measures, with /usr/bin/time, the wall time and peak memory of:
#   validate         check the configuration (no state, no provider calls)
#   apply            apply from empty state
#   plan (no change) plan again right after the apply (refresh included)
#   plan (1% change) plan with 1% of the inputs changed
# and writes a markdown table, with terraform time / cairn time for every row.
# See docs/performance.md for what the numbers mean.
#
#   bench/run.sh                          # 1,000 and 10,000, both shapes, both tools
#   bench/run.sh --terraform-max 1000     # Terraform only up to 1,000 resources
#   bench/run.sh --quick                  # 100 resources, cairn only (a smoke test)
#   bench/run.sh --sizes 10000 --no-cairn --terraform-timeout 600   # Terraform alone, bounded
#
# Needs bash, python3 and /usr/bin/time (Debian package "time"); Terraform >= 1.4 on PATH for
# the comparison. Nothing is downloaded: terraform_data is built into Terraform.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

sizes="1000,10000"
shapes="flat,layered"
repeat=3
terraform_max=10000
use_terraform=1
use_cairn=1
terraform_timeout=1800
cairn="$root/build/cairn"
work=""
out=""

usage() {
  cat <<EOF
usage: bench/run.sh [options]
  --sizes LIST         resource counts, comma-separated (default $sizes)
  --shapes LIST        flat,layered (default $shapes)
  --repeat N           runs per cairn measurement; the median is reported (default $repeat)
  --no-terraform       measure cairn only
  --terraform-max N    measure Terraform only up to N resources (default $terraform_max)
  --terraform-timeout S  stop a Terraform step after S seconds and report it as "> S s"; the
                       steps after an unfinished apply are not run (default $terraform_timeout)
  --no-cairn           measure Terraform only (to merge with a cairn-only run: table.py A B)
  --quick              100 resources, both shapes, cairn only, one run each
  --cairn PATH         the cairn binary (default build/cairn)
  --work DIR           where configurations and state go (default: a new temporary folder)
  --out FILE           also write the table to FILE
EOF
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --shapes) shapes="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --no-terraform) use_terraform=0; shift ;;
    --terraform-max) terraform_max="$2"; shift 2 ;;
    --terraform-timeout) terraform_timeout="$2"; shift 2 ;;
    --no-cairn) use_cairn=0; shift ;;
    --quick) sizes=100; repeat=1; use_terraform=0; shift ;;
    --cairn) cairn="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown option '$1'" >&2; usage >&2; exit 1 ;;
  esac
done

die() { echo "run.sh: $*" >&2; exit 1; }
[[ $use_cairn == 0 || -x "$cairn" ]] || die "no cairn binary at '$cairn' (build it, or name it with --cairn PATH)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (Debian: apt-get install time)"
command -v python3 >/dev/null || die "python3 is missing"
if [[ $use_terraform == 1 ]] && ! command -v terraform >/dev/null; then
  die "terraform is not on PATH (install it, or pass --no-terraform)"
fi
if [[ $use_cairn == 1 ]]; then cairn="$(cd "$(dirname "$cairn")" && pwd)/$(basename "$cairn")"; fi
if [[ -z "$work" ]]; then
  work="$(mktemp -d "${TMPDIR:-/tmp}/cairn-bench.XXXXXX")"
fi
mkdir -p "$work"
work="$(cd "$work" && pwd)"
results="$work/results.tsv"
: >"$results"

# Terraform: no update checks, no interactive hints, no CLI configuration from $HOME.
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_CLI_CONFIG_FILE="$work/terraformrc"
: >"$work/terraformrc"
export NO_COLOR=1

# run_once LOG EXPECTED_EXIT CMD...: runs CMD in the current folder; sets run_ms (wall), run_cpu_ms
# (user + system) and run_kb (peak RSS). With step_timeout set (seconds), a run still going after
# it is stopped and run_timed_out=1.
run_once() {
  local log="$1" expected="$2"
  shift 2
  local start end rc=0 limit=() usage
  run_timed_out=0
  if [[ -n "${step_timeout:-}" ]]; then limit=(timeout --signal=TERM --kill-after=30 "$step_timeout"); fi
  start=$(date +%s%N)
  # timeout runs under time, so that the usage is Terraform's and a stop reaches it.
  /usr/bin/time -f "%M %U %S" -o "$log.rss" "${limit[@]}" "$@" >"$log" 2>&1 || rc=$?
  end=$(date +%s%N)
  run_ms=$(((end - start) / 1000000))
  usage=$(tail -n 1 "$log.rss" 2>/dev/null | grep -E '^[0-9]+ [0-9.]+ [0-9.]+$' || echo "0 0 0")
  run_kb=${usage%% *}
  run_cpu_ms=$(awk '{ printf "%d", ($2 + $3) * 1000 }' <<<"$usage")
  if [[ ${#limit[@]} -gt 0 && ($rc == 124 || $rc == 137) ]]; then
    run_timed_out=1
    return
  fi
  if [[ $rc != "$expected" ]]; then
    echo "run.sh: '$*' in $(pwd) exited $rc, expected $expected; its output:" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
}

# measure TOOL SHAPE COUNT STEP RUNS SETUP EXPECTED CMD...: runs SETUP then CMD, RUNS times;
# records the median wall time, the median CPU time and the largest peak RSS. A run stopped by
# step_timeout is recorded as "timeout" (its time is the limit) and measure returns 1.
measure() {
  local tool="$1" shape="$2" count="$3" step="$4" runs="$5" setup="$6" expected="$7"
  shift 7
  local times=() cpus=() rss_max=0 i ms cpu mid=$(((runs + 1) / 2))
  for ((i = 0; i < runs; i++)); do
    eval "$setup"
    run_once "$work/last.log" "$expected" "$@"
    if [[ $run_timed_out == 1 ]]; then
      printf '%s\t%s\t%s\t%s\t%s\t%s\ttimeout\t%s\n' "$tool" "$shape" "$count" "$step" \
        "$((step_timeout * 1000))" "$run_kb" "$run_cpu_ms" >>"$results"
      printf '  %-9s %-8s %6s %-17s stopped after %s s\n' "$tool" "$shape" "$count" "$step" \
        "$step_timeout" >&2
      return 1
    fi
    times+=("$run_ms")
    cpus+=("$run_cpu_ms")
    if ((run_kb > rss_max)); then rss_max=$run_kb; fi
  done
  ms=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "${mid}p")
  cpu=$(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "${mid}p")
  printf '%s\t%s\t%s\t%s\t%s\t%s\tdone\t%s\n' "$tool" "$shape" "$count" "$step" "$ms" "$rss_max" \
    "$cpu" >>"$results"
  awk -v t="$tool" -v s="$shape" -v n="$count" -v step="$step" -v ms="$ms" -v kb="$rss_max" \
    -v cpu="$cpu" 'BEGIN { printf "  %-9s %-8s %6s %-17s %8.3f s %7.1f MB  (cpu %.3f s)\n",
      t, s, n, step, ms / 1000, kb / 1024, cpu / 1000 }' >&2
}

bench_cairn() {
  local shape="$1" count="$2" dir="$work/cairn-$shape-$count"
  rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
  python3 "$here/gen.py" --count "$count" --shape "$shape" --format cairn --out blueprint.yaml
  python3 "$here/gen.py" --count "$count" --shape "$shape" --format cairn --changed \
    --out changed.yaml
  local c=("$cairn" --plugin-dir "$here/plugins" --no-color --state-dir "$dir/state")
  measure cairn "$shape" "$count" validate "$repeat" : 0 "${c[@]}" -f blueprint.yaml validate
  measure cairn "$shape" "$count" apply "$repeat" 'rm -rf "$dir/state"' 0 \
    "${c[@]}" -f blueprint.yaml apply --auto-approve
  measure cairn "$shape" "$count" "plan (no change)" "$repeat" : 0 \
    "${c[@]}" -f blueprint.yaml plan --detailed-exitcode
  measure cairn "$shape" "$count" "plan (1% change)" "$repeat" : 2 \
    "${c[@]}" -f changed.yaml plan --detailed-exitcode
  grep -h '^Plan:' "$work/last.log" | sed 's/^/    cairn: /' >&2
}

# not_run TOOL SHAPE COUNT STEP: records a step skipped because an earlier one did not finish.
not_run() {
  printf '%s\t%s\t%s\t%s\t0\t0\tskipped\t0\n' "$1" "$2" "$3" "$4" >>"$results"
}

# Terraform is slow, so each step runs once, and each is stopped after --terraform-timeout.
bench_terraform() {
  local shape="$1" count="$2" dir="$work/terraform-$shape-$count"
  rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
  python3 "$here/gen.py" --count "$count" --shape "$shape" --format terraform --out main.tf
  python3 "$here/gen.py" --count "$count" --shape "$shape" --format terraform --changed \
    --out changed.tf.txt
  terraform init -input=false -no-color >init.log 2>&1 || die "terraform init failed: see $dir/init.log"
  local t=(terraform)
  local step_timeout="$terraform_timeout"
  measure terraform "$shape" "$count" validate 1 : 0 "${t[@]}" validate -no-color || true
  if ! measure terraform "$shape" "$count" apply 1 : 0 \
    "${t[@]}" apply -auto-approve -input=false -no-color; then
    not_run terraform "$shape" "$count" "plan (no change)"
    not_run terraform "$shape" "$count" "plan (1% change)"
    return
  fi
  measure terraform "$shape" "$count" "plan (no change)" 1 : 0 \
    "${t[@]}" plan -input=false -no-color -detailed-exitcode || true
  cp main.tf main.tf.orig && cp changed.tf.txt main.tf
  measure terraform "$shape" "$count" "plan (1% change)" 1 : 2 \
    "${t[@]}" plan -input=false -no-color -detailed-exitcode || true
  grep -h '^Plan:' "$work/last.log" | sed 's/^/    terraform: /' >&2
  cp main.tf.orig main.tf
}

echo "cairn bench: $cairn; work folder $work; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
IFS=, read -r -a size_list <<<"$sizes"
IFS=, read -r -a shape_list <<<"$shapes"
for count in "${size_list[@]}"; do
  for shape in "${shape_list[@]}"; do
    if [[ $use_cairn == 1 ]]; then bench_cairn "$shape" "$count"; fi
    if [[ $use_terraform == 1 && $count -le $terraform_max ]]; then
      bench_terraform "$shape" "$count"
    fi
  done
done

echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
table="$(python3 "$here/table.py" "$results")"
echo "$table"
if [[ -n "$out" ]]; then echo "$table" >"$out"; fi
