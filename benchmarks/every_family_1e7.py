"""Every family end to end at 1e7 rows against the bare pyarrow read (issue 21's target:
within 1.3x for every family), in one run, best of 2 interleaved fresh processes.

Usage: python3 benchmarks/every_family_1e7.py DATA_DIR [--families a,b,...] [--against DIR]
[--runs N], with the files of benchmarks/cli_end_to_end.py --data-dir DATA_DIR
(gamma_10000000_1.csv, normal_..., counts_..., nbcounts_...) and bin_1e7.csv (1e7 rows of 0/1).
--families: only these; --against DIR: also time the mlefit in DIR (another checkout, e.g.
`git archive` of a base commit), interleaved with this one in the same rounds; --runs: rounds
(best of, default 2). Prints a markdown table."""
import argparse, os, subprocess, sys, time
ap = argparse.ArgumentParser()
ap.add_argument("data_dir", nargs="?", default=".")
ap.add_argument("--families")
ap.add_argument("--against")
ap.add_argument("--runs", type=int, default=2)
args = ap.parse_args()
D = args.data_dir
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
files = {"gamma": f"{D}/gamma_10000000_1.csv", "normal": f"{D}/normal_10000000_1.csv",
         "counts": f"{D}/counts_10000000_1.csv", "nbcounts": f"{D}/nbcounts_10000000_1.csv", "bin": f"{D}/bin_1e7.csv"}
cases = [("normal", "normal"), ("normal", "logistic"), ("normal", "cauchy"), ("normal", "gumbel"), ("normal", "student_t"),
         ("normal", "laplace"), ("normal", "huber:1.345"), ("normal", "asymmetric_laplace:0.5"),
         ("gamma", "gamma"), ("gamma", "exponential"), ("gamma", "lognormal"), ("gamma", "weibull"), ("gamma", "log_logistic"),
         ("gamma", "inverse_gaussian"), ("gamma", "half_normal"), ("gamma", "rayleigh"), ("gamma", "pareto"), ("gamma", "uniform"),
         ("counts", "poisson"), ("counts", "geometric"), ("counts", "zero_inflated_poisson"), ("nbcounts", "negative_binomial"),
         ("bin", "bernoulli")]
FLOOR = "import sys, pyarrow.csv as c; c.read_csv(sys.argv[1])"

if args.families:
    wanted = args.families.split(",")
    cases = [c for c in cases if c[1] in wanted]


def run(cmd, tree=None):
    env = dict(os.environ, PYTHONPATH=tree) if tree else None
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=tree)
    _, status, ru = os.wait4(p.pid, 0)
    t = time.perf_counter() - t0
    if status != 0:
        return None
    return t, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def best(a, b):
    return b if a is None or (b is not None and b[0] < a[0]) else a


floors = {}
extra = " | against s | against / floor | against CPU / floor CPU" if args.against else ""
print("| family | file | mlefit s | floor s | / floor | CPU / floor CPU | peak MiB" + extra + " |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---:" + (" | ---: | ---: | ---:" if args.against else "") + " |")
for key, fam in cases:
    path = os.path.abspath(files[key])
    mine, other, fbest = None, None, floors.get(key)
    for _ in range(args.runs):
        fbest = best(fbest, run([sys.executable, "-c", FLOOR, path]))
        mine = best(mine, run([sys.executable, "-m", "mlefit", "fit", path, "-d", fam, "--json"], HERE))
        if args.against:
            other = best(other, run([sys.executable, "-m", "mlefit", "fit", path, "-d", fam, "--json"], args.against))
    floors[key] = fbest
    if mine is None:
        print(f"| {fam} | {key} | failed | | | | |"); continue
    row = f"| {fam} | {key} | {mine[0]:.2f} | {fbest[0]:.2f} | {mine[0]/fbest[0]:.2f} | {mine[1]/fbest[1]:.2f} | {mine[2]:.0f}"
    if args.against:
        row += (f" | {other[0]:.2f} | {other[0]/fbest[0]:.2f} | {other[1]/fbest[1]:.2f}" if other else " | failed | | ")
    print(row + " |", flush=True)
