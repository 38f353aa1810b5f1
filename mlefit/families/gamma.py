"""gamma(shape, rate): per-row log-density, tails and derivatives."""
import math
from types import SimpleNamespace

import numpy as np

from .. import gamma_arrays as ga, numerics as nm
from .. import special_series as ss
from ..errors import DataError
from . import closed_forms, merge
from .base import Family, Solution, scipy_special as _special, scipy_stats
from .catalog import BY_NAME, POSITIVE, Param, Regression, Spec
from .rowwise import Density, weighted_mean
from .tails import log_gammainc, log_gammaincc


SPEC = Spec("gamma", (Param("shape", POSITIVE, "shape"), Param("rate", POSITIVE, "rate = shape/mean")),
            "positive", False, False, "rate^shape x^(shape-1) e^(-rate x) / G(shape)",
            "gamma(a=shape, scale=1/rate)", "dgamma(x, shape, rate)",
            estimator="Newton on the shape, from the mean and the mean of log x", listed=90, select_rank=90,
            nests=(("exponential", "gamma with shape = 1", 1, False, 10),),
            regression=Regression(60, 0, "log", ("log", "inverse", "identity"), "MEAN"))


STIRLING_FROM = 15.0  # the shape from which log f is taken in Stirling's form


def logpdf(y, shape, rate):
    if not np.any(np.asarray(shape) >= STIRLING_FROM):
        return _direct(y, shape, rate)  # (u is not needed)
    return logpdf_from_ratio(y, shape, *shape_ratio(y, shape, rate), rate)


def _direct(y, shape, rate):
    from scipy.special import gammaln, xlogy
    return xlogy(shape, rate) + xlogy(shape - 1.0, y) - rate * y - gammaln(shape)


def shape_ratio(y, shape, rate):
    """(u, log u) for u = rate y / shape, y over the mean: log u from the logs where the
    product would under- or overflow (rate 1e-200 at y = 1e-200)."""
    with np.errstate(all="ignore"):
        u = rate * y / shape
        return u, ga.log_of(u, lambda: np.log(rate) + np.log(y) - np.log(shape))


def logpdf_from_ratio(y, shape, u, logu, rate):
    """log f, in Stirling's form where the shape is STIRLING_FROM or more and y > 0:
    a log(rate) + (a - 1) log y - rate y - lgamma(a) = a (log u - u + 1) + log(a)/2
    - log(2 pi)/2 - mu(a) - log y (mu: Stirling's remainder), whose terms do not grow with
    a as the direct form's do (near a log a each: at a = 1e9 the direct form keeps only
    the sixth decimal of log f); the direct form (which takes the rate) elsewhere."""
    big = np.asarray(shape) >= STIRLING_FROM
    if not np.any(big):
        return _direct(y, shape, rate)
    with np.errstate(all="ignore"):
        stable = (shape * ga.log_minus_linear(u, logu) + 0.5 * np.log(shape) - nm.HALF_LOG_2PI
                  - ga.stirling_remainder(np.maximum(shape, STIRLING_FROM)) - np.log(y))
        keep = big & (np.asarray(y) > 0)
    if np.all(keep):
        return stable
    return np.where(keep, stable, _direct(y, shape, rate))


def derivs(y, shape, rate):
    """d/d shape = log(rate y) - psi(a) = log u + L(a), L(a) = log a - psi(a) from its
    series (no cancellation at large a); d2/d shape2 = -psi'(a) = L'(a) - 1/a."""
    lmd, dlmd = ga.log_minus_digamma(shape)
    zero = 0.0 * y
    h_aa = dlmd - 1.0 / shape + zero
    h_ar = 1.0 / rate + zero
    h_rr = -(shape / rate) / rate + zero
    if not np.any(np.asarray(shape) >= STIRLING_FROM):  # nothing to cancel: the direct forms
        with np.errstate(divide="ignore", invalid="ignore"):
            d_shape = np.log(y) + (np.log(rate) - np.log(shape) + lmd)
        return _direct(y, shape, rate), (d_shape, shape / rate - y), ((h_aa, h_ar), (h_ar, h_rr))
    u, logu = shape_ratio(y, shape, rate)
    with np.errstate(all="ignore"):  # a (1 - u)/rate, with the u of d/d shape (their rounding cancels
        # between the two, as a shape of 1e9 needs), or a/rate - y where u overflows
        d_rate = np.where(u <= ga.HUGE, (shape / rate) * (1.0 - u), shape / rate - y)
    return logpdf_from_ratio(y, shape, u, logu, rate), (logu + lmd, d_rate), ((h_aa, h_ar), (h_ar, h_rr))


def start(y, w):
    """The method of moments: shape = mean^2 / var, rate = mean / var = shape / mean, with
    the spread taken relative to the mean (values near 1e200 square beyond float64)."""
    shape, mean = _moments_shape(y, w)
    return shape, shape / mean


def _moments_shape(y, w):
    """(mean^2 / var, mean) of the values."""
    mean = weighted_mean(y, w)
    relative = max(weighted_mean((y / mean - 1.0) ** 2, w), 1e-12)
    return 1.0 / relative, mean


