"""A user's own model (--logpdf, issue 22): the weibull log-density written as an
expression, fitted with its exact symbolic derivatives, against mlefit's built-in weibull,
scipy.stats.weibull_min.fit (floc=0) and what a user would otherwise write: the NLL in
numpy minimised by scipy.optimize.minimize (L-BFGS-B, numerical gradients, log scale).

    python3 benchmarks/own_model.py                 # n = 1e4, 1e5, 1e6
    python3 benchmarks/own_model.py --sizes 1e5 --write

Columns: best wall time per call (data in memory; mlefit's calls also give SEs and
intervals), the ratio other / own model (above 1: the own model is faster), and dloglik
= the own model's log-likelihood minus the other's, computed here with scipy.stats.
The own model's time includes its check that the density integrates to 1 at the start.
"""
import sys
import warnings

import _bench as B  # sets OPENBLAS_NUM_THREADS=1 before numpy is imported

import numpy as np  # noqa: E402
import scipy.optimize  # noqa: E402
import scipy.stats as st  # noqa: E402

import mlefit  # noqa: E402
from mlefit.own import model as own_model  # noqa: E402

WEIBULL = "log(k) - log(lam) + (k-1)*log(x/lam) - (x/lam)^k"


def loglik(x, k, lam):
    return float(np.sum(st.weibull_min(k, scale=lam).logpdf(x)))


def by_hand(x):
    def nll(eta):
        k, lam = np.exp(eta)
        z = x / lam
        return -np.sum(np.log(k) - np.log(lam) + (k - 1) * np.log(z) - z ** k)
    out = scipy.optimize.minimize(nll, np.log([1.0, np.mean(x)]), method="L-BFGS-B")
    return tuple(np.exp(out.x))


def run(sizes, args):
    rows = []
    fam = own_model.model(logpdf=WEIBULL, params="k>0=1, lam>0=1", support="x>0")
    for n in sizes:
        x = 40.0 * np.random.default_rng(args.seed).weibull(1.7, n)
        t_own, runs, res = B.measure(lambda: own_model.fit(x, fam), args.repeat, args.budget)
        ll_own = loglik(x, *(p.estimate for p in res.parameters))
        others = {
            "mlefit -d weibull": (lambda: mlefit.fit(x, "weibull"), lambda r: [p.estimate for p in r.parameters]),
            "scipy weibull_min.fit(floc=0)": (lambda: st.weibull_min.fit(x, floc=0), lambda r: (r[0], r[2])),
            "numpy NLL + scipy.optimize": (lambda: by_hand(x), lambda r: r),
        }
        for label, (fn, theta) in others.items():
            t, runs_o, out = B.measure(fn, args.repeat, args.budget)
            rows.append([B.fmt_n(n), label, B.timed(t_own, runs), B.timed(t, runs_o), B.fmt_ratio(t / t_own),
                         f"{ll_own - loglik(x, *theta(out)):.3g}"])
            print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    return rows


def main():
    args = B.timing_options(__doc__.split("\n")[0], "own_model", "1e4,1e5,1e6", 300.0)
    warnings.simplefilter("ignore")
    rows = run(B.parse_sizes(args.sizes), args)
    body = B.table(["n", "other", "own model s", "other s", "other/own", "dloglik"], rows, "llrrrr")
    body += f"\n\n{B.best_of(args)} `dloglik` = the own model's log-likelihood minus the other's (scipy.stats).\n"
    B.publish(args, "own_model", "A user's own log-density (--logpdf) against the built-in family and scipy",
              body)


if __name__ == "__main__":
    main()
