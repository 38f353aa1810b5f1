"""Every family end to end at 1e7 rows against the bare pyarrow read (issue 21's target:
within 1.3x for every family), in one run, best of 2 interleaved fresh processes.

Usage: python3 benchmarks/every_family_1e7.py DATA_DIR, with the files of
benchmarks/cli_end_to_end.py --data-dir DATA_DIR (gamma_10000000_1.csv, normal_..., counts_...,
nbcounts_...) and bin_1e7.csv (1e7 rows of 0/1). Prints a markdown table."""
import os, resource, subprocess, sys, time
D = sys.argv[1] if len(sys.argv) > 1 else "."
files = {"gamma": f"{D}/gamma_10000000_1.csv", "normal": f"{D}/normal_10000000_1.csv",
         "counts": f"{D}/counts_10000000_1.csv", "nbcounts": f"{D}/nbcounts_10000000_1.csv", "bin": f"{D}/bin_1e7.csv"}
cases = [("normal", "normal"), ("normal", "logistic"), ("normal", "cauchy"), ("normal", "gumbel"), ("normal", "student_t"),
         ("normal", "laplace"), ("normal", "huber:1.345"), ("normal", "asymmetric_laplace:0.5"),
         ("gamma", "gamma"), ("gamma", "exponential"), ("gamma", "lognormal"), ("gamma", "weibull"), ("gamma", "log_logistic"),
         ("gamma", "inverse_gaussian"), ("gamma", "half_normal"), ("gamma", "rayleigh"), ("gamma", "pareto"), ("gamma", "uniform"),
         ("counts", "poisson"), ("counts", "geometric"), ("counts", "zero_inflated_poisson"), ("nbcounts", "negative_binomial"),
         ("bin", "bernoulli")]
FLOOR = "import sys, pyarrow.csv as c; c.read_csv(sys.argv[1])"

def run(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    t = time.perf_counter() - t0
    if status != 0:
        return None
    return t, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024

floors = {}
print("| family | file | mlefit s | floor s | / floor | CPU / floor CPU | peak MiB |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
for key, fam in cases:
    path = files[key]
    best, fbest = None, floors.get(key)
    for _ in range(2):
        f = run([sys.executable, "-c", FLOOR, path])
        r = run([sys.executable, "-m", "mlefit", "fit", path, "-d", fam, "--json"])
        if f and (fbest is None or f[0] < fbest[0]):
            fbest = f
        if r and (best is None or r[0] < best[0]):
            best = r
    floors[key] = fbest
    if best is None:
        print(f"| {fam} | {key} | failed | | | | |"); continue
    print(f"| {fam} | {key} | {best[0]:.2f} | {fbest[0]:.2f} | {best[0]/fbest[0]:.2f} | {best[1]/fbest[1]:.2f} | {best[2]:.0f} |", flush=True)
