"""Sampling from a user's own model (mlefit.own.model), which has only a log-density or
log-mass expression: inverse-CDF sampling of the distribution function that
mlefit.own.tails integrates (or sums). At the parameter value drawn from, the quantiles
at PROBS (1e-15 to 1 - 1e-15: 50 a decade in each tail, every 0.001 in the body) are
found once by vectorised bisection on F (on S above 1/2, exact in the upper tail too);
each draw is then a uniform mapped through cubic Hermite interpolation of x in F, the
slopes 1/f from the density itself. A mass is drawn exactly: the first whole number
whose running sum reaches the uniform. This gives own models the parametric bootstrap
and --gof's bootstrap p-values."""
import math

import numpy as np

from ..errors import UsageError
from .tails import MAX_COUNTS, _counts, _edges, _inside, _position, _running

SAMPLER_METHOD = ("inverse-CDF sampling: the distribution function tabulated by numerical integration at "
                  "about 2,300 quantiles (1e-15 to 1 - 1e-15) and inverted by cubic Hermite interpolation")
SUM_SAMPLER_METHOD = "inverse-CDF sampling on the running sums of the mass"
_BODY = np.linspace(0.02, 0.98, 961)
_EDGE = np.logspace(-15, math.log10(0.02), 670)[:-1]  # 13.3 decades, 50 points each
PROBS = np.concatenate([_EDGE, _BODY, 1.0 - _EDGE[::-1]])


def cdf_sf(tails, y, theta):
    """(F, S) at the values y, each from its own side (S is never 1 - F)."""
    y = np.asarray(y, dtype=np.float64)
    a, b = _edges(tails)
    v = np.clip(y, a, b)
    if tails.discrete:
        v = np.floor(v)
    F, S, points = _running(tails, v[np.isfinite(v)], theta, 0)
    i = _position(points, v)
    z = F[0, -1]
    return F[0, i] / z, S[0, i] / z


def sampler(tails, logpdf):
    """sample(rng, size, *theta): draws by inverting the numerical distribution function
    (a table made once per parameter value, the last one kept)."""
    last = {}

    def sample(rng, size, *theta):
        key = tuple(float(t) for t in theta)
        if key not in last:
            last.clear()
            last[key] = (_mass_table if tails.discrete else _table)(tails, logpdf, key)
        return _draw(last[key], rng.uniform(size=size), tails.discrete)

    return sample


def _bracket(tails, theta):
    """[a, b] with F(a) below PROBS[0] and S(b) below it, grown from the anchors (or the
    support's ends) by doubling."""
    s = tails.support
    lo_end, hi_end = _edges(tails)
    pts = np.asarray(tails.anchors, dtype=np.float64)
    a = float(pts.min()) if pts.size else _inside(s)
    b = float(pts.max()) if pts.size else a
    width = max(b - a, abs(a) * 1e-3, 1.0)
    for _ in range(200):
        F, S = cdf_sf(tails, np.array([a, b]), theta)
        left, right = F[0] <= PROBS[0] or a <= lo_end, S[1] <= PROBS[0] or b >= hi_end
        if left and right:
            return max(a, lo_end), min(b, hi_end)
        a, b = (a if left else max(a - width, lo_end)), (b if right else min(b + width, hi_end))
        width *= 2.0
    raise UsageError("cannot sample from the model: its distribution function does not reach 0 and 1 within "
                     "1e60 of the data (a density that does not integrate?)")


def _table(tails, logpdf, theta):
    """(quantile points x, F there, S there, density there) for PROBS, by vectorised
    bisection on F below 1/2 and on S above (each exact in its own tail)."""
    a, b = _bracket(tails, theta)
    upper = PROBS > 0.5
    lo, hi = np.full(PROBS.size, a), np.full(PROBS.size, b)
    for _ in range(200):
        m = 0.5 * (lo + hi)
        done = (m <= lo) | (m >= hi)
        if done.all():
            break
        F, S = cdf_sf(tails, m, theta)
        above = np.where(upper, S <= 1.0 - PROBS, F >= PROBS)
        hi, lo = np.where(above & ~done, m, hi), np.where(~above & ~done, m, lo)
    x = np.unique(hi)
    F, S = cdf_sf(tails, x, theta)
    with np.errstate(all="ignore"):
        f = np.exp(logpdf(x, *theta))
    return x, F, S, f


