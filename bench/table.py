#!/usr/bin/env python3
"""Turns bench/run.sh's results into a markdown table: one row per measurement, with wall time,
CPU time (user + system) and peak RSS of each tool, and terraform / cairn ratios of both times.

Each results line is: tool, shape, count, step, wall ms, peak KB, status ("done", "timeout" or
"skipped"), CPU ms. Several results files (e.g. a cairn-only run and a Terraform-only run) are
merged; a later file's measurement of the same row replaces an earlier one's. Under load the
CPU ratio is the fairer one: wall time then depends on how many other processes compete."""

import sys

STEPS = ["validate", "apply", "plan (no change)", "plan (1% change)"]


def seconds(ms):
    return "%.3f s" % (ms / 1000.0) if ms < 10000 else "%.1f s" % (ms / 1000.0)


def megabytes(kb):
    return "%d MB" % round(kb / 1024.0)


def ratio(tf_ms, cairn_ms, at_least=False):
    return ("> " if at_least else "") + "%.0fx" % (tf_ms / max(cairn_ms, 1))


def read(paths):
    rows, keys = {}, []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                fields = line.rstrip("\n").split("\t")
                tool, shape, count, step, ms, kb = fields[:6]
                status = fields[6] if len(fields) > 6 else "done"
                cpu = int(fields[7]) if len(fields) > 7 else 0
                key = (int(count), shape, step)
                if key not in rows:
                    rows[key] = {}
                    keys.append(key)
                rows[key][tool] = (int(ms), int(kb), status, cpu)
    keys.sort(key=lambda k: (k[0], k[1], STEPS.index(k[2]) if k[2] in STEPS else len(STEPS)))
    return rows, keys


def cells_for(row):
    count, shape, step, cairn, tf = row
    cells = ["{:,}".format(count), shape, step]
    if cairn:
        cells += [seconds(cairn[0]), seconds(cairn[3]), megabytes(cairn[1])]
    else:
        cells += ["-", "-", "-"]
    if not tf:
        return cells + ["not run", "-", "-", "-", "-"]
    if tf[2] == "skipped":
        return cells + ["not run (apply unfinished)", "-", "-", "-", "-"]
    if tf[2] == "timeout":
        # Stopped: its time and CPU are lower bounds, and so are the ratios.
        cpu_known = tf[3] > 0
        cells += ["> " + seconds(tf[0]) + " (stopped)", "> " + seconds(tf[3]) if cpu_known else "-",
                  "-"]
        if cairn:
            return cells + [ratio(tf[0], cairn[0], True),
                            ratio(tf[3], cairn[3], True) if cpu_known else "-"]
        return cells + ["-", "-"]
    cells += [seconds(tf[0]), seconds(tf[3]), megabytes(tf[1])]
    if cairn:
        return cells + [ratio(tf[0], cairn[0]), ratio(tf[3], cairn[3])]
    return cells + ["-", "-"]


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: table.py RESULTS.tsv...")
    rows, keys = read(sys.argv[1:])
    print("| resources | shape | step | cairn | cairn CPU | cairn RSS | terraform | terraform CPU"
          " | terraform RSS | wall ratio | CPU ratio |")
    print("| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for key in keys:
        row = key + (rows[key].get("cairn"), rows[key].get("terraform"))
        print("| " + " | ".join(cells_for(row)) + " |")


if __name__ == "__main__":
    main()
