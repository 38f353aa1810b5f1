"""Start-up of the command line before and after a change: the CPU seconds of `mlefit
--help`, `mlefit fit --help`, a small fit and a small regression (the same files from
both trees) and of `import mlefit.cli` alone (click already loaded),
each a fresh process from each source tree in turn (interleaved), median of --repeat.
CPU time (user + system of the child) rather than wall time: the machine is shared.
Bytecode is cached as for an installed tool (_bench removes PYTHONDONTWRITEBYTECODE);
one warm-up call per tree writes it first.

    git archive <base commit> mlefit | tar -x -C /tmp/base
    python3 benchmarks/cli_startup_ab.py --before /tmp/base [--repeat 21] [--write]
"""
import os
import resource
import statistics
import subprocess
import sys

import _bench as B

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMPORT = ("import time, click; t = time.process_time(); import mlefit.cli; "
          "print(time.process_time() - t)")
SAMPLE = os.path.join(HERE, "sample_data", "horsekicks.csv")
CALLS = [("mlefit --help", ["-m", "mlefit", "--help"]),
         ("mlefit fit --help", ["-m", "mlefit", "fit", "--help"]),
         ("mlefit fit sample_data/horsekicks.csv -d poisson", ["-m", "mlefit", "fit", SAMPLE, "-d", "poisson"]),
         ("mlefit regress sample_data/infert.csv -y case -x spontaneous,induced -d bernoulli",
          ["-m", "mlefit", "regress", os.path.join(HERE, "sample_data", "infert.csv"), "-y", "case", "-x",
           "spontaneous,induced", "-d", "bernoulli"]),
         ("import mlefit.cli (click loaded)", ["-c", IMPORT])]


def cpu(tree, argv):
    """The child's CPU seconds (for the import: as the child measured it)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, *argv], cwd=tree, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": tree})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed in {tree}: {proc.stderr[-400:]}")
    if argv[0] == "-c":
        return float(proc.stdout)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main():
    args, trees = B.before_after(__doc__.splitlines()[0], "cli_startup_ab", repeat=21)
    rows = []
    for label, argv in CALLS:
        times = {k: [] for k in trees}
        for k, tree in trees.items():
            cpu(tree, argv)  # warm-up: the bytecode written
        for _ in range(args.repeat):
            for k, tree in trees.items():
                times[k].append(cpu(tree, argv))
        b, a = (statistics.median(times[k]) for k in trees)
        row = [f"`{label}`", f"{b * 1000:.1f} ms", f"{a * 1000:.1f} ms", f"{(a - b) * 1000:+.1f} ms", f"{a / b:.2f}"]
        print(" | ".join(row), file=sys.stderr, flush=True)
        rows.append(row)
    body = (B.table(["call", "before (CPU)", "after (CPU)", "after - before", "after/before"], rows, "lrrrr")
            + f"\n\nMedian of {args.repeat} fresh processes per tree, interleaved, CPU seconds (user + system).")
    B.publish(args, "cli_startup_ab", "Start-up of the command line before and after a change (issue 15, "
              "point 5: the package mlefit/cli/)", body)


if __name__ == "__main__":
    main()