def _mass_table(tails, logpdf, theta):
    """(the whole numbers from the support's first, F there, S there, None)."""
    first, last = _counts(tails.support)
    top, block = first, 4096.0
    while True:  # grow until the mass above is negligible
        top = min(top + block, last)
        F, S = cdf_sf(tails, np.array([top]), theta)
        if S[0] <= PROBS[0] or top >= last:
            break
        if top - first > MAX_COUNTS:
            raise UsageError(f"cannot sample from the model: its mass above {top:g} is still {S[0]:.3g}")
        block *= 2.0
    x = np.arange(first, top + 1.0)
    F, S = cdf_sf(tails, x, theta)
    return x, F, S, None


def _draw(table, u, discrete):
    """The table's quantiles at the uniforms u: for a mass, the first whole number whose
    F reaches u; for a density, cubic Hermite interpolation of x in F (slopes 1/f) within
    each bracketing pair of points, linear where a slope is not finite or the cubic leaves
    the bracket. Below 1/2 on F, above on S (each exact in its own tail)."""
    x, F, S, f = table
    if discrete:
        upper = u > 0.5
        i = np.where(upper, np.searchsorted(-S, -(1.0 - u), side="right"), np.searchsorted(F, u, side="left"))
        return x[np.clip(i, 0, x.size - 1)]
    upper = u > 0.5
    target = np.where(upper, -(1.0 - u), u)  # -S and F both increase with x
    out = np.empty(u.size)
    for side in (False, True):
        pick = upper == side
        if not pick.any():
            continue
        cc = -S if side else F
        j = np.clip(np.searchsorted(cc, target[pick]) - 1, 0, x.size - 2)
        c0, c1 = cc[j], cc[j + 1]
        x0, x1 = x[j], x[j + 1]
        h = c1 - c0
        with np.errstate(all="ignore"):
            t = np.clip((target[pick] - c0) / h, 0.0, 1.0)
            m0, m1 = h / f[j], h / f[j + 1]  # dx/dc times the step (c is F or -S: dF = f dx, d(-S) = f dx)
            t2, t3 = t * t, t * t * t
            cubic = ((2 * t3 - 3 * t2 + 1) * x0 + (t3 - 2 * t2 + t) * m0 + (-2 * t3 + 3 * t2) * x1
                     + (t3 - t2) * m1)
            linear = x0 + t * (x1 - x0)
        ok = np.isfinite(cubic) & (cubic >= x0) & (cubic <= x1) & (h > 0)
        out[pick] = np.where(ok, cubic, np.where(h > 0, linear, x0))
    return out


# ---------------------------------------------------------------- named quantities (--derive)
class Distribution:
    """The quantities --derive names (quantile:P, median, sf:X, cdf:X) of a user's own
    model, from its numerical distribution function: derive.quantity's face of the
    families' _Distribution. The mean and variance are refused (their integrals may not
    exist: write them as an expression)."""

    def __init__(self, fam):
        self.fam = fam
        self.tails = fam.rowwise[0].between.__self__

    def usable(self, name, names):
        if name in ("mean", "var", "sd"):
            raise UsageError(f"mlefit does not integrate the {name} of your own {self.fam.name} model (the "
                             f"integral may not exist); derive it as an expression in the parameters "
                             f"({', '.join(names)}), or use median, quantile:P, sf:X or cdf:X")

    def missing(self, key, theta):
        return None

    def mean(self, theta):  # refused by usable() before it is ever asked
        return math.nan

    var = sd = mean

    def cdf(self, theta, x):
        return float(cdf_sf(self.tails, np.array([x]), theta)[0][0])

    def sf(self, theta, x):
        return float(cdf_sf(self.tails, np.array([x]), theta)[1][0])

    def quantile(self, theta, p):
        return quantile(self.tails, tuple(float(t) for t in theta), p)


def quantile(tails, theta, p):
    """The smallest value with F >= p (a whole number for a mass): from the bracket of
    _bracket, 64 cells a step (one vectorised integration each), on S above 1/2."""
    a, b = _bracket(tails, theta)
    upper = p > 0.5
    for _ in range(60):
        grid = np.floor(np.linspace(a, b, 65)) if tails.discrete else np.linspace(a, b, 65)
        F, S = cdf_sf(tails, grid, theta)
        reached = (S <= 1.0 - p) if upper else (F >= p)
        i = int(np.argmax(reached)) if reached.any() else 64
        lo, hi = float(grid[max(i - 1, 0)]), float(grid[i])
        if (lo, hi) == (a, b) or not lo < 0.5 * (lo + hi) < hi or (tails.discrete and hi - lo <= 1):
            return hi
        a, b = lo, hi
    return b
