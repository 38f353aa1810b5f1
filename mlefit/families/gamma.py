"""gamma(shape, rate): per-row log-density, tails and derivatives."""
import numpy as np

from .catalog import POSITIVE
from .base import scipy_stats
from .rowwise import Density, weighted_mean
from .tails import log_gammainc, log_gammaincc


def logpdf(y, shape, rate):
    from scipy.special import gammaln, xlogy
    return xlogy(shape, rate) + xlogy(shape - 1.0, y) - rate * y - gammaln(shape)


def derivs(y, shape, rate):
    from scipy.special import digamma, polygamma
    d_shape = np.log(rate) + np.log(y) - digamma(shape)
    d_rate = shape / rate - y
    zero = 0.0 * y
    h_aa = -polygamma(1, shape) + zero
    h_ar = 1.0 / rate + zero
    h_rr = -shape / (rate * rate) + zero
    return logpdf(y, shape, rate), (d_shape, d_rate), ((h_aa, h_ar), (h_ar, h_rr))


def start(y, w):
    """The method of moments: shape = mean^2 / var, rate = mean / var."""
    mean = weighted_mean(y, w)
    var = max(weighted_mean((y - mean) ** 2, w), 1e-12 * mean * mean)
    return mean * mean / var, mean / var


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
    return logpdf(y, shape, shape / mu)


def mean_derivs(y, mu, shape):
    """l = a log(a/mu) + (a-1) log y - a y/mu - lgamma(a), a = shape."""
    from scipy.special import digamma, polygamma
    r = y / mu
    d_mu = shape * (r - 1.0) / mu
    d_shape = np.log(shape) - np.log(mu) + 1.0 + np.log(y) - r - digamma(shape)
    h_mm = shape * (1.0 - 2.0 * r) / (mu * mu)
    h_ms = (r - 1.0) / mu
    h_ss = 1.0 / shape - polygamma(1, shape) + 0.0 * y
    return mean_logpdf(y, mu, shape), (d_mu, d_shape), ((h_mm, h_ms), (h_ms, h_ss))


def _mean_start(y, w):
    shape, rate = start(y, w)
    return shape / rate, shape


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
