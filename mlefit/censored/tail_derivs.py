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
probabilities near 1 is ever formed. Its derivatives need no choice of form: with
P = S(lo) - S(hi), L = log S and dS = S dL, d2S = S (d2L + dL dL'),

    d log P  = c_lo dL_lo - c_hi dL_hi,
    d2 log P = c_lo (d2L_lo + dL_lo dL_lo') - c_hi (d2L_hi + dL_hi dL_hi') - d log P d log P',

c_lo = S(lo)/P and c_hi = S(hi)/P: per-row weights, so each row's
numbers are elementwise in its own bounds (no row is moved between forms), and no
product such as (S/F)^2 that overflows far in the lower tail is formed (difference()
takes them in an equivalent, shorter form).
"""
import numpy as np

from ..families.catalog import POSITIVE, UNIT
from ..families.survival_tails import scalars_as_rows

EPS = np.finfo(float).eps
DELTA = 1e-3  # finite-difference step, relative to each parameter's own scale
DEEP = -30.0  # log P below which an interval's weights are taken in the row's form (difference)
MIXED = 0.1  # the mixed derivatives' corners at a tenth of it: truncation and rounding near 1e-8


def steps(theta, domains, spread, scale_of=None):
    """The finite-difference step of each parameter (a scalar or per-row array): a
    fraction of the parameter itself when positive, of its distance to the nearer bound
    when a probability, and of the data's spread on the real line (never of |location|:
    at 1e13 a relative step would be 1e10), or of the location's own scale where that is
    smaller (scale_of: {location index: scale index}, Density.scale_of): the tails of a
    student_t with sigma 1e-3 of the spread change over sigma, and a step of 1e-3 of
    the spread would straddle them (a score of the wrong sign, a Newton direction that
    does not rise)."""
    out = []
    for j, (t, d) in enumerate(zip(theta, domains)):
        t = np.asarray(t, dtype=np.float64)
        if d == POSITIVE:
            out.append(DELTA * t)
        elif d == UNIT:
            out.append(DELTA * np.minimum(t, 1.0 - t))
        elif scale_of and j in scale_of:
            out.append(DELTA * np.minimum(spread, np.asarray(theta[scale_of[j]], dtype=np.float64)) + 0.0 * t)
        else:
            out.append(DELTA * spread + 0.0 * t)
    return out


def numeric(fn, theta, domains, spread, scale_of=None):
    """(value, score, hessian, noise) per row of fn(*theta) by central differences;
    noise: the rounding error of each score component, per row."""
    k = len(theta)
    h = steps(theta, domains, spread, scale_of)
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


@scalars_as_rows
def cdf_from_sf(value, score, hess):
    """log F's value and derivatives from log S's: log F = log(1 - e^L) with L = log S,
    d log F = -r dL and d2 log F = -r (d2L + (1 + r) dL dL'), r = S/F = 1/expm1(-L),
    exact in both tails when L and its derivatives are (no 1 - S is formed). The Hessian
    for i <= j only, its lower triangle the same arrays."""
    k = len(score)
    hess_f = [[None] * k for _ in range(k)]
    with np.errstate(all="ignore"):
        r = np.expm1(-value)
        np.reciprocal(r, out=r)
        logf = np.log(-np.expm1(value))
        s = tuple(-r * g for g in score)
        r1 = 1.0 + r
        for i in range(k):
            for j in range(i, k):
                h = r1 * score[i]
                h *= score[j]
                h += hess[i][j]
                h *= -r
                hess_f[i][j] = hess_f[j][i] = h
    return logf, s, tuple(tuple(row) for row in hess_f)


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
    return numeric(lambda *t: fn(y, *t, *shapes), theta, dens.domains, spread, dens.scale_of)


def interval_derivs(dens, lo, hi, theta, shapes, spread):
    """(value, score, hessian, noise) per row of log(F(hi) - F(lo))."""
    if dens.between is not None:
        return _with_rounding(dens.between(lo, hi, *theta, *shapes, order=2))
    if dens.sf_derivs is None:
        return numeric(lambda *t: interval_value(dens, lo, hi, t, shapes), theta, dens.domains, spread,
                       dens.scale_of)
    value, score, hess = difference(dens.sf_derivs(lo, *theta, *shapes), dens.sf_derivs(hi, *theta, *shapes))
    return value, score, hess, _rounding(score)


@scalars_as_rows
def difference(at_lo, at_hi):
    """log P = log(S(lo) - S(hi)) and its derivatives from (L, dL, d2L) of log S at lo and
    at hi. The value is taken in each row's own form (the module's note: log-CDFs where
    F(hi) <= S(lo), log-survivals elsewhere), so it never cancels. The derivatives, with
    the weights c_hi = S(hi)/P and c_lo = S(lo)/P = 1 + c_hi (c_hi = exp(L_hi - log P),
    within |log P| eps; where log P < DEEP, in the row's form as (S(hi)/F(hi))/(1 - q) or
    q/(1 - q), to a few eps, as far in the tails as the floats go), are
        d log P  = dL_lo + c_hi (dL_lo - dL_hi),
        d2 log P = c_lo d2L_lo - c_hi d2L_hi - c_lo c_hi (dL_lo - dL_hi)(dL_lo - dL_hi)'
    (the module's note's formula, c_lo - c_hi = 1 taken out). Every entry is elementwise in
    the rows (a row's numbers do not depend on the others), and the Hessian is computed for
    i <= j only, its lower triangle the same arrays."""
    l_lo, d_lo, h_lo = at_lo
    l_hi, d_hi, h_hi = at_hi
    k = len(d_lo)
    hess = [[None] * k for _ in range(k)]
    with np.errstate(all="ignore"):
        f_hi = np.log(-np.expm1(l_hi))
        lower = f_hi <= l_lo  # log F(hi) <= log S(lo): the interval is in the lower part
        big = np.minimum(f_hi, l_lo)  # the log of the smaller tail: F(hi) or S(lo)
        small = np.where(lower, np.log(-np.expm1(l_lo)), l_hi)
        small -= big  # log q: q = F(lo)/F(hi) in the lower part, S(hi)/S(lo) in the upper
        np.exp(small, out=small)
        np.negative(small, out=small)  # -q
        value = np.log1p(small)
        value += big
        c_hi = np.subtract(l_hi, value)
        np.exp(c_hi, out=c_hi)
        deep = np.flatnonzero(value < DEEP)
        if deep.size:  # c_hi in the row's form, where exp(L_hi - log P) would lose |log P| eps
            q = -small[deep]
            ratio = np.where(lower[deep], 1.0 / np.expm1(-l_hi[deep]), q)  # S(hi)/F(hi), or q
            c_hi[deep] = ratio / -np.expm1(np.log(q))
        c_lo = c_hi + 1.0
        gone = None if np.all(c_hi > 0) else ~(c_hi > 0)  # S(hi) = 0: hi's derivatives need not be finite

        def hi_part(x):  # c_hi x, and 0 where S(hi) = 0
            x = x * c_hi
            return x if gone is None else np.where(gone, 0.0, x)

        apart = tuple(d_lo[j] - d_hi[j] for j in range(k))
        weighted = tuple(hi_part(a) for a in apart)
        score = tuple(d_lo[j] + weighted[j] for j in range(k))
        for i in range(k):
            for j in range(i, k):
                h = apart[i] * weighted[j]
                np.subtract(h_lo[i][j], h, out=h)
                h *= c_lo
                h -= hi_part(h_hi[i][j])
                hess[i][j] = hess[j][i] = h
    return value, score, tuple(tuple(row) for row in hess)


def _rounding(score):
    return tuple(64.0 * EPS * np.abs(g) for g in score)



def _with_rounding(derivs):
    """A numerically integrated tail's derivatives, with their noise: the quadrature's
    (mlefit.own.tails: 1e-13 per piece) well above rounding."""
    value, score, hess = derivs
    return value, tuple(score), tuple(tuple(r) for r in hess), tuple(1e-11 * np.abs(g) for g in score)
