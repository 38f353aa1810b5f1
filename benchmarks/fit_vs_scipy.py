"""In-process fits: mlefit.fit against what a user would otherwise call, as ratios in
one run on the same seeded data.

    python3 benchmarks/fit_vs_scipy.py                       # n = 1e3 .. 1e6, 8 families
    python3 benchmarks/fit_vs_scipy.py --sizes 1e3,1e4,1e5,1e6,1e7 --write
    python3 benchmarks/fit_vs_scipy.py --families all --sizes 1e3,1e5,1e6

Options: --sizes (comma-separated, 1e7 allowed), --families (comma-separated names, or
'all' for the 19 of the earlier table; default normal, poisson, gamma, weibull,
lognormal, beta, negative_binomial, student_t), --repeat (best of up to R timings, 3),
--budget (no further call once the time spent on a measurement would pass it, 10 s),
--limit (skip a competitor at the sizes where it would take longer, predicted linearly
from its previous size, 60 s), --seed, --write [PATH] (replace or append the section
bench:fit_vs_scipy of benchmarks/RESULTS.md).

The competitors, per family:
- scipy.stats.<dist>.fit with loc fixed at 0 (floc=0; and fscale=1 for beta), the same
  model as mlefit's, and with loc (and beta's scale) free, one parameter more;
  the families on the real line (normal, student_t, logistic, ...) have loc as a
  parameter, so their plain `fit(x)` is the same model;
- discrete families: scipy.stats.fit(dist, x, bounds) (differential evolution) and
  statsmodels' intercept-only Poisson / NegativeBinomial (NB2): sm.X(y, ones).fit(disp=0).
  (statsmodels' GLM Gamma is not the MLE of the shape, so it is not compared.)

Columns: best wall time per call of each (calls under 2 ms timed in batches, timeit's
way, B.measure; the library call alone, data already in memory: for
scipy its fit, not the frozen distribution made from the result, which costs about
0.3 ms; mlefit's call returns SEs, intervals and the log-likelihood as well), the ratio
other / mlefit (above 1: mlefit is faster), and dloglik = mlefit's log-likelihood minus
the other's, both evaluated with scipy.stats logpdf/logpmf at each fitted parameter set,
so the comparison does not rely on mlefit's own arithmetic. For the same model dloglik
should never be meaningfully negative (bold when it is beyond rounding); for a fit with
a free loc it may be slightly negative (one more parameter: about -chi2_1/2 on average)
or positive (scipy's optimiser stopped early). OPENBLAS_NUM_THREADS=1 (both sides, see
DESIGN.md). Warnings of the fitted libraries are silenced.
"""
import argparse
import sys
import warnings
import zlib

import _bench as B  # sets OPENBLAS_NUM_THREADS=1 before numpy is imported

import numpy as np  # noqa: E402
import scipy.stats as st  # noqa: E402

import mlefit  # noqa: E402

SAMPLERS = {
    "normal": lambda r, n: r.normal(10.0, 3.0, n),
    "poisson": lambda r, n: r.poisson(4.0, n).astype(float),
    "gamma": lambda r, n: r.gamma(2.5, 2.0, n),
    "weibull": lambda r, n: 3.0 * r.weibull(1.5, n),
    "lognormal": lambda r, n: r.lognormal(0.5, 0.7, n),
    "beta": lambda r, n: r.beta(2.0, 5.0, n),
    "negative_binomial": lambda r, n: r.negative_binomial(3.0, 0.4, n).astype(float),
    "student_t": lambda r, n: 10.0 + 2.0 * r.standard_t(4.0, n),
    "exponential": lambda r, n: r.exponential(2.0, n),
    "logistic": lambda r, n: r.logistic(10.0, 1.3, n),
    "cauchy": lambda r, n: -10.0 + 0.8 * r.standard_cauchy(n),
    "gumbel": lambda r, n: r.gumbel(10.0, 1.5, n),
    "log_logistic": lambda r, n: 2.0 * np.exp(r.logistic(0.0, 1.0 / 3.0, n)),
    "inverse_gaussian": lambda r, n: r.wald(2.0, 5.0, n),
    "pareto": lambda r, n: 1.5 * (1.0 + r.pareto(2.5, n)),
    "laplace": lambda r, n: r.laplace(10.0, 2.0, n),
    "half_normal": lambda r, n: np.abs(r.normal(0.0, 1.5, n)),
    "rayleigh": lambda r, n: r.rayleigh(2.0, n),
    "uniform": lambda r, n: r.uniform(-1.0, 3.0, n),
}
# The families on the real line are drawn about locations far from 0 against their
# scale, as real data are (normal(10, 3), not normal(0, 1)): that is where a careless
# variance loses digits or takes a second pass.
DEFAULT = "normal,poisson,gamma,weibull,lognormal,beta,negative_binomial,student_t"

