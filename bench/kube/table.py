#!/usr/bin/env python3
"""Writes bench/kube/run.sh's markdown table from its results file, one "step wall cpu
emulator_cpu" line per measured step and run. With several runs each number is the median,
followed by the range in brackets; ratios are those of the medians.

  table.py --results FILE --objects N --runs N --note TEXT
"""
import argparse
import statistics
import sys

ROWS = [
    ("apply from empty", "cairn-apply", "kubectl-apply"),
    ("no-change plan (kubectl: re-apply)", "cairn-plan", "kubectl-reapply"),
    ("plan after changing 10", "cairn-plan-10", None),
]


def read(path):
    steps = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 4:
                continue
            steps.setdefault(parts[0], []).append([float(x) for x in parts[1:]])
    return steps


def number(values, digits):
    """The median of `values`, and their range when they differ."""
    text = f"{statistics.median(values):.{digits}f}"
    low, high = min(values), max(values)
    if len(values) > 1 and f"{low:.{digits}f}" != f"{high:.{digits}f}":
        text += f" [{low:.{digits}f}-{high:.{digits}f}]"
    return text


def cell(runs):
    if not runs:
        return "-"
    walls, cpus, emus = zip(*runs)
    return f"{number(walls, 3)} / {number(cpus, 2)} s ({number(emus, 2)} s)"


def ratio(ours, theirs, column):
    if not ours or not theirs:
        return "-"
    a = statistics.median(r[column] for r in ours)
    b = statistics.median(r[column] for r in theirs)
    return f"{b / max(a, 0.001):.1f}x"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--results", required=True)
    p.add_argument("--objects", required=True)
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--note", default="")
    a = p.parse_args()
    steps = read(a.results)
    if "cairn-apply" not in steps:
        sys.exit("table.py: no cairn results in " + a.results)
    out = sys.stdout
    what = "median [range] of %d runs" % a.runs if a.runs > 1 else "one run"
    out.write(f"| objects | step | cairn wall / CPU (emulator CPU), {what} | "
              "kubectl --server-side wall / CPU (emulator CPU) | kubectl / cairn wall, CPU |\n")
    out.write("| --- | --- | --- | --- | --- |\n")
    for label, ours, theirs in ROWS:
        mine = steps.get(ours, [])
        other = steps.get(theirs, []) if theirs else []
        out.write(f"| {a.objects} | {label} | {cell(mine)} | {cell(other)} | "
                  f"{ratio(mine, other, 0)}, {ratio(mine, other, 1)} |\n")
    out.write("\n" + a.note + "\n")


if __name__ == "__main__":
    main()
