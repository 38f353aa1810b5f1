"""weibull(shape k, scale lambda): per-row log-density, tails and derivatives.

With L = log(y/lambda) and t = (y/lambda)^k = e^(kL):
    log f = log k - log lambda + (k - 1) L - t,   log S = -t,   log F = log(1 - e^-t);
    d/dk = 1/k + L (1 - t),                 d/dlambda = k (t - 1)/lambda;
    d2/dk2 = -1/k^2 - t L^2,                d2/dk dlambda = (t (1 + k L) - 1)/lambda,
    d2/dlambda2 = k (1 - (k + 1) t)/lambda^2.
"""
import math

import numpy as np

from .catalog import POSITIVE
from .base import scipy_stats
from .positive_common import exp_tails, floats, inside_or, masked_derivs, one_tail, quiet
from .rowwise import Density, weighted_mean
from . import survival_tails

EULER_GAMMA = 0.57721566490153286061


def _power(y, shape, scale):
    """(y, y/lambda, t = (y/lambda)^k)."""
    y = floats(y)
    u = y / scale
    return y, u, u ** shape


@quiet
def logpdf(y, shape, scale):
    from scipy.special import xlogy
    y, u, t = _power(y, shape, scale)
    # xlogy: at y = 0 the term (k - 1) log 0 is 0 for k = 1 (the exponential's density)
    return inside_or(y >= 0, (np.log(shape) - np.log(scale)) + xlogy(shape - 1.0, u) - t, -np.inf)


@quiet
def derivs(y, shape, scale):
    y, u, t = _power(y, shape, scale)
    big_l = np.log(u)
    tl = t * big_l
    ll = (np.log(shape) - np.log(scale)) + (shape - 1.0) * big_l - t
    d_k = 1.0 / shape + big_l - tl
    d_s = shape * (t - 1.0) / scale
    h_kk = -1.0 / (shape * shape) - tl * big_l
    h_ks = (t + shape * tl - 1.0) / scale
    h_ss = shape * (1.0 - (shape + 1.0) * t) / (scale * scale)
    return masked_derivs(y > 0, ll, (d_k, d_s), ((h_kk, h_ks), (h_ks, h_ss)))


@quiet
def tails(y, shape, scale):
    y, u, t = _power(y, shape, scale)
    return exp_tails(t, y >= 0, shape * np.log(u))


def start(y, w):
    """From the moments of log y (a Gumbel for the minimum): sd = pi/(k sqrt 6) and
    mean = log lambda - gamma/k."""
    logy = np.log(floats(y))
    mean = weighted_mean(logy, w)
    sd = math.sqrt(max(weighted_mean((logy - mean) ** 2, w), 1e-300))
    shape = math.pi / (math.sqrt(6.0) * sd)
    return shape, math.exp(mean + EULER_GAMMA / shape)


def right_censored(seen, w_seen, everything, w_all, controls):
    """The fast path's estimator on right-censored rows (continuous.weibull_right_censored)."""
    from .continuous import weibull_right_censored
    return weibull_right_censored(seen, w_seen, everything, w_all, controls)


DENSITY = Density(
    right_censored=right_censored,
    sf_derivs=survival_tails.weibull,
    name="weibull", params=("shape", "scale"), domains=(POSITIVE, POSITIVE),
    logpdf=logpdf,
    logcdf=one_tail(tails, 0), logsf=one_tail(tails, 1),
    derivs=derivs, start=start,
    sample=lambda rng, size, shape, scale: scale * rng.weibull(shape, size),
    scipy=lambda shape, scale: scipy_stats().weibull_min(shape, scale=scale),
)
