"""cauchy(mu, sigma): per-row log-density, tails and derivatives."""
import math

import numpy as np

from .base import scipy_stats
from .catalog import POSITIVE, REAL
from .real_line import cauchy_parts
from .realline_common import locscale_derivs, locscale_logpdf, median_and_iqr
from .rowwise import Density

LOG_PI = math.log(math.pi)


def logcdf(y, mu, sigma, upper=False):
    """F(z) = 1/2 + arctan(z)/pi = arctan2(1, -z)/pi: the angle itself, never 1/2 minus
    nearly 1/2, so the lower tail keeps its digits; upper: 1 - F(z) = arctan2(1, z)/pi."""
    z = (y - mu) / sigma
    with np.errstate(divide="ignore"):  # -inf at y = -inf
        return np.log(np.arctan2(1.0, z if upper else -z)) - LOG_PI


def start(y, w):
    """The median and half the interquartile range."""
    med, iqr = median_and_iqr(y, w)
    return med, 0.5 * iqr


DENSITY = Density(
    name="cauchy", params=("mu", "sigma"), domains=(REAL, POSITIVE),
    logpdf=lambda y, mu, sigma: locscale_logpdf(cauchy_parts, y, mu, sigma),
    logcdf=logcdf,
    logsf=lambda y, mu, sigma: logcdf(y, mu, sigma, upper=True),
    derivs=lambda y, mu, sigma: locscale_derivs(cauchy_parts, y, mu, sigma),
    start=start,
    sample=lambda rng, size, mu, sigma: mu + sigma * rng.standard_cauchy(size),
    scipy=lambda mu, sigma: scipy_stats().cauchy(mu, sigma),
)
