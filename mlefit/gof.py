"""Goodness of fit with the estimated parameters accounted for.

For a continuous family: Kolmogorov-Smirnov, Cramer-von Mises and Anderson-Darling
statistics of the probability-integral transform u = F(x; theta_hat). Their textbook
p-values assume theta is known, not estimated from the same data, and are far too large
(too kind) when it was; here the p-value comes from a parametric bootstrap: B samples of
size n are drawn from the fitted distribution, the family is refitted to each, and the
statistic recomputed, so the reference distribution includes the estimation.
p = (1 + #{T* >= T}) / (B + 1).

For a discrete family: Pearson's chi-square on the counts of each value (cells pooled from
the tails until every expected count is at least 5), with df = cells - 1 - free
parameters, and Kolmogorov-Smirnov on the step CDF; both are also bootstrapped.
"""
import math
import warnings
import zlib
from dataclasses import dataclass

import numpy as np

from .errors import MlefitError, UsageError
from .families.base import Controls

STATISTICS = ("ks", "cvm", "ad")
NAMES = {"ks": "Kolmogorov-Smirnov", "cvm": "Cramer-von Mises", "ad": "Anderson-Darling",
         "chi2": "Pearson chi-square"}
MIN_EXPECTED = 5.0
# Anderson-Darling weighs the tails by 1/(u(1-u)); u = 0 or 1 happens at the sample
# extremes of families whose bounds are estimated (uniform, pareto), so u is kept this far
# inside (0, 1). The bootstrap applies the same rule, so the p-value stays calibrated.
AD_CLIP = 1e-12


@dataclass(frozen=True)
class Test:
    """One statistic, its p-value, and how the p-value was made."""

    statistic: str
    value: float
    p_value: float | None
    method: str
    df: int | None = None
    p_asymptotic: float | None = None  # chi-square: the p-value of chi-square(df)

    def to_dict(self):
        return {"test": self.statistic, "name": NAMES[self.statistic], "statistic": self.value,
                "p_value": self.p_value, "method": self.method, "df": self.df,
                "p_asymptotic": self.p_asymptotic}


def edf_statistics(u):
    """KS, CvM and AD of the sorted probability-integral transform u (shape (..., n))."""
    n = u.shape[-1]
    i = np.arange(1, n + 1, dtype=np.float64)
    ks = np.maximum(np.max(i / n - u, axis=-1), np.max(u - (i - 1) / n, axis=-1))
    cvm = 1.0 / (12.0 * n) + np.sum((u - (2.0 * i - 1.0) / (2.0 * n)) ** 2, axis=-1)
    c = np.clip(u, AD_CLIP, 1.0 - AD_CLIP)
    ad = -n - np.sum((2.0 * i - 1.0) * (np.log(c) + np.log1p(-c[..., ::-1])), axis=-1) / n
    return {"ks": ks, "cvm": cvm, "ad": ad}


def _discrete_grid(x):
    lo, hi = int(np.min(x)), int(np.max(x))
    return np.arange(max(lo - 1, 0), hi + 1, dtype=np.float64)


def discrete_ks(x_sorted, cdf_grid, grid):
    """sup |F_n - F| for integer data: both are steps at the integers, so the sup is a
    max over the integers between the smallest value - 1 and the largest."""
    fn = np.searchsorted(x_sorted, grid, side="right") / x_sorted.size
    return float(np.max(np.abs(fn - cdf_grid)))


def pooled_cells(expected, observed):
    """Merge cells from each tail inward until every expected count is >= 5 (or one cell
    is left). Returns the pooled (expected, observed)."""
    e, o = list(expected), list(observed)
    while len(e) > 1 and e[0] < MIN_EXPECTED:
        first_e, first_o = e.pop(0), o.pop(0)
        e[0] += first_e
        o[0] += first_o
    while len(e) > 1 and e[-1] < MIN_EXPECTED:
        last_e, last_o = e.pop(), o.pop()
        e[-1] += last_e
        o[-1] += last_o
    return np.array(e), np.array(o)


def chi_square(x, fam, theta):
    """Pearson's statistic and its cell count on integer data. The first and last cells
    take the whole tails (P(X <= min) and P(X >= max)), so the cells cover the support."""
    grid = np.arange(int(np.min(x)), int(np.max(x)) + 1, dtype=np.float64)
    n = x.size
    pmf = np.exp(fam.logpdf(grid, theta))
    if pmf.shape != grid.shape:
        return None, 0
    cdf = fam.cdf_values(grid, theta)
    if grid.size == 1:
        pmf[0] = 1.0
    else:
        pmf[0], pmf[-1] = cdf[0], max(1.0 - cdf[-2], 0.0)
    observed = np.bincount((x - grid[0]).astype(np.int64), minlength=grid.size).astype(np.float64)
    e, o = pooled_cells(n * pmf, observed)
    return float(np.sum((o - e) ** 2 / e)), e.size


def _refit(fam, x, controls):
    stats = fam.stats(x, None)
    if fam.check is not None:
        fam.check(stats)
    sol = fam.estimate(stats, controls)
    if not sol.converged:
        raise ArithmeticError("refit did not converge")
    return tuple(float(t) for t in sol.theta)


