"""log-gamma, digamma and trigamma pieces over numpy arrays, numpy and math only: a fit
on a table of distinct counts (negative_binomial's Newton in its size) needs
psi(v + r) - psi(r), its derivative and log B(r, v + 1), and scipy.special costs 0.2-0.5 s
to import, more than the fit of a million counts. The scalar pieces they extend
(log(a) - digamma(a), the Stirling remainder) are in numerics.py; tests/test_gamma_arrays.py
checks these against mpmath and against scipy's forms. The per-row rises at the end
(log_gamma_rise, digamma_rises: lgamma, psi and psi' differences at shapes that vary by
row, for beta_binomial and negative_binomial) take scipy's gammaln and digamma for shapes
below STIRLING_FROM, where those are accurate; tests/test_density_extremes.py checks them."""
import math

import numpy as np

from . import numerics as nm
from . import special_series as ss

_LGAMMA = np.frompyfunc(math.lgamma, 1, 1)
_GAMMA = np.frompyfunc(math.gamma, 1, 1)
STIRLING_FROM = 15.0
# The count from which a regression's canonical row terms (poisson's y eta - mu, binomial's
# y eta - t log(1 + e^eta)) take the row's whole log-mass in Stirling's form: below, the
# terms and log y! (or log C(t, y)), each near y log y, are summed apart, which costs a
# row about 2 eps y log y / log(2 pi y) of its log-mass (3.5e-13 at 1024, 5e-10 at 1e6, the
# whole of it at 1e15). Not STIRLING_FROM: the whole form takes about 30 array operations
# on the rows it covers, in each block of each Newton step, which made poisson and
# binomial regressions on counts of some tens 15-60% slower for digits beyond the 13th.
LINK_STIRLING_FROM = 1024.0
BETALN_BELOW = 100.0  # scipy's betaln is within 1e-16 (relative) of mpmath below this larger shape, 5e-14 to 1000


def lgamma(x):
    """math.lgamma elementwise (about 0.1 us a value): for the few values below 15 that
    the series below leave to it."""
    x = np.asarray(x, dtype=np.float64)
    return _LGAMMA(x).astype(np.float64) if x.size else x.copy()


def stirling_remainder(a, scipy=False):
    """ss.stirling_remainder over an array: the series from 15 on, lgamma below (scipy's
    gammaln with scipy, many times faster over long arrays, where scipy is loaded anyway)."""
    a = np.asarray(a, dtype=np.float64)
    r = 1.0 / (a * a)
    out = (1.0 / 12 - r * (1.0 / 360 - r * (1.0 / 1260 - r * (1.0 / 1680 - r / 1188)))) / a
    low = a < 15.0
    if np.any(low):
        x = a[low]
        if scipy:
            from scipy.special import gammaln
        out[low] = (gammaln(x) if scipy else lgamma(x)) - ((x - 0.5) * np.log(x) - x + nm.HALF_LOG_2PI)
    return out


def log_beta(a, b, scipy=False):
    """log B(a, b) for a, b > 0, broadcast: ss.log_beta's Stirling form where the
    larger shape is STIRLING_FROM or more (its remainders then from their series); below, log(Gamma(a) Gamma(b) / Gamma(a + b)) from
    math.gamma (as scipy's betaln takes it there), or the log-gammas for a shape below
    1e-250 (whose Gamma would overflow). scipy: with scipy.special's gammaln and betaln
    for those pieces (3-8 times faster over long arrays, where scipy is loaded anyway),
    betaln itself where the larger shape is below BETALN_BELOW (beside a large shape it
    loses up to 7e-10: betaln(1e6, 3))."""
    a, b = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    if not scipy and a.size <= BY_VALUE_UP_TO:  # a few values: each by the same forms in floats
        return np.array(list(map(_log_beta_value, a.ravel().tolist(), b.ravel().tolist()))).reshape(a.shape)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    out = np.empty(lo.shape)
    big = hi >= (BETALN_BELOW if scipy else STIRLING_FROM)
    if scipy:
        from scipy.special import betaln, gammaln
        if not np.any(big):
            return betaln(lo, hi)
    if np.any(big):
        x, y = lo[big], hi[big]
        s = x + y
        out[big] = ((gammaln(x) if scipy else lgamma(x)) - (y - 0.5) * np.log1p(x / y) - x * np.log(s) + x
                    + (stirling_remainder(y, scipy) - stirling_remainder(s, scipy)))
    small = ~big
    if scipy and np.any(small):
        out[small] = betaln(lo[small], hi[small])
    elif np.any(small):
        x, y = lo[small], hi[small]
        tiny = x < 1e-250
        ratio = _GAMMA(np.where(tiny, 1.0, x)).astype(np.float64) * (
            _GAMMA(y).astype(np.float64) / _GAMMA(x + y).astype(np.float64))
        with np.errstate(divide="ignore"):
            out[small] = np.where(tiny, lgamma(x) + lgamma(y) - lgamma(x + y), np.log(ratio))
    return out


