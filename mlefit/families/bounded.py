"""Families whose support depends on a parameter: pareto(xm, alpha) and uniform(a, b).

These are non-regular. The MLE of a bound is a sample extreme (xm = min x; a = min x,
b = max x): the log-likelihood is -inf beyond it and still rising at it, so the score
is not zero there, its second derivative says nothing about the precision, and the
extreme converges at rate 1/n, not 1/sqrt(n). Wald intervals would be wrong, so every
interval here comes from an exact sampling distribution (the `boundary` hook), shown
without a standard error. The information hooks return NaN in the rows and columns of
the bounds (no Fisher information exists for them); the pareto alpha, regular given
xm, keeps its n / alpha^2.

Both derivations rest on one fact. For n independent draws, write S1 for the distance
from the bound to the nearest observation and S2 for a sum of n - 1 further distances,
with n c S1 ~ Exp(1) and c S2 ~ Gamma(n - 1), independent, for one unknown rate c.
Then the ratio n S1 / S2 = G1 / G(n-1) is free of c, with P(n S1 / S2 <= t) =
1 - (1 + t)^-(n-1) (a beta-prime(1, n - 1) law), so
    t_c = (1 - confidence)^(-1/(n-1)) - 1
bounds it with probability `confidence`: a one-sided interval for the bound that uses
nothing but the data. n is the total weight; with whole-number weights that is the
number of rows after repetition and everything is exact; fractional weights plug
their total into the same formulas.

Neither family squares the data (pareto works in logs and ratios, uniform in
differences, with log(b - a) taken from the halves where b - a overflows), so neither
needs `rescale`: values from 1e-300 to 1e300 are fitted as they are.
"""
import math
from types import SimpleNamespace

import numpy as np

from .. import numerics as nm
from ..errors import DataError
from . import merge
from .base import Family, Solution, scipy_stats
from .catalog import BY_NAME

LOG_2 = math.log(2.0)
NO_INTERVAL = (None, None, "no exact interval: it needs a total weight above 1")


def _extremes(x, w):
    """min and max of the rows that carry weight."""
    held = x if w is None else x[w > 0]
    return float(np.min(held)), float(np.max(held))


def _minimum(x, w):
    """min of the rows that carry weight."""
    return float(np.min(x if w is None else x[w > 0]))


def _ratio_quantile(n, confidence):
    """t with P(G1 / G(n-1) <= t) = confidence, G independent unit-rate gammas."""
    return math.expm1(-math.log1p(-confidence) / (n - 1.0))


# ---------------------------------------------------------------- pareto
PARETO_DIRECT_REL = 1e-12  # the direct T is kept where its error bound is below this, relative


@nm.takes_span
def _pareto_stats(x, w, span=None):
    """n, the minimum m, T = sum log(x/m) and sum log x (span: (min, max) of the rows
    that carry weight, when known).

    T is first taken directly, sum log x - n log m, with sum log x by blocks
    (numerics.sum_log; directly with weights). Since sum |log x| <= n |log m| + T, the
    difference is within E = n (2u + (LOG_ERROR + g + 4u) |log m|) + (LOG_ERROR + g + 3u) T
    (u = 2^-53, g = numerics.sum_bound(n)); it is kept where E <= PARETO_DIRECT_REL T.
    Otherwise (values close to their minimum) the careful form: log(x/m) as log1p of
    the relative excess (exact for tightly clustered data), or log x - log m where that
    excess overflows (x/m beyond 1e308)."""
    n = nm.total_weight(w, x.size)
    m = span[0] if span is not None else _minimum(x, w)
    sumlog = nm.sum_log(x, span) if w is None else nm.wsum(np.log(x), w)
    big = abs(math.log(m))
    t = sumlog - n * math.log(m)
    g = nm.sum_bound(n)
    error = n * (2.0 * nm.U + (nm.LOG_ERROR + g + 4.0 * nm.U) * big) + (nm.LOG_ERROR + g + 3.0 * nm.U) * t
    if t > 0 and error <= PARETO_DIRECT_REL * t:
        return SimpleNamespace(n=n, m=m, t=t, sumlog=sumlog)
    logx = np.log(x)
    with np.errstate(over="ignore"):
        excess = (x - m) / m
    logratio = np.where(np.isfinite(excess), np.log1p(np.minimum(excess, 1e308)), logx - math.log(m))
    return SimpleNamespace(n=n, m=m, t=nm.wsum(logratio, w), sumlog=nm.wsum(logx, w))


