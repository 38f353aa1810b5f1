"""logistic(mu, s): per-row log-density, tails and derivatives."""
import math

from .base import scipy_stats
from .catalog import POSITIVE, REAL
from .real_line import logistic_parts
from .realline_common import locscale_derivs, locscale_logpdf, median_and_iqr
from .rowwise import Density

IQR_PER_SCALE = 2.0 * math.log(3.0)  # the standard logistic's interquartile range


def log_expit(z):
    """log(1/(1 + e^-z)) = -log1p(e^-z), without overflow or 1 - F at either end."""
    from scipy.special import log_expit as f
    return f(z)


def start(y, w):
    """The median and the interquartile range / (2 log 3)."""
    med, iqr = median_and_iqr(y, w)
    return med, iqr / IQR_PER_SCALE


DENSITY = Density(
    name="logistic", params=("mu", "s"), domains=(REAL, POSITIVE),
    logpdf=lambda y, mu, s: locscale_logpdf(logistic_parts, y, mu, s),
    logcdf=lambda y, mu, s: log_expit((y - mu) / s),
    logsf=lambda y, mu, s: log_expit((mu - y) / s),
    derivs=lambda y, mu, s: locscale_derivs(logistic_parts, y, mu, s),
    start=start,
    sample=lambda rng, size, mu, s: rng.logistic(mu, s, size),
    scipy=lambda mu, s: scipy_stats().logistic(mu, s),
)
