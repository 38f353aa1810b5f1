"""gamma3(shape a, scale b, threshold c): the gamma of x - c, nothing below c (R's
FAdist::dgamma3(x, shape, scale, thres); scipy.stats.gamma(a, loc=c, scale=b)).

With y = x - c:
    log f = (a - 1) log y - y/b - a log b - lgamma(a),
    d/da = log y - log b - digamma(a),   d/db = (y/b - a)/b,   d/dc = 1/b - (a - 1)/y,
    d2/da2 = -trigamma(a),   d2/da db = -1/b,   d2/da dc = -1/y,
    d2/db2 = (a - 2 y/b)/b^2,   d2/db dc = -1/b^2,   d2/dc2 = -(a - 1)/y^2.

Like weibull3 its MLE is irregular (Smith 1985): the likelihood is unbounded as c rises to
min x when the shape there is below 1, and the threshold is not regular for a shape of at
most 2. threshold.py profiles the threshold (gamma fits of x - c by the gamma family's own
Newton) and says when there is no interior maximum."""
import math
from types import SimpleNamespace

import numpy as np

from .. import special_series as ss

from .base import scipy_stats
from .catalog import POSITIVE, REAL, Param, Spec
from .positive_common import inside_or, masked_derivs, quiet
from .rowwise import Density
from .tails import log_gammainc, log_gammaincc
from .threshold import Shift, censorable, family, starter, shifted
from .threshold_data import BLOCK, wd, ws
from . import gamma as gm


SPEC = Spec("gamma3", (Param("shape", POSITIVE, "shape a"), Param("scale", POSITIVE, "scale b (1/rate)"),
                       Param("threshold", REAL, "threshold c: nothing occurs below it")),
            "real", False, False, "(x-c)^(a-1) exp(-(x-c)/b) / (b^a G(a)), x > c",
            "gamma(a=shape, loc=threshold, scale=scale)", "FAdist::dgamma3(x, shape, scale, thres)",
            aliases=("gamma_3p", "three_parameter_gamma"),
            not_selected="its threshold's MLE is irregular (unbounded likelihood at min x for shape < 1)",
            estimator="profile of the threshold below min x (gamma fits of x - c), then Newton on all three",
            listed=130)


# ---------------------------------------------------------------- per row
def _by_scale(theta):
    """The gamma family's (shape, rate) as (shape, scale)."""
    return theta[0], 1.0 / theta[1]


@quiet
def logpdf(y, shape, scale, threshold):
    z = shifted(y, threshold)
    return inside_or(z >= 0, gm.logpdf(z, shape, 1.0 / scale), -np.inf)


@quiet
def derivs(y, shape, scale, threshold):
    from scipy.special import digamma, polygamma
    z = shifted(y, threshold)
    a, b = shape, scale
    zero = 0.0 * z
    d_a = np.log(z) - np.log(b) - digamma(a)
    d_b = (z / b - a) / b
    d_c = 1.0 / b - (a - 1.0) / z
    h_aa = -polygamma(1, a) + zero
    h_ab = -1.0 / b + zero
    h_ac = -1.0 / z
    h_bb = (a - 2.0 * z / b) / (b * b)
    h_bc = -1.0 / (b * b) + zero
    h_cc = -(a - 1.0) / (z * z)
    return masked_derivs(z > 0, gm.logpdf(z, a, 1.0 / b), (d_a, d_b, d_c),
                         ((h_aa, h_ab, h_ac), (h_ab, h_bb, h_bc), (h_ac, h_bc, h_cc)))


