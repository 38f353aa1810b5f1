"""Threshold families (weibull3, gamma3, lognormal3; issue 22, point 6) against scipy.stats'
generic fit with a free loc (weibull_min.fit, gamma.fit, lognorm.fit), on seeded samples
whose likelihood has an interior maximum (shape 3 or 3.5, sdlog 0.4).

    python3 benchmarks/threshold_vs_scipy.py                  # n = 1e3, 1e4, 1e5
    python3 benchmarks/threshold_vs_scipy.py --sizes 1e3,1e4 --write

Columns: best wall time per call (data in memory; mlefit's call also gives SEs, intervals
and the notes on the threshold), the ratio scipy / mlefit (above 1: mlefit is faster), and
dloglik = mlefit's log-likelihood minus scipy's (>= 0: mlefit's maximum is at least as high).
"""
import warnings

import _bench as B  # sets OPENBLAS_NUM_THREADS=1 before numpy is imported

import numpy as np  # noqa: E402
import scipy.stats as st  # noqa: E402

import mlefit  # noqa: E402

CASES = {
    "weibull3": (lambda rng, n: 10.0 + 5.0 * rng.weibull(3.0, n), st.weibull_min),
    "gamma3": (lambda rng, n: 10.0 + rng.gamma(3.5, 2.0, n), st.gamma),
    "lognormal3": (lambda rng, n: 10.0 + rng.lognormal(1.0, 0.4, n), st.lognorm),
}


def run(sizes, args):
    rows = []
    for n in sizes:
        for name, (draw, dist) in CASES.items():
            x = draw(np.random.default_rng(args.seed), n)
            t_ml, runs_ml, res = B.measure(lambda: mlefit.fit(x, name), args.repeat, args.budget)
            t_sp, runs_sp, params = B.measure(lambda: dist.fit(x), args.repeat, args.budget)
            gap = res.loglik - float(np.sum(dist.logpdf(x, *params)))
            rows.append(B.ratio_row([B.fmt_n(n), name, f"scipy {dist.name}.fit"], (t_ml, runs_ml),
                                    (t_sp, runs_sp), gap))
    return rows


def main():
    args = B.timing_options(__doc__.split("\n")[0], "threshold_vs_scipy", "1e3,1e4,1e5", 300.0)
    warnings.simplefilter("ignore")
    rows = run(B.parse_sizes(args.sizes), args)
    body = B.table(["n", "family", "other", "mlefit s", "other s", "other/mlefit", "dloglik"], rows, "lllrrrr")
    body += (f"\n\n{B.best_of(args)} `dloglik` = mlefit's log-likelihood minus scipy's at its estimate "
             f"(scipy.stats).\n")
    B.publish(args, "threshold_vs_scipy", "Threshold families against scipy's fit with a free loc", body)


if __name__ == "__main__":
    main()
