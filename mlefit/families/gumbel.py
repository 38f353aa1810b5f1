"""gumbel(mu, beta), for maxima: per-row log-density, tails and derivatives."""
import math

import numpy as np

from .base import scipy_stats
from .catalog import POSITIVE, REAL
from .real_line import EULER_GAMMA, gumbel_parts
from .realline_common import locscale_derivs, locscale_logpdf
from .rowwise import Density, weighted_mean
from .tails import log1mexp


def logcdf(y, mu, beta):
    """log F = -e^-z, exactly."""
    with np.errstate(over="ignore"):
        return -np.exp((mu - y) / beta)


def logsf(y, mu, beta):
    """log(1 - exp(-t)), t = e^-z: log1mexp, and -z - t/2 once t < 1e-10 (where t itself
    may underflow far in the upper tail; the next term, t^2/24, is below 1e-21)."""
    z = (np.asarray(y, dtype=np.float64) - mu) / beta
    with np.errstate(over="ignore"):
        t = np.exp(-z)
    return np.where(t < 1e-10, -z - 0.5 * np.minimum(t, 1e-10), log1mexp(-t))


def start(y, w):
    """The moments: beta = sd sqrt(6)/pi, mu = mean - Euler's gamma beta."""
    mean = weighted_mean(y, w)
    beta = math.sqrt(max(weighted_mean((y - mean) ** 2, w), 1e-300)) * math.sqrt(6.0) / math.pi
    return mean - EULER_GAMMA * beta, beta


DENSITY = Density(
    name="gumbel", params=("mu", "beta"), domains=(REAL, POSITIVE),
    logpdf=lambda y, mu, beta: locscale_logpdf(gumbel_parts, y, mu, beta),
    logcdf=logcdf, logsf=logsf,
    derivs=lambda y, mu, beta: locscale_derivs(gumbel_parts, y, mu, beta),
    start=start,
    sample=lambda rng, size, mu, beta: rng.gumbel(mu, beta, size),
    scipy=lambda mu, beta: scipy_stats().gumbel_r(mu, beta),
)
