"""Goodness of fit with the estimated parameters accounted for.

For a continuous family: Kolmogorov-Smirnov, Cramer-von Mises and Anderson-Darling
statistics of the probability-integral transform u = F(x; theta_hat). Their textbook
p-values assume theta is known, not estimated from the same data, and are far too large
(too kind) when it was; here the p-value comes from a parametric bootstrap: B samples of
size n are drawn from the fitted distribution, the family is refitted to each, and the
statistic recomputed, so the reference distribution includes the estimation.
p = (1 + #{T* >= T}) / (B + 1), or fewer samples when the answer is clear (montecarlo.py:
stopped once every p-value is clearly above or below 0.05, with its Monte Carlo error).
The statistics are always those of all n values; a continuous family's bootstrap samples
hold at most RESAMPLE_SIZE values: the null distributions of CvM, AD and sqrt(n) KS
(which the bootstrap's KS is scaled to) have settled long before that size (Stephens'
finite-n corrections are below 0.1% there), and a sample of a million values would cost
50 times as much for the same reference distribution.

For a discrete family: Pearson's chi-square on the counts of each value (cells pooled from
the tails until every expected count is at least 5), with df = cells - 1 - free
parameters, and Kolmogorov-Smirnov on the step CDF; both are also bootstrapped.
"""
import math
import warnings
import zlib
from dataclasses import dataclass

import numpy as np

from ..errors import MlefitError, UsageError
from ..families.base import Controls
from ..limits import check_bootstrap
from .montecarlo import Exceedances

STATISTICS = ("ks", "cvm", "ad")
NAMES = {"ks": "Kolmogorov-Smirnov", "cvm": "Cramer-von Mises", "ad": "Anderson-Darling",
         "chi2": "Pearson chi-square"}
MIN_EXPECTED = 5.0
# Anderson-Darling weighs the tails by 1/(u(1-u)); u = 0 or 1 happens at the sample
# extremes of families whose bounds are estimated (uniform, pareto), so u is kept this far
# inside (0, 1). The bootstrap applies the same rule, so the p-value stays calibrated.
AD_CLIP = 1e-12
RESAMPLE_SIZE = 20_000  # the most values in one continuous bootstrap sample


@dataclass(frozen=True)
class GofTest:
    """One statistic, its p-value, and how the p-value was made."""

    statistic: str
    value: float
    p_value: float | None
    method: str
    df: int | None = None
    p_asymptotic: float | None = None  # chi-square: the p-value of chi-square(df)
    samples: int | None = None  # bootstrap samples refitted (p >= 1/(samples + 1))
    mc_error: float | None = None  # the Monte Carlo standard error of a bootstrap p-value
    sample_size: int | None = None  # values in each bootstrap sample

    def to_dict(self):
        return {"test": self.statistic, "name": NAMES[self.statistic], "statistic": self.value,
                "p_value": self.p_value, "method": self.method, "df": self.df,
                "p_asymptotic": self.p_asymptotic, "samples": self.samples,
                "mc_error": self.mc_error, "sample_size": self.sample_size}


def edf_statistics(u):
    """KS, CvM and AD of the sorted probability-integral transform u (shape (..., n))."""
    n = u.shape[-1]
    i = np.arange(1, n + 1, dtype=np.float64)
    ks = np.maximum(np.max(i / n - u, axis=-1), np.max(u - (i - 1) / n, axis=-1))
    cvm = 1.0 / (12.0 * n) + np.sum((u - (2.0 * i - 1.0) / (2.0 * n)) ** 2, axis=-1)
    c = np.clip(u, AD_CLIP, 1.0 - AD_CLIP)
    ad = -n - np.sum((2.0 * i - 1.0) * (np.log(c) + np.log1p(-c[..., ::-1])), axis=-1) / n
    return {"ks": ks, "cvm": cvm, "ad": ad}


MAX_CELLS = 5000  # integer cells for chi-square; wider ranges are grouped into this many
MAX_EXPANDED = 5_000_000  # weighted continuous rows a bootstrap will expand


def testable(fam, theta):
    """UsageError when the family has nothing to test a fit with: no distribution
    function to draw from (huber, categorical), or a fit that reproduces the observed
    frequencies whatever they are (bernoulli: saturated)."""
    if fam.spec.support == "binary":
        raise UsageError(f"no goodness-of-fit test for {fam.name}: a fit to 0/1 data reproduces "
                         f"the observed frequencies exactly (saturated)")
    own = fam.cdf is not None and fam.sample is not None  # then scipy.stats (1.5 s) is not imported
    if fam.spec.support == "labels" or not own and (fam.scipy is None or fam.scipy(theta) is None):
        raise UsageError(f"goodness of fit is not available for {fam.name}: it has no "
                         f"distribution function to draw samples from")


