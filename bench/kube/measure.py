#!/usr/bin/env python3
"""Runs one benchmark step and prints "wall cpu emulator_cpu" in seconds: the command's wall
time, its user+sys CPU time (children included), and the CPU time the emulator process used
meanwhile, so that time spent in the emulator is seen rather than blamed on the client.

  measure.py --cwd DIR --log FILE --emulator-pid PID -- COMMAND...
"""
import argparse
import os
import resource
import subprocess
import sys
import time


def process_cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cwd", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--emulator-pid", type=int, required=True)
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args()
    command = a.command[1:] if a.command[:1] == ["--"] else a.command
    emu_before = process_cpu(a.emulator_pid)
    start = time.monotonic()
    with open(a.log, "w") as log:
        code = subprocess.call(command, cwd=a.cwd, stdout=log, stderr=subprocess.STDOUT)
    wall = time.monotonic() - start
    emu = process_cpu(a.emulator_pid) - emu_before
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if code != 0:
        sys.exit(code)
    print(f"{wall:.3f} {usage.ru_utime + usage.ru_stime:.3f} {emu:.2f}")


if __name__ == "__main__":
    main()
