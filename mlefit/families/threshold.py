"""Threshold families (issue 22, point 6): a two-parameter family of x - c with the threshold
c below the smallest value, nothing below it: weibull3, gamma3 and lognormal3 are each one
Shift record (their own files hold the per-row functions) made into a Family here.

Their maximum likelihood is irregular. As c rises to min x the likelihood is unbounded
when the shape there is below 1 (weibull3, gamma3: the density grows like (x - c)^(shape-1);
Smith 1985, Biometrika 72:67-90), and for every sample and every sdlog (lognormal3: Hill
1963, JRSS B 25:111-120). Where a local maximum exists inside it is the estimate reported
(the usual practice: Cohen's local MLE, as SAS, Minitab, R's EnvStats and FAdist report),
with a note saying it is not a global one. For a shape between 1 and 2 (weibull3, gamma3)
the threshold's MLE exists but is not asymptotically normal.

The estimator profiles the threshold: for each c below min x the base family of x - c is
fitted by its own estimator (weibull Newton, gamma Newton, lognormal closed form); the
profile log-likelihood is searched on a grid in log((min x - c)/sd x) and its best interior
maximum refined (Brent), then all three parameters are polished by Newton with the exact
derivatives of the per-row Density. No interior maximum: a BoundaryError saying which end
the likelihood rises to and what that means."""
import math
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Callable

import numpy as np

from .. import numerics as nm
from ..errors import BoundaryError, DataError
from .base import Controls, Family, Solution
from .catalog import BY_NAME

GRID = np.linspace(-18.0, 9.0, 55)  # log((min x - c)/spread) searched; the spread is the sd of x
IRREGULAR = 2.0  # at or below this shape the threshold's MLE is not regular (Smith 1985)


@dataclass(frozen=True)
class Shift:
    """What a threshold family adds to its two-parameter base family."""

    name: str  # weibull3
    density: object  # the per-row Density, parameters (first, second, threshold)
    base: Callable  # () -> the base Family (of x - c)
    own: Callable  # the base Family's theta -> the first two parameters
    cdf: Callable  # (x, theta) -> P(X <= x)
    rescale: Callable  # s -> (multipliers, shifts) when the data are multiplied by s
    # shape index: the power of (x - c) near c is shape - 1 (weibull3, gamma3); None: the
    # likelihood is unbounded at min x whatever the parameters (lognormal3, Hill 1963)
    shape: int | None
    far: str  # what a likelihood rising as c -> -inf means (the data are not skewed enough)
    instead: str  # the families to fit then


def shifted(y, c):
    return np.asarray(y, dtype=np.float64) - c


def starter(base_start, own=tuple):
    """A threshold Density's start: the base family's start (base_start, its parameters
    mapped by own) on x - c, with c half a standard deviation below min x."""
    def start(y, w):
        y = np.asarray(y, dtype=np.float64)
        lo, sd = float(np.min(y)), float(np.std(y))
        c = lo - 0.5 * (sd if sd > 0 else 1.0)
        return (*own(base_start(y - c, w)), c)
    return start


def stats(x, w):
    x = np.asarray(x, dtype=np.float64)
    n = nm.total_weight(w, x.size)
    lo = float(np.min(x))
    mean = float(np.sum(x) / x.size if w is None else np.dot(w, x) / n)
    spread = math.sqrt(float(np.mean((x - mean) ** 2) if w is None else np.dot(w, (x - mean) ** 2) / n))
    return SimpleNamespace(n=n, x=x, w=w, lo=lo, spread=spread)


def _check(shift, s):
    if not s.spread > 1e-13 * max(1.0, abs(s.lo)):
        raise DataError(f"the values are (numerically) all equal: zero variance; "
                        f"the {shift.name} family needs spread to estimate its shape and threshold")
    if np.count_nonzero(s.x > s.lo) < 2:
        raise DataError(f"{shift.name} needs at least three values with two above the smallest")