def discrete_ks(values, counts, cdf):
    """sup |F_n - F| for counts (distinct sorted values and their counts): both CDFs are
    steps at the integers and F_n is flat between observed values, so the sup is at an
    observed value, just before the next one, or just before the smallest."""
    fn = np.cumsum(counts) / np.sum(counts)
    at = np.abs(fn - cdf(values))
    before_next = np.abs(fn[:-1] - cdf(values[1:] - 1.0)) if values.size > 1 else np.zeros(0)
    below = cdf(values[:1] - 1.0)
    return float(max(at.max(), before_next.max(initial=0.0), below[0]))


def pooled_cells(expected, observed):
    """Merge adjacent cells, left to right, until each has an expected count of at least
    5; a short remainder at the right end joins the cell before it. One pass. Returns the
    pooled (expected, observed)."""
    e, o = np.asarray(expected, dtype=np.float64), np.asarray(observed, dtype=np.float64)
    cuts, total = [], 0.0
    for i, value in enumerate(e):
        total += value
        if total >= MIN_EXPECTED:
            cuts.append(i + 1)
            total = 0.0
    if not cuts:
        return np.array([e.sum()]), np.array([o.sum()])
    cuts[-1] = e.size  # the remainder joins the last full cell
    starts = np.array([0] + cuts[:-1])
    return np.add.reduceat(e, starts), np.add.reduceat(o, starts)


def chi_square(values, counts, fam, theta):
    """Pearson's statistic and its number of cells for counts. The cells are the integers
    from the smallest value to the largest (grouped into at most MAX_CELLS runs of equal
    width when the range is wider); the first and last cells take the whole tails, so
    the cells cover the support; then adjacent cells are pooled until each expects at
    least 5. (None, 0) for values beyond 2^53, which are no longer exact integers."""
    lo, hi = float(values[0]), float(values[-1])
    if hi >= 2.0 ** 53:  # beyond exact integers in double precision: no integer cells
        return None, 0
    width = max(1.0, math.ceil((hi - lo + 1.0) / MAX_CELLS))
    cells = int(math.ceil((hi - lo + 1.0) / width))
    edges = lo - 1.0 + width * np.arange(cells + 1)  # cell j is (edges[j], edges[j+1]]
    cdf = np.asarray(fam.cdf_values(edges, theta), dtype=np.float64)
    if cdf.shape != edges.shape:
        return None, 0
    if cells == 1:
        p = np.ones(1)
    else:
        p = np.diff(cdf)
        p[0], p[-1] = cdf[1], 1.0 - cdf[-2]
        p = np.maximum(p, 0.0)
    where = np.minimum(np.searchsorted(edges, values, side="left") - 1, cells - 1)
    observed = np.bincount(where, weights=counts, minlength=cells)
    n = float(np.sum(counts))
    e, o = pooled_cells(n * p, observed)
    with np.errstate(all="ignore"):  # a cell the fit gives no mass: chi-square is infinite
        value = float(np.sum(np.where(o == e, 0.0, (o - e) ** 2 / e)))
    return value, e.size


def _refit(fam, x, w, controls, start=None):
    """The estimate for a resample (from `start`, the fit it was drawn at, for a family
    whose estimator would otherwise search many starts)."""
    stats = fam.stats(x, w)
    if fam.check is not None:
        fam.check(stats)
    if start is not None and fam.refine is not None:
        sol = fam.refine(stats, start, controls)
    else:
        sol = fam.estimate(stats, controls)
    if not sol.converged:
        raise ArithmeticError("refit did not converge")
    return tuple(float(t) for t in sol.theta)


def holding(fam, fix, information="observed", max_iter=200):
    """refit(x, w) for goodness_of_fit when parameters are held: each resample (values x
    with their counts w) fitted by mlefit's fit with `fix`."""
    from ..estimate import fit

    def refit(x, w):
        return tuple(p.estimate for p in fit(x, fam, weights=w, fix=fix, information=information,
                                                 max_iter=max_iter).parameters)
    return refit


def _statistics(fam, x, theta, counts=None):
    """({name: value}, chi-square cells after pooling or 0) at theta for the data x
    (unsorted), or for a discrete family the distinct sorted values x with their counts."""
    if fam.spec.discrete:
        cdf = (lambda v: np.asarray(fam.cdf_values(v, theta), dtype=np.float64))
        out = {"ks": discrete_ks(x, counts, cdf)}
        chi2, cells = chi_square(x, counts, fam, theta)
        if chi2 is not None:
            out["chi2"] = chi2
        return out, cells
    u = np.asarray(fam.cdf_values(np.sort(x), theta), dtype=np.float64)
    return {k: float(v) for k, v in edf_statistics(u).items()}, 0


