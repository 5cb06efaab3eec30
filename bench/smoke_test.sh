#!/usr/bin/env bash
# Runs bench/run.sh in quick mode (100 resources, cairn only) and checks the table it writes.
#   smoke_test.sh CAIRN_BINARY WORK_DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cairn="$1" work="$2"
rm -rf "$work"
mkdir -p "$work"
bash "$here/run.sh" --quick --cairn "$cairn" --work "$work" --out "$work/table.md" >/dev/null

fail() { echo "smoke_test: $*" >&2; cat "$work/table.md" >&2; exit 1; }
grep -q '^| resources | shape | step | cairn | cairn CPU | cairn RSS |' "$work/table.md" || fail "no table header"
for shape in flat layered; do
  for step in 'validate' 'apply' 'plan (no change)' 'plan (1% change)'; do
    row="| 100 | $shape | $step | "
    grep -qF "$row" "$work/table.md" || fail "no row '$row'"
  done
done
rows=$(grep -c '^| 100 |' "$work/table.md")
[[ $rows == 8 ]] || fail "expected 8 rows, found $rows"
# Every measured time is a number of seconds.
if grep '^| 100 |' "$work/table.md" | grep -vqE '^\| 100 \| [a-z]+ \| [^|]+ \| [0-9]+\.[0-9]+ s \| [0-9]+\.[0-9]+ s \| [0-9]+ MB \|'; then
  fail "a row without a wall time, a CPU time and a peak RSS"
fi
echo "smoke_test: the table has all 8 rows"
