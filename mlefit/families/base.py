"""The record every family fills in. A family is data: its spec (catalog.py) plus a
handful of vectorised functions. Estimation, inference and output are shared."""
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, NamedTuple, Optional

import numpy as np

from .catalog import Spec


def scipy_stats():
    """scipy.stats, imported on demand (it costs over a second), whose distributions
    freeze cheaply (frozen.py: derived quantities call them at thousands of parameter
    values)."""
    from .frozen import Stats
    return Stats()


def scipy_special():
    """scipy.special, imported on demand (distribution functions for goodness of fit)."""
    import scipy.special
    return scipy.special


class Rows:
    """The data of a family whose rows carry sides (Family.sides: binomial's trials per
    row): the rows (value, *sides), kept as the columns they are, uncopied (a matrix of
    them made afresh for every fit cost 16 bytes a row and page faults: binomial at 1e5
    in a loop of fits, 1.2 -> 2.1 ms). Indexed by rows, as a matrix is: x[rows] is the
    Rows of those rows; x.columns are the arrays."""

    __slots__ = ("columns",)
    ndim = 2

    def __init__(self, *columns):
        self.columns = columns

    @property
    def shape(self):
        return (self.columns[0].shape[0], len(self.columns))

    def __len__(self):
        return self.columns[0].shape[0]

    def __getitem__(self, rows):
        return Rows(*(c[rows] for c in self.columns))

    def __repr__(self):
        return f"Rows({', '.join(map(repr, self.columns))})"


def rows_of(values, *sides):
    """The rows (value, *sides) of a family with sides: float64 columns, uncopied where
    they are float64 already."""
    return Rows(*(np.asarray(c, dtype=np.float64) for c in (values,) + sides))


@dataclass(frozen=True)
class Solution:
    """What an estimator returns: the estimate and how it was reached."""

    theta: tuple
    method: str
    iterations: int = 0
    converged: bool = True
    message: str = ""
    start: tuple | None = None  # where an iterative estimator began (method of moments)
    # (log-likelihood, observed information) at theta, when the estimator's last step
    # computed them: the fit then takes no further pass over the data for them
    at: tuple | None = field(default=None, compare=False, repr=False)


class Controls(NamedTuple):
    """The iterative estimators' limits. (Controls and Limit are typing.NamedTuple:
    immutable like the frozen dataclasses here, defined at each start in a tenth of the time.)"""

    max_iter: int = 200
    tol: float = 1e-12
    mle_optional: bool = False  # a MAP fit follows: an estimator may return a start where no MLE exists


class Limit(NamedTuple):
    """Where a family's MLE runs off to a neighbouring, simpler family (student_t's df ->
    infinity: the normal; negative_binomial's size -> infinity: the poisson; beta_binomial's
    a, b -> infinity: the binomial). One record per family, read by its fast path
    (Family.limit: the bootstrap, --fix) and by its per-row density (Density.limit: the
    censored fit, whose estimator cannot reach the edge on its own scale, fits the limit
    and compares)."""

    family: Callable  # family(*shapes) -> the limit's family name
    going: tuple  # the parameters that run off
    why: str  # what an error, or an interval at the edge, says
    text: str  # where the bootstrap records the resamples that reach it ('the normal limit: df = inf')
    # the censored fit: near(theta) -> whether a fit is heading there; inside(theta) -> a
    # start well away from the edge, with the other parameters kept
    near: Callable
    inside: Callable
    # lift(theta of the limit) -> the theta to report at the edge, or None where the edge is
    # no finite MLE (then an error, `why`, with the start for fits that hold a going
    # parameter fixed: start(theta of the limit))
    lift: Optional[Callable] = None
    start: Optional[Callable] = None
    # the parameter at the edge (its interval is one-sided), whose estimate at or beyond
    # `at` is the limit (student_t's df, DF_LIMIT)
    index: Optional[int] = None
    at: float = float("inf")
    # the fast path: given(stats, fixed, start, controls) -> Solution: --fix's fit of the
    # others while `index` is free, where the generic one is flat at the limit
    # (student_t.fit_given); resampled(fitted, stats, near) -> (theta, point): a resample
    # whose fit raised BoundaryError, at the limit (theta holds inf), with a point `near`
    # times closer to it
    given: Optional[Callable] = None
    resampled: Optional[Callable] = None


