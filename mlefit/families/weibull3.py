"""weibull3(shape k, scale lambda, threshold c): the weibull of x - c, nothing below c.

With y = x - c, L = log(y/lambda) and t = (y/lambda)^k, log f is the weibull's in y, and in c:
    d/dc = (k t - k + 1)/y,          d2/dc2 = (1 - k)(k t + 1)/y^2,
    d2/dc dk = (t + k t L - 1)/y,    d2/dc dlambda = -k^2 t/(lambda y).

The MLE is irregular (Smith 1985, Biometrika 72:67-90): as c rises to min x the likelihood
is unbounded when the shape there is below 1; for shape between 1 and 2 a local maximum
exists but the threshold is not asymptotically normal. threshold.py profiles the threshold
(weibull fits of x - c by the weibull family's own Newton) and says when there is no
interior maximum."""
import math
from types import SimpleNamespace

import numpy as np

from .base import scipy_stats
from .catalog import POSITIVE, REAL, Param, Spec
from .rowwise import Density
from .threshold import Shift, censorable, family, starter, shifted as _shifted
from .threshold_data import BLOCK, Mapped, log_moments, logs_of, wd, ws
from . import weibull as wb


SPEC = Spec("weibull3", (Param("shape", POSITIVE, "shape k"), Param("scale", POSITIVE, "scale lambda"),
                         Param("threshold", REAL, "threshold c: nothing occurs below it")),
            "real", False, False, "(k/lambda) ((x-c)/lambda)^(k-1) exp(-((x-c)/lambda)^k), x > c",
            "weibull_min(c=shape, loc=threshold, scale=scale)", "FAdist::dweibull3(x, shape, scale, thres)",
            aliases=("weibull_3p", "three_parameter_weibull"),
            not_selected="its threshold's MLE is irregular (unbounded likelihood at min x for shape < 1)",
            estimator="profile of the threshold below min x (weibull fits of x - c), then Newton on all three",
            listed=120)


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


# ---------------------------------------------------------------- summed over the data
def summed(view, n, theta):
    """(log-likelihood, score, Hessian, score noise) summed block by block (view.sum), from
    sums of L = log(y/lambda), t = (y/lambda)^k, r = 1/y, their products and |L|."""
    k, lam, c = theta

    def block(x, w):
        z = np.subtract(x, c)
        r = np.reciprocal(z)
        z *= 1.0 / lam
        big_l = np.log(z, out=z)
        t = np.multiply(big_l, k)
        np.exp(t, out=t)
        tl = t * big_l
        tr = t * r
        return (ws(big_l, w), ws(t, w), ws(tl, w), wd(tl, big_l, w), ws(r, w), ws(tr, w), wd(tl, r, w),
                wd(r, r, w), wd(tr, r, w), ws(np.abs(big_l, out=big_l), w))
    sl, st, stl, stll, sr, str_, stlr, srr, strr, sal = view.sum(block, BLOCK)
    satl = math.sqrt(st * stll)  # sum |t L| <= (sum t sum t L^2)^(1/2): a bound for the noise
    ll = n * (math.log(k) - math.log(lam)) + (k - 1.0) * sl - st
    grad = np.array([n / k + sl - stl, k * (st - n) / lam, k * str_ - (k - 1.0) * sr])
    h_kl, h_ck, h_cl = (st + k * stl - n) / lam, str_ + k * stlr - sr, -k * k * str_ / lam
    hess = np.array([[-n / (k * k) - stll, h_kl, h_ck], [h_kl, k * (n - (k + 1.0) * st) / (lam * lam), h_cl],
                     [h_ck, h_cl, (1.0 - k) * (k * strr + srr)]])
    return ll, grad, hess, np.array([n / k + sal + satl, k * (st + n) / lam, k * str_ + abs(k - 1.0) * sr])


def base_stats(s, c):
    """The weibull's statistics of y = x - c (weibull._weibull_stats' about max y):
    the logs y' = log(y / max y) seen block by block at each pass, their mean and spread
    in one pass."""
    top = s.hi - c
    ybar, m2 = log_moments(s, c, top)
    return SimpleNamespace(n=s.n, ys=Mapped(s.view, logs_of(c, top), s.n), top=math.log(top), hi=top, ybar=ybar,
                           sumlog=s.n * (math.log(top) + ybar), sd=math.sqrt(m2))


def below_one(s, c):
    """Whether the weibull shape of x - c is below 1: the profile equation
    h(k) = sum y^k log y / sum y^k - 1/k - mean log y rises in k, so h(1) > 0; one pass."""
    logs = logs_of(c, s.hi - c)

    def block(x, w):
        v = logs(x)
        e = np.exp(v)
        return ws(e, w), wd(e, v, w), ws(v, w)
    se, sev, sv = s.view.sum(block, BLOCK)
    return sev / se - 1.0 - sv / s.n > 0.0


ROWS = Density(
    name="weibull3", params=("shape", "scale", "threshold"), domains=(POSITIVE, POSITIVE, REAL),
    logpdf=logpdf, logcdf=_tail(0), logsf=_tail(1), derivs=derivs, start=starter(wb.start),
    sample=lambda rng, size, shape, scale, threshold: threshold + scale * rng.weibull(shape, size),
    scipy=lambda shape, scale, threshold: scipy_stats().weibull_min(shape, loc=threshold, scale=scale),
)


# ---------------------------------------------------------------- the family
def _base():
    from .weibull import WEIBULL
    return WEIBULL


def _cdf(x, theta):
    k, lam, c = theta
    return -np.expm1(-((np.maximum(np.asarray(x, dtype=np.float64) - c, 0.0) / lam) ** k))


SHIFT = Shift(
    name="weibull3", density=ROWS, base=_base, own=lambda theta: theta, cdf=_cdf,
    rescale=lambda s: ((1.0, s, s), (0.0, 0.0, 0.0)), shape=0, summed=summed, base_stats=base_stats,
    below_one=below_one,
    far="the data look like a smallest-extreme-value or normal sample, not a shifted weibull",
    instead="gumbel, normal or weibull",
)
DENSITY = censorable(SHIFT)  # with the estimator on censored rows
WEIBULL3 = family(SHIFT)

FAMILIES = (WEIBULL3,)
