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
fitted by its own estimator (weibull Newton, gamma Newton, lognormal closed form) from
sums over the data (Shift.base_stats); the profile log-likelihood is searched on a grid in
log((min x - c)/sd x) and its best interior maximum refined (Brent), on subsets of the
data first where it is large (estimate), then all three parameters are polished by Newton
with the exact derivatives summed block by block (Shift.summed). The data are a view
(threshold_data) in memory or in chunks: a file is fitted in bounded memory, with the
same result. No interior maximum: a BoundaryError saying which end
the likelihood rises to and what that means."""
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import BoundaryError, DataError
from .base import Controls, Family, Solution
from .catalog import BY_NAME
from . import threshold_data as data

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
    # (view, n, theta) -> (log-likelihood, score, Hessian, score noise) summed over the data
    # block by block (threshold_data: view.sum), as likelihood.sums gives them from the rows
    summed: Callable = None
    base_stats: Callable = None  # (stats, c) -> the base family's statistics of x - c, by passes of view.sum
    below_one: Callable = None  # (stats, c) -> whether the base family's shape of x - c is below 1


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


def _check(shift, s):
    if not s.spread > 1e-13 * max(1.0, abs(s.lo)):
        raise DataError(f"the values are (numerically) all equal: zero variance; "
                        f"the {shift.name} family needs spread to estimate its shape and threshold")
    if data.above_smallest(s) < 2:
        raise DataError(f"{shift.name} needs at least three values with two above the smallest")


def profile(shift, s, t, controls):
    """(profile log-likelihood, first, second, c) at the threshold c = min x - spread e^t."""
    c = s.lo - s.spread * math.exp(t)
    if not c < s.lo:  # (then x - c > 0 for every x, rounded)
        return -math.inf, math.nan, math.nan, c
    base = shift.base()
    st = shift.base_stats(s, c)
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


def _maximum(shift, prof, lo, edge, peaks=None):
    """((first, second, c), profile value, evaluations) at the best interior maximum of the
    profile prof(t) -> (log-likelihood, first, second, c) over GRID, refined by Brent; the
    BoundaryError of _edge_error where there is none. peaks: the interior maxima of the same
    profile on a subset of the values (_peaks); where there is exactly one, the full profile
    is climbed from it (_confirmed) and only that bracket refined. Anything else searches
    the full grid."""
    i, values = _confirmed(peaks, prof) if peaks is not None else (None, None)
    if i is None:
        with np.errstate(all="ignore"):
            grid = [prof(t) for t in GRID]
        values = np.array([g[0] for g in grid])
        inner = _inner(values)
        if not inner:
            raise _edge_error(shift, lo, grid, edge)
        i = max(inner, key=lambda j: values[j])
    theta, nfev = _refined(prof, i)
    return theta, float(values[i]), nfev


def _refined(prof, i):
    """((first, second, c), evaluations) at the maximum of prof between GRID[i - 1] and
    GRID[i + 1] (Brent's bounded search, scipy's steps without importing scipy.optimize)."""
    from ..scalar_search import minimize_bounded

    with np.errstate(all="ignore"):
        t, _, nfev = minimize_bounded(lambda t: -prof(t)[0], GRID[i - 1], GRID[i + 1], XATOL)
        _, first, second, c = prof(float(t))
    return (first, second, c), nfev


def _inner(values):
    """The interior local maxima of profile values over GRID."""
    finite = np.isfinite(values)
    return [i for i in range(1, len(GRID) - 1)
            if finite[i] and values[i] >= values[i - 1] and values[i] >= values[i + 1]]


def _peaks(coarse):
    """The interior maxima over GRID of a profile on a subset of the values (coarse(t))."""
    with np.errstate(all="ignore"):
        return _inner(np.array([coarse(t)[0] for t in GRID]))


def _confirmed(inner, prof):
    """(i, values with values[i] the full profile at GRID[i]) when the subset's profile has
    one interior maximum (inner, from _peaks): from there the full profile is climbed along
    GRID to its nearest interior maximum, GRID[i]; (None, None) when the subset's has none
    or several, or the climb reaches an end of GRID or a point where the profile is not
    finite."""
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


THIN = 10_000  # profiles over more values than twice this are searched on about this many first
REFINE = 100_000  # and over more than twice this, refined on about this many before Newton on all the values
XATOL = 1e-6  # Brent's tolerance in log((min x - c)/spread): Newton on all three parameters polishes after it


def estimate(shift, s, controls):
    """The profile's grid searched on a subset of about THIN values (threshold_data.subset:
    the same values in memory and in chunks); where it has one interior maximum, the
    profile over about REFINE values is climbed from there to its own and refined (Brent),
    and Newton on all three parameters over all the values (a pass of summed derivatives
    a step) starts there, or from Newton's maximum over every other value of the sample
    where that is at most a quarter of the data (nearer when the maximum lies next to
    min x, where the smallest values decide it: weibull3 on gamma draws took 8 steps over
    1e7 values from the REFINE values' maximum, 5 from the sample's): the passes over the
    data are Newton's few steps. Where any of
    that fails (a grid with no interior maximum or several, a climb to an end, Newton not
    converging below min x), the profile over all the values is searched as before, each
    point a base fit in passes; with no interior maximum, its BoundaryError."""
    quiet = Controls(max_iter=controls.max_iter, tol=controls.tol)
    how = (f"profile of the threshold ({shift.base().name} fits of x - c), then Newton on all three "
           f"with exact derivatives")
    thin = data.subset(s, THIN)
    peaks = None if thin is None else _peaks(lambda t: profile(shift, thin, t, quiet))
    near = None if thin is None else data.subset(s, REFINE)
    if near is not None:
        prof = lambda t: profile(shift, near, t, quiet)  # noqa: E731
        i, _ = _confirmed(peaks, prof)
        if i is not None:
            theta = _refined(prof, i)[0]
            half = data.subset(s, s.sample.size // 2) if s.sample.size * 4 <= s.n else None
            if half is not None:  # Newton on half the sample first: its steps cost an eighth of a pass or less
                first = _polish(shift, half, theta, -math.inf, controls, how)
                theta = theta if first is None else first.theta
            sol = _polish(shift, s, theta, -math.inf, controls, how)
            if sol is not None:
                return sol
    theta, best, nfev = _maximum(shift, lambda t: profile(shift, s, t, quiet), s.lo,
                                 lambda: shift.density.start(s.sample, s.sample_w), peaks)
    return _polish(shift, s, theta, best, controls, how) or Solution(theta, how, nfev, True)  # the profile's own


def _polish(shift, s, theta, floor, controls, how):
    """Newton on all three parameters from theta, by passes of summed derivatives (a line
    search's trials at or above min x cost no pass); None unless it converges below min x
    to a log-likelihood at least floor."""
    from ..likelihood import solve

    sol = solve(shift.density, lambda th: summed(shift, s, th)[0], lambda th: summed(shift, s, th), theta,
                controls.max_iter, how)
    if sol.converged and sol.theta[2] < s.lo and sol.at[0] >= floor - 1e-9 * abs(floor):
        return sol
    return None


def summed(shift, s, theta):
    """(log-likelihood, score, Hessian, score noise) over the data at theta, in one pass
    (Shift.summed); the last one is kept (the fit's information and notes reuse it)."""
    key = tuple(float(v) for v in theta)
    last = s.memo.get("summed")
    if last is not None and last[0] == key:
        return last[1]
    if not key[2] < s.lo:
        got = (-math.inf, np.full(3, math.nan), np.full((3, 3), math.nan), np.zeros(3))
    else:
        with np.errstate(all="ignore"):
            ll, grad, hess, noise = shift.summed(s.view, s.n, key)
        from ..likelihood import EPS
        got = (float(ll), grad, hess, EPS * noise)
    s.memo["summed"] = (key, got)
    return got


def censored_profile(shift, rows, w, controls):
    """(profile t -> (log-likelihood, first, second, c), smallest value seen, values seen) on
    censored rows (censored_fit's (n, 4) array) where every row is seen or right-censored,
    with no truncation: each point the base family's censored fit of the rows less c."""
    from .. import families
    from ..censored.fit import censored_family
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
    return shift.density._replace(threshold=lambda rows, w, controls: censored(shift, rows, w, controls))


def smallest(s):
    """The smallest value seen: of the values, or of the censored rows seen exactly."""
    if hasattr(s, "lo"):
        return s.lo
    rows = s.x
    return float(np.min(rows[rows[:, 0] == rows[:, 1], 0]))


def _estimated(shift, s, theta):
    """Whether the threshold was estimated (its score ~0 at theta) rather than fixed."""
    if hasattr(s, "lo"):
        from ..likelihood import EPS
        _, grad, _, noise = summed(shift, s, theta)
        return abs(grad[2]) <= 1e-6 * noise[2] / EPS
    from ..censored.terms import sums  # censored rows: the score within 1e-4 standard errors of 0
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
        if hasattr(s, "lo"):
            c = s.lo - s.spread * math.exp(GRID[0])
            below = c < s.lo and shift.below_one(s, c)
        else:
            below = censored_profile(shift, s.x, s.w, Controls())[0](GRID[0])[1 + shift.shape] < 1.0
    if below:
        out.append(f"the {shift.name} likelihood is unbounded as the threshold approaches the smallest value "
                   f"({lo:.6g}; the shape there falls below 1): the estimate is the local maximum inside, "
                   f"the usual practice (Smith 1985), not a global one")
    k = theta[shift.shape]
    if k <= IRREGULAR:
        out.append(f"shape {k:.3g} is at most 2: the threshold's MLE is not regular (Smith 1985), so its "
                   f"Wald interval understates the uncertainty; prefer --interval profile or bootstrap")
    return tuple(out)


def _loglik(shift, s, theta):
    """The log-likelihood at theta, block by block."""
    logpdf = shift.density.logpdf
    with np.errstate(all="ignore"):
        return float(s.view.sum(lambda x, w: data.ws(logpdf(x, *theta), w), data.BLOCK))


def _observed(shift, s, theta):
    return -summed(shift, s, theta)[2]


def family(shift):
    """The Family record of a threshold family."""
    from ..likelihood import fixed_fits
    dens = shift.density
    given, _ = fixed_fits(dens, lambda s, theta: summed(shift, s, theta)[0], lambda s, theta: summed(shift, s, theta))
    return Family(
        spec=BY_NAME[shift.name],
        stats=data.in_memory,
        chunked_stats=data.on_chunks,
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
        given=given,  # --fix: Newton on the others, by passes of summed derivatives
    )