BY_VALUE_UP_TO = 32  # log_beta takes up to this many values one by one (numpy's passes cost more there)


def _log_beta_value(a, b):
    """log_beta (without scipy) of one pair of floats, by its forms: 8 us for 16 counts'
    log B(r, v + 1) where the passes over arrays take 65 (negative_binomial's log-likelihood)."""
    if a != a or b != b:  # (as numpy's minimum and maximum carry a NaN)
        return math.nan
    x, y = (a, b) if a <= b else (b, a)
    if y >= STIRLING_FROM:
        s = x + y
        return (math.lgamma(x) - (y - 0.5) * math.log1p(x / y) - x * math.log(s) + x
                + (ss.stirling_remainder(y) - ss.stirling_remainder(s)))
    if x < 1e-250:
        return math.lgamma(x) + math.lgamma(y) - math.lgamma(x + y)
    return math.log(math.gamma(x) * (math.gamma(y) / math.gamma(x + y)))


_SERIES = np.array([ss.SERIES_VALUE, ss.SERIES_DERIV]).T  # (terms, 2): the coefficients of both series
_POWERS = np.arange(len(ss.SERIES_VALUE))


def _series(a):
    """ss._log_minus_digamma_series over an array of a >= 10, (value, derivative):
    both polynomials in r = 1/a^2 at once, as r^k times the coefficients (r <= 0.01, so the
    terms fall at least a hundredfold: they need no Horner form), a handful of numpy
    operations whatever the length of a."""
    r = 1.0 / (a * a)
    both = np.power.outer(r, _POWERS) @ _SERIES
    return 1.0 / (2 * a) + r * both[:, 0], -(r / 2 + (r / a) * both[:, 1])


_LOG_MINUS_DIGAMMA = np.frompyfunc(ss.log_minus_digamma, 1, 2)


def log_minus_digamma(a):
    """(log a - psi(a), its derivative 1/a - psi'(a)) broadcast over a > 0: the series
    from 10 on (no cancellation, however large a), ss.log_minus_digamma below (a few ulp,
    by the recurrence), a scalar a by the scalar function itself; NaN where a <= 0."""
    if np.ndim(a) == 0:
        return ss.log_minus_digamma(float(a)) if a > 0 else (math.nan, math.nan)
    a = np.asarray(a, dtype=np.float64)
    flat = a.ravel()
    value, deriv = np.full(flat.size, np.nan), np.full(flat.size, np.nan)
    big = flat >= ss.SHIFT_TO
    if np.all(big):
        value, deriv = _series(flat)
    else:
        value[big], deriv[big] = _series(flat[big])
        low = (flat > 0) & ~big  # NaN where a is not a shape
        lo_v, lo_d = _LOG_MINUS_DIGAMMA(flat[low])
        value[low], deriv[low] = lo_v.astype(np.float64), lo_d.astype(np.float64)
    return value.reshape(a.shape), deriv.reshape(a.shape)


