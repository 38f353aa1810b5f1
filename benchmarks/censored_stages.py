"""The CPU time of each stage of a streamed right-censored fit (mlefit.censored.stream.fit_file)
of one file, for this checkout and another (--compare DIR), in interleaved fresh processes:
what a shared machine's load changes least (wall times there move by a third between runs).

    python3 benchmarks/censored_stages.py FILE [--family weibull] [--compare DIR] [--repeat 5]

FILE: a CSV with columns t (times) and e (1 event, 0 right-censored), e.g. right_<n>_1.csv of
censored_end_to_end.py. Stages, each by its own thread's CPU time (time.thread_time: a stage
run by the helper thread is not charged the main thread's work, nor the other way round):
parse (stream.read_lines: only the calling thread's share, pyarrow parses on threads of its
own, counted in total), sums (a run's Kaplan-Meier rows and the family's sums, where the
checkout has stream_censored._sums), tally (kaplan_meier.Tally.add), median
(Tally.median), passes (stream_censored._estimate: the weibull's Newton passes over its
temporary file); total is the process's CPU time over fit_file (both threads), wall its
elapsed time. Best (least) of the rounds for each.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import _bench as B  # noqa: F401  (one BLAS thread; bytecode cached as a user has it)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STAGES = ("parse", "sums", "tally", "median", "passes", "total", "wall")


def child(family, path):
    import functools

    import mlefit.censored.kaplan_meier as km
    import mlefit.io.stream as stream
    import mlefit.censored.stream as sc

    spent = dict.fromkeys(STAGES, 0.0)

    def timed(owner, name, stage):
        if not hasattr(owner, name):
            return
        fn = getattr(owner, name)

        @functools.wraps(fn)
        def run(*a, **k):
            t0 = time.thread_time()
            try:
                return fn(*a, **k)
            finally:
                spent[stage] += time.thread_time() - t0
        setattr(owner, name, run)
    for owner, name, stage in ((stream, "read_lines", "parse"), (sc, "_sums", "sums"), (km.Tally, "add", "tally"),
                               (km.Tally, "median", "median"), (sc, "_estimate", "passes")):
        timed(owner, name, stage)
    t0, w0 = time.process_time(), time.perf_counter()
    sc.fit_file(path, family, column="t", event="e")
    spent["total"], spent["wall"] = time.process_time() - t0, time.perf_counter() - w0
    print(json.dumps(spent))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("--family", default="weibull")
    ap.add_argument("--compare", metavar="DIR", default=None)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args.family, args.file)
    roots = [("this checkout", ROOT)] + ([(args.compare, os.path.abspath(args.compare))] if args.compare else [])
    best = {label: dict.fromkeys(STAGES, float("inf")) for label, _ in roots}
    for _ in range(args.repeat):
        for label, root in roots:
            env = dict(os.environ, PYTHONPATH=root)
            out = subprocess.run([sys.executable, os.path.abspath(__file__), args.file, "--family", args.family,
                                  "--child"], env=env, cwd="/", capture_output=True, text=True, check=True).stdout
            got = json.loads(out.strip().splitlines()[-1])
            for k in STAGES:
                best[label][k] = min(best[label][k], got[k])
    print("| checkout | " + " | ".join(f"{s} s" for s in STAGES) + " |")
    print("| --- |" + " ---: |" * len(STAGES))
    for label, _ in roots:
        print(f"| {label} | " + " | ".join(f"{best[label][s]:.3f}" for s in STAGES) + " |")


if __name__ == "__main__":
    main()
