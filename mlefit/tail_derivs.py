"""Derivatives of the censored terms of a likelihood: log F(y), log S(y) and
log(F(hi) - F(lo)) per row, with their score and Hessian in the family's parameters.

A family may give its survival function's derivatives in closed form (Density.sf_derivs:
weibull, exponential, normal, lognormal, log_logistic, the families of survival and
Tobit models); the log-CDF's then follow exactly from them (below). Every other family's
tail derivatives are taken numerically, by central differences of its own accurate
logcdf/logsf on each parameter's natural scale: a five-point stencil for the score
(truncation error about delta^4, rounding about eps/delta, both near 1e-12 relative at
delta = 1e-3) and four corner points at a tenth of the step for each mixed second derivative
(about 1e-8 relative: what the Newton step and the standard errors need, not what the estimate's
position depends on, which is the score's zero).

An interval's probability F(hi) - F(lo) is taken on the side where it does not cancel:
S(lo) - S(hi) = S(lo) (1 - q) with q = S(hi)/S(lo) when the interval lies in the upper
part of the distribution, F(hi) (1 - q) with q = F(lo)/F(hi) otherwise: log P =
A + log1p(-q), A the log of the smaller of F(hi) and S(lo), and no difference of two
probabilities near 1 is ever formed. With (A, dA, d2A) and (B, dB, d2B) the logs of the two tail
probabilities (B = A + log q),

    d log P  = (dA - q dB) / (1 - q),
    d2 log P = (d2A + dA dA' - q (d2B + dB dB')) / (1 - q) - d log P d log P'.
"""
import numpy as np

from .families.catalog import POSITIVE, UNIT

EPS = np.finfo(float).eps
DELTA = 1e-3  # finite-difference step, relative to each parameter's own scale
MIXED = 0.1  # the mixed derivatives' corners at a tenth of it: truncation and rounding near 1e-8


def steps(theta, domains, spread):
    """The finite-difference step of each parameter (a scalar or per-row array): a
    fraction of the parameter itself when positive, of its distance to the nearer bound
    when a probability, and of the data's spread on the real line (never of |location|:
    at 1e13 a relative step would be 1e10)."""
    out = []
    for t, d in zip(theta, domains):
        t = np.asarray(t, dtype=np.float64)
        if d == POSITIVE:
            out.append(DELTA * t)
        elif d == UNIT:
            out.append(DELTA * np.minimum(t, 1.0 - t))
        else:
            out.append(DELTA * spread + 0.0 * t)
    return out


def numeric(fn, theta, domains, spread):
    """(value, score, hessian, noise) per row of fn(*theta) by central differences;
    noise: the rounding error of each score component, per row."""
    k = len(theta)
    h = steps(theta, domains, spread)
    base = fn(*theta)

    def at(shift):
        moved = [t + m * hj if m else t for t, hj, m in zip(theta, h, shift)]
        return fn(*moved)

    score, diag, noise = [], [], []
    for j in range(k):
        unit = [0] * k
        unit[j] = 1
        p1, m1 = at([u for u in unit]), at([-u for u in unit])
        p2, m2 = at([2 * u for u in unit]), at([-2 * u for u in unit])
        g = (8.0 * (p1 - m1) - (p2 - m2)) / (12.0 * h[j])
        score.append(g)
        diag.append((16.0 * (p1 + m1) - (p2 + m2) - 30.0 * base) / (12.0 * h[j] * h[j]))
        noise.append(4.0 * EPS * np.abs(base) / np.abs(h[j]) + 1e-11 * np.abs(g))
    hess = [[None] * k for _ in range(k)]
    for j in range(k):
        hess[j][j] = diag[j]
        for i in range(j):
            def corner(a, b):
                shift = [0] * k
                shift[i], shift[j] = a * MIXED, b * MIXED
                return at(shift)
            hij = (corner(1, 1) - corner(1, -1) - corner(-1, 1) + corner(-1, -1)) / (
                4.0 * MIXED * MIXED * h[i] * h[j])
            hess[i][j] = hess[j][i] = hij
    return base, tuple(score), tuple(tuple(r) for r in hess), tuple(noise)


def cdf_from_sf(value, score, hess):
    """log F's value and derivatives from log S's: log F = log(1 - e^L) with L = log S,
    d log F = -r dL and d2 log F = -r d2L - r (1 + r) dL dL', r = S/F = 1/expm1(-L),
    exact in both tails when L and its derivatives are (no 1 - S is formed)."""
    with np.errstate(all="ignore"):
        r = 1.0 / np.expm1(-value)
        logf = np.log(-np.expm1(value))
        k = len(score)
        s = tuple(-r * g for g in score)
        h = tuple(tuple(-r * hess[i][j] - r * (1.0 + r) * score[i] * score[j] for j in range(k))
                  for i in range(k))
    return logf, s, h


