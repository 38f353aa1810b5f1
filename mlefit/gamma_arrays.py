"""log-gamma, digamma and trigamma pieces over numpy arrays, numpy and math only: a fit
on a table of distinct counts (negative_binomial's Newton in its size) needs
psi(v + r) - psi(r), its derivative and log B(r, v + 1), and scipy.special costs 0.2-0.5 s
to import, more than the fit of a million counts. The scalar pieces they extend
(log(a) - digamma(a), the Stirling remainder) are in numerics.py; tests/test_gamma_arrays.py
checks these against mpmath and against scipy's forms."""
import math

import numpy as np

from . import numerics as nm

_LGAMMA = np.frompyfunc(math.lgamma, 1, 1)
_GAMMA = np.frompyfunc(math.gamma, 1, 1)
STIRLING_FROM = 15.0
ATANH_TERMS = 18  # u^2 <= 1/9: the 18th term of the series is below 1e-17 of its sum


def lgamma(x):
    """math.lgamma elementwise (about 0.1 us a value): for the few values below 15 that
    the series below leave to it."""
    x = np.asarray(x, dtype=np.float64)
    return _LGAMMA(x).astype(np.float64) if x.size else x.copy()


def stirling_remainder(a):
    """numerics.stirling_remainder over an array: the series from 15 on, lgamma below."""
    a = np.asarray(a, dtype=np.float64)
    r = 1.0 / (a * a)
    out = (1.0 / 12 - r * (1.0 / 360 - r * (1.0 / 1260 - r * (1.0 / 1680 - r / 1188)))) / a
    low = a < 15.0
    if np.any(low):
        x = a[low]
        out[low] = lgamma(x) - ((x - 0.5) * np.log(x) - x + nm.HALF_LOG_2PI)
    return out


def log_beta(a, b):
    """log B(a, b) for a, b > 0, broadcast: numerics.log_beta's Stirling form where the
    larger shape is STIRLING_FROM or more (its remainders then from their series); below, log(Gamma(a) Gamma(b) / Gamma(a + b)) from
    math.gamma (as scipy's betaln takes it there), or the log-gammas for a shape below
    1e-250 (whose Gamma would overflow)."""
    a, b = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    out = np.empty(lo.shape)
    big = hi >= STIRLING_FROM
    if np.any(big):
        x, y = lo[big], hi[big]
        s = x + y
        out[big] = (lgamma(x) - (y - 0.5) * np.log1p(x / y) - x * np.log(s) + x
                    + (stirling_remainder(y) - stirling_remainder(s)))
    small = ~big
    if np.any(small):
        x, y = lo[small], hi[small]
        tiny = x < 1e-250
        ratio = _GAMMA(np.where(tiny, 1.0, x)).astype(np.float64) * (
            _GAMMA(y).astype(np.float64) / _GAMMA(x + y).astype(np.float64))
        with np.errstate(divide="ignore"):
            out[small] = np.where(tiny, lgamma(x) + lgamma(y) - lgamma(x + y), np.log(ratio))
    return out


def _t_minus_log1p(t):
    """numerics._t_minus_log1p over an array: t - log(1 + t) for t > 0, from the atanh
    series where t <= 1 (u = t/(2 + t) <= 1/3)."""
    u = t / (2.0 + t)
    u2 = u * u
    total = np.full(t.shape, 1.0 / (2 * ATANH_TERMS + 1))
    for j in range(ATANH_TERMS - 2, -1, -1):  # Horner in u^2: sum_j u^(2j) / (2j + 3)
        total *= u2
        total += 1.0 / (2 * j + 3)
    series = 2.0 * u2 / (1.0 - u) - 2.0 * u2 * u * total
    with np.errstate(invalid="ignore"):
        return np.where(t > 1.0, t - np.log1p(t), series)


def _series(a):
    r = 1.0 / (a * a)
    v = np.zeros(a.shape)
    d = np.zeros(a.shape)
    for cv, cd in zip(nm.SERIES_VALUE[::-1], nm.SERIES_DERIV[::-1]):
        v = cv + r * v
        d = cd + r * d
    return 1.0 / (2 * a) + r * v, -(r / 2 + (r / a) * d)


def log_minus_digamma(a):
    """numerics.log_minus_digamma over an array of a > 0: (log a - psi(a), 1/a - psi'(a)).
    Below 10 the recurrence carries a up to the series as in the scalar, its terms (all of
    one sign) added smallest first."""
    a = np.asarray(a, dtype=np.float64)
    steps = np.ceil(np.maximum(nm.SHIFT_TO - a, 0.0))
    with np.errstate(over="ignore", divide="ignore"):
        value, deriv = _series(a + steps)
        for k in range(int(steps.max()) - 1 if a.size else -1, -1, -1):
            now = k < steps
            if not np.any(now):
                continue
            c = a[now] + k
            t = 1.0 / c
            value[now] += _t_minus_log1p(t)
            deriv[now] -= (t * t) / (c + 1.0)
    return value, deriv


def digamma_rise(v, r):
    """(psi(v + r) - psi(r), psi'(v + r) - psi'(r)) for counts v >= 0 and a scalar r > 0,
    as log1p(v/r) - (L(v + r) - L(r)) and -v/(r (v + r)) - (L'(v + r) - L'(r)),
    L(a) = log a - psi(a): no large digamma is subtracted from another (scipy's digamma
    differences lose digits to that when r is large), and 0 exactly at v = 0."""
    v = np.asarray(v, dtype=np.float64)
    lv, dv = log_minus_digamma(np.append(v + r, r))  # L(r) by the same steps: v = 0 gives 0
    lv, lr, dv, dr = lv[:-1], lv[-1], dv[:-1], dv[-1]
    return np.log1p(v / r) - (lv - lr), -v / (r * (v + r)) - (dv - dr)