def profile(shift, s, t, controls):
    """(profile log-likelihood, first, second, c) at the threshold c = min x - spread e^t."""
    c = s.lo - s.spread * math.exp(t)
    y = s.x - c
    if not np.all(y > 0):
        return -math.inf, math.nan, math.nan, c
    base = shift.base()
    st = base.stats(y, s.w)
    sol = base.estimate(st, controls)
    ll = sol.at[0] if sol.at is not None else base.loglik(st, sol.theta)
    first, second = shift.own(sol.theta)
    return float(ll), float(first), float(second), c


def _edge_error(shift, lo, grid, edge):
    """The BoundaryError of a profile with no interior maximum (its best point at an end);
    edge() is where a fit with the threshold fixed (--fix) starts, the edge out of its reach."""
    values = np.array([g[0] for g in grid])
    finite = np.isfinite(values)
    best = int(np.nanargmax(np.where(finite, values, -np.inf)))
    if best == 0:
        why = ("with no local maximum below it: it is unbounded there for every sample (Hill 1963), so "
               "there is no estimate" if shift.shape is None else
               f"where the shape falls below 1 ({grid[0][1 + shift.shape]:.3g}): it is unbounded and has no maximum")
        return BoundaryError(f"the {shift.name} likelihood keeps rising as the threshold approaches the smallest "
                             f"value ({lo:.6g}), {why}; fit {shift.base().name} to the values minus a threshold "
                             f"you choose (--fix threshold=VALUE), or a two-parameter family",
                             None, ("threshold",), edge())
    return BoundaryError(f"the {shift.name} likelihood keeps rising as the threshold goes to -infinity ({shift.far}): "
                         f"there is no finite maximum; fit {shift.instead} instead", None, ("threshold",), edge())


def _maximum(shift, prof, lo, edge, coarse=None):
    """((first, second, c), profile value, evaluations) at the best interior maximum of the
    profile prof(t) -> (log-likelihood, first, second, c) over GRID, refined by Brent; the
    BoundaryError of _edge_error where there is none. coarse: the same profile on a thinned
    sample (_thinned), searched over GRID first; when it has exactly one interior maximum
    and the full profile confirms it (at least its neighbours there), only that bracket is
    refined on the full data. Anything else searches the full grid."""
    from scipy.optimize import minimize_scalar

    i, values = _confirmed(coarse, prof) if coarse is not None else (None, None)
    if i is None:
        with np.errstate(all="ignore"):
            grid = [prof(t) for t in GRID]
        values = np.array([g[0] for g in grid])
        inner = _inner(values)
        if not inner:
            raise _edge_error(shift, lo, grid, edge)
        i = max(inner, key=lambda j: values[j])
    with np.errstate(all="ignore"):
        found = minimize_scalar(lambda t: -prof(t)[0], bounds=(GRID[i - 1], GRID[i + 1]),
                                method="bounded", options={"xatol": XATOL})
        _, first, second, c = prof(float(found.x))
    return (first, second, c), float(values[i]), int(found.nfev)


def _inner(values):
    """The interior local maxima of profile values over GRID."""
    finite = np.isfinite(values)
    return [i for i in range(1, len(GRID) - 1)
            if finite[i] and values[i] >= values[i - 1] and values[i] >= values[i + 1]]


def _confirmed(coarse, prof):
    """(i, values with values[i] the full profile at GRID[i]) when the thinned profile has one
    interior maximum: from there the full profile is climbed along GRID to its nearest
    interior maximum, GRID[i]; (None, None) when the thinned profile has none or several, or
    the climb reaches an end of GRID or a point where the profile is not finite."""
    with np.errstate(all="ignore"):
        inner = _inner(np.array([coarse(t)[0] for t in GRID]))
    if len(inner) != 1:
        return None, None
    values = np.full(GRID.size, np.nan)

    def at(j):
        if np.isnan(values[j]):
            with np.errstate(all="ignore"):
                values[j] = prof(GRID[j])[0]
        return values[j]

    i = inner[0]
    while 0 < i < GRID.size - 1 and np.isfinite(at(i)):
        if at(i - 1) > at(i):
            i -= 1
        elif at(i + 1) > at(i):
            i += 1
        else:
            return i, values
    return None, None


