"""Inference speed before and after a change (issue 19 point 12, issue 21 points 4-6):
goodness of fit in `select` and `--gof`, the nonparametric bootstrap, weibull profile
intervals, profile intervals and derived quantities on small samples. Each task runs in
a fresh python with PYTHONPATH set to each source tree in turn (the same seeded data), so
the two columns are from one run on the same machine; the ratio is before/after.

    git archive <base commit> mlefit | tar -x -C /tmp/base
    python3 benchmarks/inference_speed.py --before /tmp/base [--tasks select_1e5,...] [--timeout 600] [--write]

A task that passes --timeout is shown as '> timeout'. Timings are wall seconds of one
call (these tasks take seconds; the machine's noise is the ±20-30% RESULTS.md states).
"""
import argparse
import os
import subprocess
import sys

import _bench as B

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETUP = """
import time, numpy as np, scipy.stats, scipy.optimize, mlefit
from mlefit import families
def gamma(n): return np.random.default_rng(20261206).gamma(2.5, 2.0, n)
def clock(f):
    f_start = time.perf_counter(); f(); return time.perf_counter() - f_start
"""
# name: (description, statement printing the seconds)
TASKS = {
    "select_1e5": ("select, gamma sample of 1e5, all 16 continuous families, default GOF (199)",
                   "x = gamma(100000); print(clock(lambda: mlefit.select(x)))"),
    "select_1e6": ("select, gamma sample of 1e6, all 16 continuous families, default GOF (199)",
                   "x = gamma(1000000); print(clock(lambda: mlefit.select(x)))"),
    "gof_1e6": ("fit -d gamma --gof on 1e6 values (199 samples at most)",
                "from mlefit.inference.gof import goodness_of_fit\n"
                "x = gamma(1000000); r = mlefit.fit(x, 'gamma')\n"
                "th = tuple(p.estimate for p in r.parameters)\n"
                "print(clock(lambda: goodness_of_fit(families.get('gamma'), x, th, 2)))"),
    "gof_student_t_1e5": ("fit -d student_t --gof on 1e5 values (199 samples at most)",
                          "from mlefit.inference.gof import goodness_of_fit\n"
                          "x = gamma(100000); r = mlefit.fit(x, 'student_t')\n"
                          "th = tuple(p.estimate for p in r.parameters)\n"
                          "print(clock(lambda: goodness_of_fit(families.get('student_t'), x, th, 3)))"),
    "nonparametric_1e6": ("nonparametric bootstrap of a gamma fit, 1e6 values, 20 resamples",
                          "from mlefit.inference.resample import bootstrap\n"
                          "f = mlefit.fit(gamma(1000000), 'gamma').fitted\n"
                          "print(clock(lambda: bootstrap(f, 20, 'nonparametric')))"),
    "weibull_profile_1e6": ("weibull profile intervals of shape and scale, 1e6 values (seconds beyond "
                            "the Wald fit)",
                            "from mlefit.inference.profile import profile_interval\n"
                            "x = 3.0 * np.random.default_rng(0).weibull(1.5, 1000000)\n"
                            "f = mlefit.fit(x, 'weibull').fitted\n"
                            "print(clock(lambda: (profile_interval(f, 0), profile_interval(f, 1))))"),
    "profile_derive_100": ("--interval profile --derive mean, gamma, 100 rows (in process, beyond the plain fit)",
                           "x = np.random.default_rng(0).gamma(2.5, 300.0, 100); mlefit.fit(x, 'gamma')\n"
                           "plain = clock(lambda: mlefit.fit(x, 'gamma'))\n"
                           "print(clock(lambda: mlefit.fit(x, 'gamma', interval='profile', derive=['mean'])) - plain)"),
    "all_derive_100": ("--interval all --derive mean,sf:900, gamma, 100 rows (in process, beyond the plain fit)",
                       "x = np.random.default_rng(0).gamma(2.5, 300.0, 100); mlefit.fit(x, 'gamma')\n"
                       "plain = clock(lambda: mlefit.fit(x, 'gamma'))\n"
                       "print(clock(lambda: mlefit.fit(x, 'gamma', interval='all', derive=['mean', 'sf:900'])) - plain)"),
    "cli_profile_derive_100": ("CLI `fit --interval profile --derive mean`, 100 rows, beyond the plain CLI fit "
                               "(start-up, imports of scipy.optimize and scipy.stats included)", None),
}


def run_task(tree, name, timeout):
    env = dict(os.environ, PYTHONPATH=tree)
    if TASKS[name][1] is None:
        return cli_task(tree, env, timeout)
    try:
        p = subprocess.run([sys.executable, "-c", SETUP + TASKS[name][1]], env=env, capture_output=True,
                           text=True, timeout=timeout, cwd=tree)  # python -c puts the cwd first on sys.path
    except subprocess.TimeoutExpired:
        return None, f"> {timeout:g}"
    if p.returncode:
        return None, "error: " + (p.stderr.strip().splitlines() or ["?"])[-1][:80]
    t = float(p.stdout.strip().splitlines()[-1])
    return t, B.fmt_s(t)


def cli_task(tree, env, timeout):
    import tempfile
    import time

    import numpy as np
    path = os.path.join(tempfile.mkdtemp(prefix="infspeed_"), "g100.csv")
    np.savetxt(path, np.random.default_rng(0).gamma(2.5, 300.0, 100), header="x", comments="")

    def once(*extra):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mlefit", "fit", path, "-d", "gamma", *extra], env=env,
                       capture_output=True, timeout=timeout, check=True, cwd=tree)
        return time.perf_counter() - t0
    plain = min(once() for _ in range(2))
    t = min(once("--interval", "profile", "--derive", "mean") for _ in range(2)) - plain
    return t, B.fmt_s(t)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--before", required=True, help="the source tree before the change (holding mlefit/)")
    ap.add_argument("--after", default=HERE, help="the source tree after (default: this checkout)")
    # each python runs in its tree (python -c and -m put the working directory first on sys.path)
    ap.add_argument("--tasks", default=",".join(TASKS))
    ap.add_argument("--timeout", type=float, default=600.0)
    B.add_output_options(ap, "inference_speed")
    args = ap.parse_args()
    rows = []
    for name in args.tasks.split(","):
        before, b_text = run_task(args.before, name, args.timeout)
        after, a_text = run_task(args.after, name, args.timeout)
        ratio = B.fmt_ratio(before / after) if before and after and after > 0 else (
            f"> {args.timeout / after:.0f}" if after and b_text.startswith(">") else "")
        rows.append([TASKS[name][0], b_text, a_text, ratio])
        print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    body = B.table(["task", "before s", "after s", "before/after"], rows, "lrrr")
    body += ("\n\nBefore: the tree given by --before; after: this checkout. One call each, in a fresh "
             "python per task (imports of numpy, scipy.stats and scipy.optimize made before the clock "
             "starts, except in the CLI row).\n")
    B.publish(args, "inference_speed", "Inference speed: goodness of fit, bootstrap, profiles", body)


if __name__ == "__main__":
    main()