DENSITY = Density(
    name="gamma", params=("shape", "rate"), domains=(POSITIVE, POSITIVE),
    logpdf=logpdf,
    logcdf=lambda y, shape, rate: log_gammainc(shape, rate * np.maximum(y, 0.0)),
    logsf=lambda y, shape, rate: log_gammaincc(shape, rate * np.maximum(y, 0.0)),
    derivs=derivs, start=start,
    sample=lambda rng, size, shape, rate: rng.gamma(shape, 1.0 / rate, size),
    scipy=lambda shape, rate: scipy_stats().gamma(shape, scale=1.0 / rate),
)


# ---------------------------------------------------------------- by its mean
# The same family as gamma(shape, rate = shape/mu), parameterised by its mean mu and its
# shape: the form a regression moves (a GLM's mean with a shape shared by every row).
def mean_logpdf(y, mu, shape):
    return logpdf_from_ratio(y, shape, *_mean_ratio(y, mu), shape / mu)


def _mean_ratio(y, mu):
    with np.errstate(all="ignore"):
        r = y / mu
        return r, ga.log_of(r, lambda: np.log(y) - np.log(mu))


def mean_derivs(y, mu, shape):
    """l = a log(a/mu) + (a-1) log y - a y/mu - lgamma(a), a = shape, r = y/mu:
    dl/da = log r - (r - 1) + L(a) and d2l/da2 = L'(a), L(a) = log a - psi(a) from its
    series (1/a - psi'(a) directly keeps no digit beyond a = 1e16)."""
    r, logr = _mean_ratio(y, mu)
    lmd, dlmd = ga.log_minus_digamma(shape)
    d_mu = shape * (r - 1.0) / mu
    d_shape = ga.log_minus_linear(r, logr) + lmd
    h_mm = shape * (1.0 - 2.0 * r) / mu / mu
    h_ms = (r - 1.0) / mu
    h_ss = dlmd + 0.0 * y
    return logpdf_from_ratio(y, shape, r, logr, shape / mu), (d_mu, d_shape), ((h_mm, h_ms), (h_ms, h_ss))


def _mean_start(y, w):
    shape, mean = _moments_shape(y, w)
    return mean, shape


MEAN = Density(
    name="gamma", params=("mu", "shape"), domains=(POSITIVE, POSITIVE),
    logpdf=mean_logpdf,
    logcdf=lambda y, mu, shape: DENSITY.logcdf(y, shape, shape / mu),
    logsf=lambda y, mu, shape: DENSITY.logsf(y, shape, shape / mu),
    derivs=mean_derivs, start=_mean_start,
    sample=lambda rng, size, mu, shape: rng.gamma(shape, mu / shape, size),
    scipy=lambda mu, shape: scipy_stats().gamma(shape, scale=mu / shape),
    expected=lambda mu, shape: (shape / (mu * mu), None),
)


# ---------------------------------------------------------------- the fast path: the gamma
# fit from sufficient statistics (no covariates, no censoring, no prior); GAMMA is
# the family's record (families.get)
GAMMA_DIRECT_REL = 1e-11  # the direct d is kept where its error bound is below this, relative


@nm.takes_span
def _gamma_stats(x, w, span=None):
    """n, mean, mean(log x) and d = log(mean) - mean(log x) > 0, the statistic of the
    shape. d is first taken directly, from a plain mean and the sum of logs (by blocks,
    numerics.sum_log); that is kept where its error bound (_gamma_direct_error) is below
    GAMMA_DIRECT_REL d. Otherwise (tightly clustered data, where the difference cancels)
    the careful form below, which keeps any d to full precision."""
    n = nm.total_weight(w, x.size)
    mean = nm.wsum(x, w) / n
    meanlog = (nm.sum_log(x, span) if w is None else nm.wsum(np.log(x), w)) / n
    d = math.log(mean) - meanlog if mean > 0 and math.isfinite(mean) else math.nan
    if d > 0 and _gamma_direct_error(n, mean, d) <= GAMMA_DIRECT_REL * d:
        return SimpleNamespace(n=n, mean=mean, d=d, meanlog=meanlog)
    mean = nm.mean(x, w)
    # d = log(mean) - mean(log x). With t = (x - m)/m for the computed mean m, this is
    # log1p(mean(t)) - mean(log1p(t)) = log1pmx(mean(t)) - mean(log1pmx(t)): no term is
    # cancelled away, so tightly clustered data keep their tiny, positive d
    t = np.subtract(x, mean)
    t /= mean
    small_all = None
    if span is not None:  # t is monotonic in x, so its extremes are those of the span
        ends = [(v - mean) / mean for v in span]
        small_all = True if max(abs(ends[0]), abs(ends[1])) < 1e-3 else None
    d = ss.log1pmx(nm.wsum(t, w) / n) - nm.wsum(ss.log1pmx_array(t, small_all), w) / n
    return SimpleNamespace(n=n, mean=mean, d=d, meanlog=nm.wsum(np.log(x), w) / n)


