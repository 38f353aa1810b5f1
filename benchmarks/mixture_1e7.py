"""normal_mixture:2 end to end on large single-column files (issue 21), against the bare
pyarrow read: this checkout read in chunks (the default for files over 16 MB) and read
whole (--chunk-size 0), and optionally an earlier checkout (--before DIR, a directory
holding its mlefit package, e.g. `git archive COMMIT mlefit | tar -x -C DIR`). Every
command runs in a fresh process, interleaved, best of `--repeat` by wall time; CPU time
(user + sys) and peak resident memory come from wait4. Prints a markdown table.

Usage: python3 benchmarks/mixture_1e7.py [--before DIR] [--repeat 2] FILE..."""
import argparse
import os
import subprocess
import sys
import time

import _bench as B  # bytecode cached as a user has it

B.keep_user_threads()
FLOOR = "import sys, pyarrow.csv as c; c.read_csv(sys.argv[1])"
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd, path=None):
    """(wall, CPU, peak MiB) of cmd run in `path` (its mlefit first on the path), or None."""
    env = dict(os.environ, PYTHONPATH=path or HERE)
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=path or HERE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    return None if status != 0 else (wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--before")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--family", default="normal_mixture:2")
    a = ap.parse_args()
    B.compile_trees(HERE, *([a.before] if a.before else []))
    fit = [sys.executable, "-m", "mlefit", "fit"]
    print("| file | run | wall s | CPU s | CPU / floor CPU | peak MiB |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for f in a.files:
        runs = {"bare pyarrow read": ([sys.executable, "-c", FLOOR, f], None),
                "chunks (default)": (fit + [f, "-d", a.family, "--json"], None),
                "in memory (--chunk-size 0)": (fit + [f, "-d", a.family, "--json", "--chunk-size", "0"], None)}
        if a.before:
            runs["before (in memory)"] = (fit + [f, "-d", a.family, "--json"], a.before)
        best = {}
        for _ in range(a.repeat):
            for name, (cmd, path) in runs.items():
                got = run(cmd, path)
                if got and (name not in best or got[0] < best[name][0]):
                    best[name] = got
        floor = best.get("bare pyarrow read")
        for name in runs:
            if name not in best:
                print(f"| {os.path.basename(f)} | {name} | failed | | | |")
                continue
            wall, cpu, peak = best[name]
            ratio = f"{cpu / floor[1]:.2f}" if floor else ""
            print(f"| {os.path.basename(f)} | {name} | {wall:.2f} | {cpu:.2f} | {ratio} | {peak:.0f} |", flush=True)


if __name__ == "__main__":
    main()
