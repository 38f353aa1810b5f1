"""Bootstrap distributions of the estimate and percentile intervals.

bootstrap(fitted, B, kind) refits the family to B resamples of the data:
- parametric: n values (n = the total weight) drawn from the fitted distribution at
  theta-hat; a discrete family draws the counts of every value at once (gof's count
  sampler), so a 7-row table weighing millions stays 7 rows;
- nonparametric: the rows drawn with replacement (n uniform row numbers, counted). With
  whole-number frequency weights a row of weight k is k rows: the resample is a
  multinomial over the rows (over the distinct values, for counts) with probabilities
  w/sum(w) and total sum(w), handed to the refit as weights; with fractional weights the
  rows are drawn uniformly and keep their weights (a row drawn j times weighs j*w).

A resample whose MLE is on the family's limit (BoundaryError: counts that are not
overdispersed leave negative_binomial's size and beta_binomial's a, b without a finite
MLE) is an estimate AT that limit, not a failure: it is recorded with the parameter that
runs off as inf (negative_binomial: size = inf, mu = the resample mean, the poisson
MLE; beta_binomial: a = b = inf, the binomial; student_t's df, which the fit reports
as 1e30 at the normal limit: inf) and counted in at_limit, so a percentile
bound there is inf, which is the honest answer. Leaving such resamples out would bias
the interval towards overdispersion. A resample whose MLE is undefined (all values equal
for a family that needs spread) is counted in `failed` and left out.

The percentile interval of a parameter is the (1-level)/2 and (1+level)/2 quantiles of
its bootstrap estimates (numpy's default linear interpolation, with inf handled).
"""
import math
from dataclasses import dataclass

import numpy as np

from ..errors import BoundaryError, MlefitError, UsageError
from .gof import MAX_EXPANDED, _count_sampler, seed_for, whole_weights
from ..limits import check_bootstrap
from ..data import Record
from ..families.base import rows_of
from .information import percent

KINDS = ("parametric", "nonparametric")
FAILED_SHARE = 0.10  # a note says so when more resamples than this could not be refitted
NEAR = 1e12  # how far towards an infinite limit a derived function is evaluated
UNDEFINED = (MlefitError, ArithmeticError, ValueError, np.linalg.LinAlgError)


@dataclass(frozen=True, eq=False)
class Draws:
    """The bootstrap estimates. thetas: one row per refitted resample (samples - failed
    rows; full parameter vectors, fixed values included; inf where the estimate is at
    the family's limit). values: the derived functions at each row (nan where one
    raised). at_limit: resamples recorded at the limit; failed: resamples left out."""

    thetas: np.ndarray
    values: np.ndarray
    samples: int
    failed: int
    at_limit: int
    kind: str
    seed: int
    notes: tuple = ()

    @property
    def refitted(self):
        return self.samples - self.failed


def bootstrap(fitted, samples, kind="parametric", seed=0, on_step=None, functions=()):
    """The bootstrap distribution of fitted's estimate from `samples` resamples (see the
    module docstring). functions: callables theta -> float (derived quantities),
    evaluated on every resample's estimate. on_step(): called once per resample.
    Deterministic given seed; each (family, kind) has its own random stream."""
    samples = _positive_int(samples)
    if kind not in KINDS:
        raise UsageError(f"bootstrap kind must be 'parametric' or 'nonparametric' (got '{kind}')")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise UsageError(f"seed must be a whole number >= 0 (got {seed!r})")
    functions = tuple(functions)
    for f in functions:
        if not callable(f):
            raise UsageError(f"derived quantities must be functions of the parameters (got {f!r})")
    draw = _parametric(fitted) if kind == "parametric" else _nonparametric(fitted)
    rng = seed_for(seed, f"{fitted.family.name}/{kind}")
    k, names = len(fitted.theta), fitted.names
    thetas, values, failed, at_limit = [], [], 0, 0
    for _ in range(samples):
        fitted_b, xb, wb = draw(rng)
        with np.errstate(all="ignore"):
            try:
                theta, near = _estimate(fitted, fitted_b, xb, wb)
                theta = _aligned(fitted_b, xb, wb, theta, names, k)
            except UNDEFINED:
                failed += 1
                theta = None
        if theta is not None:
            at_limit += near is not None
            thetas.append(theta)
            values.append([_derived(f, theta, near) for f in functions])
        if on_step is not None:
            on_step()
    thetas = np.array(thetas, dtype=np.float64).reshape(len(thetas), k)
    values = np.array(values, dtype=np.float64).reshape(len(values), len(functions))
    for a in (thetas, values):
        a.setflags(write=False)
    return Draws(thetas, values, samples, failed, at_limit, kind, int(seed),
                 tuple(_notes(fitted, samples, failed, at_limit)))


