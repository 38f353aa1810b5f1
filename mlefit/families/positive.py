"""Families on the positive half-line: log_logistic, inverse_gaussian, half_normal, rayleigh.

log_logistic is the logistic family on y = log x (Newton on its two score equations,
the logistic family's own, from locscale.py); the other three have closed forms from
sufficient statistics. All four are equivariant
under a change of unit, and their information matrices hold powers of the scale (or the
data are squared), so values beyond 1e+-100 are fitted rescaled by a power of two.
"""
import math
from types import SimpleNamespace

import numpy as np

from .. import numerics as nm
from ..chunks import InMemory, LogsOnChunks
from ..errors import DataError
from . import locscale as ls
from . import merge
from .base import Family, Solution, scipy_stats
from .base import scipy_special as _special
from .catalog import BY_NAME
from .logistic import logistic_parts

LOG_2PI = math.log(2.0 * math.pi)
HALF_LOG_2_OVER_PI = 0.5 * math.log(2.0 / math.pi)


def _scale_only(c):
    """A one-parameter family whose parameter is a scale: it moves with the unit."""
    return (c,), (0.0,)


# ---------------------------------------------------------------- log-logistic
# Parameters (shape b, scale a): y = log x is logistic with location mu = log a and
# scale 1/b, so the fit is the logistic family's on y (locscale.py: Newton in
# (mu, log(1/b)) from the median and half the interquartile range / log 3) and the
# log-likelihood is the logistic one of y minus sum log x (the Jacobian). A file is
# fitted chunk by chunk (chunked_stats) on the logs its chunks hold (chunked_logs).
# Values clustered far from 1 (where plain logs round y by a sizeable part of its spread:
# numerics.logs_lose_digits) are fitted on y = log(x / c) about c = e^(median log x),
# taken to full precision, with mu = log(a / c); s.c is c there, else 1.

LL_METHOD = "Newton on the logistic score equations of log(x)"
LL_LOG_SCALE0 = -math.log(math.log(3.0))  # logistic scale = half the IQR / log 3


def _ll_stats(x, w):
    s = _ll_from(InMemory(np.log(x), w))
    if nm.logs_lose_digits(s.centre, s.spread):
        c = math.exp(s.centre)
        s = _ll_from(InMemory(nm.log_ratio(x, c), w), c)
    return s


def _ll_chunked(chunks):
    """The stats of values held in chunks (mlefit.chunks) through their logs: chunks
    that hold log x already (LocalChunks(logs=True): chunked_logs) only shift them."""
    s = _ll_from(LogsOnChunks(chunks, 1.0))
    if nm.logs_lose_digits(s.centre, s.spread):
        c = math.exp(s.centre)
        s = _ll_from(LogsOnChunks(chunks, c), c)
    return s


def _ll_from(logs, c=1.0):
    """The location-scale stats of y = log(x / c) (the logs given), c and sum log x."""
    s = ls.from_data(logs)
    s.c = c
    s.sumlog = logs.total() + s.n * math.log(c)  # (in chunks: summed as the file was read)
    return s


def _ll_mu(s, a):
    """mu = log(a / c), the location of y = log(x / c)."""
    return math.log(a) if s.c == 1.0 else nm.log_ratio_scalar(a, s.c)


def _ll_estimate(s, controls):
    """The logistic fit of y = log(x / c); its last Newton step's log-likelihood and
    derivatives carried to (b, a) as _ll_loglik and _ll_observed take them (no pass more)."""
    (mu, scale), it, ok, message, at = ls.newton_fit(logistic_parts, s, LL_LOG_SCALE0, controls, LL_METHOD,
                                                     derivs=True)
    start = (1.0 / (s.spread * math.exp(LL_LOG_SCALE0)), s.c * math.exp(s.centre))
    theta = (1.0 / scale, s.c * math.exp(mu))
    if at is not None:
        value, g, h = at
        at = (value - s.sumlog, _ll_information(g, h, theta))
    return Solution(theta, LL_METHOD, it, ok, message, start, at)


def _ll_loglik(s, theta):
    b, a = theta
    return ls.sums(logistic_parts, s.data, s.n, _ll_mu(s, a), 1.0 / b, False) - s.sumlog


def _ll_observed(s, theta):
    """Minus the Hessian in (b, a), from the logistic one in (mu, tau) = (log a, -log b)
    (reordered to (tau, mu)): dtau/db = -1/b, d2tau/db2 = 1/b^2; dmu/da = 1/a,
    d2mu/da2 = -1/a^2."""
    b, a = theta
    _, g, h = ls.sums(logistic_parts, s.data, s.n, _ll_mu(s, a), 1.0 / b, True)
    return _ll_information(g, h, theta)


def _ll_information(g, h, theta):
    """Minus the Hessian in (b, a) from the logistic gradient and Hessian in (mu, tau)."""
    b, a = theta
    return -ls.natural_hessian(g[::-1], h[::-1, ::-1], (-1.0 / b, 1.0 / a), (1.0 / b ** 2, -1.0 / a ** 2))


