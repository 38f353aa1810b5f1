"""Start-up of the command line before and after a change, in instructions: the calls of
cli_startup_ab.py (fresh processes from each source tree), each counted once by valgrind's
callgrind (the instructions the process executed, its threads included, the kernel's work
not). Deterministic where CPU time on a shared machine moves by several percent from run to
run: a difference of 1% is real. Needs valgrind; about 5 s a call (callgrind runs some 50
times slower); a warm-up call per tree writes the bytecode first, PYTHONHASHSEED=0.

    git archive <base commit> mlefit | tar -x -C /tmp/base
    python3 benchmarks/cli_startup_instructions.py --before /tmp/base [--write]
"""
import os
import re
import subprocess
import sys

import _bench as B
from cli_startup_ab import CALLS, IN_PROCESS, SAMPLE, lacks


def instructions(tree, argv):
    """Millions of instructions of `python argv` run from `tree` (callgrind's Collected)."""
    proc = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, *argv],
                          cwd=tree, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": tree, "PYTHONHASHSEED": "0"})
    found = re.search(r"Collected : (\d+)", proc.stderr)
    if proc.returncode != 0 or found is None:
        raise SystemExit(f"{' '.join(argv)} failed in {tree}: {proc.stderr[-400:]}")
    return int(found.group(1)) / 1e6


def main():
    args, trees = B.before_after(__doc__.splitlines()[0], "cli_startup_instructions", repeat=1)
    rows = []
    for label, argv in CALLS:
        argv = ["-c", IN_PROCESS.format(sample=SAMPLE)] if argv == ["-c", None] else argv
        if argv[0] == "-c":  # the in-process rows time a part of a run: counted whole here, like the others
            continue
        if any(lacks(tree, argv) for tree in trees.values()):  # also the warm-up: bytecode written
            print(f"{label}: skipped, not a command of every tree", file=sys.stderr)
            continue
        b, a = (instructions(tree, argv) for tree in trees.values())
        row = [f"`{label}`", f"{b:.1f} M", f"{a:.1f} M", f"{a - b:+.1f} M", f"{a / b:.3f}"]
        print(" | ".join(row), file=sys.stderr, flush=True)
        rows.append(row)
    body = (B.table(["call", "before (instructions)", "after (instructions)", "after - before", "after/before"],
                    rows, "lrrrr")
            + "\n\nOne count per call and tree (callgrind; the count repeats to within 0.5 M); a fresh "
              "`python -m mlefit` process each, as cli_startup_ab.py runs them, its in-process rows left out. "
              "Instructions leave out the kernel's work (page faults, system calls): cli_startup_ab.py's CPU "
              "times include it.")
    B.publish(args, "cli_startup_instructions", "Start-up of the command line before and after a change, in "
              "instructions (issue 15, acceptance: against the tree it was filed on)", body)


if __name__ == "__main__":
    main()