def _gamma_direct_error(n, mean, d):
    """A bound on the error of the direct d = log(mean) - mean(log x) (first order,
    u = 2^-53, g = numerics.sum_bound(n), weights allowed):
    - the mean (a sum of positive terms): relative g + 3u, so log(mean) within
      g + 3u + u |log mean|;
    - mean(log x): within (LOG_ERROR + g + 3u) A + 2u, A = mean |log x| (the sum of logs,
      by blocks: u per value more);
    - A <= |log mean| + sqrt(3 d) + d: with v = log(x / mean), d = mean(e^v - 1 - v) >=
      mean(h(|v|)) >= h(mean |v|) for the convex h(s) = e^-s - 1 + s, and h(s) >= s^2/3
      below s = 1, h(s) >= s - 1 above (Jensen; d here is the direct one, to first order).
    """
    g = nm.sum_bound(n)
    big = abs(math.log(mean))
    a = big + math.sqrt(3.0 * d) + d
    return g + 5.0 * nm.U + nm.U * big + (nm.LOG_ERROR + g + 3.0 * nm.U) * a


def _gamma_check(s):
    if not s.d > 0:
        raise DataError("the values are (numerically) all equal: zero variance; "
                        "the gamma family needs spread to estimate its shape")


GAMMA_METHOD = "Newton on the shape (mean, mean-log)"


def _gamma_estimate(s, controls):
    """Shape solves log(a) - psi(a) = d: generalised Newton (Minka 2002) from the
    closed-form approximation; rate = shape / mean."""
    d = s.d
    a = (3.0 - d + math.sqrt((d - 3.0) ** 2 + 24.0 * d)) / (12.0 * d)
    start = (a, a / s.mean)
    for it in range(1, controls.max_iter + 1):
        value, deriv = ss.log_minus_digamma(a)
        f = value - d
        new = 1.0 / (1.0 / a + f / (a * a * deriv))
        if not new > 0:
            new = a / 2.0
        if abs(new - a) <= controls.tol * a or abs(f) <= 4e-16 * d:
            return Solution((new, new / s.mean), GAMMA_METHOD, it, True, start=start)
        a = new
    return Solution((a, a / s.mean), GAMMA_METHOD, controls.max_iter, False,
                    f"shape did not converge in {controls.max_iter} iteration(s)", start)


def _gamma_loglik(s, theta):
    """n [a log(rate) + (a-1) mean(log x) - rate mean - lgamma(a)], rearranged with
    u = rate mean / a as n [a (log u - u + 1) + log(a/2pi)/2 - mu(a) - a d - mean(log x)]
    (mu: the Stirling remainder), which keeps its precision for shapes up to 1e30."""
    a, rate = theta
    u = rate * s.mean / a
    return s.n * (a * ss.log1pmx(u - 1.0) + 0.5 * math.log(a) - nm.HALF_LOG_2PI
                  - ss.stirling_remainder(a) - a * s.d - s.meanlog)


def _gamma_information(s, theta):
    from scipy.special import polygamma
    a, rate = theta
    return s.n * np.array([[float(polygamma(1, a)), -1.0 / rate], [-1.0 / rate, a / rate ** 2]])


def _gamma_covariance(s, theta):
    """Inverse information via the orthogonal (shape, mean) parameterisation:
    var(shape) = 1/(n (trigamma(a) - 1/a)), var(mean) = mean^2/(n a), then the delta
    method to (shape, rate). trigamma(a) - 1/a comes from the cancellation-free series,
    so the standard errors stay right for shapes in the millions."""
    a, rate = theta
    mean = a / rate
    var_a = 1.0 / (-s.n * ss.log_minus_digamma(a)[1])
    var_rate = var_a / mean ** 2 + a / (s.n * mean ** 2)
    cov = var_a / mean
    return np.array([[var_a, cov], [cov, var_rate]])


def _gamma_logpdf(x, theta):
    from scipy.special import gammaln, xlogy
    a, rate = theta
    return a * math.log(rate) - gammaln(a) + xlogy(a - 1.0, x) - rate * x


GAMMA = Family(
    spec=BY_NAME["gamma"],
    stats=_gamma_stats,
    merge=merge.gamma,
    estimate=_gamma_estimate,
    loglik=_gamma_loglik,
    logpdf=_gamma_logpdf,
    observed_information=_gamma_information,
    expected_information=_gamma_information,
    scipy=lambda t: scipy_stats().gamma(t[0], scale=1.0 / t[1]),
    cdf=lambda x, t: _special().gammainc(t[0], t[1] * np.maximum(x, 0.0)),
    sample=lambda rng, n, t: rng.gamma(t[0], 1.0 / t[1], n),
    check=_gamma_check,
    covariance=_gamma_covariance,
    min_n=2,
    needs_spread=True,
    rescale=lambda s: ((1.0, 1.0 / s), (0.0, 0.0)),
    closed=closed_forms.GAMMA,
)
