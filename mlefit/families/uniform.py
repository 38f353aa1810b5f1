"""uniform(a, b): per-row log-density, tails and derivatives.

Both parameters are support bounds (a <= y <= b): their MLEs are the sample minimum and
maximum (`extreme`), where the log-likelihood -n log(b - a) is still rising, so the
estimator holds them there and has nothing left to maximise. Differences are taken of
halves, (y/2 - a/2), so that b - a = 2e308 does not overflow:
    log f = -log(b - a),   F = (y - a)/(b - a),   S = (b - y)/(b - a) (positive_common.log_complements);
    d/da = 1/(b - a), d/db = -1/(b - a); d2/da2 = d2/db2 = 1/(b - a)^2, d2/da db = -1/(b - a)^2.
"""
import numpy as np

from .catalog import REAL
from .base import scipy_stats
from .positive_common import (floats, inside_or, log_complements, masked_derivs, one_tail, quiet,
                              weighted_max, weighted_min)
from .rowwise import Density
from .tails import LN2


def _log_gap(hi, lo):
    """log(hi - lo) for hi >= lo, without overflow."""
    return np.log(0.5 * hi - 0.5 * lo) + LN2


@quiet
def logpdf(y, a, b):
    y = floats(y)
    return inside_or((y >= a) & (y <= b), -_log_gap(b, a) + 0.0 * y, -np.inf)


@quiet
def derivs(y, a, b):
    y = floats(y)
    width = 0.5 * b - 0.5 * a  # half the width
    d = 0.5 / width + 0.0 * y
    h = d * d
    return masked_derivs((y >= a) & (y <= b), -_log_gap(b, a) + 0.0 * y, (d, -d), ((h, -h), (-h, h)))


@quiet
def tails(y, a, b):
    """(log F, log S) from F = (y - a)/(b - a) and S = (b - y)/(b - a), by halves."""
    y = floats(y)
    width = 0.5 * b - 0.5 * a
    p = (0.5 * np.clip(y, a, b) - 0.5 * a) / width
    q = (0.5 * b - 0.5 * np.clip(y, a, b)) / width
    return log_complements(p, q)


DENSITY = Density(
    name="uniform", params=("a", "b"), domains=(REAL, REAL),
    logpdf=logpdf,
    logcdf=one_tail(tails, 0), logsf=one_tail(tails, 1),
    derivs=derivs,
    start=lambda y, w: (weighted_min(y, w), weighted_max(y, w)),
    sample=lambda rng, size, a, b: rng.uniform(a, b, size),
    scipy=lambda a, b: scipy_stats().uniform(a, b - a),
    extreme={0: weighted_min, 1: weighted_max},
    note="a and b are held at the sample extremes, where the support ends (non-regular: "
         "no standard errors); nothing is left to maximise",
)
