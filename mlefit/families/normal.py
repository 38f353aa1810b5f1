"""normal(mu, sigma): per-row log-density, tails and derivatives."""
import math

import numpy as np

from .catalog import POSITIVE, REAL
from .base import scipy_stats
from .rowwise import Density, weighted_mean
from .tails import log_ndtr
from . import survival_tails

HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def logpdf(y, mu, sigma):
    z = (y - mu) / sigma
    return -HALF_LOG_2PI - np.log(sigma) - 0.5 * z * z


def derivs(y, mu, sigma):
    z = (y - mu) / sigma
    z2 = z * z
    s2 = sigma * sigma
    d_mu, d_sigma = z / sigma, (z2 - 1.0) / sigma
    h_mm, h_ms, h_ss = -1.0 / s2 + 0.0 * z, -2.0 * z / s2, (1.0 - 3.0 * z2) / s2
    return (-HALF_LOG_2PI - np.log(sigma) - 0.5 * z2, (d_mu, d_sigma),
            ((h_mm, h_ms), (h_ms, h_ss)))


def start(y, w):
    mean = weighted_mean(y, w)
    return mean, math.sqrt(max(weighted_mean((y - mean) ** 2, w), 1e-300))


DENSITY = Density(
    sf_derivs=survival_tails.normal,
    name="normal", params=("mu", "sigma"), domains=(REAL, POSITIVE),
    logpdf=logpdf,
    logcdf=lambda y, mu, sigma: log_ndtr((y - mu) / sigma),
    logsf=lambda y, mu, sigma: log_ndtr((mu - y) / sigma),
    derivs=derivs, start=start,
    sample=lambda rng, size, mu, sigma: rng.normal(mu, sigma, size),
    scipy=lambda mu, sigma: scipy_stats().norm(mu, sigma),
    expected=lambda mu, sigma: (1.0 / (sigma * sigma), 2.0 / (sigma * sigma)),
)
