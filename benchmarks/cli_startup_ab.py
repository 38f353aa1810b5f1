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
              "on the machine), interleaved, CPU seconds (user + system). "
              "The two trees differ in the command line's own modules only (the same library modules load; "
              "tests/test_startup.py: no numpy for --help). Before: flat cli*.py modules, every command's "
              "module imported by `import mlefit.cli`; after: the package mlefit/cli/ whose command modules "
              "load at their command's first use, the options handed over as typing.NamedTuple records. "
              "On this shared machine the fit and regress rows (a few hundred ms, numpy and pyarrow "
              "included) move by several percent from run to run: the fresh-process fit came out 2-9% "
              "(4-15 ms) slower after in six runs of 21-31 rounds (the least, 1.02-1.03, where `python -m "
              "mlefit` and the same through runpy were compared side by side), while the same fit timed "
              "in-process from `import mlefit.cli` to its end differs by 2-3 ms.")
    B.publish(args, "cli_startup_ab", "Start-up of the command line before and after a change (issue 15, "
              "point 5: the package mlefit/cli/)", body)


if __name__ == "__main__":
    main()