def _limit(fam, exc):
    """The family a boundary refit tends to (negative_binomial -> poisson,
    beta_binomial:N -> binomial:N)."""
    from .. import families
    value = fam.spec.value
    return families.build(exc.limit, value) if value is not None and families.spec(exc.limit).shape \
        else families.get(exc.limit)


def whole_weights(w):
    """The frequency weights as whole numbers (a row of weight k is k rows), or
    UsageError: a bootstrap sample of a fractional size cannot be drawn."""
    w = np.asarray(w, dtype=np.float64)
    if not np.all(w == np.round(w)):
        raise UsageError("goodness of fit needs whole-number frequency weights (a row of weight k "
                         "is k rows) and these have fractions; leave out --gof, or round the weights")
    return w.astype(np.int64)


def seed_for(seed, name):
    """A generator per (seed, family), so a family's p-value does not depend on which
    other families were tested in the same run."""
    return np.random.default_rng([int(seed), zlib.crc32(name.encode())])


def goodness_of_fit(fam, x, theta, n_parameters, *, weights=None, bootstrap=199, seed=0,
                    on_step=None, max_iter=200, refit=None, sequential=True):
    """The tests for data x (values with whole-number frequency weights, or None; or a
    Record, its own weights by default) fitted by `fam` at `theta`.

    bootstrap: resamples for the p-values (0: the textbook p-values, labelled as not
    accounting for the estimation); at most that many with `sequential` (stopped when
    every p-value is clearly decided, montecarlo.py). on_step(): called once per
    resample drawn, and for the ones left undrawn when the sampling stops early (progress).
    refit(x, w) -> theta: how each resample is refitted (default: the family's
    estimator; with fixed parameters, a fit that holds them). Discrete data are handled
    as their distinct values and counts (a table of 7 rows weighing millions stays 7
    rows); continuous data with weights are expanded. Returns (tests, notes)."""
    from ..data import Record, own_sides
    from ..numerics import value_counts

    x, weights, _ = own_sides(x, weights)  # a Record: its values and its own weights
    x = np.asarray(x.values if isinstance(x, Record) else x, dtype=np.float64)
    check_bootstrap(bootstrap)
    testable(fam, theta)
    w = None if weights is None else whole_weights(weights)
    if w is not None and not fam.spec.discrete and int(w.sum()) > MAX_EXPANDED:
        raise UsageError(f"goodness of fit expands continuous data with frequency weights into "
                         f"rows, and these weigh {int(w.sum()):,} (over {MAX_EXPANDED:,}); "
                         f"leave out --gof, or fit a sample of the rows")
    with np.errstate(all="ignore"):
        if fam.spec.discrete:
            data = value_counts(x, w)
        else:
            data = (x if w is None else np.repeat(x, w), None)
        n = int(np.sum(data[1])) if fam.spec.discrete else data[0].size
        observed, cells = _statistics(fam, data[0], theta, data[1])
        if bootstrap <= 0:
            return _uncorrected(fam, data, theta, observed, cells, n_parameters), []
        controls = Controls(max_iter=max_iter)
        held = refit is not None
        refit = refit or (lambda xb, wb: _refit(fam, xb, wb, controls, theta))
        size = n if fam.spec.discrete else min(n, RESAMPLE_SIZE)
        count = Exceedances(observed, bootstrap, sequential)
        drawn, failed = _resample(fam, n, size, theta, count, seed, refit, on_step, held)
    with np.errstate(all="ignore"):
        return _tests(count, cells, drawn, failed, n_parameters, size, n)


def _tests(count, cells, drawn, failed, n_parameters, size, n):
    """The tests from the exceedances counted."""
    notes = []
    if failed:
        notes.append(f"{failed} of {drawn} bootstrap samples could not be refitted "
                     f"(e.g. all values equal) and were left out")
    tests = []
    of = f" of {size:,} of the {n:,} values (docs/gof.md)" if size < n else ""
    for k, value in count.observed.items():
        ok = drawn - failed >= 0.9 * drawn
        p, se = count.p_value(k) if ok else (None, None)
        how = count.how(k)
        method = (f"parametric bootstrap, {count.m[k]} refitted samples{of}" + (f"; {how}" if how else "")
                  + (f"; Monte Carlo standard error {se:.2g}" if se is not None else ""))
        test = GofTest(k, value, p, method, samples=count.m[k], mc_error=se, sample_size=size)
        tests.append(_with_df(test, cells, n_parameters) if k == "chi2" else test)
    return tests, notes