def digamma_rise(v, r):
    """(psi(v + r) - psi(r), psi'(v + r) - psi'(r)) for whole counts v >= 0 and a scalar
    r > 0. With m the steps that carry r to b = r + m >= 10 (none when r >= 10), the
    recurrence gives psi(r + k) - psi(r) = sum_{j<k} 1/(r + j) and psi' the same with
    -1/(r + j)^2: summed exactly (fsum) for the counts below m, and for the others added
    to psi(v + r) - psi(b) = log1p((v - m)/b) - (L(v + r) - L(b)) and -(v - m)/(b (v + r))
    - (L'(v + r) - L'(b)), L(a) = log a - psi(a) from its series (ss.log_minus_digamma):
    terms of one sign, so nothing cancels, and 0 exactly at v = 0; scipy's digamma
    differences lose up to 1e-7 (relative) for large r. A few numpy operations per call,
    whatever the number of counts (a Newton step in negative_binomial's size is one call)."""
    v = np.asarray(v, dtype=np.float64)
    m = max(0, math.ceil(ss.SHIFT_TO - r))
    steps = [1.0 / (r + j) for j in range(m)]
    squares = [t * t for t in steps]
    first = max(m, 1)  # the counts below it (0 at least) from the sums alone
    b = r + m
    x = np.maximum(v, first)
    value, deriv = _series(x + r)
    value_b, deriv_b = ss.log_minus_digamma(b)
    rise = math.fsum(steps) + (np.log1p((x - m) / b) - (value - value_b))
    rise_deriv = -math.fsum(squares) + (-(x - m) / (b * (x + r)) - (deriv - deriv_b))
    near = np.flatnonzero(v < first)
    if near.size:
        k = v[near].astype(np.intp)
        rise[near] = np.array([math.fsum(steps[:j]) for j in range(first)])[k]
        rise_deriv[near] = np.array([-math.fsum(squares[:j]) for j in range(first)])[k]
    return rise, rise_deriv


TINY, HUGE = np.finfo(float).tiny, np.finfo(float).max


def log_of(u, by_logs):
    """log u, from by_logs() (the logs of u's factors) where u is not a normal float: a
    ratio such as rate y / shape under- or overflows long before its log does."""
    with np.errstate(all="ignore"):
        logu = np.log(u)
        odd = ~((u >= TINY) & (u <= HUGE))
        return np.where(odd, by_logs(), logu) if np.any(odd) else logu


def log_minus_linear(u, logu):
    """log u - (u - 1) for u > 0 (logu: its log), the series of log1pmx where u is near 1
    (no digit lost); the term that Stirling's forms of the gamma and poisson log-densities
    multiply by the shape or the count."""
    with np.errstate(all="ignore"):
        t = u - 1.0
        out = logu - t
        near = np.abs(t) < 1e-3
        return np.where(near, ss.log1pmx_array(np.where(near, t, 0.0), True), out) if np.any(near) else out


def log_minus_digamma_fall(v, c):
    """(L(c) - L(v + c), L'(c) - L'(v + c)), L(a) = log a - psi(a), broadcast over counts
    v >= 0 and shapes c > 0. From its series where c >= STIRLING_FROM, with the leading
    differences in closed form: 1/(2c) - 1/(2(v + c)) = v/(2 c (v + c)), (1/12)(1/c^2 -
    1/(v+c)^2) = v (2c + v)/(12 c^2 (v + c)^2), and for L' -(1/2)(1/c^2 - 1/(v+c)^2) and
    -(1/6)(1/c^3 - 1/(v+c)^3) = -v (3c^2 + 3cv + v^2)/(6 c^3 (v+c)^3); the rest (below
    1/(120 c^4) of the first) directly. Below, from psi and psi' (scipy): psi(v + c) - psi(c)
    - log1p(v/c) and the trigamma difference - (1/(v + c) - 1/c)."""
    v = np.asarray(v, dtype=np.float64)
    s = v + c
    small = np.asarray(c) < STIRLING_FROM
    if np.any(small):
        from scipy.special import digamma, polygamma
        low = (digamma(s) - digamma(c) - np.log1p(v / c),
               polygamma(1, s) - polygamma(1, c) - (1.0 / s - 1.0 / c))
        if np.all(small):
            return low
    a = np.maximum(c, STIRLING_FROM)
    b = np.maximum(s, STIRLING_FROM)
    rs = a * b
    two = v * (2.0 * a + v)
    value = v / (2.0 * rs) + two / (12.0 * rs * rs) + (_series_rest(a)[0] - _series_rest(b)[0])
    deriv = (-two / (2.0 * rs * rs) - v * (3.0 * a * a + 3.0 * a * v + v * v) / (6.0 * rs * rs * rs)
             + (_series_rest(a)[1] - _series_rest(b)[1]))
    if np.any(small):
        value, deriv = np.where(small, low[0], value), np.where(small, low[1], deriv)
    return value, deriv