def _pareto_check(s):
    if not s.t > 0:
        raise DataError("the values are (numerically) all equal: the pareto tail index alpha "
                        "= n / sum log(x/min) would be infinite")


def _pareto_loglik(s, theta):
    """n log alpha - sum log x - alpha sum log(x/xm) for xm <= min x, else -inf."""
    xm, alpha = theta
    if not xm <= s.m:
        return -math.inf
    return s.n * math.log(alpha) - s.sumlog - alpha * (s.t + s.n * math.log1p((s.m - xm) / xm))


def _pareto_logpdf(x, theta):
    xm, alpha = theta
    inside = x >= xm
    body = math.log(alpha) - np.log(x) - alpha * np.log(np.where(inside, x, xm) / xm)
    return np.where(inside, body, -np.inf)


def _pareto_information(s, theta):
    """NaN for xm (no Fisher information: the support depends on it); n / alpha^2 for
    alpha, observed and expected alike (the exponential family of log(x/xm))."""
    return np.array([[np.nan, np.nan], [np.nan, s.n / theta[1] ** 2]])


def _pareto_boundary(s, theta, confidence):
    """Exact intervals. With Y = log(x/xm) ~ Exp(alpha): log(min/xm) ~ Exp(n alpha), and
    T = sum log(x/min) ~ Gamma(n - 1, rate alpha), independent of it (the exponential
    spacings). Hence:
    - alpha: 2 n alpha / alpha_hat = 2 alpha T ~ chi-square(2 (n - 1)) exactly; the
      equal-tailed interval is [g_lo / T, g_hi / T] with g the Gamma(n - 1) quantiles.
      E[alpha_hat] = alpha n / (n - 2), so alpha_hat (n - 2)/n is unbiased (n > 2).
    - xm: min/xm ~ Pareto(shape n alpha), which depends on alpha; but the ratio
      n log(min/xm) / T is beta-prime(1, n - 1) whatever alpha is, so the one-sided
      interval [min exp(-t_c / alpha_hat), min] (xm <= min always) is exact, no plug-in
      of alpha_hat needed (the plug-in min (1 - confidence)^(1/(n alpha_hat)) is
      slightly too short)."""
    if not s.n > 1:
        return {0: NO_INTERVAL, 1: NO_INTERVAL}
    tail = 0.5 * (1.0 - confidence)
    lo, hi = (gamma_quantile(s.n - 1.0, p) / s.t for p in (tail, 1.0 - tail))
    unbiased = f"; unbiased alpha_hat (n-2)/n = {(s.n - 2.0) / s.t:.6g}" if s.n > 2 else ""
    lower_xm = s.m * math.exp(-_ratio_quantile(s.n, confidence) * s.t / s.n)
    why = "n log(min/xm) / sum log(x/min) ~ beta-prime(1, n-1) whatever alpha is"
    return {0: (lower_xm, s.m, f"one-sided (xm <= min x), exact: {why}"),
            1: (lo, hi, f"exact: 2 n alpha / alpha_hat ~ chi-square(2(n-1)){unbiased}")}


GAMMA_BY_EXPANSION = 1e5  # shapes from which gamma_quantile needs no scipy (for |z| <= 4)


