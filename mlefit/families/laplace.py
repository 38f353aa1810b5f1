"""laplace(mu, b): per-row log-density, tails and derivatives.

The log-likelihood has a kink in mu at every data value (its MLE is the median), so the
family is marked smooth=False: the generic path maximises without derivatives. derivs
covers the smooth part (the score away from the kinks, no curvature in mu), for shared
code that holds mu fixed or wants the score."""
import math

import numpy as np

from .. import numerics as nm
from .base import scipy_stats
from .catalog import POSITIVE, REAL
from .realline_common import check_tail
from .rowwise import Density, weighted_mean

LOG_2 = math.log(2.0)


def logpdf(y, mu, b):
    return -LOG_2 - np.log(b) - np.abs(y - mu) / b


def derivs(y, mu, b):
    """d/dmu = sign(y - mu)/b, d/db = (|y - mu|/b - 1)/b; d2/dmu2 = 0 away from y = mu,
    d2/dmu db = -sign(y - mu)/b^2, d2/db2 = (1 - 2 |y - mu|/b)/b^2."""
    u = y - mu
    sign, a = np.sign(u), np.abs(u) / b
    b2 = b * b
    h_mb = -sign / b2
    return (-LOG_2 - np.log(b) - a, (sign / b, (a - 1.0) / b),
            ((0.0 * a, h_mb), (h_mb, (1.0 - 2.0 * a) / b2)))


def start(y, w):
    """The weighted median and the mean absolute deviation from it."""
    y = np.asarray(y, dtype=np.float64)
    med = nm.weighted_median(y, w)
    return med, max(weighted_mean(np.abs(y - med), w), 1e-12 * (abs(med) + 1.0))


DENSITY = Density(
    name="laplace", params=("mu", "b"), domains=(REAL, POSITIVE),
    logpdf=logpdf,
    # the asymmetric Laplace's tails at tau = 1/2, sigma = b/2
    logcdf=lambda y, mu, b: check_tail(y, mu, 0.5 * b, 0.5),
    logsf=lambda y, mu, b: check_tail(y, mu, 0.5 * b, 0.5, upper=True),
    derivs=derivs, start=start, smooth=False,
    sample=lambda rng, size, mu, b: rng.laplace(mu, b, size),
    scipy=lambda mu, b: scipy_stats().laplace(mu, b),
    note="the log-likelihood has a kink in mu at each value: maximised without derivatives",
)
