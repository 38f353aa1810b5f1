"""Special functions of one variable by their series, where the direct formula would
cancel: Stirling's remainder of lgamma, log B(a, b), log(a) - digamma(a) and its
derivative, log(1 + t) - t, and the Poisson log-likelihood of a table of counts from
them; scipy-free, so that the fits that need them import no scipy."""
import math

import numpy as np

from .numerics import HALF_LOG_2PI


def stirling_remainder(a):
    """mu(a) = lgamma(a) - [(a - 1/2) log a - a + log(2 pi)/2], accurately for all a > 0
    (the asymptotic series for a >= 15, where the direct difference would cancel)."""
    if a < 15.0:
        return math.lgamma(a) - ((a - 0.5) * math.log(a) - a + HALF_LOG_2PI)
    r = 1.0 / (a * a)
    return (1.0 / 12 - r * (1.0 / 360 - r * (1.0 / 1260 - r * (1.0 / 1680 - r / 1188)))) / a


def log_beta(a, b):
    """log B(a, b) for a, b > 0. Where the larger shape is 10 or more, from Stirling's
    form: with a <= b, lgamma(b) - lgamma(a + b) = -(b - 1/2) log1p(a/b) - a log(a + b)
    + a + mu(b) - mu(a + b) (mu: stirling_remainder), which no large term cancels; scipy's
    betaln loses up to 4e-10 (relative) there, for a small shape beside a large one (its
    noise then stops Newton short of the beta optimum). Within 1e-14 of mpmath on
    the grid of tests/test_positive_bounded.py; below 10, scipy's betaln (accurate there)."""
    if a > b:
        a, b = b, a
    if b < 10.0:
        from scipy.special import betaln
        return float(betaln(a, b))
    ab = a + b
    return (math.lgamma(a) - (b - 0.5) * math.log1p(a / b) - a * math.log(ab) + a
            + (stirling_remainder(b) - stirling_remainder(ab)))


def log_minus_digamma(a):
    """log(a) - digamma(a) and its derivative 1/a - trigamma(a), without the cancellation
    the direct differences suffer for large a. Pure Python, so the gamma fit needs no scipy
    (0.2-0.5 s to import). Within 3 ulp (value) and 5 ulp (derivative) of mpmath, where
    scipy's digamma and polygamma followed by the differences were up to 180 ulp off;
    tests/test_startup.py checks both.
    """
    if a < SHIFT_TO:
        return _log_minus_digamma_shifted(a)
    return _log_minus_digamma_series(a)


# The asymptotic series log(a) - digamma(a) = 1/(2a) + sum_k B_2k / (2k a^2k) and
# 1/a - trigamma(a) = -(1/(2a^2) + sum_k B_2k / a^(2k+1)), B_2k the Bernoulli numbers,
# to k = 10: from a = 10 on, the first term left out is below 1e-17 of the sum.
SERIES_VALUE = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12,
                -3617 / 8160, 43867 / 14364, -174611 / 6600)
SERIES_DERIV = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6,
                -3617 / 510, 43867 / 798, -174611 / 330)
SHIFT_TO = 10.0  # below it, the recurrence carries a up to the series


def _log_minus_digamma_series(a):
    """The asymptotic series of log(a) - digamma(a) and of its derivative, for a >= 10."""
    r = 1.0 / (a * a)
    v = d = 0.0
    for cv, cd in zip(SERIES_VALUE[::-1], SERIES_DERIV[::-1]):  # Horner in r
        v = cv + r * v
        d = cd + r * d
    return 1.0 / (2 * a) + r * v, -(r / 2 + (r / a) * d)


def _log_minus_digamma_shifted(a):
    """a < 10: digamma(c) = digamma(c + 1) - 1/c and trigamma(c) = trigamma(c + 1) + 1/c^2
    carry a up to b = a + n >= 10 for the series. Each step adds 1/c - log(1 + 1/c) > 0 to
    the value and 1/c - 1/(c+1) - 1/c^2 = -1/(c^2 (c+1)) < 0 to the derivative: terms of
    one sign, so nothing cancels, and fsum adds them without further rounding."""
    if not a > 0:
        raise ValueError("math domain error")
    n = math.ceil(SHIFT_TO - a)
    value, deriv = _log_minus_digamma_series(a + n)
    values, derivs = [value], [deriv]
    for k in range(n):
        c = a + k
        t = 1.0 / c
        values.append(_t_minus_log1p(t))
        derivs.append(-(t * t) / (c + 1.0))
    return math.fsum(values), math.fsum(derivs)


def _t_minus_log1p(t):
    """t - log(1 + t) for t > 0, to a few ulp: for t <= 1 from log(1 + t) = 2 atanh(u),
    u = t/(2 + t), so t - log(1 + t) = 2u^2/(1-u) - 2u^3 (1/3 + u^2/5 + u^4/7 + ...)
    (u <= 1/3, so the second part is under an eighth of the first)."""
    if t > 1.0:
        return t - math.log1p(t)
    u = t / (2.0 + t)
    u2 = u * u
    total, power, j = 0.0, 1.0, 0
    while True:
        term = power / (2 * j + 3)
        total += term
        if term < 1e-17 * total:
            break
        power *= u2
        j += 1
    return 2.0 * u2 / (1.0 - u) - 2.0 * u2 * u * total


def log1pmx(t):
    """log(1 + t) - t, accurate also for tiny t."""
    if abs(t) < 1e-4:
        return -t * t * (0.5 - t * (1.0 / 3 - t * (0.25 - t / 5)))
    return math.log1p(t) - t


def log1pmx_array(t, small_all=None):
    """Vectorised log1pmx: the series where |t| < 1e-3, log1p(t) - t elsewhere, each
    computed only where it is needed, in place in one buffer (large arrays pay for no
    further temporaries). small_all: whether every |t| < 1e-3 is already known (the
    caller has the extremes of t), which spares the mask."""
    t = np.asarray(t, dtype=np.float64)
    if small_all is None:
        small = np.abs(t) < 1e-3
        small_all = bool(small.all())
        if not small_all and not small.any():
            small = None
    elif not small_all:
        small = np.abs(t) < 1e-3
    if small_all:
        return _log1pmx_series(t)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.log1p(t)
        out -= t
    if small is not None:
        out[small] = _log1pmx_series(t[small])
    return out


def _log1pmx_series(u):
    """-u^2 (1/2 - u (1/3 - u (1/4 - u (1/5 - u/6)))), the same operations in the same
    order as that expression (so the same bits), in two buffers."""
    p = np.divide(u, 6.0)
    for c in (0.2, 0.25, 1.0 / 3):
        np.subtract(c, p, out=p)
        p *= u
    np.subtract(0.5, p, out=p)
    out = np.negative(u)
    out *= u
    out *= p
    return out


def poisson_loglik_terms(values, counts, lam):
    """sum over distinct counts v (with multiplicities) of log P(v; lam), accurate for huge
    counts: for v >= 10 it uses v (log u - u + 1) - log(2 pi v)/2 - mu(v), u = lam / v,
    instead of the difference of three numbers near v log v."""
    total = 0.0
    for v, c in zip(values.tolist(), counts.tolist()):
        if v == 0:
            term = -lam
        elif v < 10:
            term = v * math.log(lam) - lam - math.lgamma(v + 1.0)
        else:
            term = v * log1pmx(lam / v - 1.0) - 0.5 * math.log(2 * math.pi * v) - stirling_remainder(v)
        total += c * term
    return total
