"""lognormal3(meanlog, sdlog, threshold c): the lognormal of x - c, nothing below c (R's
FAdist::dlnorm3(x, shape=sdlog, scale=meanlog, thres); scipy.stats.lognorm(sdlog, loc=c,
scale=exp(meanlog))).

With y = x - c, s = sdlog and z = (log y - meanlog)/s, log f is the lognormal's in y, and in c:
    d/dc = (z/s + 1)/y,   d2/dc2 = (z/s + 1 - 1/s^2)/y^2,
    d2/dc dmeanlog = -1/(s^2 y),   d2/dc dsdlog = -2 z/(s^2 y).

Its likelihood is unbounded as c rises to min x for every sample and every sdlog (Hill 1963,
JRSS B 25:111-120): the estimate is the local maximum inside where one exists (Cohen's local
MLE, 1951; what SAS's THETA=EST and R's EnvStats::elnorm3 "lmle" report), consistent and
asymptotically normal (Hill 1963). threshold.py profiles the threshold (the lognormal's
closed form on x - c) and says when there is no interior maximum."""
import math
from types import SimpleNamespace

import numpy as np

from .base import scipy_stats
from .catalog import POSITIVE, REAL, Param, Spec
from .positive_common import masked_derivs, quiet
from .rowwise import Density
from .threshold import Shift, censorable, family, starter, shifted
from .threshold_data import BLOCK, log_moments, wd, ws
from . import lognormal as ln


SPEC = Spec("lognormal3", (Param("meanlog", REAL, "mean of log(x - c)"), Param("sdlog", POSITIVE, "sd of log(x - c)"),
                           Param("threshold", REAL, "threshold c: nothing occurs below it")),
            "real", False, False, "normal density of log(x-c), divided by x-c, x > c",
            "lognorm(s=sdlog, loc=threshold, scale=exp(meanlog))",
            "FAdist::dlnorm3(x, shape=sdlog, scale=meanlog, thres)",
            aliases=("lognormal_3p", "three_parameter_lognormal", "lognorm3"),
            not_selected="its likelihood is unbounded at min x for every sample (Hill 1963): "
                         "the estimate is a local maximum",
            estimator="profile of the threshold below min x (lognormal fits of x - c), then Newton on all three",
            listed=140)


# ---------------------------------------------------------------- per row
def logpdf(y, meanlog, sdlog, threshold):
    return ln.logpdf(shifted(y, threshold), meanlog, sdlog)


@quiet
def derivs(y, meanlog, sdlog, threshold):
    """The lognormal's in y = x - c (log y taken once), and the rows in c; NaN derivatives
    (and log f = -inf) at rows at or below c, masked only when there are any."""
    y = shifted(y, threshold)
    logy = np.log(y)
    s2 = sdlog * sdlog
    z = (logy - meanlog) / sdlog
    z2 = z * z
    a = z / sdlog + 1.0
    ll = -0.5 * math.log(2.0 * math.pi) - np.log(sdlog) - 0.5 * z2 - logy
    score = (z / sdlog, (z2 - 1.0) / sdlog, a / y)
    h_ms = -2.0 * z / s2
    h_cm, h_cs = -1.0 / (s2 * y), h_ms / y
    hess = ((np.full_like(z, -1.0 / s2), h_ms, h_cm), (h_ms, (1.0 - 3.0 * z2) / s2, h_cs),
            (h_cm, h_cs, (a - 1.0 / s2) / (y * y)))
    inside = y > 0
    if np.all(inside):
        return ll, score, hess
    return masked_derivs(inside, ll, score, hess)


# ---------------------------------------------------------------- summed over the data
def summed(view, n, theta):
    """(log-likelihood, score, Hessian, score noise) summed block by block (view.sum), from
    sums of v = log y - meanlog, v^2, r = 1/y, v r, r^2, v r^2; the noise bounds sum |v| and
    sum |v| r by Cauchy-Schwarz."""
    m, s, c = theta

    def block(x, w):
        z = np.subtract(x, c)
        r = np.reciprocal(z)
        v = np.log(z, out=z)
        v -= m
        vr = v * r
        return ws(v, w), wd(v, v, w), ws(r, w), ws(vr, w), wd(r, r, w), wd(vr, r, w)
    sv, svv, sr, svr, srr, svrr = view.sum(block, BLOCK)
    sav, savr = math.sqrt(n * svv), math.sqrt(svv * srr)
    s2 = s * s
    ll = n * (-0.5 * math.log(2.0 * math.pi) - math.log(s)) - 0.5 * svv / s2 - (sv + n * m)
    grad = np.array([sv / s2, (svv / s2 - n) / s, svr / s2 + sr])
    h_ms, h_mc, h_sc = -2.0 * sv / (s2 * s), -sr / s2, -2.0 * svr / (s2 * s)
    hess = np.array([[-n / s2, h_ms, h_mc], [h_ms, (n - 3.0 * svv / s2) / s2, h_sc],
                     [h_mc, h_sc, svrr / s2 + (1.0 - 1.0 / s2) * srr]])
    return ll, grad, hess, np.array([sav / s2, (svv / s2 + n) / s, savr / s2 + sr])


def base_stats(s, c):
    """The lognormal's statistics of x - c: the mean and spread of log(x - c), one pass."""
    mean, m2 = log_moments(s, c)
    return SimpleNamespace(n=s.n, mean=mean, m2=m2, jacobian=s.n * mean)


ROWS = Density(
    name="lognormal3", params=("meanlog", "sdlog", "threshold"), domains=(REAL, POSITIVE, REAL),
    logpdf=logpdf,
    logcdf=lambda y, m, s, c: ln.logcdf(shifted(y, c), m, s),
    logsf=lambda y, m, s, c: ln.logsf(shifted(y, c), m, s),
    derivs=derivs, start=starter(ln.start),
    sample=lambda rng, size, m, s, c: c + rng.lognormal(m, s, size),
    scipy=lambda m, s, c: scipy_stats().lognorm(s=s, loc=c, scale=np.exp(m)),
)


# ---------------------------------------------------------------- the family
def _base():
    from .lognormal import LOGNORMAL
    return LOGNORMAL


@quiet
def _cdf(x, theta):
    from scipy.special import ndtr
    m, s, c = theta
    return ndtr((np.log(np.maximum(np.asarray(x, dtype=np.float64) - c, 0.0)) - m) / s)


SHIFT = Shift(
    name="lognormal3", density=ROWS, base=_base, own=lambda theta: theta, cdf=_cdf,
    rescale=lambda s: ((1.0, 1.0, s), (math.log(s), 0.0, 0.0)), shape=None, summed=summed, base_stats=base_stats,
    far="the data are not skewed to the right: as the threshold falls the fit tends to a normal",
    instead="normal or lognormal",
)
DENSITY = censorable(SHIFT)  # with the estimator on censored rows
LOGNORMAL3 = family(SHIFT)

FAMILIES = (LOGNORMAL3,)