def percentile_interval(values, level):
    """(lower, upper): the (1-level)/2 and (1+level)/2 quantiles of values with linear
    interpolation (numpy's default), where an infinite neighbour makes the bound
    infinite (numpy would give nan for inf - inf). NaN values are left out; (nan, nan)
    when none remain."""
    if not 0.0 < level < 1.0:
        raise UsageError(f"the interval level must be strictly between 0 and 1 (got {level})")
    v = np.sort(np.asarray(values, dtype=np.float64).reshape(-1))
    v = v[~np.isnan(v)]
    if v.size == 0:
        return math.nan, math.nan
    return _quantile(v, (1.0 - level) / 2.0), _quantile(v, (1.0 + level) / 2.0)


def parameter_intervals(fitted, draws, level=None):
    """{parameter index: (lower, upper)} percentile intervals of the free parameters, at
    `level` (default: the fit's confidence)."""
    level = fitted.confidence if level is None else level
    return {i: percentile_interval(draws.thetas[:, i], level) for i in fitted.free}


def _quantile(v, q):
    """The q-quantile of sorted, nan-free v, numpy's 'linear' method."""
    h = (v.size - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, v.size - 1)
    a, b, frac = float(v[lo]), float(v[hi]), h - lo
    if a == b or frac == 0.0:  # numpy's lerp would give inf - inf = nan between two infs
        return a
    return a + (b - a) * frac


def _positive_int(samples):
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or samples < 1:
        raise UsageError(f"the number of bootstrap samples must be a whole number >= 1 (got {samples!r})")
    return check_bootstrap(int(samples))


# ---------------------------------------------------------------- resamples
def _per_row_trials(fitted):
    """For a family with trials per row (Family.sides: its data are the rows (successes,
    trials)): the distinct (value, trials) pairs and their weights from the fit's
    statistics, else None."""
    if not fitted.family.sides:
        return None
    s = fitted.stats
    return np.asarray(s.x, dtype=np.float64), np.asarray(s.t, dtype=np.float64), np.asarray(s.c, dtype=np.float64)


def _parametric(fitted):
    """rng -> (fitted, x, w): n values drawn at fitted.theta (as values and counts for a
    discrete family)."""
    fam, theta = fitted.family, fitted.theta
    if fam.sample is None and (fam.scipy is None or fam.scipy(theta) is None):
        raise UsageError(f"a parametric bootstrap needs samples drawn from the fitted distribution, "
                         f"and {fam.name} has no distribution to draw from; use the nonparametric bootstrap (--resample nonparametric)")
    n = np.shape(fitted.x)[0]
    if fitted.w is not None:
        try:
            n = int(whole_weights(fitted.w).sum())
        except UsageError:
            raise UsageError("a parametric bootstrap draws samples of n = the total weight values, and "
                             "these frequency weights have fractions; use the nonparametric bootstrap, "
                             "or round the weights") from None
    pairs = _per_row_trials(fitted)
    if pairs is not None:  # each draw with the trials of its row: the rows expanded
        _expandable(n, "values with their trials")
        trials = np.repeat(pairs[1], pairs[2].astype(np.int64))
        return lambda rng: (fitted, rows_of(fam.draw(rng, n, theta, (trials,)), trials), None)
    if fam.spec.support == "binary":  # the number of ones is binomial (the count sampler's
        # grid would read the bernoulli mass at 2, 3, ... which is not 0)
        return lambda rng: (fitted, *_binary_counts(n, rng.binomial(n, theta[0])))
    if fam.spec.discrete:
        from ..numerics import value_counts
        by_counts = _count_sampler(fam, n, theta)
        if by_counts is not None:
            return lambda rng: (fitted, *by_counts(rng))
        if fitted.w is not None:
            _expandable(n, "values")
        return lambda rng: (fitted, *value_counts(fam.draw(rng, n, theta)))
    if fitted.w is not None:
        _expandable(n, "values")
    return lambda rng: (fitted, fam.draw(rng, n, theta), None)


