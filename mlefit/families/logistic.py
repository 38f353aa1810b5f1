"""logistic(mu, s): per-row log-density, tails and derivatives."""
import math

import numpy as np

from .base import scipy_special, scipy_stats
from .catalog import POSITIVE, REAL, Param, Spec
from .realline_common import (LOG_4, locscale_derivs, locscale_family, locscale_logpdf, median_and_iqr,
                              newton_estimate)
from .rowwise import Density


SPEC = Spec("logistic",
            (Param("mu", REAL, "location (mean and median)"), Param("s", POSITIVE, "scale; sd = s pi/sqrt(3)")),
            "real", False, False, "e^-z / (s (1 + e^-z)^2), z = (x-mu)/s",
            "logistic(loc=mu, scale=s)", "dlogis(x, location=mu, scale=s)",
            estimator="Newton in (mu, log s)", listed=190, select_rank=30,
            on_outcomes="the logistic distribution (a continuous density on the real line, not logistic regression)")


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


# ---------------------------------------------------------------- the fast path: the logistic
# fit from sufficient statistics (no covariates, no censoring, no prior); LOGISTIC is
# the family's record (families.get)
def logistic_parts(z, order):
    """l(z) = -|z| - 2 log(1 + e) with e = e^-|z|, l' = -tanh(z/2), l'' = -2 e/(1 + e)^2,
    all from t = tanh(z/2) (one transcendental pass, numpy's quickest): 1 + e =
    2/(1 + |t|), so l = 2 log1p(|t|) - |z| - 2 log 2, and l'' = -(1 - t^2)/2. Nothing
    overflows; in the far tails l'' is within 1e-16 absolute (not relative) of its
    value, which the sums it enters cannot see."""
    t = np.tanh(0.5 * z)
    a = np.abs(t)
    l = np.log1p(a, out=a)
    l *= 2.0
    l -= np.abs(z)
    l -= LOG_4
    if order == 0:
        return (l,)
    d2 = t * t
    d2 -= 1.0
    d2 *= 0.5
    return l, -t, d2


LOGISTIC = locscale_family(
    "logistic", logistic_parts,
    newton_estimate(logistic_parts, -math.log(math.log(3.0)), "Newton on the score equations"),
    [[1.0 / 3.0, 0.0], [0.0, (math.pi ** 2 + 3.0) / 9.0]],
    lambda t: scipy_stats().logistic(t[0], t[1]),
    lambda z: scipy_special().expit(z),
    lambda rng, n: rng.logistic(size=n))