def _ll_expected(s, theta):
    """n diag((pi^2 + 3)/(9 b^2), b^2/(3 a^2)): the logistic's n diag(1/3, (pi^2 + 3)/9)/s^2
    in (mu, s), carried to (b, a) by s = 1/b and mu = log a."""
    b, a = theta
    return s.n * np.diag([(math.pi ** 2 + 3.0) / (9.0 * b * b), b * b / (3.0 * a * a)])


def _ll_logpdf(x, theta):
    b, a = theta
    y = np.log(x)
    return logistic_parts(b * (y - math.log(a)), 0)[0] + math.log(b) - y


LOG_LOGISTIC = Family(
    spec=BY_NAME["log_logistic"],
    stats=_ll_stats,
    chunked_stats=_ll_chunked,
    chunked_logs=True,
    chunked_moments=True,
    estimate=_ll_estimate,
    loglik=_ll_loglik,
    logpdf=_ll_logpdf,
    observed_information=_ll_observed,
    expected_information=_ll_expected,
    scipy=lambda t: scipy_stats().fisk(t[0], scale=t[1]),
    cdf=lambda x, t: _special().expit(t[0] * (np.log(np.maximum(x, 0.0)) - math.log(t[1]))),
    sample=lambda rng, n, t: t[1] * np.exp(rng.logistic(0.0, 1.0 / t[0], n)),
    min_n=2,
    needs_spread=True,
    rescale=lambda c: ((1.0, c), (0.0, 0.0)),
)


# ---------------------------------------------------------------- inverse Gaussian
# log f = log(lambda / (2 pi x^3)) / 2 - lambda (x - mu)^2 / (2 mu^2 x). Summed:
# sum (x - mu)^2 / (mu^2 x) = D + n (mean - mu)^2 / (mu^2 mean), with
# D = sum (1/x - 1/mean) = sum ((x - mean)/mean)^2 / x: a sum of non-negative terms, so
# tightly clustered data keep their small D (the direct difference would cancel).
IG_DIRECT_REL = 1e-12  # the direct D is kept where its error bound is below this, relative


@nm.takes_span
def _ig_stats(x, w, span=None):
    """n, mean, D and sum log x. D is first taken directly, S - n/mean with S = sum 1/x:
    S (positive terms, each reciprocal rounded) is within g + 2u of itself, n/mean
    within g + 4u of itself (g = numerics.sum_bound(n)) and n/mean <= S (the harmonic
    mean is below the mean), so the difference is within (2 g + 6u) S. That is kept where
    the bound is below IG_DIRECT_REL D; otherwise (a relative spread below about a
    tenth) D as the sum of non-negative terms above."""
    n = nm.total_weight(w, x.size)
    sumlog = nm.sum_log(x, span) if w is None else nm.wsum(np.log(x), w)
    mean = nm.wsum(x, w) / n
    inverse = np.divide(1.0, x)
    total = nm.wsum(inverse, w)
    del inverse
    d = total - n / mean
    if not (d > 0 and (2.0 * nm.sum_bound(n) + 6.0 * nm.U) * total <= IG_DIRECT_REL * d):
        mean = nm.mean(x, w)
        r = np.subtract(x, mean)
        r /= mean
        r *= r
        r /= x
        d = nm.wsum(r, w)
    return SimpleNamespace(n=n, mean=mean, d=d, sumlog=sumlog)


def _ig_check(s):
    """mu / lambda = mean D / n is the squared coefficient of variation: below 1e-28 the
    values agree to within a few dozen units in the last place, and lambda is noise."""
    if not s.mean * s.d / s.n > 1e-28:
        raise DataError("the values are (numerically) all equal: their relative spread is "
                        "below 1e-14, so the inverse_gaussian shape lambda is infinite to "
                        "double precision; use the normal family for such data")


def _ig_loglik(s, theta):
    mu, lam = theta
    spread = s.d + s.n * (s.mean - mu) ** 2 / (mu * mu * s.mean)
    return 0.5 * s.n * (math.log(lam) - LOG_2PI) - 1.5 * s.sumlog - 0.5 * lam * spread


def _ig_observed(s, theta):
    mu, lam = theta
    cross = s.n * (mu - s.mean) / mu ** 3
    return np.array([[lam * s.n * (3.0 * s.mean - 2.0 * mu) / mu ** 4, cross],
                     [cross, 0.5 * s.n / lam ** 2]])


def _ig_logpdf(x, theta):
    mu, lam = theta
    return 0.5 * (math.log(lam) - LOG_2PI - 3.0 * np.log(x)) - lam * (x - mu) ** 2 / (2.0 * mu * mu * x)


def _ig_cdf(x, theta):
    """Phi(r (x/mu - 1)) + e^(2 lambda/mu) Phi(-r (x/mu + 1)), r = sqrt(lambda/x); the
    second term in logs, so e^(2 lambda/mu) cannot overflow."""
    mu, lam = theta
    sp = _special()
    x = np.maximum(x, 0.0)
    r = np.sqrt(lam / x)
    return sp.ndtr(r * (x / mu - 1.0)) + np.exp(2.0 * lam / mu + sp.log_ndtr(-r * (x / mu + 1.0)))