THIN = 10_000  # profiles over more values than twice this are searched on every k-th of them first
XATOL = 1e-6  # Brent's tolerance in log((min x - c)/spread): Newton on all three parameters polishes after it


def _thinned(s):
    """The statistics of every k-th value and the smallest (about THIN of them; weights
    thinned alike), with the full sample's smallest value and spread, so that GRID means
    the same thresholds; None for samples under 2 THIN."""
    k = s.x.size // THIN
    if k < 2:
        return None
    first = int(np.argmin(s.x))
    x = np.concatenate((s.x[first:first + 1], s.x[::k]))
    w = None if s.w is None else np.concatenate((s.w[first:first + 1], s.w[::k]))
    return SimpleNamespace(n=nm.total_weight(w, x.size), x=x, w=w, lo=s.lo, spread=s.spread)


def estimate(shift, s, controls):
    from ..likelihood import loglik, solve, sums

    quiet = Controls(max_iter=controls.max_iter, tol=controls.tol)
    thin = _thinned(s)
    coarse = None if thin is None else (lambda t: profile(shift, thin, t, quiet))
    theta, best, nfev = _maximum(shift, lambda t: profile(shift, s, t, quiet), s.lo,
                                 lambda: shift.density.start(s.x, s.w), coarse)
    how = (f"profile of the threshold ({shift.base().name} fits of x - c), then Newton on all three "
           f"with exact derivatives")
    dens = shift.density
    sol = solve(dens, lambda th: loglik(dens, s.x, th, s.w), lambda th: sums(dens, s.x, th, s.w),
                theta, controls.max_iter, how)
    if not (sol.converged and sol.theta[2] < s.lo and sol.at[0] >= best - 1e-9 * abs(best)):
        sol = Solution(theta, how, nfev, True)  # the profile's own maximum
    return sol


def censored_profile(shift, rows, w, controls):
    """(profile t -> (log-likelihood, first, second, c), smallest value seen, values seen) on
    censored rows (censored_fit's (n, 4) array) where every row is seen or right-censored,
    with no truncation: each point the base family's censored fit of the rows less c."""
    from .. import families
    from ..censored_fit import censored_family
    from ..errors import UsageError

    exact = rows[:, 0] == rows[:, 1]
    right = np.isposinf(rows[:, 1]) & ~exact
    if not np.all(exact | right) or np.isfinite(rows[:, 2:]).any():
        raise UsageError(f"censored data can be fitted with {shift.name} only when every row is seen or "
                         f"right-censored, with no truncation (its threshold is profiled below the smallest "
                         f"value seen); fit {shift.base().name} instead")
    seen = rows[exact, 0]
    if np.count_nonzero(seen > seen.min()) < 2:
        raise DataError(f"{shift.name} needs at least three values seen, with two above the smallest")
    lo, spread = float(seen.min()), float(np.std(seen))
    base = shift.base()
    fam = censored_family(base, families.density(base.name)[0], ())
    quiet = Controls(max_iter=controls.max_iter, tol=controls.tol)

    def prof(t):
        c = lo - spread * math.exp(t)
        shifted = rows.copy()
        shifted[:, :2] -= c
        st = fam.stats(shifted, w)
        with np.errstate(all="ignore"):
            sol = fam.estimate(st, quiet)
        if not sol.converged:
            return -math.inf, math.nan, math.nan, c
        ll = sol.at[0] if sol.at is not None else fam.loglik(st, sol.theta)
        first, second = shift.own(sol.theta)
        return float(ll), float(first), float(second), c
    return prof, lo, seen


