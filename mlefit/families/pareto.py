"""pareto(xm, alpha): per-row log-density, tails and derivatives.

xm is where the support begins (y >= xm): its MLE is the sample minimum, where the
log-likelihood is still rising (non-regular), so the estimator holds it there
(`extreme`) and maximises over alpha alone. With L = log(y/xm) >= 0 on the support:
    log f = log alpha - log y - alpha L,   log S = -alpha L,   log F = log(1 - e^(-alpha L));
    d/dxm = alpha/xm,  d/dalpha = 1/alpha - L;
    d2/dxm2 = -alpha/xm^2,  d2/dxm dalpha = 1/xm,  d2/dalpha2 = -1/alpha^2.
"""
import numpy as np

from .catalog import POSITIVE
from .base import scipy_stats
from .positive_common import exp_tails, floats, inside_or, masked_derivs, one_tail, quiet, weighted_min
from .rowwise import Density, weighted_mean


@quiet
def _log_ratio(y, xm):
    """(y, log(y/xm)): log1p of the relative excess, exact for y close to xm (y - xm is
    then exact), or log y - log xm where that excess overflows."""
    y = floats(y)
    excess = (y - xm) / xm
    return y, np.where(np.isfinite(excess), np.log1p(excess), np.log(y) - np.log(xm))


@quiet
def logpdf(y, xm, alpha):
    y, big_l = _log_ratio(y, xm)
    return inside_or(y >= xm, np.log(alpha) - np.log(y) - alpha * big_l, -np.inf)


@quiet
def derivs(y, xm, alpha):
    y, big_l = _log_ratio(y, xm)
    ll = np.log(alpha) - np.log(y) - alpha * big_l
    zero = 0.0 * y
    score = (alpha / xm + zero, 1.0 / alpha - big_l)
    h_xa = 1.0 / xm + zero
    hess = ((-alpha / (xm * xm) + zero, h_xa), (h_xa, -1.0 / (alpha * alpha) + zero))
    return masked_derivs(y >= xm, ll, score, hess)


@quiet
def tails(y, xm, alpha):
    y, big_l = _log_ratio(y, xm)
    return exp_tails(alpha * big_l, y >= xm)


def start(y, w):
    """xm = the minimum; alpha = 1/mean(log(y/xm)), the moment of log y that is alpha's
    MLE given xm."""
    xm = weighted_min(y, w)
    mean_log = weighted_mean(_log_ratio(y, xm)[1], w)
    return xm, 1.0 / max(mean_log, 1e-300)


DENSITY = Density(
    name="pareto", params=("xm", "alpha"), domains=(POSITIVE, POSITIVE),
    logpdf=logpdf,
    logcdf=one_tail(tails, 0), logsf=one_tail(tails, 1),
    derivs=derivs, start=start,
    sample=lambda rng, size, xm, alpha: xm * np.exp(rng.exponential(1.0 / alpha, size)),
    scipy=lambda xm, alpha: scipy_stats().pareto(alpha, scale=xm),
    extreme={0: weighted_min},
    note="xm is held at the sample minimum, where the support begins (non-regular: no "
         "standard error); alpha is fitted given it",
)
