"""The per-row record (issue 15, point 2) before/after: the paths whose rows now move by
Record.take / Record.drawn / Record.without (weighted fits, trials per row, fit --by
groups, the nonparametric bootstrap of a fit and of a regression), timed in a fresh
python per task and tree, the two trees interleaved round after round, each keeping its
best round. Process CPU time (time.process_time): the machine is shared.

    git archive <base commit> mlefit | tar -x -C /tmp/base
    python3 benchmarks/record_ab.py --before /tmp/base [--rounds 3] [--write]

Columns: best CPU seconds per call before and after, and before/after (above 1: faster).
"""
import argparse
import os
import subprocess
import sys

import _bench as B

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETUP = """
import time, numpy as np, mlefit
rng = np.random.default_rng(0)
def best(f, calls):
    f()
    out = 1e9
    for _ in range(3):
        t = time.process_time()
        for _ in range(calls):
            f()
        out = min(out, (time.process_time() - t) / calls)
    print(out)
"""
TASKS = {
    "gamma_w_1e2": ("fit gamma with weights, 100 rows",
                    "x = rng.gamma(2, 3, 100); w = rng.integers(1, 4, 100) * 1.0\n"
                    "best(lambda: mlefit.fit(x, 'gamma', weights=w), 300)"),
    "binom_tw_1e5": ("fit binomial with trials and weights per row, 1e5 rows",
                     "t = rng.integers(3, 9, 100000) * 1.0; s = rng.binomial(t.astype(int), 0.3) * 1.0\n"
                     "w = rng.integers(1, 4, t.size) * 1.0\n"
                     "best(lambda: mlefit.fit(s, 'binomial', trials=t, weights=w), 10)"),
    "by_1e4_w": ("fit --by: 1e4 groups of 3 rows, normal, weighted (library each_group)",
                 "from mlefit.groups import each_group, grouped\n"
                 "g = np.char.add('k', rng.integers(0, 10000, 30000).astype(str)); x = rng.normal(5, 2, g.size)\n"
                 "w = rng.integers(1, 4, g.size) * 1.0\n"
                 "best(lambda: sum(1 for _ in each_group(x, *grouped(g), 'normal', weights=w)), 1)"),
    "boot_gamma_1e5": ("nonparametric bootstrap of a gamma fit, 1e5 rows, 100 resamples",
                       "x = rng.gamma(2, 3, 100000)\n"
                       "best(lambda: mlefit.fit(x, 'gamma', bootstrap=100, resample='nonparametric', "
                       "interval='bootstrap'), 1)"),
    "boot_gamma_w_1e5": ("the same with fractional weights",
                         "x = rng.gamma(2, 3, 100000); w = rng.uniform(0.5, 2, x.size)\n"
                         "best(lambda: mlefit.fit(x, 'gamma', weights=w, bootstrap=100, resample='nonparametric', "
                         "interval='bootstrap'), 1)"),
    "regress_boot_1e4": ("regress bernoulli, 1e4 rows x 5 covariates, --interval bootstrap (100 resamples)",
                         "X = rng.normal(size=(10000, 5)); p = 1 / (1 + np.exp(-0.3 * X.sum(axis=1)))\n"
                         "cols = {'y': (rng.uniform(size=10000) < p) * 1.0, **{f'x{j}': X[:, j] for j in range(5)}}\n"
                         "best(lambda: mlefit.regress(cols, 'y', [f'x{j}' for j in range(5)], dist='bernoulli', "
                         "interval='bootstrap', bootstrap=100), 1)"),
    "regress_folds_1e4": ("regress bernoulli, 1e4 rows x 5 covariates, weighted, --folds 10",
                          "X = rng.normal(size=(10000, 5)); p = 1 / (1 + np.exp(-0.3 * X.sum(axis=1)))\n"
                          "cols = {'y': (rng.uniform(size=10000) < p) * 1.0, 'w': rng.integers(1, 4, 10000) * 1.0,\n"
                          "        **{f'x{j}': X[:, j] for j in range(5)}}\n"
                          "best(lambda: mlefit.regress(cols, 'y', [f'x{j}' for j in range(5)], dist='bernoulli', "
                          "weights='w', folds=10), 1)"),
}


def run(tree, statement):
    env = dict(os.environ, PYTHONPATH=tree, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    # cwd=tree: python -c puts the working directory first on sys.path, ahead of PYTHONPATH, so
    # from a checkout's root both runs would otherwise import that checkout's mlefit
    out = subprocess.run([sys.executable, "-c", SETUP + statement], env=env, capture_output=True, text=True,
                         timeout=900, check=True, cwd=tree)
    return float(out.stdout.split()[-1])


def compare(tasks, key, title, note, prefix=""):
    """Parse --before/--tasks/--rounds (and the output options), time each of `tasks`
    ({name: (what, statement)}, `prefix` run before each statement) in both trees,
    interleaved round after round, and publish the table under `key`."""
    ap = argparse.ArgumentParser(description=title)
    ap.add_argument("--before", required=True, help="a directory holding the older tree's mlefit/")
    ap.add_argument("--tasks", default=",".join(tasks), help="comma-separated task names")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds (each tree keeps its best)")
    B.add_output_options(ap, key)
    args = ap.parse_args()
    rows = []
    for name in args.tasks.split(","):
        what, statement = tasks[name]
        before = after = float("inf")
        for _ in range(args.rounds):
            before = min(before, run(os.path.abspath(args.before), prefix + statement))
            after = min(after, run(HERE, prefix + statement))
        rows.append([what, B.fmt_s(before), B.fmt_s(after), B.fmt_ratio(before / after)])
        print(" | ".join(rows[-1]), file=sys.stderr, flush=True)  # as it comes: a long run shows its progress
    body = B.table(["task", "before s (CPU)", "after s (CPU)", "before/after"], rows) + "\n\n" + note + (
        " Best of 3 batches per round, best round of --rounds, a fresh python per task, tree and round.")
    B.publish(args, key, title, body)


def main():
    compare(TASKS, "record_ab", "The per-row record (issue 15, point 2): rows taken, drawn and left out in one place",
            "Before: the tree given by --before; after: this checkout.")


if __name__ == "__main__":
    main()
