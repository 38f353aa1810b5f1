"""beta_binomial(a, b) with trials t per row (a trailing argument): per-row log-mass,
tails and derivatives. C(t, y) B(y + a, t - y + b) / B(a, b), y = 0..t."""
import math

import numpy as np

from .. import gamma_arrays as ga
from ..gamma_arrays import TINY
from .base import Limit, scipy_stats
from .catalog import POSITIVE, Param, Spec
from .counts_common import inside_unit, log_choose, masked, on_support, tail, wsum
from .rowwise import Density
from .tails import LN2, log1mexp


SPEC = Spec("beta_binomial", (Param("a", POSITIVE, "first shape (alpha)"), Param("b", POSITIVE, "second shape (beta)")),
            "count", True, False, "C(trials, x) B(x+a, trials-x+b) / B(a, b), x = 0..trials",
            "betabinom(n=trials, a=a, b=b)", "extraDistr::dbbinom(x, size=trials, alpha=a, beta=b)",
            aliases=("betabinom", "betabinomial"), shape="trials",
            estimator="Newton on (log a, log b) from the method of moments", listed=290, select_rank=70,
            nests=(("binomial", "beta_binomial as a + b -> infinity", 1, True, 70),),
            shape_example="10", shape_rule="a positive whole number",
            shape_range=(1, True, 9007199254740992, False, True))


def log_shares(a, b):
    """(log(a/(a+b)), log(b/(a+b))), each from the smaller over the larger shape (log1p of
    a ratio in (0, 1], and the log of that ratio by its factors where it underflows), so
    neither loses digits when a and b are huge or far apart. Two floats by math (the fast
    path's Newton takes them at every step)."""
    if isinstance(a, float) and isinstance(b, float):
        return _log_shares_float(a, b)
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ra, rb = a / b, b / a
        log_ra = ga.log_of(ra, lambda: np.log(a) - np.log(b))
        log_rb = ga.log_of(rb, lambda: np.log(b) - np.log(a))
        below = a <= b
        return (np.where(below, log_ra - np.log1p(ra), -np.log1p(rb)),
                np.where(below, -np.log1p(ra), log_rb - np.log1p(rb)))


def _log_shares_float(a, b):
    """log_shares of two positive floats."""
    small, big = (a, b) if a <= b else (b, a)
    ratio = small / big
    log_ratio = math.log(ratio) if ratio >= TINY else math.log(small) - math.log(big)
    fall = -math.log1p(ratio)
    shares = (log_ratio + fall, fall)
    return shares if a <= b else shares[::-1]


def _log_terms(y, a, b, t):
    """log C(t, y) + log B(y + a, t - y + b) - log B(a, b), as log C(t, y) + y log(a/(a+b))
    + (t-y) log(b/(a+b)) (the binomial's log-mass at p = a/(a+b)) + R(a, y) + R(b, t-y)
    - R(a+b, t), R(c, v) = lgamma(c + v) - lgamma(c) - v log c (ga.log_gamma_rise): no term
    near v log c is left to cancel, where the log-beta differences lost 7e-6 of log P at shapes
    of 1e9 (1e-2 at 1e12). Where a + b < ga.STIRLING_FROM, those differences (scipy's
    betaln) themselves: nothing large cancels there, and they take a third less time."""
    y = np.asarray(y, dtype=np.float64)
    fails = t - y
    if np.all(np.add(a, b) < ga.STIRLING_FROM):
        from scipy.special import betaln
        return log_choose(t, y) + betaln(y + a, fails + b) - betaln(a, b)
    share_a, share_b = log_shares(a, b)
    with np.errstate(invalid="ignore"):
        binomial = np.where(y > 0, y * share_a, 0.0) + np.where(fails > 0, fails * share_b, 0.0)
    return (log_choose(t, y) + binomial
            + (ga.log_gamma_rise(a, y) + ga.log_gamma_rise(b, fails) - ga.log_gamma_rise(a + b, t)))


def logpdf(y, a, b, trials):
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = _log_terms(y, a, b, trials)
    return masked(on_support(y, trials), value)


def derivs(y, a, b, trials):
    """d/da = psi(y+a) - psi(a) - (psi(t+a+b) - psi(a+b)), and likewise in b with t - y;
    the Hessian the same in trigamma (the cross term only from t+a+b and a+b). Each
    difference by ga.digamma_rises, which keeps its digits at large shapes (the direct
    differences of digammas near log a kept about 7 at a = 1e9)."""
    y = np.asarray(y, dtype=np.float64)
    fails = trials - y
    d_ya, h_ya = ga.digamma_rises(a, y)
    d_fb, h_fb = ga.digamma_rises(b, fails)
    d_t, h_t = ga.digamma_rises(a + b, trials)
    h_ab = -h_t + 0.0 * y
    return logpdf(y, a, b, trials), (d_ya - d_t, d_fb - d_t), ((h_ya + h_ab, h_ab), (h_ab, h_fb + h_ab))