@dataclass(frozen=True)
class Family:
    """One family.

    stats(x, w) -> object with at least `n` (the total weight): the sufficient
        statistics (or whatever the estimator needs) computed once from the data (x: the
        values, or for a family with `sides` the rows (value, *sides): data(record)).
    estimate(stats, controls) -> Solution.
    loglik(stats, theta) -> the summed log-likelihood.
    logpdf(x, theta) -> per-observation log density or mass (vectorised).
    observed_information(stats, theta) -> matrix: minus the Hessian of the log-likelihood.
    expected_information(stats, theta) -> matrix, or None where no closed form exists.
    check(stats) -> raises DataError when the data leave the MLE undefined.
    boundary(stats, theta, confidence) -> {param index: (lo, hi, note)} for estimates
        on the edge of the parameter space (exact intervals), or {}.
    covariance(stats, theta) -> covariance matrix computed directly, where inverting
        the information would lose precision (gamma at huge shapes) or the parameters
        are constrained (categorical: probabilities sum to one). Must equal the
        inverse information wherever that is well conditioned. A 1-d array is read as
        the variances alone (the diagonal).
    param_names(stats) -> names, when they depend on the data (categorical labels).
    rescale(s) -> (multipliers, shifts): how each parameter moves when the data are
        multiplied by s, for families equivariant under scaling (theta -> theta*m + c).
    scipy(theta) -> the frozen scipy.stats equivalent (used by the tests), or None.
    cdf(x, theta) -> P(X <= x), vectorised; defaults to scipy's.
    sample(rng, n, theta, *sides) -> n draws (a numpy Generator; given each draw's sides, for
        a family with sides); defaults to scipy's rvs.
    conditional(stats, fixed, confidence) -> (theta, {index: (lo, hi, note)}): the MLE
        and exact intervals of the free parameters given {index: value} fixed, for the
        non-regular families whose --fix has a closed form (pareto, uniform).
    profile(stats, index, value, start, controls) -> (loglik, theta): the largest
        log-likelihood with parameter `index` held at `value` (nothing else fixed), for a
        two-parameter family whose other parameter has a closed form or a one-dimensional
        equation in a few sums (weibull): the profile intervals and --fix use it.
    refine(stats, theta, controls) -> Solution: the fit from the start theta, where the
        estimator otherwise searches many starts (normal_mixture): the bootstrap's refits.
    param_domains(stats) / free_count(stats): domains and the number of free parameters
        where they depend on the data or the shape (mixtures).
    merge(a, b) -> the stats of two data sets together, from the stats of each: the
        families whose statistics are a few sums fit a file chunk by chunk in one pass
        (stream.py). Discrete families need none: they stream as a table of counts.
    chunked_stats(chunks) -> stats, for the families whose estimator needs every value
        (no merge): chunks holds the values outside memory (mlefit.io.chunks.Chunks: n, lo,
        hi, map_sum, sample) and estimate, loglik, the information, check and boundary
        work on these stats by passes over the chunks (summed score and Hessian), so a
        file is fitted in several passes in memory bounded by the chunk size.
    closed: the distribution's functions in closed form, which derived quantities use
        before scipy.stats (whose import costs over half a second): a dict with any of
        mean(theta), var(theta), cdf(x, theta), sf(x, theta), ppf(p, theta), each a float
        (NaN outside the parameter space), equal to scipy's to rounding.
    chunked_logs: chunked_stats visits the values only through chunks.log_sum (weibull),
        so a file's chunks may hold log x, taken once as it is read (LocalChunks(logs=True)).
    chunked_moments: chunked_stats takes the mean and spread (or the sum) of the values
        (of their logs, with chunked_logs), which LocalChunks(moments=True) then sums as
        the file is read: no pass over the chunks for them.
    """

    spec: Spec
    stats: Callable
    estimate: Callable
    loglik: Callable
    logpdf: Callable
    observed_information: Callable
    scipy: Callable
    expected_information: Optional[Callable] = None
    check: Optional[Callable] = None
    boundary: Optional[Callable] = None
    covariance: Optional[Callable] = None
    param_names: Optional[Callable] = None
    rescale: Optional[Callable] = None
    cdf: Optional[Callable] = None
    sample: Optional[Callable] = None
    conditional: Optional[Callable] = None
    refine: Optional[Callable] = None
    profile: Optional[Callable] = None
    # given(stats, fixed, start, controls) -> Solution: the MLE of the others with the
    # parameters {index: value} fixed, by the family's own estimator (censored fits)
    given: Optional[Callable] = None
    param_domains: Optional[Callable] = None
    free_count: Optional[Callable] = None
    merge: Optional[Callable] = None
    chunked_stats: Optional[Callable] = None
    chunked_logs: bool = False
    chunked_moments: bool = False
    min_n: int = 1
    needs_spread: bool = False
    info_note: str = ""
    estimate_notes: Optional[Callable] = None  # (stats, theta) -> notes on this estimate (a degenerate component)
    # below(stats) -> {param index: bound}: parameters that must stay below a value of the data
    # (a threshold below the smallest value); their Wald intervals are built on the scale
    # log(bound - parameter) and mapped back, so that they stay below it
    below: Optional[Callable] = None
    # (Density, shapes): the per-row record of a family outside the registry (a user's own
    # model, mlefit.own.model); families.density(fam) returns it
    rowwise: Optional[tuple] = None
    closed: Optional[dict] = None
    # where the mean and variance exist: (index, name of the parameter, the value it must
    # exceed for the mean, for the variance) (student_t's df, pareto's alpha); () where no
    # moment exists (cauchy); None where every moment does
    moments: Optional[tuple] = None
    # vouches(stats, x) -> bool: whether the statistics of the unweighted float64 values x
    # (with x.min() where the support's lower end needs it) show all that estimate.fit
    # would otherwise check with a pass for the extremes: every value finite and in the
    # support, spread where it is needed, not a column of 0s and 1s, magnitudes within
    # numerics.VOUCHED_MAGNITUDE (no rescaling). False: the checked path runs.
    vouches: Optional[Callable] = None
    # where the MLE runs off to a neighbouring family (Limit: the record its per-row Density.limit is), or None
    limit: Optional[Limit] = None
    # constraint(stats) -> the matrix from the free parameters to all of them, for a family
    # whose parameters are tied (normal_mixture's weights sum to one), or None
    constraint: Optional[Callable] = None
    # map_fit(result, given) -> the MAP fit, for a family whose estimator searches from many
    # starts (normal_mixture: mixture_map.fit_map); None: the one MAP estimator (map_fit.py)
    map_fit: Optional[Callable] = None
    # the Record's per-row columns (data.SIDES) that a row of this family's data carries beside
    # its value: ("trials",) for binomial and beta_binomial with trials per row, whose data are
    # then the Rows (value, trials), the record's columns uncopied (data(record) makes them,
    # split(rows) parts them). The family is one object, whatever the data; resampling moves
    # whole rows.
    sides: tuple = ()

    def data(self, record):
        """The data of this family in the Record `record`: its values, or, for a family
        with sides, the rows (value, *sides)."""
        if not self.sides:
            return record.values
        return rows_of(record.values, *(getattr(record, side) for side in self.sides))

    def split(self, x):
        """(values, sides) of this family's data x: x and () for a family without sides;
        for one with them, the rows' first column and the others (one array per side),
        which the per-row Density (families.density) takes after its parameters."""
        if not self.sides:
            return x, ()
        return x.columns[0], x.columns[1:]

    @property
    def name(self):
        return self.spec.name

    def names(self, stats):
        if self.param_names is not None:
            return tuple(self.param_names(stats))
        return self._spec_names

    # the names and domains of the spec's parameters, made once per family (a generator
    # and a tuple per call cost 0.4 us each, on every fit); cached_property writes the
    # instance's __dict__ directly, so the frozen record stays frozen
    @cached_property
    def _spec_names(self):
        return tuple(p.name for p in self.spec.params)

    @cached_property
    def _spec_domains(self):
        return tuple(p.domain for p in self.spec.params)

    def free_parameters(self, stats):
        """How many parameters the data determine (k in AIC and BIC)."""
        if self.free_count is not None:
            return int(self.free_count(stats))
        if self.param_names is not None:  # labelled probabilities that sum to one
            return len(self.param_names(stats)) - 1
        return len(self.spec.params)

    def domains(self, stats):
        if self.param_domains is not None:
            return tuple(self.param_domains(stats))
        if self.param_names is not None:
            return tuple(self.spec.params[0].domain for _ in self.param_names(stats))
        return self._spec_domains

    def cdf_values(self, x, theta):
        if self.cdf is not None:
            with np.errstate(all="ignore"):  # log(0) = -inf below a positive support; 0 * inf at p = 1
                return self.cdf(x, theta)
        return self.scipy(theta).cdf(x)

    def draw(self, rng, n, theta, sides=()):
        """n draws at theta; for a family with sides, given the sides of each draw (one per
        draw: binomial's trials), as values (not rows)."""
        if self.sample is not None:
            return self.sample(rng, n, theta, *sides)
        return np.asarray(self.scipy(theta).rvs(size=n, random_state=rng), dtype=np.float64)
