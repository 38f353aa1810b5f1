"""weibull3(shape k, scale lambda, threshold c): the weibull of x - c, nothing below c.

With y = x - c, L = log(y/lambda) and t = (y/lambda)^k, log f is the weibull's in y, and in c:
    d/dc = (k t - k + 1)/y,          d2/dc2 = (1 - k)(k t + 1)/y^2,
    d2/dc dk = (t + k t L - 1)/y,    d2/dc dlambda = -k^2 t/(lambda y).

The MLE is irregular (Smith 1985, Biometrika 72:67-90): as c rises to min x the likelihood
is unbounded when the shape there is below 1; for shape between 1 and 2 a local maximum
exists but the threshold is not asymptotically normal. threshold.py profiles the threshold
(weibull fits of x - c by the weibull family's own Newton) and says when there is no
interior maximum."""
import numpy as np

from .base import scipy_stats
from .catalog import POSITIVE, REAL
from .rowwise import Density
from .threshold import Shift, censorable, family, starter, shifted as _shifted
from . import weibull as wb


# ---------------------------------------------------------------- per row
def logpdf(y, shape, scale, threshold):
    return wb.logpdf(_shifted(y, threshold), shape, scale)


def derivs(y, shape, scale, threshold):
    z = _shifted(y, threshold)
    ll, (d_k, d_s), ((h_kk, h_ks), (_, h_ss)) = wb.derivs(z, shape, scale)
    with np.errstate(all="ignore"):
        u = z / scale
        t = u ** shape
        big_l = np.log(u)
        inside = z > 0
        d_c = np.where(inside, (shape * t - shape + 1.0) / z, 0.0)
        h_cc = np.where(inside, (1.0 - shape) * (shape * t + 1.0) / (z * z), 0.0)
        h_ck = np.where(inside, (t + shape * t * big_l - 1.0) / z, 0.0)
        h_cs = np.where(inside, -shape * shape * t / (scale * z), 0.0)
    return ll, (d_k, d_s, d_c), ((h_kk, h_ks, h_ck), (h_ks, h_ss, h_cs), (h_ck, h_cs, h_cc))


def _tail(side):
    return lambda y, shape, scale, threshold: wb.one_tail(wb.tails, side)(_shifted(y, threshold), shape, scale)


ROWS = Density(
    name="weibull3", params=("shape", "scale", "threshold"), domains=(POSITIVE, POSITIVE, REAL),
    logpdf=logpdf, logcdf=_tail(0), logsf=_tail(1), derivs=derivs, start=starter(wb.start),
    sample=lambda rng, size, shape, scale, threshold: threshold + scale * rng.weibull(shape, size),
    scipy=lambda shape, scale, threshold: scipy_stats().weibull_min(shape, loc=threshold, scale=scale),
)


# ---------------------------------------------------------------- the family
def _base():
    from .continuous import WEIBULL
    return WEIBULL


def _cdf(x, theta):
    k, lam, c = theta
    return -np.expm1(-((np.maximum(np.asarray(x, dtype=np.float64) - c, 0.0) / lam) ** k))


SHIFT = Shift(
    name="weibull3", density=ROWS, base=_base, own=lambda theta: theta, cdf=_cdf,
    rescale=lambda s: ((1.0, s, s), (0.0, 0.0, 0.0)), shape=0,
    far="the data look like a smallest-extreme-value or normal sample, not a shifted weibull",
    instead="gumbel, normal or weibull",
)
DENSITY = censorable(SHIFT)  # with the estimator on censored rows
WEIBULL3 = family(SHIFT)

FAMILIES = (WEIBULL3,)
