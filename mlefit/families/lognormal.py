"""lognormal(meanlog, sdlog): per-row log-density, tails and derivatives: the normal
family's on log y, less the Jacobian log y. log y is taken once, where y > 0 (0 is the
lower end of the support: log F = -inf and log S = 0 there, with no warning; a negative
y is outside it)."""
import numpy as np

from . import normal
from .catalog import POSITIVE, REAL
from .base import scipy_stats
from .rowwise import Density
from .positive_common import floats, inside_or, masked_derivs, quiet
from .tails import log_ndtr
from . import survival_tails


@quiet
def _log(y):
    """(log y, y > 0, y >= 0): log y is -inf at 0 and NaN below it."""
    y = floats(y)
    return np.log(y), y > 0, y >= 0


@quiet
def logpdf(y, meanlog, sdlog):
    logy, positive, _ = _log(y)
    return inside_or(positive, normal.logpdf(logy, meanlog, sdlog) - logy, -np.inf)


@quiet
def derivs(y, meanlog, sdlog):
    logy, positive, _ = _log(y)
    ll, score, hess = normal.derivs(logy, meanlog, sdlog)
    return masked_derivs(positive, ll - logy, score, hess)


@quiet
def logcdf(y, meanlog, sdlog):
    logy, _, nonnegative = _log(y)
    return inside_or(nonnegative, log_ndtr((logy - meanlog) / sdlog), -np.inf)


@quiet
def logsf(y, meanlog, sdlog):
    logy, _, nonnegative = _log(y)
    return inside_or(nonnegative, log_ndtr((meanlog - logy) / sdlog), 0.0)


def start(y, w):
    """The mean and sd (divisor n) of log y."""
    return normal.start(np.log(floats(y)), w)


DENSITY = Density(
    sf_derivs=survival_tails.lognormal,
    name="lognormal", params=("meanlog", "sdlog"), domains=(REAL, POSITIVE),
    logpdf=logpdf, logcdf=logcdf, logsf=logsf, derivs=derivs, start=start,
    sample=lambda rng, size, meanlog, sdlog: rng.lognormal(meanlog, sdlog, size),
    scipy=lambda meanlog, sdlog: scipy_stats().lognorm(s=sdlog, scale=np.exp(meanlog)),
)
