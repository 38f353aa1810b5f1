"""Censored fits: mlefit against scipy.stats' fit on CensoredData and lifelines'
parametric fitters, as ratios in one run on the same seeded data.

    python3 benchmarks/censored_vs_peers.py                     # n = 1e4, 1e5, 1e6
    python3 benchmarks/censored_vs_peers.py --sizes 1e5,1e6 --write

Cases: right-censored Weibull (about 30% censored; scipy weibull_min with floc=0,
lifelines WeibullFitter) and interval-censored lognormal (values known to the unit
interval that holds them, the first interval left-censored; scipy lognorm with floc=0,
lifelines LogNormalFitter.fit_interval_censoring). Columns: best wall time per call
(data in memory as arrays; mlefit's call also gives SEs and intervals), the ratio
other / mlefit (above 1: mlefit is faster), and dloglik = mlefit's log-likelihood minus
the other's, both computed here with scipy.stats from the fitted parameters (never
negative beyond rounding, or mlefit stopped short). A method predicted to take more
than --limit seconds at a size is skipped there.
"""
import math
import sys
import warnings

import _bench as B  # sets OPENBLAS_NUM_THREADS=1 before numpy is imported

import numpy as np  # noqa: E402
import scipy.stats as st  # noqa: E402

import mlefit  # noqa: E402
from mlefit.censored import rows as censoring  # noqa: E402


def weibull_data(n, seed):
    rng = np.random.default_rng(seed)
    t = rng.weibull(1.5, n) * 10.0
    c = rng.uniform(0, 34.0, n)
    return np.minimum(t, c), t <= c


def lognormal_data(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.lognormal(1.0, 0.6, n)
    lo = np.floor(x)
    return lo, lo + 1.0


def loglik_weibull(y, e, shape, scale):
    d = st.weibull_min(shape, scale=scale)
    return float(np.sum(d.logpdf(y[e])) + np.sum(d.logsf(y[~e])))


def loglik_lognormal(lo, hi, meanlog, sdlog):
    d = st.lognorm(sdlog, scale=math.exp(meanlog))
    first = lo == 0
    inner = np.log(d.cdf(hi[~first]) - d.cdf(lo[~first]))
    return float(np.sum(d.logcdf(hi[first])) + np.sum(inner))


def cases():
    import lifelines

    def weibull(n, seed):
        y, e = weibull_data(n, seed)
        ml = lambda: mlefit.fit(censoring.from_event(y, e), "weibull")  # noqa: E731
        theta_ml = lambda r: (r.estimates["shape"], r.estimates["scale"])  # noqa: E731
        others = {
            "scipy CensoredData": (lambda: st.weibull_min.fit(st.CensoredData.right_censored(y, ~e), floc=0),
                                   lambda p: (p[0], p[2])),
            "lifelines WeibullFitter": (lambda: lifelines.WeibullFitter().fit(y, e),
                                        lambda f: (f.rho_, f.lambda_)),
        }
        return ml, theta_ml, others, (lambda t: loglik_weibull(y, e, *t))

    def lognormal(n, seed):
        lo, hi = lognormal_data(n, seed)
        lower = np.where(lo == 0, np.nan, lo)
        ml = lambda: mlefit.fit(censoring.from_bounds(lower, hi), "lognormal")  # noqa: E731
        theta_ml = lambda r: (r.estimates["meanlog"], r.estimates["sdlog"])  # noqa: E731
        data = st.CensoredData(left=hi[lo == 0], interval=np.column_stack([lo[lo > 0], hi[lo > 0]]))
        others = {
            "scipy CensoredData": (lambda: st.lognorm.fit(data, floc=0),
                                   lambda p: (math.log(p[2]), p[0])),
            "lifelines LogNormalFitter": (lambda: lifelines.LogNormalFitter().fit_interval_censoring(lo, hi),
                                          lambda f: (f.mu_, f.sigma_)),
        }
        return ml, theta_ml, others, (lambda t: loglik_lognormal(lo, hi, *t))

    return {"right-censored weibull": weibull, "interval-censored lognormal": lognormal}


def run(sizes, args):
    rows = []
    skip = B.Skipper(args.limit)
    for case, make in cases().items():
        for n in sizes:
            ml, theta_ml, others, ll = make(n, args.seed)
            t_ml, runs_ml, res = B.measure(ml, args.repeat, args.budget)
            ll_ml = ll(theta_ml(res))
            for label, (fn, theta) in others.items():
                why = skip.reason((case, label), n)
                if why:
                    row = [case, B.fmt_n(n), label, B.fmt_s(t_ml), why, "", ""]
                else:
                    t, runs, out = B.measure(fn, args.repeat, args.budget)
                    skip.record((case, label), n, t)
                    d = ll_ml - ll(theta(out))
                    row = [case, B.fmt_n(n), label, B.timed(t_ml, runs_ml),
                           B.timed(t, runs), B.fmt_ratio(t / t_ml), f"{d:.3g}"]
                rows.append(row)
                print(" | ".join(row), file=sys.stderr, flush=True)
    return rows


def main():
    args = B.timing_options(__doc__.split("\n")[0], "censored_vs_peers", "1e4,1e5,1e6", 300.0)
    warnings.simplefilter("ignore")
    rows = run(B.parse_sizes(args.sizes), args)
    body = B.table(["case", "n", "other", "mlefit s", "other s", "other/mlefit", "dloglik"], rows, "llrrrrr")
    body += (f"\n\n{B.best_of(args)} `dloglik` = mlefit's log-likelihood minus the other's, both computed by this script "
             "with scipy.stats from the fitted parameters.\n")
    B.publish(args, "censored_vs_peers", "Censored fits against scipy CensoredData and lifelines", body,
              extra=("lifelines",))


if __name__ == "__main__":
    main()
