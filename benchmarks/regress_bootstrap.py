"""regress --interval bootstrap (issue 16, point 1): the cost of one resample, refitted from
the full data's estimate, against (a) the same resample fitted from scratch by mlefit.regress
(its whole path: checks, null model, start) and (b) statsmodels' Logit / Poisson fitted on the
same rows, as a user's bootstrap loop would.

    python3 benchmarks/regress_bootstrap.py                    # n = 1e4, 1e5; 20 covariates; 50 resamples
    python3 benchmarks/regress_bootstrap.py --sizes 1e4 --write

The same resample indices for all three (regression_bootstrap.generator's). Process CPU time
per resample (time.process_time: the machine is shared), the three methods interleaved round
by round, best of --repeat rounds; mlefit's bootstrap time is the whole regress call with
--interval bootstrap less the same call without it. OPENBLAS_NUM_THREADS=1 on every side.
"""
import time
import warnings

import _bench as B  # sets OPENBLAS_NUM_THREADS=1 before numpy is imported

import numpy as np  # noqa: E402

import mlefit  # noqa: E402
from mlefit.regression.bootstrap import generator  # noqa: E402

from regress_vs_peers import P, data as peers_data  # noqa: E402  (the same seeded designs)


def data(model, n, seed):
    """(columns by name, the design with its intercept, y) of regress_vs_peers' design."""
    X, y = peers_data(model, n, seed)
    cols = {f"x{j}": X[:, j] for j in range(P)}
    cols["y"] = y
    return cols, np.column_stack([np.ones(n), X]), y


def cpu(fn):
    t = time.process_time()
    out = fn()
    return time.process_time() - t, out


def main():
    args = B.timing_options(__doc__.splitlines()[0], "regress-bootstrap", "1e4,1e5", 600.0)
    import statsmodels.api as sm
    samples = 50
    rows = []
    for n in B.parse_sizes(args.sizes):
        for model, dist in (("logistic", "bernoulli"), ("poisson", "poisson")):
            cols, X, y = data(model, n, args.seed)
            names = [f"x{j}" for j in range(P)]
            rng = generator(0)
            idx = [rng.integers(0, n, n) for _ in range(samples)]
            peer = sm.Logit if model == "logistic" else sm.Poisson
            best = {"boot": np.inf, "scratch": np.inf, "statsmodels": np.inf}
            for _ in range(args.repeat):
                t_fit, _ = cpu(lambda: mlefit.regress(cols, "y", names, dist=dist))
                t_all, r = cpu(lambda: mlefit.regress(cols, "y", names, dist=dist, interval="bootstrap",
                                                      bootstrap=samples, seed=0))
                best["boot"] = min(best["boot"], max(t_all - t_fit, 1e-9) / samples)
                t, _ = cpu(lambda: [mlefit.regress({k: v[i] for k, v in cols.items()}, "y", names, dist=dist)
                                    for i in idx])
                best["scratch"] = min(best["scratch"], t / samples)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    t, fits = cpu(lambda: [peer(y[i], X[i]).fit(disp=0, method="newton", tol=1e-10).params
                                           for i in idx])
                best["statsmodels"] = min(best["statsmodels"], t / samples)
            lo, hi = np.percentile(np.array(fits), [2.5, 97.5], axis=0)
            gap = max(max(abs(c.ci_lower - a), abs(c.ci_upper - b)) for c, a, b in zip(r.coefficients, lo, hi))
            row = [B.fmt_n(n), model, f"{1e3 * best['boot']:.3g}", f"{1e3 * best['scratch']:.3g}",
                   f"{1e3 * best['statsmodels']:.3g}", B.fmt_ratio(best["scratch"] / best["boot"]),
                   B.fmt_ratio(best["statsmodels"] / best["boot"]), f"{gap:.2g}"]
            print(" | ".join(row), flush=True)
            rows.append(row)
    body = (f"CPU ms per resample ({samples} resamples, {P} covariates and an intercept), best of "
            f"{args.repeat} interleaved rounds; ratios: the other / mlefit's bootstrap refit (above 1: the "
            f"refit is faster); 'ends' is the largest difference between mlefit's percentile ends and "
            f"those of the statsmodels loop on the same rows.\n\n"
            + B.table(["n", "model", "mlefit bootstrap", "mlefit from scratch", "statsmodels loop",
                       "scratch / bootstrap", "statsmodels / bootstrap", "ends"], rows))
    B.publish(args, "regress-bootstrap", "regress --interval bootstrap: one resample's refit (issue 16)", body,
              extra=("statsmodels",))


if __name__ == "__main__":
    main()
