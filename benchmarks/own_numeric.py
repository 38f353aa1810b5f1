"""A user's own model where mlefit must integrate its density numerically (issue 22):
censored rows (the distribution function), --normalize (the normalising constant at every
parameter value) and the parametric bootstrap (inverse-CDF sampling), each against the
same weibull model fitted by the built-in family, which has all of these in closed form.

    python3 benchmarks/own_numeric.py                  # n = 400, 4000
    python3 benchmarks/own_numeric.py --sizes 400 --write

Columns: best wall time per call (data in memory), the ratio own / built-in (how much the
numerical integration costs), and dloglik = the own fit's log-likelihood minus the
built-in's (the accuracy bought).
"""
import sys
import warnings

import _bench as B  # sets OPENBLAS_NUM_THREADS=1 before numpy is imported

import numpy as np  # noqa: E402

import mlefit  # noqa: E402
from mlefit.censored import rows as censoring  # noqa: E402
from mlefit.own import model as own_model  # noqa: E402

WEIBULL = "log(k) - log(lam) + (k-1)*log(x/lam) - (x/lam)^k"
UNNORMALISED = "-(x/lam)^k + (k-1)*log(x)"
BOOTSTRAP = 200


def cases(n, seed):
    rng = np.random.default_rng(seed)
    t = 20.0 * rng.weibull(1.4, n)
    right = censoring.from_event(np.minimum(t, 30.0), (t < 30.0).astype(int))
    lo = np.floor(t / 5.0) * 5.0
    interval = censoring.from_bounds(lo, lo + 5.0)
    own = own_model.model(logpdf=WEIBULL, params="k>0=1, lam>0=10", support="x>0")
    scaled = own_model.model(logpdf=UNNORMALISED, params="k>0=1, lam>0=10", support="x>0", normalize=True)
    boot = dict(interval="bootstrap", resample="parametric", bootstrap=BOOTSTRAP, seed=1)
    return [
        ("right-censored (30% censored)", lambda: own_model.fit(right, own), lambda: mlefit.fit(right, "weibull")),
        ("interval-censored (width 5)", lambda: own_model.fit(interval, own),
         lambda: mlefit.fit(interval, "weibull")),
        ("--normalize, values seen", lambda: own_model.fit(t, scaled), lambda: mlefit.fit(t, "weibull")),
        (f"parametric bootstrap, {BOOTSTRAP} samples", lambda: own_model.fit(t, own, **boot),
         lambda: mlefit.fit(t, "weibull", **boot)),
    ]


def run(sizes, args):
    rows = []
    for n in sizes:
        for label, own, builtin in cases(n, args.seed):
            t_own, runs_own, r_own = B.measure(own, args.repeat, args.budget)
            t_ref, runs_ref, r_ref = B.measure(builtin, args.repeat, args.budget)
            rows.append([B.fmt_n(n), label, B.timed(t_own, runs_own), B.timed(t_ref, runs_ref),
                         B.fmt_ratio(t_own / t_ref), f"{r_own.loglik - r_ref.loglik:.3g}"])
            print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    return rows


def main():
    args = B.timing_options(__doc__.split("\n")[0], "own_numeric", "400,4000", 300.0)
    warnings.simplefilter("ignore")
    rows = run(B.parse_sizes(args.sizes), args)
    body = B.table(["n", "case", "own model s", "-d weibull s", "own/built-in", "dloglik"], rows, "llrrrr")
    body += (f"\n\n{B.best_of(args)} The own model integrates its density (adaptive Gauss-Kronrod) where the "
             "built-in weibull has closed forms; `dloglik` = own minus built-in log-likelihood.\n")
    B.publish(args, "own_numeric", "A user's own model: numerical distribution function, normalising constant "
              "and sampler, against the built-in weibull", body)


if __name__ == "__main__":
    main()