def _binary_counts(n, ones):
    counts = np.array([n - ones, ones], dtype=np.float64)
    keep = counts > 0
    return np.array([0.0, 1.0])[keep], counts[keep]


def _expandable(n, what):
    if n > MAX_EXPANDED:
        raise UsageError(f"a parametric bootstrap of these data draws {n:,} {what} per resample (over "
                         f"{MAX_EXPANDED:,}); use the nonparametric bootstrap, or fit a sample of the rows")


def _nonparametric(fitted):
    """rng -> (fitted, x, w): the rows drawn with replacement, as the distinct rows and
    how often each was drawn (times its weight, for fractional weights): Record.drawn."""
    pairs = _per_row_trials(fitted)
    if np.ndim(fitted.x) > 1 and pairs is None:
        return _record_rows(fitted)
    whole = fitted.w is None or bool(np.all(fitted.w == np.round(fitted.w)))
    if pairs is not None:
        if not whole:
            raise UsageError("a nonparametric bootstrap of values with their own trials needs whole-number "
                             "frequency weights (a row of weight k is k rows); round the weights")
        x, t, c = pairs
        rows, n, p = Record(None, x, None, x.size, (), trials=t), int(np.rint(c.sum())), c / c.sum()

        def draw_pairs(rng):
            b = rows.drawn(rng.multinomial(n, p).astype(np.float64))
            return fitted, fitted.family.data(b), b.weights
        return draw_pairs
    if not whole:
        return _record_rows(fitted)
    if fitted.family.spec.discrete and fitted.family.spec.support != "labels":
        from ..numerics import value_counts
        x, c = value_counts(np.asarray(fitted.x, dtype=np.float64), fitted.w)
    else:
        x = fitted.x
        c = np.ones(x.size) if fitted.w is None else np.asarray(fitted.w, dtype=np.float64)
    rows, n, p = Record(None, x, None, x.size, ()), int(np.rint(c.sum())), c / c.sum()
    if n == x.size and np.all(c == 1.0):  # every row once: the rows drawn uniformly

        def draw_rows(rng):
            b = rows.drawn(uniform_counts(rng, n))
            return fitted, b.values, b.weights
        return draw_rows

    def draw(rng):
        b = rows.drawn(rng.multinomial(n, p).astype(np.float64))
        return fitted, b.values, b.weights
    return draw


def _record_rows(fitted):
    """rng -> (fitted, rows, w): the rows drawn uniformly with replacement, each with its
    whole record (censored rows: bounds and truncation; values of fractional weights),
    as the rows drawn and how often (times its weight)."""
    x = fitted.x
    n = x.shape[0]
    w = None if fitted.w is None else np.asarray(fitted.w, dtype=np.float64)
    rows = Record(None, x, None, n, ())

    def draw(rng):
        counts = uniform_counts(rng, n)
        b = rows.drawn(counts if w is None else counts * w)
        return fitted, b.values, b.weights
    return draw


