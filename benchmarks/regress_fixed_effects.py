"""Poisson regression with a many-level factor (fixed effects): mlefit (the factor held as
level indices) against glum (its categorical columns, tabmat; its default solver and
lbfgs) and, at a size where the
dummy columns fit in memory, statsmodels' GLM on dummies.

    python3 benchmarks/regress_fixed_effects.py                  # 1e6 rows x 10,000 levels + 5 covariates
    python3 benchmarks/regress_fixed_effects.py --write

Each fit runs in its own subprocess (the same seeded data made there first), alternating
mlefit and the other tool, so peak memory (ru_maxrss) is the fit's own process: `data MB`
is the peak after the data were made, `peak MB` after the fit. Times are the fit call
alone (modules imported first; data in memory: float64 arrays, the factor as integer codes; for glum a pandas
categorical): best wall time and the CPU time of that process (the machine is shared).
`dloglik` = mlefit's log-likelihood minus the other's, both computed by this script from
the fitted coefficients (never negative beyond rounding, or mlefit stopped short).
OPENBLAS_NUM_THREADS=1 for every tool."""
import argparse
import json
import subprocess
import sys

import _bench as B  # sets OPENBLAS_NUM_THREADS=1 before numpy is imported

P = 5


def data(n, levels, seed):
    import numpy as np
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, P))
    g = rng.integers(0, levels, n)
    effect = rng.normal(scale=0.5, size=levels)
    y = rng.poisson(np.exp(0.5 + X @ rng.normal(scale=0.2, size=P) + effect[g])).astype(float)
    _, first = np.unique(g, return_index=True)
    y[first] += 1.0  # no level of zero counts only (its MLE is -inf: mlefit refuses it)
    return X, g, y


def loglik(X, g, y, intercept, slopes, levels):
    """The Poisson log-likelihood at the coefficients (levels: those of the levels present
    but the first, in sorted order)."""
    import numpy as np
    from scipy.special import gammaln
    eta = intercept + X @ slopes + np.r_[0.0, levels][np.unique(g, return_inverse=True)[1]]
    return float(np.sum(y * eta - np.exp(eta) - gammaln(y + 1)))


def fit(tool, X, g, y):
    """(intercept, slopes, level coefficients) of the tool's fit."""
    import numpy as np
    if tool == "mlefit":
        import mlefit
        cols = {f"x{i}": X[:, i] for i in range(P)}
        cols.update(y=y, g=g.astype(np.float64))
        r = mlefit.regress(cols, formula="y ~ " + " + ".join(f"x{i}" for i in range(P)) + " + C(g)", dist="poisson")
        b = np.array([c.estimate for c in r.coefficients])
        return b[0], b[1:P + 1], b[P + 1:]
    import pandas as pd
    frame = pd.DataFrame({f"x{i}": X[:, i] for i in range(P)})
    frame["g"] = pd.Categorical(g)
    if tool.startswith("glum"):  # glum: its default solver (IRLS: a dense Hessian over every level); glum-lbfgs
        import glum
        m = glum.GeneralizedLinearRegressor(family="poisson", alpha=0.0, drop_first=True, gradient_tol=1e-8,
                                            solver="lbfgs" if tool == "glum-lbfgs" else "auto").fit(frame, y)
        return m.intercept_, m.coef_[:P], m.coef_[P:]
    import statsmodels.api as sm  # dummies: only where they fit in memory
    dummies = pd.get_dummies(frame["g"], drop_first=True, dtype=float)
    design = sm.add_constant(np.column_stack([X, dummies.to_numpy()]))
    params = sm.GLM(y, design, family=sm.families.Poisson()).fit().params
    return params[0], params[1:P + 1], params[P + 1:]


def one(tool, n, levels, seed):
    """Run in a subprocess: make the data, fit, print the measurements as JSON."""
    import resource
    import time

    import numpy as np
    import pandas  # noqa: F401 (imports are not timed: each tool's modules loaded first)
    __import__({"mlefit": "formulaic", "statsmodels": "statsmodels.api"}.get(tool, "glum"))
    if tool == "mlefit":
        import mlefit.regression.indexed_regress  # noqa: F401
    X, g, y = data(n, levels, seed)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    w0, c0 = time.perf_counter(), time.process_time()
    b0, slopes, lev = fit(tool, X, g, y)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"wall": wall, "cpu": cpu, "data_mb": before / 1024, "peak_mb": peak / 1024,
                      "loglik": loglik(X, g, y, b0, np.asarray(slopes), np.asarray(lev))}))


def measure(tool, n, levels, seed):
    run = subprocess.run([sys.executable, __file__, "--one", tool, str(n), str(levels), str(seed)],
                         capture_output=True, text=True)
    if run.returncode:
        raise SystemExit(f"{tool} failed: {run.stderr.strip().splitlines()[-1]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", default="1e6:10000:glum,1e6:10000:glum-lbfgs,1e6:100000:glum-lbfgs,2e4:200:glum,"
                                       "2e4:200:statsmodels",
                    help="n:levels:other, comma-separated")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--seed", type=int, default=20261206)
    ap.add_argument("--one", nargs=4, help=argparse.SUPPRESS)
    B.add_output_options(ap, "regress_fixed_effects")
    args = ap.parse_args()
    if args.one:
        tool, n, levels, seed = args.one
        return one(tool, int(float(n)), int(levels), int(seed))
    rows = []
    for case in args.cases.split(","):
        n, levels, other = case.split(":")
        n, levels = int(float(n)), int(levels)
        runs = {"mlefit": [], other: []}
        for _ in range(args.repeat):  # interleaved: the machine's load falls on both
            for tool in ("mlefit", other):
                runs[tool].append(measure(tool, n, levels, args.seed))
        best = {t: min(r, key=lambda m: m["wall"]) for t, r in runs.items()}
        ml, ot = best["mlefit"], best[other]
        cpu = {t: min(m["cpu"] for m in r) for t, r in runs.items()}
        row = [B.fmt_n(n), f"{levels:,}", other, f"{ml['wall']:.2f} / {cpu['mlefit']:.2f}",
               f"{ot['wall']:.2f} / {cpu[other]:.2f}", B.fmt_ratio(ot["wall"] / ml["wall"]),
               B.fmt_ratio(cpu[other] / cpu["mlefit"]), f"{ml['data_mb']:.0f} / {ml['peak_mb']:.0f}",
               f"{ot['data_mb']:.0f} / {ot['peak_mb']:.0f}", f"{ml['loglik'] - ot['loglik']:.3g}"]
        rows.append(row)
        print(" | ".join(row), file=sys.stderr, flush=True)
    body = B.table(["n", "levels", "other", "mlefit s (wall / cpu)", "other s (wall / cpu)", "wall other/mlefit",
                    "cpu other/mlefit", "mlefit MB (data / peak)", "other MB (data / peak)", "dloglik"],
                   rows, "lrlrrrrrrr")
    body += (f"\n\nPoisson, {P} numeric covariates, an intercept and a factor of `levels` levels (about "
             f"n / levels rows each). Best of {args.repeat} runs, each in its own process, mlefit and the other "
             "alternating. MB: the process's peak resident memory (ru_maxrss) after making the data and after "
             "the fit. `dloglik` = mlefit's log-likelihood minus the other's.\n")
    B.publish(args, "regress_fixed_effects", "Fixed effects: Poisson regression with a many-level factor", body,
              extra=("glum", "statsmodels"))


if __name__ == "__main__":
    main()
