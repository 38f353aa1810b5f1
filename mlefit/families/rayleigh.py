"""rayleigh(sigma): per-row log-density, tails and derivatives.

log f = log y - 2 log sigma - y^2/(2 sigma^2) on y >= 0 (positive_common's
square_scale_derivs with k = 2); S = exp(-t), t = y^2/(2 sigma^2): log S = -t exactly,
log F = log(1 - e^-t), from log t = 2 log(y/sigma) - log 2 where t underflows."""
import math

import numpy as np

from .catalog import POSITIVE
from .base import scipy_stats
from .positive_common import exp_tails, floats, inside_or, one_tail, quiet, square_scale_derivs
from .rowwise import Density, weighted_mean
from .tails import LN2


@quiet
def logpdf(y, sigma):
    y = floats(y)
    return inside_or(y >= 0, np.log(y) - 2.0 * np.log(sigma) - 0.5 * (y / sigma) ** 2, -np.inf)


@quiet
def derivs(y, sigma):
    y = floats(y)
    return square_scale_derivs(y, sigma, 2.0, np.log(y))


@quiet
def tails(y, sigma):
    y = floats(y)
    u = y / sigma
    return exp_tails(0.5 * u * u, y >= 0, 2.0 * np.log(u) - LN2)


def start(y, w):
    """From the mean: E Y = sigma sqrt(pi/2)."""
    return (max(weighted_mean(y, w), 1e-300) * math.sqrt(2.0 / math.pi),)


DENSITY = Density(
    name="rayleigh", params=("sigma",), domains=(POSITIVE,),
    logpdf=logpdf,
    logcdf=one_tail(tails, 0), logsf=one_tail(tails, 1),
    derivs=derivs, start=start,
    sample=lambda rng, size, sigma: rng.rayleigh(sigma, size),
    scipy=lambda sigma: scipy_stats().rayleigh(scale=sigma),
)