def combine(a, b):
    """log(e^A - e^B) and its derivatives from (A, dA, d2A) and (B, dB, d2B), B < A."""
    va, sa, ha = a
    vb, sb, hb = b
    k = len(sa)
    with np.errstate(all="ignore"):
        q = np.exp(vb - va)
        one = -np.expm1(vb - va)
        value = va + np.log1p(-q)

        def times_q(v):  # q * v, 0 where e^B = 0 (a bound at the support's edge: B's derivatives are not finite)
            return np.where(q > 0, q * v, 0.0)

        score = tuple((sa[j] - times_q(sb[j])) / one for j in range(k))
        hess = tuple(tuple((ha[i][j] + sa[i] * sa[j] - times_q(hb[i][j] + sb[i] * sb[j])) / one
                           - score[i] * score[j] for j in range(k)) for i in range(k))
    return value, score, hess


def interval_value(dens, lo, hi, theta, shapes=()):
    """log(F(hi) - F(lo)) per row, taken on the side where it does not cancel."""
    if dens.between is not None:
        return dens.between(lo, hi, *theta, *shapes)
    with np.errstate(all="ignore"):
        f_hi, f_lo = dens.logcdf(hi, *theta, *shapes), dens.logcdf(lo, *theta, *shapes)
        s_lo, s_hi = dens.logsf(lo, *theta, *shapes), dens.logsf(hi, *theta, *shapes)
        lower = f_hi <= s_lo  # the interval lies in the lower part: F(hi) is the smaller tail
        big = np.where(lower, f_hi, s_lo)
        small = np.where(lower, f_lo, s_hi)
        return big + np.log1p(-np.exp(small - big))


def tail_derivs(dens, side, y, theta, shapes, spread):
    """(value, score, hessian, noise) per row of log S(y) ('right') or log F(y) ('left')."""
    if dens.between is not None:
        inf = np.full(np.shape(y), np.inf)
        return _with_rounding(dens.between(y, inf, *theta, *shapes, order=2) if side == "right" else
                              dens.between(-inf, y, *theta, *shapes, order=2))
    if dens.sf_derivs is not None:
        value, score, hess = dens.sf_derivs(y, *theta, *shapes)
        if side == "left":
            value, score, hess = cdf_from_sf(value, score, hess)
        return value, score, hess, _rounding(score)
    fn = dens.logsf if side == "right" else dens.logcdf
    return numeric(lambda *t: fn(y, *t, *shapes), theta, dens.domains, spread)


def interval_derivs(dens, lo, hi, theta, shapes, spread):
    """(value, score, hessian, noise) per row of log(F(hi) - F(lo))."""
    if dens.between is not None:
        return _with_rounding(dens.between(lo, hi, *theta, *shapes, order=2))
    if dens.sf_derivs is None:
        return numeric(lambda *t: interval_value(dens, lo, hi, t, shapes), theta, dens.domains, spread)
    s_lo = dens.sf_derivs(lo, *theta, *shapes)
    s_hi = dens.sf_derivs(hi, *theta, *shapes)
    with np.errstate(all="ignore"):
        lower = np.log(-np.expm1(s_hi[0])) <= s_lo[0]  # log F(hi) <= log S(lo): the interval's in the lower part
    shape = np.shape(lower)
    if lower.all():
        value, score, hess = _lower_form(s_lo, s_hi)
    elif not lower.any():
        value, score, hess = combine(s_lo, s_hi)
    else:  # each row's own form only: the two forms' rows apart, then put back in place
        a, b = np.flatnonzero(lower), np.flatnonzero(~lower)
        value, score, hess = _placed(shape, a, _lower_form(_rows(s_lo, a, shape), _rows(s_hi, a, shape)),
                                     b, combine(_rows(s_lo, b, shape), _rows(s_hi, b, shape)))
    return value, score, hess, _rounding(score)


def _lower_form(s_lo, s_hi):
    """log(F(hi) - F(lo)) from the log-CDFs: where the interval is in the lower part."""
    return combine(cdf_from_sf(*s_hi), cdf_from_sf(*s_lo))


def _rows(derivs, rows, shape):
    """(value, score, hessian) at the given rows (indexes into the flattened shape)."""
    def at(x):
        return np.broadcast_to(x, shape).reshape(-1)[rows]
    value, score, hess = derivs
    return at(value), tuple(at(g) for g in score), tuple(tuple(at(h) for h in r) for r in hess)


def _placed(shape, a, first, b, second):
    """The (value, score, hessian) of rows a (first) and rows b (second) together."""
    def put(x, y):
        out = np.empty(shape)
        flat = out.reshape(-1)
        flat[a], flat[b] = x, y
        return out
    (v1, s1, h1), (v2, s2, h2) = first, second
    return (put(v1, v2), tuple(put(x, y) for x, y in zip(s1, s2)),
            tuple(tuple(put(x, y) for x, y in zip(r1, r2)) for r1, r2 in zip(h1, h2)))


def _rounding(score):
    return tuple(64.0 * EPS * np.abs(g) for g in score)



def _with_rounding(derivs):
    """A numerically integrated tail's derivatives, with their noise: the quadrature's
    (mlefit.own_tails: 1e-13 per piece) well above rounding."""
    value, score, hess = derivs
    return value, tuple(score), tuple(tuple(r) for r in hess), tuple(1e-11 * np.abs(g) for g in score)
