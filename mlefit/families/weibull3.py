"""weibull3(shape k, scale lambda, threshold c): the weibull of x - c, nothing below c.

With y = x - c, L = log(y/lambda) and t = (y/lambda)^k, log f is the weibull's in y, and in c:
    d/dc = (k t - k + 1)/y,          d2/dc2 = (1 - k)(k t + 1)/y^2,
    d2/dc dk = (t + k t L - 1)/y,    d2/dc dlambda = -k^2 t/(lambda y).

The MLE is irregular (Smith 1985, Biometrika 72:67-90). As c rises to min x the likelihood
is unbounded when the shape there is below 1; for shape between 1 and 2 a local maximum
exists but the threshold is not asymptotically normal. The estimator profiles the
threshold: for each c below min x the two-parameter weibull of x - c is fitted by the
weibull family's own Newton; the profile log-likelihood is searched on a grid in
log(min x - c) and its best interior maximum refined (Brent), then all three parameters
are polished by Newton with the exact derivatives below. No interior maximum: a DataError
that says why (the likelihood rises to the boundary c = min x, or as c goes to -inf)."""
import math
from types import SimpleNamespace

import numpy as np

from .. import numerics as nm
from ..errors import BoundaryError, DataError
from .base import Controls, Family, Solution, scipy_stats
from .catalog import BY_NAME, POSITIVE, REAL
from .rowwise import Density
from . import weibull as wb

GRID = np.linspace(-18.0, 9.0, 55)  # log((min x - c)/spread) searched; the spread is the sd of x
IRREGULAR = 2.0  # below this shape the threshold's MLE is not regular (Smith 1985)


# ---------------------------------------------------------------- per row
def _shifted(y, c):
    return np.asarray(y, dtype=np.float64) - c


def logpdf(y, shape, scale, threshold):
    return wb.logpdf(_shifted(y, threshold), shape, scale)


def derivs(y, shape, scale, threshold):
    z = _shifted(y, threshold)
    ll, (d_k, d_s), ((h_kk, h_ks), (_, h_ss)) = wb.derivs(z, shape, scale)
    with np.errstate(all="ignore"):
        u = z / scale
        t = u ** shape
        big_l = np.log(u)
        inside = z > 0
        d_c = np.where(inside, (shape * t - shape + 1.0) / z, 0.0)
        h_cc = np.where(inside, (1.0 - shape) * (shape * t + 1.0) / (z * z), 0.0)
        h_ck = np.where(inside, (t + shape * t * big_l - 1.0) / z, 0.0)
        h_cs = np.where(inside, -shape * shape * t / (scale * z), 0.0)
    return ll, (d_k, d_s, d_c), ((h_kk, h_ks, h_ck), (h_ks, h_ss, h_cs), (h_ck, h_cs, h_cc))


def _tail(side):
    return lambda y, shape, scale, threshold: wb.one_tail(wb.tails, side)(_shifted(y, threshold), shape, scale)


def start(y, w):
    y = np.asarray(y, dtype=np.float64)
    lo, sd = float(np.min(y)), float(np.std(y))
    c = lo - 0.5 * (sd if sd > 0 else 1.0)
    return (*wb.start(y - c, w), c)


DENSITY = Density(
    name="weibull3", params=("shape", "scale", "threshold"), domains=(POSITIVE, POSITIVE, REAL),
    logpdf=logpdf, logcdf=_tail(0), logsf=_tail(1), derivs=derivs, start=start,
    sample=lambda rng, size, shape, scale, threshold: threshold + scale * rng.weibull(shape, size),
    scipy=lambda shape, scale, threshold: scipy_stats().weibull_min(shape, loc=threshold, scale=scale),
)


# ---------------------------------------------------------------- the family
def _stats(x, w):
    x = np.asarray(x, dtype=np.float64)
    n = nm.total_weight(w, x.size)
    lo = float(np.min(x))
    mean = float(np.sum(x) / x.size if w is None else np.dot(w, x) / n)
    spread = math.sqrt(float(np.mean((x - mean) ** 2) if w is None else np.dot(w, (x - mean) ** 2) / n))
    return SimpleNamespace(n=n, x=x, w=w, lo=lo, spread=spread)


def _check(s):
    if not s.spread > 1e-13 * max(1.0, abs(s.lo)):
        raise DataError("the values are (numerically) all equal: zero variance; "
                        "the weibull3 family needs spread to estimate its shape and threshold")
    if np.count_nonzero(s.x > s.lo) < 2:
        raise DataError("weibull3 needs at least three values with two above the smallest")


def _profile(s, t, controls):
    """(profile log-likelihood, shape, scale) at the threshold c = min x - spread e^t."""
    c = s.lo - s.spread * math.exp(t)
    y = s.x - c
    if not np.all(y > 0):
        return -math.inf, math.nan, math.nan, c
    stats = wb_family().stats(y, s.w)
    sol = wb_family().estimate(stats, controls)
    k, lam = sol.theta
    ll = sol.at[0] if sol.at is not None else wb_family().loglik(stats, (k, lam))
    return float(ll), float(k), float(lam), c


