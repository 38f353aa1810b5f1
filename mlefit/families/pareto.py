"""pareto(xm, alpha): per-row log-density, tails and derivatives.

xm is where the support begins (y >= xm): its MLE is the sample minimum, where the
log-likelihood is still rising (non-regular), so the estimator holds it there
(`extreme`) and maximises over alpha alone. With L = log(y/xm) >= 0 on the support:
    log f = log alpha - log y - alpha L,   log S = -alpha L,   log F = log(1 - e^(-alpha L));
    d/dxm = alpha/xm,  d/dalpha = 1/alpha - L;
    d2/dxm2 = -alpha/xm^2,  d2/dxm dalpha = 1/xm,  d2/dalpha2 = -1/alpha^2.
"""
import math
from types import SimpleNamespace

import numpy as np

from .. import numerics as nm
from ..errors import DataError
from . import merge
from .base import Family, Solution, scipy_stats
from .bounds_common import NO_INTERVAL, minimum, ratio_quantile
from .catalog import POSITIVE, Param, Spec
from .positive_common import exp_tails, floats, inside_or, masked_derivs, one_tail, quiet, weighted_min
from .rowwise import Density, weighted_mean


SPEC = Spec("pareto", (Param("xm", POSITIVE, "lower bound (scale): the smallest possible value"),
                       Param("alpha", POSITIVE, "tail index (shape)")),
            "positive", False, True, "alpha xm^alpha / x^(alpha+1) for x >= xm",
            "pareto(b=alpha, scale=xm)", "actuar::dpareto1(x, shape=alpha, min=xm)",
            aliases=("pareto1", "power_law"),
            estimator="closed form: the minimum, n / sum log(x/min); exact intervals", listed=260, select_rank=160)


@quiet
def _log_ratio(y, xm):
    """(y, log(y/xm)): log1p of the relative excess, exact for y close to xm (y - xm is
    then exact), or log y - log xm where that excess overflows."""
    y = floats(y)
    excess = (y - xm) / xm
    return y, np.where(np.isfinite(excess), np.log1p(excess), np.log(y) - np.log(xm))


@quiet
def logpdf(y, xm, alpha):
    y, big_l = _log_ratio(y, xm)
    return inside_or(y >= xm, np.log(alpha) - np.log(y) - alpha * big_l, -np.inf)


@quiet
def derivs(y, xm, alpha):
    y, big_l = _log_ratio(y, xm)
    ll = np.log(alpha) - np.log(y) - alpha * big_l
    zero = 0.0 * y
    score = (alpha / xm + zero, 1.0 / alpha - big_l)
    h_xa = 1.0 / xm + zero
    hess = ((-alpha / xm / xm + zero, h_xa), (h_xa, -1.0 / alpha / alpha + zero))
    return masked_derivs(y >= xm, ll, score, hess)


@quiet
def tails(y, xm, alpha):
    y, big_l = _log_ratio(y, xm)
    return exp_tails(alpha * big_l, y >= xm)


def start(y, w):
    """xm = the minimum; alpha = 1/mean(log(y/xm)), the moment of log y that is alpha's
    MLE given xm."""
    xm = weighted_min(y, w)
    mean_log = weighted_mean(_log_ratio(y, xm)[1], w)
    return xm, 1.0 / max(mean_log, 1e-300)


DENSITY = Density(
    name="pareto", params=("xm", "alpha"), domains=(POSITIVE, POSITIVE),
    logpdf=logpdf,
    logcdf=one_tail(tails, 0), logsf=one_tail(tails, 1),
    derivs=derivs, start=start,
    sample=lambda rng, size, xm, alpha: xm * np.exp(rng.exponential(1.0 / alpha, size)),
    scipy=lambda xm, alpha: scipy_stats().pareto(alpha, scale=xm),
    extreme={0: weighted_min},
    note="xm is held at the sample minimum, where the support begins (non-regular: no "
         "standard error); alpha is fitted given it",
)


# ---------------------------------------------------------------- the fast path: the pareto
# fit from sufficient statistics (no covariates, no censoring, no prior); PARETO is
# the family's record (families.get); its exact intervals: bounds_common.py
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
    m = span[0] if span is not None else minimum(x, w)
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
    lower_xm = s.m * math.exp(-ratio_quantile(s.n, confidence) * s.t / s.n)
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
    if a >= GAMMA_BY_EXPANSION and 0.0 < p < 1.0:  # (the normal quantile only where it is used)
        from statistics import NormalDist

        z = NormalDist().inv_cdf(p)
    else:
        z = math.inf
    if abs(z) <= 4.0:
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
    spec=SPEC,
    moments=(1, "alpha", 1, 2),
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