def _resample(fam, n, size, theta, count, seed, refit, on_step, held=False):
    """Samples of `size` values drawn at theta and refitted, their statistics counted
    by `count` (montecarlo.Exceedances) until it says stop; KS of a sample smaller than
    n scaled by sqrt(size/n), so that sqrt(n) KS is what is compared. A resample whose
    MLE is on the boundary where the family becomes its limit (counts that are not
    overdispersed, for negative_binomial) is refitted by that limit. Returns (samples
    drawn, samples that could not be refitted)."""
    from ..errors import BoundaryError
    from ..numerics import value_counts

    rng = seed_for(seed, fam.name)
    by_counts = _count_sampler(fam, size, theta) if fam.spec.discrete else None
    ks_scale = math.sqrt(size / n)
    failed = drawn = 0
    while not count.done(drawn):
        drawn += 1
        try:
            if by_counts is not None:
                vb, cb = by_counts(rng)
            else:
                xb = fam.draw(rng, size, theta)
                vb, cb = value_counts(xb) if fam.spec.discrete else (xb, None)
            try:
                stats_b = _statistics(fam, vb, refit(vb, cb), cb)[0]
            except BoundaryError as exc:
                if held:  # the limit family cannot hold the fixed values: count it as failed
                    raise ArithmeticError("boundary with fixed values") from exc
                limit = _limit(fam, exc)
                stats_b = _statistics(limit, vb, _refit(limit, vb, cb, Controls()), cb)[0]
        except (MlefitError, ArithmeticError, ValueError, np.linalg.LinAlgError):
            failed += 1
            stats_b = None
        if stats_b is not None:
            if ks_scale != 1.0:
                stats_b["ks"] *= ks_scale
            count.add(stats_b)
        if on_step is not None:
            on_step()
    if on_step is not None:
        for _ in range(count.budget - drawn):  # the progress total counted every sample
            on_step()
    return drawn, failed


def _count_sampler(fam, n, theta, max_support=1_000_000):
    """For a large discrete sample: a function rng -> (values, counts) drawing the
    counts of every value at once (multinomial over the support up to where the CDF is
    1 - 1e-15, the rest of the mass, at most ~1e-15, put on the last value), instead of
    n separate draws. None when that support is wider than the sample (draw one by one)."""
    top = 16.0
    while float(fam.cdf_values(np.array([top]), theta)[0]) < 1.0 - 1e-15:
        top *= 2.0
        if top > max_support:
            return None
    if top > n:
        return None
    grid = np.arange(0.0, top + 1.0)
    pmf = np.exp(fam.logpdf(grid, theta))
    if pmf.shape != grid.shape or not np.all(np.isfinite(pmf)):
        return None
    pmf = np.maximum(pmf, 0.0)
    pmf[-1] += max(0.0, 1.0 - pmf.sum())
    pmf /= pmf.sum()

    def draw(rng):
        counts = rng.multinomial(n, pmf).astype(np.float64)
        seen = counts > 0
        return grid[seen], counts[seen]
    return draw


def _with_df(test, cells, n_parameters):
    """The chi-square test with its degrees of freedom (cells after pooling - 1 - the
    parameters estimated) and the asymptotic p-value of chi-square(df)."""
    from dataclasses import replace

    from scipy.special import chdtrc  # chi2.sf, without importing scipy.stats
    df = cells - 1 - n_parameters
    if df < 1:
        return replace(test, df=df, method=(test.method + "; " if test.method else "") +
                       f"no asymptotic p-value ({cells} cells after pooling, {n_parameters} "
                       f"parameters estimated)")
    p = float(chdtrc(df, test.value))
    method = f"asymptotic chi-square, df = {cells} cells - 1 - {n_parameters} estimated"
    if test.p_value is None:
        return replace(test, p_value=p, p_asymptotic=p, df=df, method=method)
    return replace(test, df=df, p_asymptotic=p, method=test.method + "; " + method)


def _uncorrected(fam, data, theta, observed, cells, n_parameters):
    """Textbook p-values as if theta were known (scipy's KS and CvM tests of u = F(x)
    against the uniform): too large when theta was estimated, and labelled so."""
    from scipy import stats as st
    label = ("textbook p-value for known parameters: does NOT account for the estimation "
             "(too large); use --bootstrap N")
    tests = []
    if fam.spec.discrete:
        tests.append(GofTest("ks", observed["ks"], None, "no textbook p-value for discrete data; "
                             "use --bootstrap N"))
    else:
        u = np.asarray(fam.cdf_values(np.sort(data[0]), theta), dtype=np.float64)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")  # scipy's CvM series warns far in the tail
            ks, cvm = st.kstest(u, "uniform").pvalue, st.cramervonmises(u, "uniform").pvalue
        tests.append(GofTest("ks", observed["ks"], float(ks), label))
        cvm = float(min(max(cvm, 0.0), 1.0)) if np.isfinite(cvm) else None
        tests.append(GofTest("cvm", observed["cvm"], cvm, label))
        tests.append(GofTest("ad", observed["ad"], None, "no textbook p-value for Anderson-Darling; "
                             "use --bootstrap N"))
    if "chi2" in observed:
        tests.append(_with_df(GofTest("chi2", observed["chi2"], None, ""), cells, n_parameters))
    return tests