INVERSE_GAUSSIAN = Family(
    spec=BY_NAME["inverse_gaussian"],
    stats=_ig_stats,
    merge=merge.inverse_gaussian,
    estimate=lambda s, c: Solution((s.mean, s.n / s.d),
                                   "closed form: mu = mean, lambda = n / sum(1/x - 1/mean)"),
    loglik=_ig_loglik,
    logpdf=_ig_logpdf,
    observed_information=_ig_observed,
    expected_information=lambda s, t: np.diag([s.n * t[1] / t[0] ** 3, 0.5 * s.n / t[1] ** 2]),
    scipy=lambda t: scipy_stats().invgauss(t[0] / t[1], scale=t[1]),
    check=_ig_check,
    cdf=_ig_cdf,
    sample=lambda rng, n, t: rng.wald(t[0], t[1], n),
    min_n=2,
    needs_spread=True,
    rescale=lambda c: ((c, c), (0.0, 0.0)),
)


# ---------------------------------------------------------------- half-normal and Rayleigh
# Both depend on the data only through S = sum x^2 (and sum log x for the Rayleigh):
#   half-normal: n (log(2/pi)/2 - log sigma) - S / (2 sigma^2), sigma^2 = S/n;
#   Rayleigh:    sum log x - 2n log sigma - S / (2 sigma^2),     sigma^2 = S/(2n).
# With k = 1 (half-normal) or 2 (Rayleigh), minus the second derivative in sigma is
# -k n / sigma^2 + 3 S / sigma^4, and its expectation (E S = k n sigma^2) 2 k n / sigma^2.

def _sum_squares(x, w):
    return nm.dot(x, x) if w is None else nm.dot(w * x, x)


@nm.takes_span
def _rayleigh_stats(x, w, span=None):
    return SimpleNamespace(n=nm.total_weight(w, x.size), ss=_sum_squares(x, w),
                           sumlog=nm.sum_log(x, span) if w is None else nm.wsum(np.log(x), w))


def _half_normal_stats(x, w):
    return SimpleNamespace(n=nm.total_weight(w, x.size), ss=_sum_squares(x, w), sumlog=0.0)


def _half_normal_check(s):
    if not s.ss > 0:
        raise DataError("all values are 0: the half_normal sigma MLE (root mean square) is 0; "
                        "a point mass at 0 is not a half-normal distribution")


def _square_family(name, k, stats, check, logpdf, cdf, sample, scipy):
    """The half-normal (k = 1) or Rayleigh (k = 2) family: sigma^2 = sum x^2 / (k n)."""
    const = HALF_LOG_2_OVER_PI if k == 1 else 0.0
    return Family(
        spec=BY_NAME[name],
        stats=stats,
        merge=merge.sums("ss", "sumlog"),
        estimate=lambda s, c: Solution((math.sqrt(s.ss / (k * s.n)),),
                                       f"closed form: sigma^2 = mean(x^2){'' if k == 1 else ' / 2'}"),
        loglik=lambda s, t: (s.n * (const - k * math.log(t[0])) + s.sumlog
                             - s.ss / (2.0 * t[0] ** 2)),
        logpdf=logpdf,
        observed_information=lambda s, t: np.array([[-k * s.n / t[0] ** 2 + 3.0 * s.ss / t[0] ** 4]]),
        expected_information=lambda s, t: np.array([[2.0 * k * s.n / t[0] ** 2]]),
        scipy=scipy,
        check=check,
        cdf=cdf,
        sample=sample,
        rescale=_scale_only,
    )


HALF_NORMAL = _square_family(
    "half_normal", 1, _half_normal_stats, _half_normal_check,
    logpdf=lambda x, t: HALF_LOG_2_OVER_PI - math.log(t[0]) - x * x / (2.0 * t[0] ** 2),
    cdf=lambda x, t: _special().erf(np.maximum(x, 0.0) / (math.sqrt(2.0) * t[0])),
    sample=lambda rng, n, t: np.abs(rng.normal(0.0, t[0], n)),
    scipy=lambda t: scipy_stats().halfnorm(scale=t[0]))

RAYLEIGH = _square_family(
    "rayleigh", 2, _rayleigh_stats, None,
    logpdf=lambda x, t: np.log(x) - 2.0 * math.log(t[0]) - x * x / (2.0 * t[0] ** 2),
    cdf=lambda x, t: -np.expm1(-np.maximum(x, 0.0) ** 2 / (2.0 * t[0] ** 2)),
    sample=lambda rng, n, t: rng.rayleigh(t[0], n),
    scipy=lambda t: scipy_stats().rayleigh(scale=t[0]))

FAMILIES = (LOG_LOGISTIC, INVERSE_GAUSSIAN, HALF_NORMAL, RAYLEIGH)
