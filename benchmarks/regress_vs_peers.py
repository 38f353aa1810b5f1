"""Regression fits: mlefit.regress against statsmodels (GLM and Logit) and, where they
are installed, scikit-learn (LogisticRegression(penalty=None), PoissonRegressor(alpha=0))
and glum (GeneralizedLinearRegressor(alpha=0)), as ratios in one run on the same seeded
design.

    python3 benchmarks/regress_vs_peers.py                      # n = 1e4, 1e5, 1e6; 20 covariates
    python3 benchmarks/regress_vs_peers.py --sizes 1e5,1e6 --write
    python3 benchmarks/regress_vs_peers.py --sizes 1e6 --repeat 5 --cpu --write   # CPU time, interleaved

Columns: best wall time per call (the library call alone, data already in memory as
float64 arrays; mlefit's call also checks the design's rank and the response, and
returns SEs, intervals, the null model and the deviance), the ratio other / mlefit
(above 1: mlefit is faster), and dloglik = mlefit's log-likelihood minus the other's,
both computed here from the fitted coefficients with the same formula (never negative
beyond rounding, or mlefit stopped short). OPENBLAS_NUM_THREADS=1 on both sides.
"""
import argparse
import sys
import warnings

import _bench as B  # sets OPENBLAS_NUM_THREADS=1 before numpy is imported

import numpy as np  # noqa: E402
from scipy.special import gammaln, log_expit  # noqa: E402

import mlefit  # noqa: E402

P = 20


def data(model, n, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, P)) / np.sqrt(P)
    b = rng.normal(size=P)
    if model == "logistic":
        y = (rng.random(n) < 1 / (1 + np.exp(-(0.3 + X @ b)))).astype(float)
    else:
        y = rng.poisson(np.exp(0.5 + 0.5 * X @ b)).astype(float)
    return X, y


def loglik(model, X, y, coef):
    eta = coef[0] + X @ coef[1:]
    if model == "logistic":
        return float(np.sum(y * log_expit(eta) + (1 - y) * log_expit(-eta)))
    return float(np.sum(y * eta - np.exp(eta) - gammaln(y + 1)))


def competitors(model):
    import statsmodels.api as sm
    out = {}
    if model == "logistic":
        out["statsmodels GLM"] = lambda X, y: sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial()).fit().params
        out["statsmodels Logit"] = lambda X, y: sm.Logit(y, sm.add_constant(X)).fit(disp=0).params
    else:
        out["statsmodels GLM"] = lambda X, y: sm.GLM(y, sm.add_constant(X), family=sm.families.Poisson()).fit().params
    try:
        import sklearn.linear_model as sk
        if model == "logistic":
            def fit_sk(X, y):
                m = sk.LogisticRegression(penalty=None, tol=1e-8, max_iter=1000).fit(X, y)
                return np.r_[m.intercept_, m.coef_.ravel()]
        else:
            def fit_sk(X, y):
                m = sk.PoissonRegressor(alpha=0.0, tol=1e-8, max_iter=1000).fit(X, y)
                return np.r_[m.intercept_, m.coef_]
        out["scikit-learn"] = fit_sk
    except ImportError:
        pass
    try:
        import glum

        def fit_glum(X, y):
            m = glum.GeneralizedLinearRegressor(family="binomial" if model == "logistic" else "poisson",
                                                alpha=0.0, gradient_tol=1e-8).fit(X, y)
            return np.r_[m.intercept_, m.coef_]
        out["glum"] = fit_glum
    except ImportError:
        pass
    return out


def case(model, n, seed):
    """(X, y, mlefit's call on the same rows as columns)."""
    X, y = data(model, n, seed)
    # each column contiguous, as a DataFrame's or a CSV's columns are (views of X's
    # columns would make mlefit read 21 strided columns: 0.07 s more at 1e6)
    cols = {f"x{i}": np.ascontiguousarray(X[:, i]) for i in range(P)}
    cols["y"] = y
    names = list(cols)[:-1]
    dist = "bernoulli" if model == "logistic" else "poisson"
    return X, y, lambda: mlefit.regress(cols, "y", names, dist=dist)


