"""Start-up of the command line before and after a change: the CPU seconds of `mlefit
--help`, `mlefit fit --help`, a small fit and a small regression (the same files from
both trees), the small fit in-process (the CPU seconds from `import mlefit.cli` to the
end: the interpreter's start and pyarrow's threads at exit left out) and of `import
mlefit.cli` alone (click already loaded),
each a fresh process from each source tree in turn (interleaved, the order swapped at each
round), the least of --repeat.
CPU time (user + system of the child) rather than wall time: the machine is shared.
Bytecode is cached as for an installed tool (_bench removes PYTHONDONTWRITEBYTECODE);
one warm-up call per tree writes it first.

    git archive <base commit> mlefit | tar -x -C /tmp/base
    python3 benchmarks/cli_startup_ab.py --before /tmp/base [--repeat 21] [--write]
"""
import os
import resource
import subprocess
import sys

import _bench as B

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMPORT = ("import time, click; t = time.process_time(); import mlefit.cli; "
          "print(time.process_time() - t)")
SAMPLE = os.path.join(HERE, "sample_data", "horsekicks.csv")
IN_PROCESS = ("import sys, time, io, contextlib; t = time.process_time()\n"
              "sys.argv = ['mlefit', 'fit', {sample!r}, '-d', 'poisson']\n"
              "from mlefit.cli import cli\n"
              "with contextlib.redirect_stdout(io.StringIO()):\n"
              "    try:\n        cli()\n    except SystemExit:\n        pass\n"
              "print(time.process_time() - t)")
CALLS = [("mlefit --help", ["-m", "mlefit", "--help"]),
         ("mlefit fit --help", ["-m", "mlefit", "fit", "--help"]),
         ("mlefit fit sample_data/horsekicks.csv -d poisson", ["-m", "mlefit", "fit", SAMPLE, "-d", "poisson"]),
         ("mlefit fit sample_data/michelson.csv -c speed -d gamma --json",
          ["-m", "mlefit", "fit", os.path.join(HERE, "sample_data", "michelson.csv"), "-c", "speed", "-d", "gamma",
           "--json"]),
         ("mlefit regress sample_data/infert.csv -y case -x spontaneous,induced -d bernoulli",
          ["-m", "mlefit", "regress", os.path.join(HERE, "sample_data", "infert.csv"), "-y", "case", "-x",
           "spontaneous,induced", "-d", "bernoulli"]),
         ("the same fit in-process, from import mlefit.cli to its end", ["-c", None]),
         ("import mlefit.cli (click loaded)", ["-c", IMPORT])]


def run(tree, argv):
    """The finished child of `argv` run from `tree`, and its CPU seconds (user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, *argv], cwd=tree, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": tree})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return proc, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def lacks(tree, argv):
    """Whether `tree` has no such command (a tree from before it was added: click's usage
    error, exit 2); the warm-up call, writing the bytecode, at the same time."""
    proc, _ = run(tree, argv)
    return proc.returncode == 2 and "No such command" in proc.stderr


def cpu(tree, argv):
    """The child's CPU seconds (for the import: as the child measured it)."""
    proc, seconds = run(tree, argv)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed in {tree}: {proc.stderr[-400:]}")
    if argv[0] == "-c":
        return float(proc.stdout)
    return seconds


def main():
    args, trees = B.before_after(__doc__.splitlines()[0], "cli_startup_ab", repeat=21)
    rows = []
    for label, argv in CALLS:
        argv = ["-c", IN_PROCESS.format(sample=SAMPLE)] if argv == ["-c", None] else argv
        times = {k: [] for k in trees}
        missing = [k for k, tree in trees.items() if lacks(tree, argv)]  # also the warm-up: bytecode written
        if missing:
            print(f"{label}: skipped, not a command of the {' and '.join(missing)} tree", file=sys.stderr)
            continue
        for rep in range(args.repeat):
            order = list(trees.items())
            for k, tree in order if rep % 2 == 0 else order[::-1]:  # neither tree always runs first
                times[k].append(cpu(tree, argv))
        b, a = (min(times[k]) for k in trees)
        row = [f"`{label}`", f"{b * 1000:.1f} ms", f"{a * 1000:.1f} ms", f"{(a - b) * 1000:+.1f} ms", f"{a / b:.2f}"]
        print(" | ".join(row), file=sys.stderr, flush=True)
        rows.append(row)
    body = (B.table(["call", "before (CPU)", "after (CPU)", "after - before", "after/before"], rows, "lrrrr")
            + f"\n\nLeast of {args.repeat} fresh processes per tree (the least disturbed by the other work "
              "on the machine), interleaved, CPU seconds (user + system); a row whose command the before "
              "tree lacks is left out. Before: the tree issue 15 was filed on (a2e63f7); after: this "
              "checkout. What start-up paid for, found by instruction counts (valgrind --tool=callgrind, "
              "deterministic where CPU time on this shared machine moves by several percent) and page "
              "faults (perf stat): frozen dataclasses defined at import (1-3 ms each: the catalog's Spec of "
              "27 fields, every family's per-row Density of 25; now typing.NamedTuple), the families' "
              "specs read and checksummed at every start (now their files' stamps), every command's module "
              "imported for `mlefit --help` (now their summaries), and ten wrappers around fit's body that "
              "put its busiest calls on a boundary of Python 3.11's frame stack (some 1,850 page faults "
              "more per fresh run, which the in-process row, a few frames shallower, never paid).")
    B.publish(args, "cli_startup_ab", "Start-up of the command line before and after a change (issue 15, "
              "acceptance: against the tree it was filed on)", body)


if __name__ == "__main__":
    main()