# mlefit's estimates -> the frozen scipy.stats distribution (written here, not taken from
# mlefit, so the log-likelihoods are computed independently of it)
TO_SCIPY = {
    "normal": lambda e: st.norm(e["mu"], e["sigma"]),
    "poisson": lambda e: st.poisson(e["rate"]),
    "gamma": lambda e: st.gamma(e["shape"], scale=1.0 / e["rate"]),
    "weibull": lambda e: st.weibull_min(e["shape"], scale=e["scale"]),
    "lognormal": lambda e: st.lognorm(e["sdlog"], scale=np.exp(e["meanlog"])),
    "beta": lambda e: st.beta(e["a"], e["b"]),
    "negative_binomial": lambda e: st.nbinom(e["size"], e["size"] / (e["size"] + e["mu"])),
    "student_t": lambda e: st.t(e["df"], e["mu"], e["sigma"]),
    "exponential": lambda e: st.expon(scale=1.0 / e["rate"]),
    "logistic": lambda e: st.logistic(e["mu"], e["s"]),
    "cauchy": lambda e: st.cauchy(e["mu"], e["sigma"]),
    "gumbel": lambda e: st.gumbel_r(e["mu"], e["beta"]),
    "log_logistic": lambda e: st.fisk(e["shape"], scale=e["scale"]),
    "inverse_gaussian": lambda e: st.invgauss(e["mu"] / e["lambda"], scale=e["lambda"]),
    "pareto": lambda e: st.pareto(e["alpha"], scale=e["xm"]),
    "laplace": lambda e: st.laplace(e["mu"], e["b"]),
    "half_normal": lambda e: st.halfnorm(scale=e["sigma"]),
    "rayleigh": lambda e: st.rayleigh(scale=e["sigma"]),
    "uniform": lambda e: st.uniform(e["a"], e["b"] - e["a"]),
}
# positive support: scipy fitted with loc fixed at 0 (same model) and with loc free
LOC0 = {"gamma": st.gamma, "weibull": st.weibull_min, "lognormal": st.lognorm,
        "exponential": st.expon, "log_logistic": st.fisk, "inverse_gaussian": st.invgauss,
        "pareto": st.pareto, "half_normal": st.halfnorm, "rayleigh": st.rayleigh}
# real line: loc is one of the family's parameters, so dist.fit(x) is the same model
REAL = {"normal": st.norm, "student_t": st.t, "logistic": st.logistic, "cauchy": st.cauchy,
        "gumbel": st.gumbel_r, "laplace": st.laplace, "uniform": st.uniform}


def _sm_poisson(y):
    import statsmodels.api as sm
    return sm.Poisson(y, np.ones((len(y), 1))).fit(disp=0).params


def _sm_poisson_frozen(params):
    return st.poisson(np.exp(params[0]))


def _sm_nbinom(y):
    import statsmodels.api as sm
    return sm.NegativeBinomial(y, np.ones((len(y), 1))).fit(disp=0).params  # NB2: [log mu, alpha]


def _sm_nbinom_frozen(params):
    mu, alpha = np.exp(params[0]), params[1]
    return st.nbinom(1.0 / alpha, 1.0 / (1.0 + alpha * mu))


def competitors(name):
    """[(label, model, fit(x) -> fitted parameters, frozen(params) -> scipy distribution)]:
    only fit(x) is timed (building a frozen scipy distribution costs about 0.3 ms, more
    than many small fits)."""
    if name in REAL:
        d = REAL[name]
        return [(f"scipy {d.name}.fit", "same", d.fit, lambda p: d(*p))]
    if name in LOC0:
        d = LOC0[name]
        return [(f"scipy {d.name}.fit floc=0", "same", lambda x: d.fit(x, floc=0), lambda p: d(*p)),
                (f"scipy {d.name}.fit loc free", "+loc", d.fit, lambda p: d(*p))]
    if name == "beta":
        return [("scipy beta.fit floc=0 fscale=1", "same", lambda x: st.beta.fit(x, floc=0, fscale=1),
                 lambda p: st.beta(*p)),
                ("scipy beta.fit loc, scale free", "+loc,scale", st.beta.fit, lambda p: st.beta(*p))]
    if name == "poisson":
        return [("scipy stats.fit(poisson)", "same",
                 lambda x: st.fit(st.poisson, x, bounds={"mu": (0, 100)}).params, lambda p: st.poisson(*p)),
                ("statsmodels Poisson", "same", _sm_poisson, _sm_poisson_frozen)]
    if name == "negative_binomial":
        return [("scipy stats.fit(nbinom)", "same",
                 lambda x: st.fit(st.nbinom, x, bounds={"n": (0.01, 100), "p": (0, 1)}).params,
                 lambda p: st.nbinom(*p)),
                ("statsmodels NegativeBinomial", "same", _sm_nbinom, _sm_nbinom_frozen)]
    raise SystemExit(f"no competitor for family {name!r}")


