"""What the per-row files of the families on a half-line or an interval share
(exponential, lognormal, weibull, beta, inverse_gaussian, half_normal, rayleigh, pareto,
uniform): evaluation outside the support without warnings, the tails of a survival
function exp(-t), the scale-only derivatives of the half-normal and Rayleigh, and the
extremes of the rows that carry weight (the MLEs of support bounds)."""
import functools

import numpy as np

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
    """value where the row is inside the support, fill elsewhere (a scalar as a float)."""
    out = np.where(inside, value, fill)
    return out[()] if out.ndim == 0 else out


def masked_derivs(inside, ll, score, hess):
    """(logpdf, score, Hessian) with logpdf -inf and every derivative NaN outside the
    support, where the log-density is not differentiable (as a numeric derivative of
    -inf finds)."""
    nan = np.nan
    return (inside_or(inside, ll, -np.inf), tuple(inside_or(inside, s, nan) for s in score),
            tuple(tuple(inside_or(inside, h, nan) for h in row) for row in hess))


def exp_tails(t, inside):
    """(log F, log S) where S = exp(-t) on the support (t >= 0 there) and the row is
    below the support elsewhere: log F = log(1 - e^-t) without cancellation for small t,
    log S = -t exactly however far in the upper tail."""
    return inside_or(inside, log1mexp(-t), -np.inf), inside_or(inside, -t, 0.0)


@quiet
def square_scale_derivs(y, sigma, k, base):
    """The log-density base - k log sigma - y^2/(2 sigma^2) (half-normal: k = 1, base
    log(2/pi)/2; Rayleigh: k = 2, base log y) with its score -k/sigma + y^2/sigma^3 and
    Hessian k/sigma^2 - 3 y^2/sigma^4, per row, NaN below 0."""
    y = floats(y)
    u = y * y / (sigma * sigma)
    ll = base - k * np.log(sigma) - 0.5 * u
    return masked_derivs(y >= 0, ll, ((u - k) / sigma,), (((k - 3.0 * u) / (sigma * sigma),),))


def carrying(y, w):
    """The rows that carry weight."""
    y = floats(y)
    return y if w is None else y[np.asarray(w) > 0]


def weighted_min(y, w):
    return float(np.min(carrying(y, w)))


def weighted_max(y, w):
    return float(np.max(carrying(y, w)))