def wb_family():
    from .continuous import WEIBULL
    return WEIBULL


def _estimate(s, controls):
    from scipy.optimize import minimize_scalar
    from ..likelihood import loglik, solve, sums

    quiet = Controls(max_iter=controls.max_iter, tol=controls.tol)
    with np.errstate(all="ignore"):
        grid = [_profile(s, t, quiet) for t in GRID]
    values = np.array([g[0] for g in grid])
    finite = np.isfinite(values)
    inner = [i for i in range(1, len(GRID) - 1)
             if finite[i] and values[i] >= values[i - 1] and values[i] >= values[i + 1]]
    if not inner:
        # with the threshold fixed (--fix) the edge is out of reach: that fit starts here
        best = int(np.nanargmax(np.where(finite, values, -np.inf)))
        edge = start(s.x, s.w)
        if best == 0:
            raise BoundaryError(f"the weibull3 likelihood keeps rising as the threshold approaches the smallest "
                            f"value ({s.lo:.6g}), where the shape falls below 1 ({grid[0][1]:.3g}): it is "
                            f"unbounded and has no maximum; fit weibull to the values minus a threshold you "
                            f"choose (--fix threshold=VALUE), or a two-parameter family", None, ("threshold",), edge)
        raise BoundaryError("the weibull3 likelihood keeps rising as the threshold goes to -infinity (the data "
                            "look like a smallest-extreme-value or normal sample, not a shifted weibull): there "
                            "is no finite maximum; fit gumbel, normal or weibull instead", None, ("threshold",), edge)
    i = max(inner, key=lambda j: values[j])
    found = minimize_scalar(lambda t: -_profile(s, t, quiet)[0], bounds=(GRID[i - 1], GRID[i + 1]),
                            method="bounded", options={"xatol": 1e-10})
    _, k, lam, c = _profile(s, float(found.x), quiet)
    how = "profile of the threshold (weibull fits of x - c), then Newton on all three with exact derivatives"
    sol = solve(DENSITY, lambda th: loglik(DENSITY, s.x, th, s.w), lambda th: sums(DENSITY, s.x, th, s.w),
                (k, lam, c), controls.max_iter, how)
    if not (sol.converged and sol.theta[2] < s.lo and sol.at[0] >= values[i] - 1e-9 * abs(values[i])):
        sol = Solution((k, lam, c), how, int(found.nfev), True)  # the profile's own maximum
    return sol


def _notes(s, theta):
    """What the estimate is, for a threshold estimated (its score ~0); none for one fixed."""
    k, _, c = theta
    from ..likelihood import total
    with np.errstate(all="ignore"):
        score = derivs(s.x, *theta)[1][2]
    if abs(total(score, s.w, s.x.size)) > 1e-6 * total(np.abs(score), s.w, s.x.size):
        return ()
    notes = []
    edge = _profile(s, GRID[0], Controls())
    if edge[1] < 1.0:
        notes.append(f"the weibull3 likelihood is unbounded as the threshold approaches the smallest value "
                     f"({s.lo:.6g}; the shape there falls below 1): the estimate is the local maximum inside, "
                     f"the usual practice (Smith 1985), not a global one")
    if k <= IRREGULAR:
        notes.append(f"shape {k:.3g} is at most 2: the threshold's MLE is not regular (Smith 1985), so its "
                     f"Wald interval understates the uncertainty; prefer --interval profile or bootstrap")
    return tuple(notes)


def _loglik(s, theta):
    from ..likelihood import loglik
    return loglik(DENSITY, s.x, theta, s.w)


def _observed(s, theta):
    from ..likelihood import sums
    return -sums(DENSITY, s.x, theta, s.w)[2]


def _cdf(x, theta):
    k, lam, c = theta
    return -np.expm1(-((np.maximum(np.asarray(x, dtype=np.float64) - c, 0.0) / lam) ** k))


WEIBULL3 = Family(
    spec=BY_NAME["weibull3"],
    stats=_stats,
    estimate=_estimate,
    loglik=_loglik,
    logpdf=lambda x, theta: logpdf(x, *theta),
    observed_information=_observed,
    scipy=lambda t: scipy_stats().weibull_min(t[0], loc=t[2], scale=t[1]),
    cdf=_cdf,
    sample=lambda rng, n, t: t[2] + t[1] * rng.weibull(t[0], n),
    check=_check,
    min_n=3,
    needs_spread=True,
    estimate_notes=_notes,
    rescale=lambda s: ((1.0, s, s), (0.0, 0.0, 0.0)),
)

FAMILIES = (WEIBULL3,)