def uniform_counts(rng, n):
    """How often each of n rows is drawn in n draws with replacement: the multinomial(n,
    1/n each) counts, as a count of n uniform row numbers (np.bincount of rng.integers:
    about 4x faster than rng.multinomial over a million rows, which draws one binomial
    per row). The tables of counts (a few distinct values weighing millions) still draw
    the multinomial, whose cost is in the rows, not in n."""
    return np.bincount(rng.integers(0, n, n), minlength=n).astype(np.float64)


# ---------------------------------------------------------------- estimates
def _estimate(fitted, fitted_b, x, w):
    """(theta, near) for one resample: near is None for an ordinary estimate; for one at
    the family's limit, theta holds inf where a parameter runs off and near is a point
    close to the limit on the way there (for the derived functions)."""
    try:
        theta = fitted_b.refit(x, w, start=fitted.theta)
    except BoundaryError:
        limit = fitted.family.limit
        if limit is None or limit.resampled is None:
            raise
        return limit.resampled(fitted_b, fitted_b.family.stats(x, w), NEAR)
    limit = fitted.family.limit
    if limit is not None and limit.index is not None and limit.index not in fitted.fixed \
            and theta[limit.index] >= limit.at:  # student_t's normal limit, df shown as DF_LIMIT by the fit
        return (*theta[:limit.index], math.inf, *theta[limit.index + 1:]), theta
    return theta, None




def _aligned(fitted_b, x, w, theta, names, k):
    """theta as a row of the k parameters: a categorical resample that lacks a label
    fits it no probability, and its estimate is 0."""
    theta = tuple(float(t) for t in theta)
    if len(theta) == k:
        return theta
    found = dict(zip(fitted_b.family.names(fitted_b.family.stats(x, w)), theta))
    return tuple(found.get(name, 0.0) for name in names)


def _derived(f, theta, near):
    """f(theta), nan when it raises; at a limit, f's value on the way there when f is
    undefined at the limit itself (a/(a+b) at a = b = inf)."""
    value = _call(f, theta)
    if math.isnan(value) and near is not None:
        value = _call(f, near)
    return value


def _call(f, theta):
    try:
        with np.errstate(all="ignore"):
            return float(f(tuple(theta)))
    except (ArithmeticError, ValueError, TypeError, IndexError, np.linalg.LinAlgError):
        return math.nan


def _notes(fitted, samples, failed, at_limit):
    notes = []
    if failed > FAILED_SHARE * samples:
        notes.append(f"{failed} of {samples} bootstrap resamples ({100.0 * failed / samples:.0f}%) could "
                     f"not be refitted (the MLE is undefined for them, e.g. all values equal) and were "
                     f"left out; the intervals describe the other {samples - failed} only")
    elif failed:
        notes.append(f"{failed} of {samples} bootstrap resamples could not be refitted (e.g. all values "
                     f"equal) and were left out")
    if at_limit:
        limit = fitted.family.limit
        notes.append(f"{at_limit} of {samples} bootstrap resamples have no finite MLE and were recorded "
                     f"at {limit.text if limit is not None else 'the limit'}; a bound there is infinite")
    edge = [fitted.names[i] for i in fitted.free if i in fitted.exact]
    if edge:
        notes.append(f"{', '.join(edge)}: the estimate is on an edge (a bound of the support or a "
                     f"limit of the family), where the percentile bootstrap is not reliable; use the "
                     f"interval the fit gives")
    need = (1.0 + fitted.confidence) / (1.0 - fitted.confidence)
    if samples < need:  # the range of n draws holds on average (n - 1)/(n + 1) of their distribution
        notes.append(f"{samples} bootstrap samples are too few for {percent(fitted.confidence)} percentile "
                     f"intervals: the range of {samples} samples covers on average {samples - 1}/{samples + 1} "
                     f"of their distribution, so the intervals are narrower than that; use --bootstrap "
                     f"{math.ceil(need):d} or more")
    return notes
