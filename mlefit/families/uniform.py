"""uniform(a, b): per-row log-density, tails and derivatives.

Both parameters are support bounds (a <= y <= b): their MLEs are the sample minimum and
maximum (`extreme`), where the log-likelihood -n log(b - a) is still rising, so the
estimator holds them there and has nothing left to maximise. Differences are taken of
halves, (y/2 - a/2), so that b - a = 2e308 does not overflow:
    log f = -log(b - a),   F = (y - a)/(b - a),   S = (b - y)/(b - a) (positive_common.log_complements);
    d/da = 1/(b - a), d/db = -1/(b - a); d2/da2 = d2/db2 = 1/(b - a)^2, d2/da db = -1/(b - a)^2.
"""
import math
from types import SimpleNamespace

import numpy as np

from .. import numerics as nm
from ..errors import DataError
from . import merge
from .base import Family, Solution, scipy_stats
from .bounds_common import LOG_2, NO_INTERVAL, extremes, ratio_quantile
from .catalog import REAL, Param, Spec
from .positive_common import (floats, inside_or, log_complements, masked_derivs, one_tail, quiet,
                              weighted_max, weighted_min)
from .rowwise import Density
from .tails import LN2


SPEC = Spec("uniform", (Param("a", REAL, "lower bound"), Param("b", REAL, "upper bound")),
            "real", False, True, "1/(b-a) for a <= x <= b",
            "uniform(loc=a, scale=b-a)", "dunif(x, min=a, max=b)", aliases=("unif", "rectangular"),
            estimator="closed form: the minimum and maximum; exact intervals", listed=270, select_rank=70)


def _log_gap(hi, lo):
    """log(hi - lo) for hi >= lo, without overflow."""
    return np.log(0.5 * hi - 0.5 * lo) + LN2


@quiet
def logpdf(y, a, b):
    y = floats(y)
    return inside_or((y >= a) & (y <= b), -_log_gap(b, a) + 0.0 * y, -np.inf)


@quiet
def derivs(y, a, b):
    y = floats(y)
    width = 0.5 * b - 0.5 * a  # half the width
    d = 0.5 / width + 0.0 * y
    h = d * d
    return masked_derivs((y >= a) & (y <= b), -_log_gap(b, a) + 0.0 * y, (d, -d), ((h, -h), (-h, h)))


@quiet
def tails(y, a, b):
    """(log F, log S) from F = (y - a)/(b - a) and S = (b - y)/(b - a), by halves."""
    y = floats(y)
    width = 0.5 * b - 0.5 * a
    p = (0.5 * np.clip(y, a, b) - 0.5 * a) / width
    q = (0.5 * b - 0.5 * np.clip(y, a, b)) / width
    return log_complements(p, q)


DENSITY = Density(
    name="uniform", params=("a", "b"), domains=(REAL, REAL),
    logpdf=logpdf,
    logcdf=one_tail(tails, 0), logsf=one_tail(tails, 1),
    derivs=derivs,
    start=lambda y, w: (weighted_min(y, w), weighted_max(y, w)),
    sample=lambda rng, size, a, b: rng.uniform(a, b, size),
    scipy=lambda a, b: scipy_stats().uniform(a, b - a),
    extreme={0: weighted_min, 1: weighted_max},
    note="a and b are held at the sample extremes, where the support ends (non-regular: "
         "no standard errors); nothing is left to maximise",
)


# ---------------------------------------------------------------- the fast path: the uniform
# fit from sufficient statistics (no covariates, no censoring, no prior); UNIFORM is
# the family's record (families.get); its exact intervals: bounds_common.py
@nm.takes_span
def _uniform_stats(x, w, span=None):
    if span is None:  # unweighted: numerics.extremes, both ends of each block while it is in cache
        span = nm.extremes(x) if w is None else extremes(x, w)
    lo, hi = span
    return SimpleNamespace(n=nm.total_weight(w, x.size), lo=lo, hi=hi, range=hi - lo)


def _uniform_vouches(s, x):
    """Finite ends vouch for finite values (a NaN makes the minimum NaN, and fails every
    comparison here); lo < hi for spread; a column of 0s and 1s has the ends (0, 1), the
    only ends that leave a binary note to make; max(|lo|, |hi|) is the largest magnitude,
    so within VOUCHED_MAGNITUDE no rescaling is needed. The support is the real line."""
    big = nm.VOUCHED_MAGNITUDE
    far = max(abs(s.lo), abs(s.hi))
    return s.lo < s.hi and 1.0 / big <= far <= big and (s.lo, s.hi) != (0.0, 1.0)


