"""weibull3, gamma3 and lognormal3 end to end on a 1e7-row one-column CSV (issue 21: within
1.3x of the bare pyarrow read, under 250 MiB), read in chunks (the default for a file
this large) and in memory (--chunk-size 0), against the bare read and, with --compare DIR,
the mlefit of another checkout (before). Every run is a fresh process; the rounds are
interleaved and the best of --repeat kept, by CPU time (user + system: on a shared machine
wall time mostly measures the other users). Prints a markdown table.

Usage: python3 benchmarks/threshold_streams.py FILE [--compare DIR] [--repeat 2]
(FILE: e.g. gamma_10000000_1.csv of benchmarks/cli_end_to_end.py --data-dir)."""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLOOR = "import sys, pyarrow.csv as c; c.read_csv(sys.argv[1])"


def run(cmd, where):
    """(CPU s, wall s, peak MiB) of one fresh process, or None if it failed."""
    import time
    env = dict(os.environ, PYTHONPATH=where)
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=where)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    return None if status else (ru.ru_utime + ru.ru_stime, wall, ru.ru_maxrss / 1024)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--compare", help="another checkout's directory (its mlefit is run too)")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--families", default="lognormal3,gamma3,weibull3,gamma")
    a = ap.parse_args()
    path = os.path.abspath(a.file)
    rows = [("bare pyarrow read", [sys.executable, "-c", FLOOR, path], HERE)]
    for fam in a.families.split(","):
        fit = [sys.executable, "-m", "mlefit", "fit", path, "-d", fam, "--json"]
        if a.compare:
            rows.append((f"{fam}, before ({os.path.basename(a.compare.rstrip('/'))})", fit, a.compare))
        rows.append((f"{fam}, in chunks", fit, HERE))
        rows.append((f"{fam}, in memory (--chunk-size 0)", fit + ["--chunk-size", "0"], HERE))
    best = {}
    for _ in range(a.repeat):
        for label, cmd, where in rows:
            got = run(cmd, where)
            if got and (label not in best or got[0] < best[label][0]):
                best[label] = got
    floor = best[rows[0][0]][0]
    print("| run | CPU s | CPU / read CPU | wall s | peak MiB |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, _, _ in rows:
        if label not in best:
            print(f"| {label} | failed | | | |")
            continue
        cpu, wall, peak = best[label]
        print(f"| {label} | {cpu:.2f} | {cpu / floor:.2f} | {wall:.2f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