def loglik(frozen, x):
    f = frozen.logpmf if hasattr(frozen.dist, "pmf") else frozen.logpdf
    return float(np.sum(f(x)))


def fmt_dll(d, model, ll):
    if d is None:
        return ""
    if not np.isfinite(d):  # the other's fit puts data points outside its support (or NaN)
        return "+inf (other: -inf)" if d > 0 else f"{d} (mlefit)"
    text = f"{d:.3g}"
    if model == "same" and d < -max(1e-6, 1e-11 * abs(ll)):  # beyond rounding: mlefit lower
        text = f"**{text}**"
    return text


def run(names, sizes, args):
    rows, skip = [], B.Skipper(args.limit)
    for name in names:
        others = competitors(name)
        warm = SAMPLERS[name](np.random.default_rng(0), 500)  # imports, caches: untimed
        for fn in [lambda x: mlefit.fit(x, name)] + [lambda x, c=c: c[3](c[2](x)) for c in others]:
            try:
                fn(warm)
            except Exception:  # noqa: BLE001 - a failing competitor is reported per size below
                pass
        for n in sizes:
            x = SAMPLERS[name](np.random.default_rng([args.seed, zlib.crc32(name.encode()), n]), n)
            try:
                t_ml, runs_ml, res = B.measure(lambda: mlefit.fit(x, name), args.repeat, args.budget)
                ll_ml = loglik(TO_SCIPY[name](res.estimates), x)
            except Exception as e:  # noqa: BLE001 - an MlefitError or a crash: shown, the run goes on
                rows.append([name, B.fmt_n(n), "mlefit", "", f"error: {type(e).__name__}: {str(e)[:80]}", "", "", ""])
                print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
                continue
            for label, model, fn, frozen_at in others:
                why = skip.reason((name, label), n)
                t = d = None
                if why:
                    cell = why
                else:
                    try:
                        t, runs, params = B.measure(lambda: fn(x), args.repeat, args.budget)
                        skip.record((name, label), n, t)
                        d, cell = ll_ml - loglik(frozen_at(params), x), B.fmt_s(t) + ("" if runs > 1 else "¹")
                    except Exception as e:  # noqa: BLE001 - the competitor failed: say how
                        cell = f"error: {type(e).__name__}"
                row = [name, B.fmt_n(n), label, model, B.fmt_s(t_ml) + ("" if runs_ml > 1 else "¹"),
                       cell, B.fmt_ratio(t / t_ml) if t else "", fmt_dll(d, model, ll_ml)]
                rows.append(row)
                print(" | ".join(row), file=sys.stderr, flush=True)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1e3,1e4,1e5,1e6")
    ap.add_argument("--families", default=DEFAULT, help="comma-separated, or 'all'")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--budget", type=float, default=10.0)
    ap.add_argument("--limit", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=20261122)
    B.add_output_options(ap, "fit_vs_scipy")
    args = ap.parse_args()
    names = list(SAMPLERS) if args.families == "all" else args.families.split(",")
    unknown = [f for f in names if f not in SAMPLERS]
    if unknown:
        ap.error(f"unknown families {unknown}; choose from {', '.join(SAMPLERS)}")
    warnings.simplefilter("ignore")
    rows = run(names, B.parse_sizes(args.sizes), args)
    body = B.table(["family", "n", "other", "model", "mlefit s", "other s", "other/mlefit", "dloglik"],
                   rows, "lrllrrrr")
    body += ("\n\nBest of up to %d timings within %g s per measurement (¹: one call); calls "
             "under 2 ms are timed in batches of about 20 ms and the time per call is shown. "
             "`model`: same = the same parameters as mlefit's fit; +loc = scipy also fits a "
             "location (one parameter more). `dloglik` = mlefit minus other, both from "
             "scipy.stats logpdf/logpmf at the fitted parameters (bold: mlefit lower beyond "
             "rounding on the same model). Competitors predicted to take over %g s "
             "(linearly from the previous size) are skipped.\n" % (args.repeat, args.budget, args.limit))
    B.publish(args, "fit_vs_scipy", "In-process fits against scipy.stats and statsmodels", body,
              extra=("statsmodels",))


if __name__ == "__main__":
    main()