def _uniform_check(s):
    if not s.range > 0:
        raise DataError("the values are (numerically) all equal: the uniform range max - min "
                        "is 0 and the density 1/(b - a) would be infinite")


def _log_width(a, b):
    """log(b - a), also where b - a overflows (a = -1e308, b = 1e308)."""
    width = b - a
    return math.log(width) if math.isfinite(width) else math.log(0.5 * b - 0.5 * a) + LOG_2


def _uniform_loglik(s, theta):
    a, b = theta
    if not (a <= s.lo and b >= s.hi):
        return -math.inf
    return -s.n * _log_width(a, b)


def _uniform_logpdf(x, theta):
    a, b = theta
    return np.where((x >= a) & (x <= b), -_log_width(a, b), -np.inf)


def _uniform_boundary(s, theta, confidence):
    """Exact one-sided intervals. With theta = b - a and R = max - min, the n + 1
    spacings of a uniform sample are Dirichlet(1, ..., 1), so
    ((min - a)/theta, R/theta, (b - max)/theta) ~ Dirichlet(1, n - 1, 1): each end gap
    is Beta(1, n), the range is Beta(n - 1, 2), and (min - a)/R = G1 / G(n-1) is
    beta-prime(1, n - 1), free of both a and b. Since a <= min, [min - R t_c, min]
    covers a with probability exactly `confidence`, whatever b is (likewise
    [max, max + R t_c] for b). The gaps alone give intervals exact only given the other
    end, e.g. a >= (min - b q)/(1 - q) with q = 1 - (1 - confidence)^(1/n); the ratio
    above needs no such condition. The range also gives an exact interval for the width
    b - a: [R / q_hi, R / q_lo], q the Beta(n - 1, 2) quantiles."""
    if not s.n > 1:
        return {0: NO_INTERVAL, 1: NO_INTERVAL}
    reach = s.range * ratio_quantile(s.n, confidence)
    why = "~ beta-prime(1, n-1) whatever the other end is"
    return {0: (s.lo - reach, s.lo, f"one-sided (a <= min x), exact: (min - a)/(max - min) {why}"),
            1: (s.hi, s.hi + reach, f"one-sided (b >= max x), exact: (b - max)/(max - min) {why}")}


def _uniform_conditional(s, fixed, confidence):
    """Given a = a0 (<= min): b = max, and (max - a0)/(b - a0) ~ Beta(n, 1), so
    [max, a0 + (max - a0)/(1 - confidence)^(1/n)] covers b exactly (and the mirror
    image given b)."""
    if 0 in fixed and 1 in fixed:
        return (fixed[0], fixed[1]), {}
    stretch = (1.0 - confidence) ** (-1.0 / s.n)
    if 0 in fixed:
        a0 = fixed[0]
        return (a0, s.hi), {1: (s.hi, a0 + (s.hi - a0) * stretch,
                                "one-sided, exact given a: (max - a)/(b - a) ~ Beta(n, 1)")}
    b0 = fixed[1]
    return (s.lo, b0), {0: (b0 - (b0 - s.lo) * stretch, s.lo,
                            "one-sided, exact given b: (b - min)/(b - a) ~ Beta(n, 1)")}


UNIFORM = Family(
    spec=SPEC,
    vouches=_uniform_vouches,
    stats=_uniform_stats,
    merge=merge.uniform,
    estimate=lambda s, c: Solution((s.lo, s.hi), "closed form: a = min x, b = max x"),
    loglik=_uniform_loglik,
    logpdf=_uniform_logpdf,
    observed_information=lambda s, t: np.full((2, 2), np.nan),
    expected_information=lambda s, t: np.full((2, 2), np.nan),
    scipy=lambda t: scipy_stats().uniform(t[0], t[1] - t[0]),
    check=_uniform_check,
    boundary=_uniform_boundary,
    conditional=_uniform_conditional,
    cdf=lambda x, t: np.clip((np.asarray(x, dtype=np.float64) - t[0]) / (t[1] - t[0]), 0.0, 1.0),
    sample=lambda rng, n, t: rng.uniform(t[0], t[1], n),
    min_n=2,
    needs_spread=True,
    info_note="a and b are the sample extremes, where the support ends (non-regular): they "
              "have no standard errors; their intervals are exact",
)
