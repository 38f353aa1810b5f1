"""Closed-form derivatives of log S for the families of survival and Tobit models
(Density.sf_derivs): weibull, exponential, log_logistic, normal and lognormal.

Each is log S = L(v) for a standardised v: v = k log(y/lambda) (weibull, log_logistic),
v = (y - mu)/sigma (normal) or (log y - mu)/sigma (lognormal), with the standard tail
    weibull (minimum Gumbel):  L = -e^v,             L' = -e^v,       L'' = -e^v
    log-logistic (logistic):    L = -log(1 + e^v),    L' = -p,         L'' = -p (1 - p),   p = 1/(1 + e^-v)
    normal:                     L = log Phi(-v),      L' = -h,         L'' = -h (h - v),   h = phi(v)/Phi(-v)
and the chain rule: dL/dt_j = L' dv_j, d2L/dt_i dt_j = L'' dv_i dv_j + L' d2v_ij.
Below a positive support (y <= 0) S = 1: log S and its derivatives are 0.

The exponential (rate r) is log S = -r y exactly: d/dr = -y, d2/dr2 = 0.
"""
import numpy as np

from .positive_common import floats


def _chain(inside, value, d1, d2, dv, d2v):
    k = len(dv)
    if np.all(inside):  # no row below the support: nothing to put 0 in
        return (value, tuple(d1 * dv[j] for j in range(k)),
                tuple(tuple(d2 * dv[i] * dv[j] + d1 * d2v[i][j] for j in range(k)) for i in range(k)))
    zero = np.zeros_like(value)
    score = tuple(np.where(inside, d1 * dv[j], zero) for j in range(k))
    hess = tuple(tuple(np.where(inside, d2 * dv[i] * dv[j] + d1 * d2v[i][j], zero) for j in range(k))
                 for i in range(k))
    return np.where(inside, value, zero), score, hess


def _log_scale_v(y, shape, scale):
    """v = k log(y/lambda) and its derivatives in (k, lambda)."""
    y = floats(y)
    inside = y > 0
    with np.errstate(all="ignore"):
        big_l = np.log(np.where(inside, y, 1.0) / scale)
        v = shape * big_l
        dv = (big_l, -shape / scale + 0.0 * v)
        d2v = ((0.0 * v, -1.0 / scale + 0.0 * v), (-1.0 / scale + 0.0 * v, shape / (scale * scale) + 0.0 * v))
    return inside, v, dv, d2v


def weibull(y, shape, scale):
    inside, v, dv, d2v = _log_scale_v(y, shape, scale)
    with np.errstate(all="ignore"):
        t = np.exp(v)
    return _chain(inside, -t, -t, -t, dv, d2v)


def log_logistic(y, shape, scale):
    inside, v, dv, d2v = _log_scale_v(y, shape, scale)
    with np.errstate(all="ignore"):
        p = np.where(v >= 0, 1.0 / (1.0 + np.exp(-v)), np.exp(v) / (1.0 + np.exp(v)))
        q = np.where(v >= 0, np.exp(-v) / (1.0 + np.exp(-v)), 1.0 / (1.0 + np.exp(v)))
        value = -(np.maximum(v, 0.0) + np.log1p(np.exp(-np.abs(v))))
    return _chain(inside, value, -p, -p * q, dv, d2v)


def _normal_tail(v):
    from scipy.special import log_ndtr

    with np.errstate(all="ignore"):
        value = log_ndtr(-v)
        h = np.exp(-0.5 * v * v - 0.5 * np.log(2.0 * np.pi) - value)
    return value, -h, -h * (h - v)


def _loc_scale_v(z, mu, sigma):
    v = (z - mu) / sigma
    return v, (-1.0 / sigma + 0.0 * v, -v / sigma), ((0.0 * v, 1.0 / (sigma * sigma) + 0.0 * v),
                                                      (1.0 / (sigma * sigma) + 0.0 * v, 2.0 * v / (sigma * sigma)))


def normal(y, mu, sigma):
    y = floats(y)
    v, dv, d2v = _loc_scale_v(y, mu, sigma)
    value, d1, d2 = _normal_tail(v)
    return _chain(np.ones(v.shape, dtype=bool), value, d1, d2, dv, d2v)


def lognormal(y, meanlog, sdlog):
    y = floats(y)
    inside = y > 0
    with np.errstate(all="ignore"):
        v, dv, d2v = _loc_scale_v(np.log(np.where(inside, y, 1.0)), meanlog, sdlog)
    value, d1, d2 = _normal_tail(v)
    return _chain(inside, value, d1, d2, dv, d2v)


def exponential(y, rate):
    y = floats(y)
    yy = np.maximum(y, 0.0) + 0.0 * rate
    return -rate * yy, (-yy,), ((0.0 * yy,),)