def _log_mass_sums(k, a, b, trials):
    """(log P(Y <= k), log P(Y > k)) per row, k in 0..t-1. scipy.special has no
    beta-binomial distribution function: each tail is the running log-sum of its own
    terms (np.logaddexp.accumulate, upwards from 0 and downwards from t), so neither is
    1 - the other, far out in either tail. The terms are computed once per distinct
    (a, b, t), for a few thousand of them at a time (at most about 2^21 terms)."""
    k, a, b, t = (v.ravel() for v in np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (k, a, b, trials))))
    groups, which = np.unique(np.column_stack([a, b, t]), axis=0, return_inverse=True)
    order = np.argsort(which.ravel(), kind="stable")
    which, k = which.ravel()[order], k[order].astype(np.int64)
    lower, upper = np.empty(k.size), np.empty(k.size)
    j = np.arange(int(groups[:, 2].max()) + 1, dtype=np.float64) if k.size else np.zeros(1)
    step = max(1, 2 ** 21 // j.size)
    for g0 in range(0, len(groups), step):
        sa, sb, gt = (groups[g0:g0 + step, i][:, None] for i in range(3))
        with np.errstate(invalid="ignore"):  # j beyond a group's t: no mass
            terms = np.where(j <= gt, _log_terms(j, sa, sb, gt), -np.inf)
        at_most = np.logaddexp.accumulate(terms, axis=1)  # log P(Y <= j)
        at_least = np.logaddexp.accumulate(terms[:, ::-1], axis=1)[:, ::-1]  # log P(Y >= j)
        lo, hi = np.searchsorted(which, [g0, g0 + step])
        g, kk = which[lo:hi] - g0, k[lo:hi]
        lower[order[lo:hi]], upper[order[lo:hi]] = at_most[g, kk], at_least[g, kk + 1]
    return lower, upper


def _tail(y, a, b, trials, upper):
    """log P(Y > k) (upper) or log P(Y <= k), k = floor(y): the direct sum where it is at
    most 1/2, else log(1 - the other tail's sum), which is then accurate near 0."""
    shape = np.broadcast_shapes(*(np.shape(v) for v in (y, a, b, trials)))

    def formula(k):
        below, above = _log_mass_sums(k, a, b, trials)
        want, other = (above, below) if upper else (below, above)
        return np.where(want <= -LN2, want, log1mexp(other)).reshape(shape)

    return formula


def logcdf(y, a, b, trials):
    return tail(y, _tail(y, a, b, trials, False), -np.inf, trials, 0.0)


def logsf(y, a, b, trials):
    return tail(y, _tail(y, a, b, trials, True), 0.0, trials, -np.inf)


def start(y, w, trials):
    """The method of moments: p = sum w y / sum w t and the intra-class correlation
    rho = 1/(a+b+1) from sum w (y - t p)^2 = p (1-p) sum w t (1 + (t-1) rho), kept in
    [1e-6, 0.9] (data not overdispersed have no finite MLE: the binomial limit)."""
    y = np.asarray(y, dtype=np.float64)
    t = np.broadcast_to(np.asarray(trials, dtype=np.float64), y.shape)
    p = inside_unit(wsum(y, y, w) / wsum(t, y, w), 1e-6)
    spread = p * (1.0 - p)
    pairs = wsum(t * (t - 1.0), y, w)
    excess = wsum((y - t * p) ** 2, y, w) - spread * wsum(t, y, w)
    rho = min(max(excess / (spread * pairs), 1e-6), 0.9) if pairs > 0 else 0.5
    return p * (1.0 / rho - 1.0), (1.0 - p) * (1.0 / rho - 1.0)


def sample(rng, size, a, b, trials):
    return rng.binomial(np.asarray(trials).astype(np.int64), rng.beta(a, b, size)).astype(np.float64)


# ---------------------------------------------------------------- the binomial limit: one record for the
# fast path (counts.py: the bootstrap's resamples at the limit, the check) and the per-row density
def _bb_resampled(fitted, s, near):
    """A bootstrap resample of values that are not overdispersed (families.base.Limit):
    the binomial limit, a, b -> inf with a/(a+b) = p. Values all 0 (or all equal to their trials) leave b (or a)
    undefined, and a fixed shape cannot go to the limit: both count as failed."""
    if fitted.fixed:
        raise ArithmeticError("beta_binomial at its binomial limit cannot hold a fixed shape")
    if s.k == 0 or s.k == s.total:
        raise ArithmeticError("beta_binomial shapes are undefined when every value is 0 or its trials")
    p = s.k / s.total
    return (math.inf, math.inf), (near * p, near * (1.0 - p))


LIMIT = Limit(family=lambda trials: f"binomial:{trials:g}", going=("a", "b"),
              why="the values are not overdispersed, so the fit tends to the binomial limit (a, b -> infinity "
                  "with a/(a+b) = p); use --dist binomial", text="the binomial limit: a = b = inf",
              near=lambda theta: theta[0] + theta[1] > 1e4,
              inside=lambda theta: tuple(10.0 * t / (theta[0] + theta[1]) for t in theta),
              start=lambda theta: (theta[0], 1.0 - theta[0]), resampled=_bb_resampled)


DENSITY = Density(
    name="beta_binomial", params=("a", "b"), domains=(POSITIVE, POSITIVE), discrete=True,
    shapes=("trials",), logpdf=logpdf, logcdf=logcdf, logsf=logsf, derivs=derivs, start=start,
    sample=sample, scipy=lambda a, b, trials: scipy_stats().betabinom(trials, a, b),
    note="a and b have no finite MLE when the data are not overdispersed (the binomial limit)",
    limit=LIMIT,
)


def build(trials):
    """beta_binomial:TRIALS (a whole number), or beta_binomial with trials per row (None: its data are
    the rows (successes, trials)): the fast path's record (counts.py)."""
    from .counts import build
    return build("beta_binomial", trials)
