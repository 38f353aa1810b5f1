"""Every family end to end at 1e7 rows against the bare pyarrow read (issue 21's target:
within 1.3x for every family), in one run, best of 2 interleaved fresh processes
(the least wall time and, separately, the least CPU time of the runs; the largest peak).

Usage: python3 benchmarks/every_family_1e7.py DATA_DIR [--families a,b,...] [--before SRC] [--repeat N]
[--rows N] [--make] (--rows: the files at another size, e.g. 1e6 for a quicker before/after of every
family; --make: write the missing files first, seeded),
with the files of benchmarks/cli_end_to_end.py --data-dir DATA_DIR (gamma_10000000_1.csv, normal_...,
counts_..., nbcounts_...), bin_1e7.csv (1e7 rows of 0/1), and, for the families added later, beta_1e7.csv
(beta(2, 5) draws, 6 decimals), binom_1e7.csv (binomial(20, 0.3) counts) and cat_1e7.csv (labels a-d);
cases whose file is missing are skipped. Prints a markdown table. --families: only these; --repeat N
(alias --runs): best of N (default 2); --before SRC (alias --against): also run mlefit from the source
tree SRC (e.g. `git archive` of an older commit), interleaved with this one, a row "(before)" each.
This checkout's mlefit is the one run (from its own directory: `python -m` puts the working directory
first on sys.path). Both trees' bytecode is written first (_bench.compile_trees), as an install has it."""
import argparse, os, subprocess, sys, time

import _bench as B  # bytecode cached as a user has it

B.keep_user_threads()
ap = argparse.ArgumentParser()
ap.add_argument("data_dir", nargs="?", default=".")
ap.add_argument("--families", default=None)
ap.add_argument("--before", "--against", dest="before", default=None)
ap.add_argument("--repeat", "--runs", dest="repeat", type=int, default=2, help="runs of each, the best kept (default 2)")
ap.add_argument("--rows", type=float, default=1e7, help="the files' rows (default 1e7; other sizes: beta_<rows>.csv, ...)")
ap.add_argument("--make", action="store_true", help="write the files that are missing (seeded draws, as described above)")
args = ap.parse_args()
D = os.path.abspath(args.data_dir)
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N = int(args.rows)
TAG = "1e7" if N == 10 ** 7 else str(N)
files = {"gamma": f"{D}/gamma_{N}_1.csv", "normal": f"{D}/normal_{N}_1.csv",
         "counts": f"{D}/counts_{N}_1.csv", "nbcounts": f"{D}/nbcounts_{N}_1.csv", "bin": f"{D}/bin_{TAG}.csv",
         "beta": f"{D}/beta_{TAG}.csv", "binom": f"{D}/binom_{TAG}.csv", "cat": f"{D}/cat_{TAG}.csv"}
if args.make:
    import numpy as np
    os.makedirs(D, exist_ok=True)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from cli_end_to_end import make_files, write_column
    make_files(D, [N], 1)
    rng = np.random.default_rng([1, N, 3])
    extra = {"bin": lambda: (rng.random(N) < 0.3).astype(int), "beta": lambda: rng.beta(2.0, 5.0, N),
             "binom": lambda: rng.binomial(20, 0.3, N), "cat": lambda: np.array(list("abcd"))[rng.integers(0, 4, N)]}
    for key, draw in extra.items():
        if not os.path.exists(files[key]):
            write_column(files[key], "k" if key in ("bin", "binom") else "x" if key != "cat" else "label", draw(),
                         "{:.6f}" if key == "beta" else "{}")
cases = [("normal", "normal"), ("normal", "logistic"), ("normal", "cauchy"), ("normal", "gumbel"), ("normal", "student_t"),
         ("normal", "laplace"), ("normal", "huber:1.345"), ("normal", "asymmetric_laplace:0.5"),
         ("normal", "normal_mixture:2"),
         ("gamma", "gamma"), ("gamma", "exponential"), ("gamma", "lognormal"), ("gamma", "weibull"), ("gamma", "log_logistic"),
         ("gamma", "inverse_gaussian"), ("gamma", "half_normal"), ("gamma", "rayleigh"), ("gamma", "pareto"), ("gamma", "uniform"),
         ("gamma", "weibull3"), ("gamma", "gamma3"), ("gamma", "lognormal3"), ("beta", "beta"),
         ("counts", "poisson"), ("counts", "geometric"), ("counts", "zero_inflated_poisson"), ("nbcounts", "negative_binomial"),
         ("bin", "bernoulli"), ("binom", "binomial:20"), ("binom", "beta_binomial:20"), ("cat", "categorical")]
if args.families:
    wanted = args.families.split(",")
    cases = [c for c in cases if c[1] in wanted]
cases = [c for c in cases if os.path.exists(files[c[0]])]
trees = [("", HERE)] + ([(" (before)", os.path.abspath(args.before))] if args.before else [])
FLOOR = "import sys, pyarrow.csv as c; c.read_csv(sys.argv[1])"
B.compile_trees(*(tree for _, tree in trees))


def run(cmd, tree=None):
    env = dict(os.environ)
    if tree:
        env["PYTHONPATH"] = tree
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=tree or None)
    _, status, ru = os.wait4(p.pid, 0)
    t = time.perf_counter() - t0
    if status != 0:
        return None
    return t, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def keep(old, new):
    """The least wall time and the least CPU time of the runs (each on its own: under load
    the quickest run is not the one that spent least CPU), and the largest peak."""
    if new is None or old is None:
        return old or new
    return min(old[0], new[0]), min(old[1], new[1]), max(old[2], new[2])


floors = {}
AB = len(trees) > 1  # this tree's row also says its wall and CPU time over the before tree's
print("| family | file | mlefit s | floor s | / floor | CPU s | floor CPU s | CPU / floor CPU | peak MiB |"
      + (" wall / before | CPU / before |" if AB else ""))
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" + (" ---: | ---: |" if AB else ""))
for key, fam in cases:
    path = files[key]
    best, fbest = [None] * len(trees), floors.get(key)
    for _ in range(args.repeat):
        fbest = keep(fbest, run([sys.executable, "-c", FLOOR, path]))
        for i, (_, tree) in enumerate(trees):
            best[i] = keep(best[i], run([sys.executable, "-m", "mlefit", "fit", path, "-d", fam, "--json"], tree))
    floors[key] = fbest
    for i, ((label, _), b) in enumerate(zip(trees, best)):
        if b is None:
            print(f"| {fam}{label} | {key} | failed | | | | | | |" + (" | |" if AB else "")); continue
        ab = ""
        if AB:
            ab = (f" {b[0]/best[1][0]:.3f} | {b[1]/best[1][1]:.3f} |" if i == 0 and best[1] is not None else " | |")
        print(f"| {fam}{label} | {key} | {b[0]:.3f} | {fbest[0]:.3f} | {b[0]/fbest[0]:.2f} | {b[1]:.3f} | {fbest[1]:.3f} | "
              f"{b[1]/fbest[1]:.2f} | {b[2]:.0f} |{ab}", flush=True)
