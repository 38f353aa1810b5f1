"""Closed-form derivatives of log S for the families of survival and Tobit models
(Density.sf_derivs): weibull, exponential, log_logistic, normal and lognormal.

Each is log S = L(v) for a standardised v: v = k log(y/lambda) (weibull, log_logistic),
v = (y - mu)/sigma (normal) or (log y - mu)/sigma (lognormal), with the standard tail
    weibull (minimum Gumbel):  L = -e^v,             L' = -e^v,       L'' = -e^v
    log-logistic (logistic):    L = -log(1 + e^v),    L' = -p,         L'' = -p (1 - p),   p = 1/(1 + e^-v)
    normal:                     L = log Phi(-v),      L' = -h,         L'' = -h (h - v),   h = phi(v)/Phi(-v)
and the chain rule: dL/dt_j = L' dv_j, d2L/dt_i dt_j = L'' dv_i dv_j + L' d2v_ij, a derivative of v that
is constant over the rows kept a scalar (no array of a repeated number enters the products) and
the symmetric Hessian computed for i <= j only.
Below a positive support (y <= 0) S = 1: log S and its derivatives are 0.

The exponential (rate r) is log S = -r y exactly: d/dr = -y, d2/dr2 = 0.
"""
import functools

import numpy as np

from .positive_common import floats


def _each(x, f):
    return tuple(_each(e, f) for e in x) if isinstance(x, tuple) else f(x)


def _scalar(x):
    return all(_scalar(e) for e in x) if isinstance(x, tuple) else np.ndim(x) == 0


def scalars_as_rows(fn):
    """fn, whose arithmetic is in place on arrays (no temporary per operation), also for
    arguments that are all scalars: each then a row of one, and the results scalars."""
    @functools.wraps(fn)
    def run(*args):
        if not _scalar(args):
            return fn(*args)
        out = fn(*_each(args, lambda a: np.reshape(np.asarray(a, dtype=np.float64), 1)))
        return _each(out, lambda a: a[0] if np.ndim(a) else a)
    return run


def _chain(inside, value, d1, d2, dv, d2v):
    """(log S, score, Hessian) from L = log S in v and v's derivatives: dv[j] and d2v[i][j]
    are per-row arrays or scalars (a constant derivative stays a scalar: broadcasting
    gives the products the rows' shape, as d1 and d2 have it), d2v[i][j] None where it is
    0. Only i <= j is computed: the Hessian's lower triangle holds the same arrays. Rows
    outside the support (inside False) get 0 in every entry."""
    k = len(dv)
    hess = [[None] * k for _ in range(k)]
    with np.errstate(all="ignore"):  # rows outside the support hold infinities and NaN until the end
        score = tuple(d1 * g for g in dv)
        for i in range(k):
            for j in range(i, k):
                if np.ndim(dv[i]) == 0 and np.ndim(dv[j]) == 0:
                    h = d2 * (dv[i] * dv[j])
                else:
                    h = d2 * dv[i]
                    h *= dv[j]
                if d2v[i][j] is not None:
                    h += d1 * d2v[i][j]
                hess[i][j] = hess[j][i] = h
    return _masked(inside, value, score, hess)


def _masked(inside, value, score, hess):
    """Rows outside the support (inside False: below a positive support) get 0 in every
    entry; the Hessian's triangles stay the same arrays. The entries are the caller's own
    fresh arrays: those few rows are set in place (np.where would copy every entry whole)."""
    k = len(score)
    hess = [list(r) for r in hess]
    if np.all(inside):
        return value, tuple(score), tuple(tuple(r) for r in hess)
    out = np.flatnonzero(~np.asarray(inside)) if np.ndim(inside) == 1 else None

    def zero(x):
        if out is not None and isinstance(x, np.ndarray) and x.shape == np.shape(inside) and x.flags.writeable:
            x[out] = 0.0
            return x
        return np.where(inside, x, 0.0)
    value = zero(value)
    score = tuple(zero(g) for g in score)
    for i in range(k):
        for j in range(i, k):
            hess[i][j] = hess[j][i] = zero(hess[i][j])
    return value, score, tuple(tuple(r) for r in hess)


def _log_scale_v(y, shape, scale):
    """v = k log(y/lambda) and its derivatives in (k, lambda) (_chain's dv, d2v)."""
    y = floats(y)
    with np.errstate(all="ignore"):  # a row at or below 0 takes -inf or NaN here, and 0 in _chain
        big_l = np.log(y / scale)
        v = shape * big_l
    return y > 0, v, (big_l, -shape / scale), ((None, -1.0 / scale), (None, shape / (scale * scale)))