# ---------------------------------------------------------------- summed over the data
def summed(view, n, theta):
    """(log-likelihood, score, Hessian, score noise) summed block by block (view.sum), from
    the sums of log y, y, 1/y and 1/y^2 (and |log y| for the noise)."""
    a, b, c = theta

    def block(x, w):
        z = np.subtract(x, c)
        r = np.reciprocal(z)
        sz = ws(z, w)
        logz = np.log(z, out=z)
        return ws(logz, w), sz, ws(r, w), wd(r, r, w), ws(np.abs(logz, out=logz), w)
    slog, sz, sr, srr, sabs = view.sum(block, BLOCK)
    lmd, dlmd = ss.log_minus_digamma(a)  # (the project's own: no scipy.special to import)
    lb, psi, trigamma = math.log(b), math.log(a) - lmd, 1.0 / a - dlmd
    ll = (a - 1.0) * slog - sz / b - n * a * lb - n * math.lgamma(a)
    grad = np.array([slog - n * lb - n * psi, (sz / b - n * a) / b, n / b - (a - 1.0) * sr])
    hess = np.array([[-n * trigamma, -n / b, -sr], [-n / b, (n * a - 2.0 * sz / b) / (b * b), -n / (b * b)],
                     [-sr, -n / (b * b), -(a - 1.0) * srr]])
    return ll, grad, hess, np.array([sabs + n * abs(lb + psi), (sz / b + n * a) / b, n / b + abs(a - 1.0) * sr])


def base_stats(s, c):
    """The gamma's statistics of x - c (gamma._gamma_stats' from sums): the mean is
    the data's less c, the mean of log(x - c) one pass; where the direct d = log(mean) -
    mean log loses digits (its error bound), a second pass takes it without cancellation."""
    from .gamma import GAMMA_DIRECT_REL, _gamma_direct_error
    n, xbar, mean = s.n, s.mean, s.mean - c  # (block functions take numbers, not s: Dask sends them to its workers)
    meanlog = s.view.sum(lambda x, w: ws(np.log(np.subtract(x, c)), w), BLOCK) / n
    d = math.log(mean) - meanlog if mean > 0 else math.nan
    if not (d > 0 and _gamma_direct_error(n, mean, d) <= GAMMA_DIRECT_REL * d):
        def careful(x, w):
            t = np.subtract(x, xbar)  # (x - c) - mean
            t /= mean
            return ws(t, w), ws(ss.log1pmx_array(t), w)
        st, slp = s.view.sum(careful, BLOCK)
        d = ss.log1pmx(st / n) - slp / n
    return SimpleNamespace(n=n, mean=mean, d=d, meanlog=meanlog)


def below_one(s, c):
    """Whether the gamma shape of x - c is below 1: log a - digamma(a) = d falls in a and is
    Euler's gamma at a = 1."""
    return base_stats(s, c).d > 0.57721566490153286061


ROWS = Density(
    name="gamma3", params=("shape", "scale", "threshold"), domains=(POSITIVE, POSITIVE, REAL),
    logpdf=logpdf,
    logcdf=lambda y, a, b, c: log_gammainc(a, np.maximum(shifted(y, c), 0.0) / b),
    logsf=lambda y, a, b, c: log_gammaincc(a, np.maximum(shifted(y, c), 0.0) / b),
    derivs=derivs, start=starter(gm.start, _by_scale),
    sample=lambda rng, size, a, b, c: c + rng.gamma(a, b, size),
    scipy=lambda a, b, c: scipy_stats().gamma(a, loc=c, scale=b),
)


# ---------------------------------------------------------------- the family
def _base():
    from .gamma import GAMMA
    return GAMMA


def _cdf(x, theta):
    from scipy.special import gammainc
    a, b, c = theta
    return gammainc(a, np.maximum(np.asarray(x, dtype=np.float64) - c, 0.0) / b)


SHIFT = Shift(
    name="gamma3", density=ROWS, base=_base, own=_by_scale, cdf=_cdf,
    rescale=lambda s: ((1.0, s, s), (0.0, 0.0, 0.0)), shape=0, summed=summed, base_stats=base_stats,
    below_one=below_one,
    far="the data are not skewed to the right: as the threshold falls the fit tends to a normal",
    instead="normal or gamma",
)
DENSITY = censorable(SHIFT)  # with the estimator on censored rows
GAMMA3 = family(SHIFT)

FAMILIES = (GAMMA3,)
