"""half_normal(sigma): per-row log-density, tails and derivatives.

log f = log(2/pi)/2 - log sigma - y^2/(2 sigma^2) on y >= 0 (positive_common's
square_scale_derivs with k = 1). With z = y/(sigma sqrt 2): F = erf(z) and
S = erfc(z) = 2 Phi(-y/sigma), each in logs directly where it is below 1/2 (log S by
log_ndtr however far in the upper tail), as log1p of minus the other above."""
import math
from types import SimpleNamespace

import numpy as np

from .. import numerics as nm
from ..errors import DataError
from .base import scipy_special as _special, scipy_stats
from .catalog import POSITIVE, Param, Spec
from .positive_common import (HALF_LOG_2_OVER_PI, floats, inside_or, log_complements, one_tail, quiet,
                              square_family, square_scale_derivs, sum_squares)
from .rowwise import Density, weighted_mean
from .tails import LN2, log_ndtr


SPEC = Spec("half_normal", (Param("sigma", POSITIVE, "scale: sd of the normal folded at 0"),),
            "nonnegative", False, True, "sqrt(2/pi)/sigma exp(-x^2/(2 sigma^2))",
            "halfnorm(scale=sigma)", "extraDistr::dhnorm(x, sigma)", aliases=("halfnorm", "halfnormal"),
            estimator="closed form: sqrt(mean x^2)", listed=240, select_rank=140)

SQRT_HALF = math.sqrt(0.5)


@quiet
def logpdf(y, sigma):
    y = floats(y)
    return inside_or(y >= 0, HALF_LOG_2_OVER_PI - np.log(sigma) - 0.5 * (y / sigma) ** 2, -np.inf)


def derivs(y, sigma):
    return square_scale_derivs(y, sigma, 1.0, HALF_LOG_2_OVER_PI)


@quiet
def tails(y, sigma):
    from scipy.special import erf, erfc
    y = floats(y)
    z = SQRT_HALF * y / sigma
    log_f, log_s = log_complements(erf(z), erfc(z), log_q=LN2 + log_ndtr(-y / sigma))
    return inside_or(y >= 0, log_f, -np.inf), inside_or(y >= 0, log_s, 0.0)


def start(y, w):
    """From the mean: E Y = sigma sqrt(2/pi)."""
    return (max(weighted_mean(y, w), 1e-300) * math.sqrt(0.5 * math.pi),)


DENSITY = Density(
    name="half_normal", params=("sigma",), domains=(POSITIVE,),
    logpdf=logpdf,
    logcdf=one_tail(tails, 0), logsf=one_tail(tails, 1),
    derivs=derivs, start=start,
    sample=lambda rng, size, sigma: np.abs(rng.normal(0.0, sigma, size)),
    scipy=lambda sigma: scipy_stats().halfnorm(scale=sigma),
)


# ---------------------------------------------------------------- the fast path: the half_normal
# fit from sufficient statistics (no covariates, no censoring, no prior); HALF_NORMAL is
# the family's record (families.get)
def _half_normal_stats(x, w):
    return SimpleNamespace(n=nm.total_weight(w, x.size), ss=sum_squares(x, w), sumlog=0.0)


def _half_normal_check(s):
    if not s.ss > 0:
        raise DataError("all values are 0: the half_normal sigma MLE (root mean square) is 0; "
                        "a point mass at 0 is not a half-normal distribution")


HALF_NORMAL = square_family(
    "half_normal", 1, _half_normal_stats, _half_normal_check,
    logpdf=lambda x, t: HALF_LOG_2_OVER_PI - math.log(t[0]) - x * x / (2.0 * t[0] ** 2),
    cdf=lambda x, t: _special().erf(np.maximum(x, 0.0) / (math.sqrt(2.0) * t[0])),
    sample=lambda rng, n, t: np.abs(rng.normal(0.0, t[0], n)),
    scipy=lambda t: scipy_stats().halfnorm(scale=t[0]))
