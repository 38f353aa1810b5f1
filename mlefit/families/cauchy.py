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
    logpdf=lambda y, mu, sigma: locscale_logpdf(_row_parts, y, mu, sigma),
    logcdf=logcdf,
    logsf=lambda y, mu, sigma: logcdf(y, mu, sigma, upper=True),
    derivs=lambda y, mu, sigma: _row_derivs(y, mu, sigma),
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


FAR = 1e150  # |z| beyond which z^2 may overflow: the parts from w = 1/z


def _row_parts(z, order):
    """cauchy_parts for rows at any distance (a row 1e200 scales out has log f = -921, a
    score in sigma of +1/sigma, not the -1 that z^2 = inf gave): where |z| > FAR, with
    w = 1/z, l = -2 log|z| - log1p(w^2) - log(pi), l' = -2w/(1 + w^2) and
    l'' = 2(1 - w^2) w^2/(1 + w^2)^2. The fast path's sums keep cauchy_parts (no check)."""
    out = cauchy_parts(z, order)
    if np.isfinite(np.sum(out[0])):  # one pass, no temporary: no row has overflowed
        return out
    far = np.abs(z) > FAR
    if not np.any(far):
        return out
    zf = z[far]
    w = 1.0 / zf
    w2 = w * w
    out[0][far] = -2.0 * np.log(np.abs(zf)) - np.log1p(w2) - LOG_PI
    if order:
        r = 1.0 / (1.0 + w2)
        out[1][far] = -2.0 * w * r
        out[2][far] = 2.0 * (1.0 - w2) * w2 * r * r
    return out


def _row_derivs(y, mu, sigma):
    """locscale_derivs of _row_parts, with the Hessian from w = 1/z and v = w/sigma =
    1/(y - mu) where |z| > FAR: there l'' (about 2/z^2) underflows while z^2 l'' is 2
    and l''/sigma^2 = 2/(y - mu)^2 may be any size. With r = 1/(1 + w^2):
    d2/dmu2 = 2(1 - w^2) r^2 v^2, d2/dmu dsigma = -4 w r^2 v^2,
    d2/dsigma2 = (1 - 4r + 2(1 - w^2) r^2)/sigma^2."""
    ll, score, ((h_mm, h_ms), (_, h_ss)) = locscale_derivs(_row_parts, y, mu, sigma)
    with np.errstate(all="ignore"):
        z = (y - mu) / sigma
        far = np.abs(z) > FAR
        if np.any(far):
            w = 1.0 / z
            w2 = w * w
            r = 1.0 / (1.0 + w2)
            v2 = (w / sigma) ** 2
            h_mm = np.where(far, 2.0 * (1.0 - w2) * r * r * v2, h_mm)
            h_ms = np.where(far, -4.0 * w * r * r * v2, h_ms)
            h_ss = np.where(far, (1.0 - 4.0 * r + 2.0 * (1.0 - w2) * r * r) / sigma / sigma, h_ss)
    return ll, score, ((h_mm, h_ms), (h_ms, h_ss))


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
