"""Time mlefit's fits against scipy.stats' fit on the same data, as ratios in one run.

    python3 benchmarks/fit_vs_scipy.py [--sizes 1000,100000,1000000] [--repeat 3]

For each family and size: the best of --repeat wall times for mlefit.fit and for the
scipy call a user would otherwise make (`dist.fit(x, floc=0)` where scipy has a loc,
scipy.stats.fit with bounds for discrete families), the ratio, and the log-likelihood
difference (mlefit minus scipy: never negative when mlefit is right). Discrete scipy
fits are skipped above 1e5 rows, where they take minutes.
"""
import argparse
import os
import platform
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.stats as st  # noqa: E402

import mlefit  # noqa: E402

RNG = np.random.default_rng(20261122)
SAMPLERS = {
    "normal": lambda n: RNG.normal(3.0, 2.0, n),
    "exponential": lambda n: RNG.exponential(2.0, n),
    "lognormal": lambda n: RNG.lognormal(0.5, 0.7, n),
    "gamma": lambda n: RNG.gamma(2.5, 2.0, n),
    "weibull": lambda n: 3.0 * RNG.weibull(1.5, n),
    "beta": lambda n: RNG.beta(2.0, 5.0, n),
    "poisson": lambda n: RNG.poisson(4.0, n).astype(float),
    "negative_binomial": lambda n: RNG.negative_binomial(3.0, 0.4, n).astype(float),
    "student_t": lambda n: 1.0 + 2.0 * RNG.standard_t(4.0, n),
    "logistic": lambda n: RNG.logistic(0.5, 1.3, n),
    "cauchy": lambda n: -2.0 + 0.8 * RNG.standard_cauchy(n),
    "gumbel": lambda n: RNG.gumbel(2.0, 1.5, n),
    "log_logistic": lambda n: 2.0 * np.exp(RNG.logistic(0.0, 1.0 / 3.0, n)),
    "inverse_gaussian": lambda n: RNG.wald(2.0, 5.0, n),
    "pareto": lambda n: 1.5 * (1.0 + RNG.pareto(2.5, n)),
}
# scipy's distribution for the continuous families fitted with a free loc (real line)
# and with loc fixed at 0 (positive support)
FREE_LOC = {"student_t": st.t, "logistic": st.logistic, "cauchy": st.cauchy, "gumbel": st.gumbel_r}
LOC0 = {"exponential": st.expon, "lognormal": st.lognorm, "gamma": st.gamma, "weibull": st.weibull_min,
        "log_logistic": st.fisk, "inverse_gaussian": st.invgauss, "pareto": st.pareto}


def scipy_fit(name, x):
    """scipy's fit as a user would call it; returns its log-likelihood."""
    if name == "normal":
        return st.norm.logpdf(x, *st.norm.fit(x)).sum()
    if name in FREE_LOC:
        return FREE_LOC[name].logpdf(x, *FREE_LOC[name].fit(x)).sum()
    if name in LOC0:
        return LOC0[name].logpdf(x, *LOC0[name].fit(x, floc=0)).sum()
    if name == "beta":
        return st.beta.logpdf(x, *st.beta.fit(x, floc=0, fscale=1)).sum()
    dist, bounds = ((st.poisson, {"mu": (0, 100)}) if name == "poisson"
                    else (st.nbinom, {"n": (0.01, 100), "p": (0, 1)}))
    return dist.logpmf(x, *st.fit(dist, x, bounds=bounds).params).sum()


def best_time(fn, repeat):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,100000,1000000")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}")
    print(f"{'family':<18} {'n':>9} {'mlefit s':>10} {'scipy s':>10} {'scipy/mlefit':>13} {'dloglik':>11}")
    for name, sampler in SAMPLERS.items():
        for n in sizes:
            x = sampler(n)
            t_ml, res = best_time(lambda: mlefit.fit(x, name), args.repeat)
            if name in ("poisson", "negative_binomial") and n > 100_000:
                print(f"{name:<18} {n:>9} {t_ml:>10.4f} {'skipped':>10}")
                continue
            t_sp, ll = best_time(lambda: scipy_fit(name, x), 1 if n >= 1_000_000 else args.repeat)
            print(f"{name:<18} {n:>9} {t_ml:>10.4f} {t_sp:>10.4f} {t_sp / t_ml:>13.1f} "
                  f"{res.loglik - ll:>11.3g}")


if __name__ == "__main__":
    main()