def _series_rest(x):
    """L(x) - 1/(2x) - 1/(12 x^2) and L'(x) + 1/(2x^2) + 1/(6x^3): the series of L
    (special_series.SERIES_VALUE, SERIES_DERIV) from its second term on, summed by Horner
    in 1/x^2 (x >= 10), never as L less its leading terms (which would cancel)."""
    x = np.asarray(x, dtype=np.float64)
    r = 1.0 / (x * x)
    v = d = 0.0
    for cv, cd in zip(ss.SERIES_VALUE[:0:-1], ss.SERIES_DERIV[:0:-1]):
        v = cv + r * v
        d = cd + r * d
    return r * r * v, -(r / x) * r * d


def digamma_rises(c, v):
    """(psi(c + v) - psi(c), psi'(c + v) - psi'(c)) broadcast over shapes c > 0 and counts
    v >= 0: log1p(v/c) + (L(c) - L(c + v)) and -v/(c (c + v)) + (L'(c) - L'(c + v))
    (log_minus_digamma_fall), whose terms keep their digits where c is large beside v; the
    direct differences of psi(c + v) and psi(c), both near log c, keep none of v/c below
    eps (a digamma difference at c = 1e9 is good to about 1e-7, relative). 0 at v = 0.
    Every shape below STIRLING_FROM: the direct differences (nothing large cancels there)."""
    v = np.asarray(v, dtype=np.float64)
    if np.all(np.asarray(c) < STIRLING_FROM):
        from scipy.special import digamma, polygamma
        s = v + c
        return digamma(s) - digamma(c), polygamma(1, s) - polygamma(1, c)
    fall, fall_deriv = log_minus_digamma_fall(v, c)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log1p(v / c) + fall, -v / (c * (c + v)) + fall_deriv


def log_gamma_rise(c, v):
    """lgamma(c + v) - lgamma(c) - v log c, broadcast over shapes c > 0 and counts v >= 0
    (the log of (c)_v / c^v, 0 at v = 0). Where c >= STIRLING_FROM, by Stirling's form
    c log1pmx(v/c) + (v - 1/2) log1p(v/c) + mu(c + v) - mu(c) (mu: stirling_remainder), whose
    terms are near v^2/c where the direct difference subtracts numbers near v log c; below,
    from scipy's gammaln (nothing large cancels there). The v log c left out is for the
    caller to combine with others (beta_binomial: y log a + (t-y) log b - t log(a+b) is
    y log(a/(a+b)) + (t-y) log(b/(a+b)), which stays near the binomial's log-mass)."""
    shape = np.broadcast_shapes(np.shape(v), np.shape(c))
    v, c = (np.atleast_1d(np.asarray(x, dtype=np.float64)) for x in (v, c))
    big = c >= STIRLING_FROM
    out = np.zeros(np.broadcast_shapes(v.shape, c.shape))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if np.any(big):
            cb = np.maximum(c, STIRLING_FROM)
            t = v / cb
            stirling = (cb * ss.log1pmx_array(t) + (v - 0.5) * np.log1p(t)
                        + (stirling_remainder(cb + v, True) - stirling_remainder(cb, True)))
            out = np.where(big, stirling, out)
        if not np.all(big):
            from scipy.special import gammaln
            cs = np.where(big, 1.0, c)
            out = np.where(big, out, gammaln(cs + v) - gammaln(cs) - v * np.log(cs))
    return out.reshape(shape)