def run(models, sizes, args):
    rows = []
    for model in models:
        for n in sizes:
            X, y, fit = case(model, n, args.seed)
            t_ml, runs_ml, res = B.measure(fit, args.repeat, args.budget)
            coef_ml = np.array([c.estimate for c in res.coefficients])
            ll_ml = loglik(model, X, y, coef_ml)
            for label, fn in competitors(model).items():
                t, runs, coef = B.measure(lambda: fn(X, y), args.repeat, args.budget)
                d = ll_ml - loglik(model, X, y, np.asarray(coef))
                row = [model, B.fmt_n(n), label, B.fmt_s(t_ml) + ("" if runs_ml > 1 else "¹"),
                       B.fmt_s(t) + ("" if runs > 1 else "¹"), B.fmt_ratio(t / t_ml), f"{d:.3g}"]
                rows.append(row)
                print(" | ".join(row), file=sys.stderr, flush=True)
    return rows


def run_cpu(models, sizes, args):
    """--cpu: each call's process CPU time (every thread's), the tools taking turns round
    after round in one process (the order reversed every other round), best of --repeat
    rounds: on a machine shared with other work, a change of load between one tool's
    timings and the next's then moves no ratio."""
    import time
    rows = []
    for model in models:
        for n in sizes:
            X, y, fit = case(model, n, args.seed)
            calls = {"mlefit": lambda X, y: [c.estimate for c in fit().coefficients]}
            calls.update({k: f for k, f in competitors(model).items() if k != "statsmodels Logit"})
            coef = {k: np.asarray(f(X, y)) for k, f in calls.items()}  # a first call each: imports, caches
            cpu = {k: [] for k in calls}
            for r in range(args.repeat):
                for k, f in (list(calls.items()) if r % 2 == 0 else list(calls.items())[::-1]):
                    t = time.process_time()
                    f(X, y)
                    cpu[k].append(time.process_time() - t)
            best = {k: min(v) for k, v in cpu.items()}
            ll = loglik(model, X, y, coef["mlefit"])
            for k in list(calls)[1:]:
                rows.append([model, B.fmt_n(n), k, B.fmt_s(best["mlefit"]), B.fmt_s(best[k]),
                             B.fmt_ratio(best[k] / best["mlefit"]), f"{ll - loglik(model, X, y, coef[k]):.3g}"])
                print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1e4,1e5,1e6")
    ap.add_argument("--models", default="logistic,poisson")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--budget", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=20261206)
    ap.add_argument("--cpu", action="store_true", help="process CPU time, the tools interleaved (run_cpu)")
    B.add_output_options(ap, "regress_vs_peers")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    if args.cpu:
        rows = run_cpu(args.models.split(","), B.parse_sizes(args.sizes), args)
        body = B.table(["model", "n", "other", "mlefit CPU s", "other CPU s", "other/mlefit", "dloglik"], rows,
                       "llrrrrr")
        body += (f"\n\n{P} covariates and an intercept. Process CPU time of each call (all its threads), best of "
                 f"{args.repeat} interleaved rounds in one process. `dloglik` as below.\n")
        B.publish(args, "regress_peers_cpu", "Regression against its peers in CPU time, interleaved", body,
                  extra=("statsmodels", "sklearn", "glum"))
        return
    rows = run(args.models.split(","), B.parse_sizes(args.sizes), args)
    body = B.table(["model", "n", "other", "mlefit s", "other s", "other/mlefit", "dloglik"], rows, "llrrrrr")
    body += (f"\n\n{P} covariates and an intercept. Best of up to {args.repeat} timings within "
             f"{args.budget:g} s per measurement (¹: one call). `dloglik` = mlefit's log-likelihood "
             "minus the other's, both computed by this script from the fitted coefficients.\n")
    B.publish(args, "regress_vs_peers", "Regression against statsmodels, scikit-learn and glum", body,
              extra=("statsmodels", "sklearn", "glum"))


if __name__ == "__main__":
    main()
