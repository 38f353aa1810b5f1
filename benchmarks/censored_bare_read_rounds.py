"""Right-censored streamed fits of one file (exponential, weibull) against a bare read of
its two columns, as fresh processes in interleaved rounds: each round runs the bare read,
then each source tree's two fits; the medians of wall and CPU time (the children's user +
system time), and each as a ratio to the bare read's. Issue 17's target: a censored fit
of a 1e7-row file within 1.5x of the bare read. The fits' --json outputs are compared
across trees (a speed change changes no number, or only its last digits: where they
differ, how many numbers and by how much at most).

    git archive <base commit> mlefit | tar -x -C /tmp/base && (cd /tmp/base && python3 -m compileall -q mlefit)
    python3 -m compileall -q mlefit
    python3 benchmarks/censored_bare_read_rounds.py --rounds 9 /tmp/base .
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

BARE = ("import sys, pyarrow.csv as c; "
        "c.read_csv(sys.argv[1], convert_options=c.ConvertOptions(include_columns=['t', 'e']))")


def timed(argv, tree=None):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    if tree:
        env["PYTHONPATH"] = os.path.abspath(tree)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=tree or None, env=env, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.decode()[-400:]}")
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, proc.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trees", nargs="+", help="source trees holding mlefit/ (each on PYTHONPATH in turn)")
    ap.add_argument("--file", default="/tmp/cs/bench/right_10000000_1.csv", help="columns t (time), e (event)")
    ap.add_argument("--rounds", type=int, default=9)
    args = ap.parse_args()
    times, outputs = {}, {}
    for _ in range(args.rounds):
        jobs = [("bare read", [sys.executable, "-c", BARE, args.file], None)]
        jobs += [(f"{family} [{tree}]", [sys.executable, "-m", "mlefit", "fit", args.file, "-c", "t", "--event", "e",
                                         "-d", family, "--json"], tree)
                 for tree in args.trees for family in ("exponential", "weibull")]
        for label, argv, tree in jobs:
            wall, cpu, out = timed(argv, tree)
            times.setdefault(label, []).append((wall, cpu))
            if tree:
                outputs.setdefault(label.split()[0], set()).add(out)
    bare_wall = statistics.median(w for w, _ in times["bare read"])
    bare_cpu = statistics.median(c for _, c in times["bare read"])
    print(f"| run | wall s | / bare read | CPU s | / bare read CPU |\n| --- | ---: | ---: | ---: | ---: |")
    for label, got in times.items():
        wall, cpu = statistics.median(w for w, _ in got), statistics.median(c for _, c in got)
        print(f"| {label} | {wall:.3f} | {wall / bare_wall:.2f} | {cpu:.3f} | {cpu / bare_cpu:.2f} |")
    print(f"\nmedians of {args.rounds} interleaved rounds; the same --json output in every tree: "
          f"{all(len(v) == 1 for v in outputs.values())}")
    for family, outs in outputs.items():
        if len(outs) > 1:
            print(f"{family}: {differences([json.loads(o) for o in outs])}")


def differences(dicts):
    """Where the --json outputs differ: how many fields, the largest relative difference of
    a number and its field, and the other fields that differ (by name)."""
    found, other = [], set()

    def walk(a, b, path):
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b)):
                walk(a.get(key), b.get(key), f"{path}.{key}" if path else key)
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b)):
                walk(x, y, f"{path}[{i}]")
        elif isinstance(a, float) and isinstance(b, float):
            if a != b:
                found.append((abs(a - b) / max(abs(a), abs(b)), path))
        elif a != b:
            other.add(path)
    for d in dicts[1:]:
        walk(dicts[0], d, "")
    worst = max(found) if found else (0.0, "-")
    return (f"{len(found)} numbers differ, at most {worst[0]:.1e} relative ({worst[1]}); "
            f"other fields that differ: {sorted(other) or 'none'}")


if __name__ == "__main__":
    main()
