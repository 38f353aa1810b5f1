"""Quantile regression: mlefit's linear program (scipy linprog HiGHS on the dual, plus the
Powell sandwich) against statsmodels QuantReg (IRLS, its default 'robust' covariance), on
the same arrays, CPU time interleaved, and the check loss each reaches.

    python3 benchmarks/quantreg_vs_statsmodels.py [--sizes 1e4,1e5] [--p 10]
"""
import argparse
import time

import _bench  # noqa: F401  (one BLAS thread for both sides)
import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1e4,1e5")
    parser.add_argument("--p", type=int, default=10)
    args = parser.parse_args()
    import statsmodels.api as sm
    from mlefit.families.robust import check_loss
    from mlefit.data import Record
    from mlefit.regression.quantile import fit

    print("| n | p | tau | mlefit CPU s | statsmodels CPU s | statsmodels / mlefit | check loss: statsmodels - mlefit |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for n in _bench.parse_sizes(args.sizes):
        rng = np.random.default_rng(0)
        X = np.column_stack([np.ones(n), rng.normal(size=(n, args.p - 1))])
        y = X @ np.arange(args.p) + rng.standard_t(3, size=n) * (1 + np.abs(X[:, 1]))
        for tau in (0.5, 0.9):
            t0 = time.process_time()
            rows = Record(None, y, None, n, (), covariates=X)
            ours = fit("asymmetric_laplace", rows, [f"x{j}" for j in range(args.p)], tau, intercept=0)
            t1 = time.process_time()
            ref = sm.QuantReg(y, X).fit(q=tau)
            t2 = time.process_time()
            gap = np.sum(check_loss(y - X @ ref.params, tau)) - np.sum(check_loss(y - X @ ours.beta, tau))
            print(f"| {_bench.fmt_n(n)} | {args.p} | {tau} | {t1 - t0:.2f} | {t2 - t1:.2f} | "
                  f"{(t2 - t1) / (t1 - t0):.1f} | {gap:.2e} |")


if __name__ == "__main__":
    main()