def gamma_quantile(a, p):
    """The p quantile of Gamma(a, 1). For a >= GAMMA_BY_EXPANSION and the normal quantile z
    of p within 4, the Cornish-Fisher expansion (Fisher and Cornish 1960, the chi-square's
    with 2a degrees of freedom, halved) to its a^-3/2 term, whose remainder is below 1e-15
    relative there (tests/test_positive_bounded.py: against scipy's gammaincinv): a fit of
    1e7 values then does not import scipy.special (0.25-0.35 s, most of the fit's time).
    Otherwise scipy's gammaincinv."""
    from statistics import NormalDist

    z = NormalDist().inv_cdf(p) if 0.0 < p < 1.0 else math.inf
    if a >= GAMMA_BY_EXPANSION and abs(z) <= 4.0:
        r = math.sqrt(a)
        z2 = z * z
        return (a + z * r + (z2 - 1.0) / 3.0 + z * (z2 - 7.0) / (36.0 * r) - (3.0 * z2 * z2 + 7.0 * z2 - 16.0) / (810.0 * a)
                + z * (9.0 * z2 * z2 + 256.0 * z2 - 433.0) / (38880.0 * a * r))
    from scipy.special import gammaincinv

    return float(gammaincinv(a, p))


def _pareto_conditional(s, fixed, confidence):
    """Given xm = x0 (<= min): alpha = n / S with S = sum log(x/x0), and 2 alpha S ~
    chi-square(2n) exactly. Given alpha: xm = min, and min/xm ~ Pareto(shape n alpha),
    so [min (1 - confidence)^(1/(n alpha)), min] covers xm exactly."""
    if 0 in fixed and 1 in fixed:
        return (fixed[0], fixed[1]), {}
    if 0 in fixed:
        x0 = fixed[0]
        total = s.t + s.n * math.log(s.m / x0) if x0 <= s.m else -math.inf
        alpha = s.n / total if total > 0 else math.inf
        tail = 0.5 * (1.0 - confidence)
        lo, hi = (gamma_quantile(s.n, p) / total for p in (tail, 1.0 - tail)) if total > 0 else (0, 0)
        return (x0, alpha), {1: (lo, hi, "exact given xm: 2 alpha sum log(x/xm) ~ chi-square(2n)")}
    alpha = fixed[1]
    lower = s.m * (1.0 - confidence) ** (1.0 / (s.n * alpha))
    return (s.m, alpha), {0: (lower, s.m, "one-sided, exact given alpha: min/xm ~ Pareto(n alpha)")}


PARETO = Family(
    spec=BY_NAME["pareto"],
    stats=_pareto_stats,
    merge=merge.pareto,
    estimate=lambda s, c: Solution((s.m, s.n / s.t), "closed form: xm = min x, alpha = n / sum log(x/xm)"),
    loglik=_pareto_loglik,
    logpdf=_pareto_logpdf,
    observed_information=_pareto_information,
    expected_information=_pareto_information,
    scipy=lambda t: scipy_stats().pareto(t[1], scale=t[0]),
    check=_pareto_check,
    boundary=_pareto_boundary,
    conditional=_pareto_conditional,
    cdf=lambda x, t: -np.expm1(-t[1] * np.log(np.maximum(x, t[0]) / t[0])),
    sample=lambda rng, n, t: t[0] * np.exp(rng.exponential(1.0 / t[1], n)),
    min_n=2,
    needs_spread=True,
    info_note="xm is the sample minimum, where the support begins (non-regular): it has no "
              "standard error; its interval is exact",
)


# ---------------------------------------------------------------- uniform
@nm.takes_span
def _uniform_stats(x, w, span=None):
    if span is None:  # unweighted: numerics.extremes, both ends of each block while it is in cache
        span = nm.extremes(x) if w is None else _extremes(x, w)
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
    reach = s.range * _ratio_quantile(s.n, confidence)
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
    spec=BY_NAME["uniform"],
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

FAMILIES = (PARETO, UNIFORM)
