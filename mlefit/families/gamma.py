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
