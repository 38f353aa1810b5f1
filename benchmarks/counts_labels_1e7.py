"""binomial and beta_binomial with --trials 20, categorical, and bernoulli on yes/no labels, at 1e7 rows (issue 21:
within 1.3x of the bare pyarrow read, under 250 MiB): streamed (the default for a file over 16 MB)
against the same fit read whole (--chunk-size 0, the only way before they streamed) and
the floor, interleaved in one run; CPU time (user + system, every thread) and peak RSS of
each fresh process, best of N by CPU time (the machine may be shared: wall time is shown
but not compared).

Usage: python3 benchmarks/counts_labels_1e7.py DATA_DIR [N], with DATA_DIR/binom_1e7.csv
(1e7 counts of 0..20, one column), DATA_DIR/cat_1e7.csv (1e7 of 4 quoted string labels) and,
if present, DATA_DIR/yn_1e7.csv (bernoulli's two text labels, made by
`python3 -c "import numpy as np; a = np.where(np.random.default_rng(1).random(10**7) < 0.3, 'yes', 'no');
open('yn_1e7.csv', 'w').write('ans\\n' + '\\n'.join(a.tolist()) + '\\n')"`).
Prints a markdown table."""
import os
import subprocess
import sys
import time

D = sys.argv[1] if len(sys.argv) > 1 else "."
N = int(sys.argv[2]) if len(sys.argv) > 2 else 3
FLOOR = "import sys, pyarrow.csv as c; c.read_csv(sys.argv[1])"
CASES = [("binom_1e7.csv", ["-d", "binomial", "--trials", "20"]),
         ("binom_1e7.csv", ["-d", "beta_binomial", "--trials", "20"]),
         ("cat_1e7.csv", ["-d", "categorical"]),
         ("yn_1e7.csv", ["-d", "bernoulli"])]


def run(cmd):
    """(wall s, CPU s, peak MiB) of one fresh process, or None if it failed."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    return None if status else (wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024)


def best(runs):
    runs = [r for r in runs if r]
    return min(runs, key=lambda r: r[1]) if runs else None


def main():
    print("| fit | how | CPU s | CPU / floor | peak MiB | wall s |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for name, args in CASES:
        path = os.path.join(D, name)
        if not os.path.exists(path):
            continue
        fit = [sys.executable, "-m", "mlefit", "fit", path, *args, "--json"]
        got = {"floor": [], "streamed": [], "in memory": []}
        for _ in range(N):
            got["floor"].append(run([sys.executable, "-c", FLOOR, path]))
            got["streamed"].append(run(fit))
            got["in memory"].append(run(fit + ["--chunk-size", "0"]))
        floor = best(got["floor"])
        for how, runs in got.items():
            b = best(runs)
            label = " ".join(args)
            if b is None:
                print(f"| {label} | {how} | failed | | | |")
                continue
            print(f"| {label} | {how} | {b[1]:.2f} | {b[1] / floor[1]:.2f} | {b[2]:.0f} | {b[0]:.2f} |", flush=True)


if __name__ == "__main__":
    main()
