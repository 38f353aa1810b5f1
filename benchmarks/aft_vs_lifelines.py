"""Censored regression: mlefit.regress's accelerated failure time models against
lifelines' AFT fitters, as ratios in one run on the same seeded data.

    python3 benchmarks/aft_vs_lifelines.py                     # n = 1e4, 1e5
    python3 benchmarks/aft_vs_lifelines.py --sizes 1e4,1e5,1e6 --write

Data: three covariates (two normal, one 0/1), Weibull (shape 1.5) or lognormal (sdlog
0.8) times with log scale 1 + 0.5 x1 - 0.3 x2 + 0.2 x3, right-censored by an independent
exponential time (about 30-40% censored). Columns: best wall time per call (data in
memory; mlefit's call also gives the intercept-only model, SEs and intervals), the ratio
lifelines / mlefit (above 1: mlefit is faster), and dloglik = mlefit's log-likelihood
minus lifelines' (each as reported; never negative beyond rounding, or mlefit stopped
short). A call predicted to take more than --limit seconds at a size is skipped there.
"""
import sys
import warnings

import _bench as B  # sets OPENBLAS_NUM_THREADS=1 before numpy is imported

import numpy as np  # noqa: E402

import mlefit  # noqa: E402

FAMILIES = {"weibull": "WeibullAFTFitter", "lognormal": "LogNormalAFTFitter"}


def data(family, n, seed):
    rng = np.random.default_rng(seed)
    x = {"x1": rng.normal(size=n), "x2": rng.normal(size=n), "x3": rng.integers(0, 2, n).astype(float)}
    log_scale = 1.0 + 0.5 * x["x1"] - 0.3 * x["x2"] + 0.2 * x["x3"]
    if family == "weibull":
        t = np.exp(log_scale) * rng.weibull(1.5, n)
    else:
        t = np.exp(log_scale + 0.8 * rng.normal(size=n))
    c = rng.exponential(6.0, n)
    return dict(x, t=np.minimum(t, c), e=(t <= c).astype(float))


def run(sizes, args):
    import lifelines
    import pandas as pd

    rows, skip = [], B.Skipper(args.limit)
    for family, fitter in FAMILIES.items():
        for n in sizes:
            d = data(family, n, args.seed)
            df = pd.DataFrame(d)

            def ours():
                return mlefit.regress(d, "t", ["x1", "x2", "x3"], dist=family, censoring={"event": "e"})

            def theirs():
                return getattr(lifelines, fitter)().fit(df, "t", "e")

            t_ml, runs_ml, res = B.measure(ours, args.repeat, args.budget)
            why = skip.reason(family, n)
            if why:
                rows.append([family, B.fmt_n(n), B.fmt_s(t_ml), why, "", ""])
            else:
                t, runs, out = B.measure(theirs, args.repeat, args.budget)
                skip.record(family, n, t)
                rows.append([family, B.fmt_n(n), B.timed(t_ml, runs_ml),
                             B.timed(t, runs), B.fmt_ratio(t / t_ml),
                             f"{res.loglik - out.log_likelihood_:.3g}"])
            print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    return rows


def main():
    args = B.timing_options(__doc__.split("\n")[0], "aft_vs_lifelines", "1e4,1e5", 120.0)
    warnings.simplefilter("ignore")
    rows = run(B.parse_sizes(args.sizes), args)
    body = B.table(["family", "n", "mlefit s", "lifelines s", "lifelines/mlefit", "dloglik"], rows, "lrrrrr")
    body += (f"\n\n{B.best_of(args)} `dloglik` = mlefit's log-likelihood minus lifelines', each as reported.\n")
    B.publish(args, "aft_vs_lifelines", "Censored regression (AFT) against lifelines", body,
              extra=("lifelines",))


if __name__ == "__main__":
    main()
