"""What the per-row files of the families on a half-line or an interval share
(exponential, lognormal, weibull, beta, inverse_gaussian, half_normal, rayleigh, pareto,
uniform): evaluation outside the support without warnings, the tails of a survival
function exp(-t), the scale-only derivatives of the half-normal and Rayleigh, and the
extremes of the rows that carry weight (the MLEs of support bounds)."""
import functools
import math

import numpy as np

from .. import numerics as nm
from . import merge
from .base import Family, Solution
from .catalog import BY_NAME
from .tails import log1mexp


def quiet(f):
    """f evaluated with numpy's warnings off: rows outside the support take logs of zero
    or of negatives in the branch that np.where then discards."""
    @functools.wraps(f)
    def wrapped(*args):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return f(*args)
    return wrapped


def floats(y):
    return np.asarray(y, dtype=np.float64)


def inside_or(inside, value, fill):
    """value where the row is inside the support (or meets another condition), fill
    elsewhere: np.where, with a scalar returned as a float."""
    out = np.where(inside, value, fill)
    return out[()] if out.ndim == 0 else out


def masked_derivs(inside, ll, score, hess):
    """(logpdf, score, Hessian) with logpdf -inf and every derivative NaN outside the
    support, where the log-density is not differentiable (as a numeric derivative of
    -inf finds). Where every row is inside, an entry that already has the rows' shape is
    returned as it is (np.where would copy it unchanged), and an entry shared by both
    triangles of the Hessian is masked once."""
    nan = np.nan
    every = np.ndim(inside) > 0 and bool(np.all(inside))
    shape = np.shape(inside)

    def mask(x, fill):
        return x if every and np.shape(x) == shape else inside_or(inside, x, fill)

    done = {}

    def mask_h(x):
        if id(x) not in done:
            done[id(x)] = mask(x, nan)
        return done[id(x)]
    return (mask(ll, -np.inf), tuple(mask(s, nan) for s in score),
            tuple(tuple(mask_h(h) for h in row) for row in hess))


SMALL_T = 1e-3  # t below which log F = log t + log((1 - e^-t)/t) by its series


def exp_tails(t, inside, log_t=None):
    """(log F, log S) where S = exp(-t) on the support (t >= 0 there) and the row is
    below the support elsewhere: log S = -t exactly however far in the upper tail;
    log F = log(1 - e^-t) by log1mexp, or, for t < SMALL_T, log t - t/2 + t^2/24 (the
    rest is below t^4/2880) from log_t, given where t itself underflows ((y/lambda)^k at
    y = 1e-250)."""
    if log_t is None:
        log_t = np.log(t)
    small = log_t + t * (t / 24.0 - 0.5)
    log_f = np.where(t < SMALL_T, small, log1mexp(-t))
    return inside_or(inside, log_f, -np.inf), inside_or(inside, -t, 0.0)


def one_tail(tails, side):
    """log F (side 0) or log S (side 1) alone, from a function giving both."""
    def tail(y, *theta):
        return tails(y, *theta)[side]
    tail.__name__ = ("logcdf", "logsf")[side]
    return tail


def log_complements(p, q, log_p=None, log_q=None):
    """(log p, log q) for p + q = 1, each given with its own relative accuracy: the log of
    whichever is below 1/2 directly (log_p, log_q where the caller holds them past
    underflow), the other as log1p of minus it, so that a log near 0 keeps its digits
    (log S = -1e-33 where F = 1e-33)."""
    log_p = np.log(p) if log_p is None else log_p
    log_q = np.log(q) if log_q is None else log_q
    return inside_or(p < 0.5, log_p, np.log1p(-q)), inside_or(q < 0.5, log_q, np.log1p(-p))


@quiet
def square_scale_derivs(y, sigma, k, base):
    """The log-density base - k log sigma - y^2/(2 sigma^2) (half-normal: k = 1, base
    log(2/pi)/2; Rayleigh: k = 2, base log y) with its score -k/sigma + y^2/sigma^3 and
    Hessian k/sigma^2 - 3 y^2/sigma^4, per row, NaN below 0."""
    y = floats(y)
    u = (y / sigma) ** 2
    ll = base - k * np.log(sigma) - 0.5 * u
    return masked_derivs(y >= 0, ll, ((u - k) / sigma,), (((k - 3.0 * u) / sigma / sigma,),))


def carrying(y, w):
    """The rows that carry weight."""
    y = floats(y)
    return y if w is None else y[np.asarray(w) > 0]


def weighted_min(y, w):
    return float(np.min(carrying(y, w)))


def weighted_max(y, w):
    return float(np.max(carrying(y, w)))


HALF_LOG_2_OVER_PI = 0.5 * math.log(2.0 / math.pi)


def scale_only(c):
    """A one-parameter family whose parameter is a scale: it moves with the unit."""
    return (c,), (0.0,)


# Both depend on the data only through S = sum x^2 (and sum log x for the Rayleigh):
#   half-normal: n (log(2/pi)/2 - log sigma) - S / (2 sigma^2), sigma^2 = S/n;
#   Rayleigh:    sum log x - 2n log sigma - S / (2 sigma^2),     sigma^2 = S/(2n).
# With k = 1 (half-normal) or 2 (Rayleigh), minus the second derivative in sigma is
# -k n / sigma^2 + 3 S / sigma^4, and its expectation (E S = k n sigma^2) 2 k n / sigma^2.
def sum_squares(x, w):
    return nm.dot(x, x) if w is None else nm.dot(w * x, x)

def square_family(name, k, stats, check, logpdf, cdf, sample, scipy):
    """The half-normal (k = 1) or Rayleigh (k = 2) family: sigma^2 = sum x^2 / (k n)."""
    const = HALF_LOG_2_OVER_PI if k == 1 else 0.0
    return Family(
        spec=BY_NAME[name],
        stats=stats,
        merge=merge.sums("ss", "sumlog"),
        estimate=lambda s, c: Solution((math.sqrt(s.ss / (k * s.n)),),
                                       f"closed form: sigma^2 = mean(x^2){'' if k == 1 else ' / 2'}"),
        loglik=lambda s, t: (s.n * (const - k * math.log(t[0])) + s.sumlog
                             - s.ss / (2.0 * t[0] ** 2)),
        logpdf=logpdf,
        observed_information=lambda s, t: np.array([[-k * s.n / t[0] ** 2 + 3.0 * s.ss / t[0] ** 4]]),
        expected_information=lambda s, t: np.array([[2.0 * k * s.n / t[0] ** 2]]),
        scipy=scipy,
        check=check,
        cdf=cdf,
        sample=sample,
        rescale=scale_only,
    )