def _statistics(fam, x, theta):
    """{name: value} for the data x (unsorted) at theta."""
    xs = np.sort(x)
    if fam.spec.discrete:
        grid = _discrete_grid(xs)
        out = {"ks": discrete_ks(xs, fam.cdf_values(grid, theta), grid)}
        chi2, _ = chi_square(xs, fam, theta)
        if chi2 is not None:
            out["chi2"] = chi2
        return out
    u = np.asarray(fam.cdf_values(xs, theta), dtype=np.float64)
    return {k: float(v) for k, v in edf_statistics(u).items()}


def expand_weights(x, w):
    """Integer frequency weights as repeated rows; other weights cannot be bootstrapped."""
    if w is None:
        return x
    w = np.asarray(w, dtype=np.float64)
    if not np.all(w == np.round(w)):
        raise UsageError("goodness of fit needs whole-number frequency weights (a row of weight k "
                         "is k rows); these weights have fractions")
    return np.repeat(x, w.astype(np.int64))


def seed_for(seed, name):
    """A generator per (seed, family), so a family's p-value does not depend on which
    other families were tested in the same run."""
    return np.random.default_rng([int(seed), zlib.crc32(name.encode())])


def goodness_of_fit(fam, x, theta, n_parameters, *, bootstrap=199, seed=0, on_step=None,
                    max_iter=200, refit=None):
    """The tests for data x (weights already expanded) fitted by `fam` at `theta`.

    bootstrap: resamples for the p-values (0: the textbook p-values, labelled as not
    accounting for the estimation). on_step(): called once per resample (progress).
    refit(x) -> theta: how each resample is refitted (default: the family's estimator;
    with fixed parameters, a fit that holds them). Returns (tests, notes)."""
    x = np.asarray(x, dtype=np.float64)
    observed = _statistics(fam, x, theta)
    notes = []
    if bootstrap <= 0:
        return _uncorrected(fam, x, theta, observed, n_parameters), notes
    rng = seed_for(seed, fam.name)
    controls = Controls(max_iter=max_iter)
    refit = refit or (lambda xb: _refit(fam, xb, controls))
    draws = {k: [] for k in observed}
    failed = 0
    with np.errstate(all="ignore"):
        for _ in range(bootstrap):
            try:
                xb = fam.draw(rng, x.size, theta)
                stats_b = _statistics(fam, xb, refit(xb))
            except (MlefitError, ArithmeticError, ValueError, np.linalg.LinAlgError):
                failed += 1
                stats_b = None
            if stats_b is not None:
                for k in draws:
                    draws[k].append(stats_b.get(k, math.nan))
            if on_step is not None:
                on_step()
    done = bootstrap - failed
    if failed:
        notes.append(f"{failed} of {bootstrap} bootstrap samples could not be refitted "
                     f"(e.g. all values equal) and were left out")
    tests = []
    for k, value in observed.items():
        ref = np.asarray(draws[k])
        ref = ref[np.isfinite(ref)]
        ok = done >= 0.9 * bootstrap and ref.size > 0 and math.isfinite(value)
        p = (1.0 + np.sum(ref >= value - 1e-12 * abs(value))) / (ref.size + 1.0) if ok else None
        test = Test(k, value, None if p is None else float(p),
                    f"parametric bootstrap, {ref.size} refitted samples")
        tests.append(_with_df(test, x, fam, theta, n_parameters) if k == "chi2" else test)
    return tests, notes


def _with_df(test, x, fam, theta, n_parameters):
    """The chi-square test with its degrees of freedom (cells after pooling - 1 - the
    parameters estimated) and the asymptotic p-value of chi-square(df)."""
    from dataclasses import replace

    from scipy.stats import chi2
    _, cells = chi_square(np.sort(x), fam, theta)
    df = cells - 1 - n_parameters
    if df < 1:
        return replace(test, df=df, method=(test.method + "; " if test.method else "") +
                       f"no asymptotic p-value ({cells} cells after pooling, {n_parameters} "
                       f"parameters estimated)")
    p = float(chi2.sf(test.value, df))
    method = f"asymptotic chi-square, df = {cells} cells - 1 - {n_parameters} estimated"
    if test.p_value is None:
        return replace(test, p_value=p, p_asymptotic=p, df=df, method=method)
    return replace(test, df=df, p_asymptotic=p, method=test.method + "; " + method)


def _uncorrected(fam, x, theta, observed, n_parameters):
    """Textbook p-values as if theta were known (scipy's KS and CvM tests of u = F(x)
    against the uniform): too large when theta was estimated, and labelled so."""
    from scipy import stats as st
    label = ("textbook p-value for known parameters: does NOT account for the estimation "
             "(too large); use --bootstrap N")
    tests = []
    if fam.spec.discrete:
        tests.append(Test("ks", observed["ks"], None, "no textbook p-value for discrete data; "
                          "use --bootstrap N"))
    else:
        u = np.asarray(fam.cdf_values(np.sort(x), theta), dtype=np.float64)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")  # scipy's CvM series warns far in the tail
            ks, cvm = st.kstest(u, "uniform").pvalue, st.cramervonmises(u, "uniform").pvalue
        tests.append(Test("ks", observed["ks"], float(ks), label))
        tests.append(Test("cvm", observed["cvm"], float(min(max(cvm, 0.0), 1.0)) if np.isfinite(cvm) else 0.0,
                          label))
        tests.append(Test("ad", observed["ad"], None, "no textbook p-value for Anderson-Darling; "
                          "use --bootstrap N"))
    if "chi2" in observed:
        tests.append(_with_df(Test("chi2", observed["chi2"], None, ""), x, fam, theta, n_parameters))
    return tests
