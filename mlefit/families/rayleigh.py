"""rayleigh(sigma): per-row log-density, tails and derivatives.

log f = log y - 2 log sigma - y^2/(2 sigma^2) on y >= 0 (positive_common's
square_scale_derivs with k = 2); S = exp(-t), t = y^2/(2 sigma^2): log S = -t exactly,
log F = log(1 - e^-t), from log t = 2 log(y/sigma) - log 2 where t underflows."""
import math
from types import SimpleNamespace

import numpy as np

from .. import numerics as nm
from .base import scipy_stats
from .catalog import POSITIVE, Param, Spec
from .positive_common import (exp_tails, floats, inside_or, one_tail, quiet, square_family,
                              square_scale_derivs, sum_squares)
from .rowwise import Density, weighted_mean
from .tails import LN2


SPEC = Spec("rayleigh", (Param("sigma", POSITIVE, "scale; mode"),),
            "positive", False, True, "x/sigma^2 exp(-x^2/(2 sigma^2))",
            "rayleigh(scale=sigma)", "extraDistr::drayleigh(x, sigma)",
            estimator="closed form: sqrt(mean x^2 / 2)", listed=250, select_rank=150)


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


# ---------------------------------------------------------------- the fast path: the rayleigh
# fit from sufficient statistics (no covariates, no censoring, no prior); RAYLEIGH is
# the family's record (families.get)
@nm.takes_span
def _rayleigh_stats(x, w, span=None):
    return SimpleNamespace(n=nm.total_weight(w, x.size), ss=sum_squares(x, w),
                           sumlog=nm.sum_log(x, span) if w is None else nm.wsum(np.log(x), w))


RAYLEIGH = square_family(
    "rayleigh", 2, _rayleigh_stats, None,
    logpdf=lambda x, t: np.log(x) - 2.0 * math.log(t[0]) - x * x / (2.0 * t[0] ** 2),
    cdf=lambda x, t: -np.expm1(-np.maximum(x, 0.0) ** 2 / (2.0 * t[0] ** 2)),
    sample=lambda rng, n, t: rng.rayleigh(t[0], n),
    scipy=lambda t: scipy_stats().rayleigh(scale=t[0]))
