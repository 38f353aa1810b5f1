"""cauchy(mu, sigma): per-row log-density, tails and derivatives."""
import math

import numpy as np

from . import locscale as ls
from .base import scipy_stats
from .catalog import POSITIVE, REAL, Param, Spec
from .realline_common import (LOG_PI, locscale_derivs, locscale_family, locscale_logpdf, median_and_iqr,
                              newton_estimate)
from .rowwise import Density


SPEC = Spec("cauchy",
            (Param("mu", REAL, "location (median)"), Param("sigma", POSITIVE, "scale (half the interquartile range)")),
            "real", False, False, "1 / (pi sigma (1 + ((x-mu)/sigma)^2))",
            "cauchy(loc=mu, scale=sigma)", "dcauchy(x, location=mu, scale=sigma)", aliases=("lorentz",),
            estimator="safeguarded Newton in (mu, log sigma) from the median and half-IQR", listed=200, select_rank=50)


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


# ---------------------------------------------------------------- the fast path: the cauchy
# fit from sufficient statistics (no covariates, no censoring, no prior); CAUCHY is
# the family's record (families.get)
def cauchy_parts(z, order):
    """l(z) = -log(pi (1 + z^2)), l' = -2z/(1 + z^2), l'' = -2(1 - z^2)/(1 + z^2)^2."""
    z2 = z * z
    l = -np.log1p(z2) - LOG_PI
    if order == 0:
        return (l,)
    r = 1.0 / (1.0 + z2)
    return l, -2.0 * z * r, -2.0 * (1.0 - z2) * r * r


def _cauchy_check(s):
    ls.refuse_ties(s, "cauchy", "the likelihood climbs towards its supremum as sigma -> 0 at that value",
                   half=True)


CAUCHY = locscale_family(
    "cauchy", cauchy_parts,
    newton_estimate(cauchy_parts, 0.0, "Newton on the score equations (unique maximum)"),
    [[0.5, 0.0], [0.0, 0.5]],
    lambda t: scipy_stats().cauchy(t[0], t[1]),
    lambda z: 0.5 + np.arctan(z) / math.pi,
    lambda rng, n: rng.standard_cauchy(n),
    check=_cauchy_check, min_n=3, moments=())
