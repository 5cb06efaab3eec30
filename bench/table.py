#!/usr/bin/env python3
"""Turns bench/run.sh's results (tool, shape, count, step, milliseconds, peak KB per line) into
a markdown table with one row per measurement and terraform time / cairn time as the ratio."""

import sys

STEPS = ["validate", "apply", "plan (no change)", "plan (1% change)"]


def seconds(ms):
    return "%.3f s" % (ms / 1000.0) if ms < 10000 else "%.1f s" % (ms / 1000.0)


def megabytes(kb):
    return "%d MB" % round(kb / 1024.0)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: table.py RESULTS.tsv")
    rows = {}
    keys = []
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            tool, shape, count, step, ms, kb = line.rstrip("\n").split("\t")
            key = (int(count), shape, step)
            if key not in rows:
                rows[key] = {}
                keys.append(key)
            rows[key][tool] = (int(ms), int(kb))
    keys.sort(key=lambda k: (k[0], k[1], STEPS.index(k[2]) if k[2] in STEPS else len(STEPS)))
    print("| resources | shape | step | cairn | cairn RSS | terraform | terraform RSS"
          " | terraform / cairn |")
    print("| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for key in keys:
        count, shape, step = key
        cairn = rows[key].get("cairn")
        tf = rows[key].get("terraform")
        cells = ["{:,}".format(count), shape, step]
        cells += [seconds(cairn[0]), megabytes(cairn[1])] if cairn else ["-", "-"]
        cells += [seconds(tf[0]), megabytes(tf[1])] if tf else ["not run", "-"]
        if cairn and tf:
            cells.append("%.0fx" % (tf[0] / max(cairn[0], 1)))
        else:
            cells.append("-")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