def censored(shift, rows, w, controls):
    """The estimator on rows seen and right-censored: the same profile below the smallest
    value seen (censored_profile). The censored estimator then polishes all three by Newton
    on the censored log-likelihood."""
    prof, lo, seen = censored_profile(shift, rows, w, controls)
    theta, _, nfev = _maximum(shift, prof, lo, lambda: shift.density.start(seen, None))
    return Solution(theta, f"profile of the threshold ({shift.base().name} fits of the censored x - c)", nfev)


def censorable(shift):
    """The family's per-row Density with its estimator on censored rows (Density.threshold)."""
    from dataclasses import replace
    return replace(shift.density, threshold=lambda rows, w, controls: censored(shift, rows, w, controls))


def smallest(s):
    """The smallest value seen: of the values, or of the censored rows seen exactly."""
    if hasattr(s, "lo"):
        return s.lo
    rows = s.x
    return float(np.min(rows[rows[:, 0] == rows[:, 1], 0]))


def _estimated(shift, s, theta):
    """Whether the threshold was estimated (its score ~0 at theta) rather than fixed."""
    from ..likelihood import total
    if hasattr(s, "lo"):
        with np.errstate(all="ignore"):
            score = shift.density.derivs(s.x, *theta)[1][2]
        return abs(total(score, s.w, s.x.size)) <= 1e-6 * total(np.abs(score), s.w, s.x.size)
    from ..censored_terms import sums  # censored rows: the score within 1e-4 standard errors of 0
    with np.errstate(all="ignore"):
        _, grad, hess, _ = sums(shift.density, s.terms, theta)
    return abs(grad[2]) <= 1e-4 * math.sqrt(abs(hess[2, 2]))


def notes(shift, s, theta):
    """What the estimate is, for a threshold estimated; none for one fixed."""
    if not _estimated(shift, s, theta):
        return ()
    lo = smallest(s)
    if shift.shape is None:
        return (f"the {shift.name} likelihood is unbounded as the threshold approaches the smallest value "
                f"({lo:.6g}), for every sample (Hill 1963): the estimate is the local maximum inside "
                f"(Cohen's local MLE, the usual practice), not a global one",)
    out = []
    with np.errstate(all="ignore"):
        edge = (profile(shift, s, GRID[0], Controls()) if hasattr(s, "lo") else
                censored_profile(shift, s.x, s.w, Controls())[0](GRID[0]))
    if edge[1 + shift.shape] < 1.0:
        out.append(f"the {shift.name} likelihood is unbounded as the threshold approaches the smallest value "
                   f"({lo:.6g}; the shape there falls below 1): the estimate is the local maximum inside, "
                   f"the usual practice (Smith 1985), not a global one")
    k = theta[shift.shape]
    if k <= IRREGULAR:
        out.append(f"shape {k:.3g} is at most 2: the threshold's MLE is not regular (Smith 1985), so its "
                   f"Wald interval understates the uncertainty; prefer --interval profile or bootstrap")
    return tuple(out)


def _loglik(shift, s, theta):
    from ..likelihood import loglik
    return loglik(shift.density, s.x, theta, s.w)


def _observed(shift, s, theta):
    from ..likelihood import sums
    return -sums(shift.density, s.x, theta, s.w)[2]


def family(shift):
    """The Family record of a threshold family."""
    dens = shift.density
    return Family(
        spec=BY_NAME[shift.name],
        stats=stats,
        estimate=lambda s, controls: estimate(shift, s, controls),
        loglik=lambda s, theta: _loglik(shift, s, theta),
        logpdf=lambda x, theta: dens.logpdf(x, *theta),
        observed_information=lambda s, theta: _observed(shift, s, theta),
        scipy=lambda theta: dens.scipy(*theta),
        cdf=shift.cdf,
        sample=lambda rng, n, theta: dens.sample(rng, n, *theta),
        check=lambda s: _check(shift, s),
        min_n=3,
        needs_spread=True,
        estimate_notes=lambda s, theta: notes(shift, s, theta),
        rescale=shift.rescale,
        below=lambda s: {2: smallest(s)},
    )