@scalars_as_rows
def weibull(y, shape, scale):
    """_chain for the weibull, where L = L' = L'' = -t (t = e^v, v = k log(y/lambda)), in
    closed form: with m = -t and l = log(y/lambda),
        dL = (m l, -m k/lambda),
        d2L = (m l^2, m (-l k/lambda - 1/lambda), m k (k + 1)/lambda^2)."""
    y = floats(y)
    with np.errstate(all="ignore"):  # a row at or below 0 takes -inf or NaN here, and 0 in _masked
        big_l = np.log(y / scale)
        m = shape * big_l
        np.exp(m, out=m)
        np.negative(m, out=m)
        d_k = m * big_l
        d_s = m * (-shape / scale)
        h_ks = big_l * (-shape / scale)
        h_ks -= 1.0 / scale
        h_ks *= m
        hess = ((d_k * big_l, h_ks), (h_ks, m * (shape * (shape + 1.0) / (scale * scale))))
    return _masked(y > 0, m, (d_k, d_s), hess)


def log_logistic(y, shape, scale):
    inside, v, dv, d2v = _log_scale_v(y, shape, scale)
    with np.errstate(all="ignore"):
        p = np.where(v >= 0, 1.0 / (1.0 + np.exp(-v)), np.exp(v) / (1.0 + np.exp(v)))
        q = np.where(v >= 0, np.exp(-v) / (1.0 + np.exp(-v)), 1.0 / (1.0 + np.exp(v)))
        value = -(np.maximum(v, 0.0) + np.log1p(np.exp(-np.abs(v))))
    return _chain(inside, value, -p, -p * q, dv, d2v)


HALF_LOG_2PI = 0.5 * np.log(2.0 * np.pi)


@scalars_as_rows
def _normal_tail(v):
    """L = log Phi(-v), L' = -h and L'' = -h (h - v), h = phi(v) / Phi(-v). L as scipy's
    log_ndtr(-v) takes it, a third cheaper: log(ndtr(-v)) for -20 < -v <= 1,
    log1p(-ndtr(v)) above (where Phi(-v) is near 1), log_ndtr's asymptotic series below."""
    from scipy.special import log_ndtr, ndtr

    with np.errstate(all="ignore"):
        a = np.negative(v)
        value = ndtr(a)
        np.log(value, out=value)
        upper = np.flatnonzero(a > 1.0)
        if upper.size:
            value[upper] = np.log1p(-ndtr(v[upper]))
        far = np.flatnonzero(a <= -20.0)
        if far.size:
            value[far] = log_ndtr(a[far])
        h = v * v
        h *= -0.5
        h -= value
        h -= HALF_LOG_2PI
        np.exp(h, out=h)
        d2 = v - h
        d2 *= h
        np.negative(h, out=h)
    return value, h, d2


def _loc_scale(inside, value, d1, d2, v, sigma):
    """_chain for v = (z - mu)/sigma, whose derivatives dv = (-1/sigma, -v/sigma) and
    d2v = ((0, 1/sigma^2), (1/sigma^2, 2v/sigma^2)) give, in closed form,
        dL = (-L'/sigma, -L' v/sigma),
        d2L = (L''/sigma^2, (L'' v + L')/sigma^2, v (L'' v + 2 L')/sigma^2)."""
    with np.errstate(all="ignore"):
        inv2 = 1.0 / (sigma * sigma)
        d_mu = d1 * (-1.0 / sigma)
        d_sigma = d_mu * v
        a = d2 * v
        a += d1
        h_ms = a * inv2
        a += d1
        a *= v
        a *= inv2
    return _masked(inside, value, (d_mu, d_sigma), ((d2 * inv2, h_ms), (h_ms, a)))


def normal(y, mu, sigma):
    v = (floats(y) - mu) / sigma
    value, d1, d2 = _normal_tail(v)
    return _loc_scale(True, value, d1, d2, v, sigma)


def lognormal(y, meanlog, sdlog):
    y = floats(y)
    with np.errstate(all="ignore"):  # a row at or below 0 takes -inf or NaN here, and 0 in _masked
        v = (np.log(y) - meanlog) / sdlog
    value, d1, d2 = _normal_tail(v)
    return _loc_scale(y > 0, value, d1, d2, v, sdlog)


def exponential(y, rate):
    y = floats(y)
    yy = np.maximum(y, 0.0) + 0.0 * rate
    return -rate * yy, (-yy,), ((0.0 * yy,),)
