"""log_logistic(shape b, scale a): per-row log-density, tails and derivatives.

log y is logistic with location m = log a and scale s = 1/b, so every function here is
the logistic one of log y (the density less log y, the Jacobian), with the derivatives
carried from (m, s) to (b, a): dm/da = 1/a, d2m/da2 = -1/a^2, ds/db = -1/b^2,
d2s/db2 = 2/b^3."""
import numpy as np

from . import logistic
from . import survival_tails
from .base import scipy_stats
from .catalog import POSITIVE
from .logistic import logistic_parts
from .realline_common import locscale_derivs, locscale_logpdf
from .rowwise import Density


def _log(y):
    """log y, -inf at 0 and nan below (those rows are set apart by the callers)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(y)


def logpdf(y, shape, scale):
    x = _log(y)
    with np.errstate(invalid="ignore"):
        out = locscale_logpdf(logistic_parts, x, np.log(scale), 1.0 / shape) - x
    return np.where(np.asarray(y) > 0, out, -np.inf)


def derivs(y, shape, scale):
    x = _log(y)
    lp, (g_m, g_s), ((h_mm, h_ms), (_, h_ss)) = locscale_derivs(logistic_parts, x, np.log(scale), 1.0 / shape)
    b2 = shape * shape
    h_ba = -h_ms / (b2 * scale)
    a2 = scale * scale
    return (lp - x, (-g_s / b2, g_m / scale),
            ((h_ss / (b2 * b2) + 2.0 * g_s / (b2 * shape), h_ba), (h_ba, (h_mm - g_m) / a2)))


def _z(y, shape, scale):
    return shape * (_log(y) - np.log(scale))


def logcdf(y, shape, scale):
    with np.errstate(invalid="ignore"):
        return np.where(np.asarray(y) > 0, logistic.log_expit(_z(y, shape, scale)), -np.inf)


def logsf(y, shape, scale):
    with np.errstate(invalid="ignore"):
        return np.where(np.asarray(y) > 0, logistic.log_expit(-_z(y, shape, scale)), 0.0)


def start(y, w):
    """The logistic start on log y: scale = e^median, shape = 2 log 3 / IQR of log y."""
    m, s = logistic.start(_log(y), w)
    return 1.0 / s, float(np.exp(m))


DENSITY = Density(
    sf_derivs=survival_tails.log_logistic,
    name="log_logistic", params=("shape", "scale"), domains=(POSITIVE, POSITIVE),
    logpdf=logpdf, logcdf=logcdf, logsf=logsf, derivs=derivs, start=start,
    sample=lambda rng, size, shape, scale: scale * np.exp(rng.logistic(0.0, 1.0 / shape, size)),
    scipy=lambda shape, scale: scipy_stats().fisk(shape, scale=scale),
)
