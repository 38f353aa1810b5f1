"""Before/after of the per-row records (families.density: logpdf and derivs over 1e6 rows)
and of the generic estimator on them (likelihood.fit_rows, 1e5 rows), in CPU time,
interleaved in one process with an older tree of mlefit imported as a second package
(fit_vs_scipy_ab.old_tree). These are what censored fits, regressions and priors spend
their iterations in; the plain fits' fast paths are fit_vs_scipy_ab.py's.

    git -C . archive b1dba86 mlefit | tar -x -C /tmp/before
    python3 benchmarks/per_row_ab.py --old /tmp/before --families gamma,poisson

Columns: best CPU seconds per call of the old tree and this one, and new/old (below 1:
faster now).
"""
import argparse
import time
import warnings

import _bench as B  # noqa: F401 - sets OPENBLAS_NUM_THREADS=1 before numpy is imported

import numpy as np  # noqa: E402

import mlefit  # noqa: E402
from fit_vs_scipy_ab import old_tree  # noqa: E402

N = 10 ** 6


def cases(rng):
    """{family: (rows, theta)} at ordinary parameters."""
    return {
        "gamma": (rng.gamma(3.0, 0.5, N), (3.0, 2.0)),
        "poisson": (rng.poisson(4.0, N).astype(float), (4.0,)),
        "negative_binomial": (rng.negative_binomial(3.0, 0.5, N).astype(float), (3.0, 3.0)),
        "binomial:20": (rng.binomial(20, 0.3, N).astype(float), (0.3,)),
        "beta_binomial:20": (rng.binomial(20, rng.beta(2.0, 3.0, N)).astype(float), (2.0, 3.0)),
        "cauchy": (rng.standard_cauchy(N), (0.0, 1.0)),
        "student_t": (rng.standard_t(4.0, N), (0.0, 1.0, 4.0)),
        "inverse_gaussian": (rng.wald(1.0, 2.0, N), (1.0, 2.0)),
        "normal": (rng.normal(size=N), (0.0, 1.0)),
    }


def best(fn, rounds):
    out = float("inf")
    for _ in range(rounds):
        t0 = time.process_time()
        fn()
        out = min(out, time.process_time() - t0)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--old", required=True, help="a directory holding the older tree's mlefit/")
    ap.add_argument("--families", default=",".join(cases(np.random.default_rng(0))))
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    old = old_tree(args.old)
    from mlefit.likelihood import fit_rows
    old_fit_rows = __import__("mlefit_old.likelihood", fromlist=["fit_rows"]).fit_rows
    table = cases(np.random.default_rng(0))
    print("| family | what | old s | new s | new/old |")
    print("| --- | --- | ---: | ---: | ---: |")
    for name in args.families.split(","):
        y, theta = table[name]
        new_d, shapes = mlefit.families.density(name)
        old_d, _ = old.families.density(name)
        jobs = [(f"{what} 1e6 rows", lambda d, what=what: getattr(d, what)(y, *theta, *shapes), None)
                for what in ("logpdf", "derivs")]
        jobs.append(("generic fit 1e5 rows", None, y[:100000]))
        for label, fn, rows in jobs:
            t_old = t_new = float("inf")
            for _ in range(args.rounds):  # interleaved: old, new, old, new, ...
                if fn is None:
                    t_old = min(t_old, best(lambda: old_fit_rows(old_d, rows, shapes=shapes), 1))
                    t_new = min(t_new, best(lambda: fit_rows(new_d, rows, shapes=shapes), 1))
                else:
                    t_old = min(t_old, best(lambda: fn(old_d), 1))
                    t_new = min(t_new, best(lambda: fn(new_d), 1))
            print(f"| {name} | {label} | {t_old:.4f} | {t_new:.4f} | {t_new / t_old:.2f} |", flush=True)


if __name__ == "__main__":
    main()
