"""MAP regressions: mlefit.regress with a ridge penalty against scikit-learn's
LogisticRegression(C) (the same fit: l2:1/(n C)), and with --prior jeffreys against
firthmodels' FirthLogisticRegression (Firth), as ratios in one run on the same seeded
design.

    python3 benchmarks/priors_vs_peers.py                      # n = 1e4, 1e5; 20 covariates
    python3 benchmarks/priors_vs_peers.py --sizes 1e4,1e5 --write

Columns: best wall time per call (data in memory as float64 arrays; mlefit's call also
returns SEs, intervals and the null model), the ratio other / mlefit (above 1: mlefit is
faster), and dlogpost = mlefit's log-posterior minus the other's at its coefficients, both
computed here with the same formula (never negative beyond rounding, or mlefit stopped
short). OPENBLAS_NUM_THREADS=1 on both sides.
"""
import argparse
import warnings

import _bench as B  # sets OPENBLAS_NUM_THREADS=1 before numpy is imported

import numpy as np  # noqa: E402
from scipy.special import log_expit  # noqa: E402

import mlefit  # noqa: E402

P = 20
C = 0.1


def data(n, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, P)) / np.sqrt(P)
    y = (rng.random(n) < 1 / (1 + np.exp(-(0.3 + X @ rng.normal(size=P))))).astype(float)
    return X, y


def log_posterior(kind, X, y, coef):
    eta = coef[0] + X @ coef[1:]
    ll = float(np.sum(y * log_expit(eta) + (1 - y) * log_expit(-eta)))
    if kind == "ridge":
        return ll - float(np.sum(coef[1:] ** 2)) / (2 * C)
    X1 = np.column_stack([np.ones(y.size), X])
    p = 1 / (1 + np.exp(-eta))
    return ll + 0.5 * float(np.linalg.slogdet((X1 * (p * (1 - p))[:, None]).T @ X1)[1])


def competitor(kind):
    if kind == "ridge":
        import sklearn.linear_model as sk

        def fit(X, y):
            m = sk.LogisticRegression(C=C, solver="newton-cholesky", tol=1e-10, max_iter=1000).fit(X, y)
            return np.r_[m.intercept_, m.coef_.ravel()]
        return "scikit-learn LogisticRegression(C=0.1)", fit
    from firthmodels import FirthLogisticRegression

    def fit_firth(X, y):
        m = FirthLogisticRegression(gtol=1e-8, xtol=1e-8, max_iter=200).fit(X, y)
        return np.r_[m.intercept_, m.coef_]
    return "firthmodels FirthLogisticRegression", fit_firth


def run(sizes, args):
    rows = []
    for kind in ("ridge", "firth"):
        for n in sizes:
            X, y = data(n, args.seed)
            cols = {f"x{i}": X[:, i] for i in range(P)}
            cols["y"] = y
            names = list(cols)[:-1]
            how = {"penalty": f"l2:{1.0 / (n * C)!r}"} if kind == "ridge" else {"prior": "jeffreys"}
            t_ml, runs_ml, res = B.measure(lambda: mlefit.regress(cols, "y", names, dist="bernoulli", **how),
                                           args.repeat, args.budget)
            coef_ml = np.array([c.estimate for c in res.coefficients])
            label, fn = competitor(kind)
            t, runs, coef = B.measure(lambda: fn(X, y), args.repeat, args.budget)
            gap = log_posterior(kind, X, y, coef_ml) - log_posterior(kind, X, y, np.asarray(coef))
            rows.append(B.ratio_row([kind, B.fmt_n(n), label], (t_ml, runs_ml), (t, runs), gap))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    B.add_timing_options(ap, "priors_vs_peers", "1e4,1e5")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    rows = run(B.parse_sizes(args.sizes), args)
    body = B.table(["prior", "n", "other", "mlefit s", "other s", "other/mlefit", "dlogpost"], rows, "llrrrrr")
    body += (f"\n\n{P} covariates and an intercept. Best of up to {args.repeat} timings within "
             f"{args.budget:g} s per measurement (¹: one call). `dlogpost` = mlefit's log-posterior minus the "
             "other's, both computed by this script from the fitted coefficients.\n")
    B.publish(args, "priors_vs_peers", "MAP regression (ridge, Firth) against scikit-learn and firthmodels", body,
              extra=("sklearn", "firthmodels"))


if __name__ == "__main__":
    main()
