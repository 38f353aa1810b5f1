"""The one profile engine: the largest value of an objective of the core with some
coordinates held (Held: a Fitted's log-likelihood with one or two parameters set, for
`fit --interval profile`, the likelihood plots and the MAP; held_newton: the core's
Newton objective with one coordinate held, for `regress`), and the search for where the
profile's deviance crosses a threshold (search_side, both_ends).

The search goes outward from the estimate on the coordinate's unconstrained scale (log
for positive, logit for unit) by growing distances from a first step of about z standard
errors, then finds the crossing by Brent's method (scalar_search) in d = u - u_hat, the
distance from the estimate, with tolerances relative to that first step: scale-free,
never relative to |location| (at a location of 1e12 a relative 1e-12 is 1). The values
already found at the ends of the bracket are kept (evaluated again, from another warm
start, an end could change sign). Where the deviance never reaches the threshold before
the reach, that side is open."""
import math

import numpy as np

from ..constrained import _from_free, _to_free
from ..errors import MlefitError
from ..scalar_search import find_root, minimize

# how far the search goes from the estimate on the unconstrained scale before a side is
# called open: a factor e^70 ~ 2.5e30 for a positive parameter (student_t marks df at
# infinity by 1e30), p within 2e-16 of 0 or 1 for a unit one, 1e12 scales for a real one
LOG_REACH = 70.0
LOGIT_REACH = 36.0
REAL_REACH = 1e12
EDGES = {"real": (-math.inf, math.inf), "positive": (0.0, math.inf), "unit": (0.0, 1.0)}
MAX_STEPS = 60
# a warm start this many standard errors from the MLE in a profiled parameter gets a
# second fit from the MLE (nearer, the neighbour's solution is the better start)
FAR_START = 8.0


# ------------------------------------------------------------------ scales and steps
def free_to(u, domain):
    """_from_free that saturates instead of overflowing (an optimiser's wild trial step)."""
    return _from_free(min(u, 709.0) if domain == "positive" else u, domain)


def variance(cov, i):
    """The variance of parameter i in a covariance (a matrix or its diagonal), NaN without one."""
    if cov is None:
        return math.nan
    cov = np.asarray(cov, dtype=float)
    return float(cov[i] if cov.ndim == 1 else cov[i, i])


def free_se(var, est, domain):
    """The standard error on the unconstrained scale of an estimate `est` whose variance
    on its own scale is `var` (NaN when var is none)."""
    se = math.sqrt(var) if math.isfinite(var) and var > 0 else math.nan
    jac = est if domain == "positive" else est * (1.0 - est) if domain == "unit" else 1.0  # dtheta/du
    return se / jac if jac != 0 else math.nan


def fitted_free_se(fitted, i):
    """free_se of a Fitted's parameter i (NaN when its covariance has none)."""
    return free_se(variance(fitted.cov, i), fitted.theta[i], fitted.domains[i])


def first_step(se, u_hat, domain, z):
    """z standard errors (se on the unconstrained scale) from u_hat: where the deviance is
    near q (for a real parameter at least a few ulp of its estimate, the least it can move)."""
    if math.isfinite(se) and se > 0:
        return max(z * se, 64.0 * math.ulp(u_hat) if domain == "real" else 1e-10 * max(1.0, abs(u_hat)))
    return 0.1 * max(1.0, abs(u_hat)) if domain == "real" else 0.1


def se_step(fitted, i):
    """One standard error of parameter i on its unconstrained scale, at most 1 on the log
    and logit scales, with a guess where the covariance has none (the plots' unit)."""
    t, dom = fitted.theta[i], fitted.domains[i]
    var = variance(fitted.cov, i)
    se = math.sqrt(var) if math.isfinite(var) and var > 0 else math.nan
    if dom == "real":
        return se if math.isfinite(se) else 0.1 * max(abs(t), 1.0)
    step = free_se(var, t, dom)
    return min(step, 1.0) if math.isfinite(step) and step > 0 else 0.1


# ------------------------------------------------------------------ the search
def doubling(step, reach):
    """Distances step, 2 step, 4 step, ... (8-fold after 8 doublings), the last one `reach`."""
    h = step
    for k in range(MAX_STEPS):
        if h >= reach:
            yield reach
            return
        yield h
        h *= 2.0 if k < 8 else 8.0


def reach(domain, u_hat, step, sign):
    """How far the search may go from u_hat on side `sign` before the side is open."""
    if domain == "unit":  # absolute: p within 2e-16 of 0 or 1
        return LOGIT_REACH - sign * u_hat
    return LOG_REACH if domain == "positive" else REAL_REACH * max(abs(u_hat), step, 1.0)


def search_side(excess, u_hat, sign, distances, xtol, rtol=1e-11, maxiter=200):
    """(root, inside): the u on side `sign` of u_hat where excess(u) (deviance minus the
    threshold) crosses 0, tried at u_hat + sign d for d in `distances` then found by
    Brent's method in d; root None when it stays below 0 over every distance, or when
    excess is None (the profile cannot be computed there). inside: the last u tried
    below the threshold (u_hat when none)."""
    inside, below = 0.0, None
    for d in distances:
        above = excess(u_hat + sign * d)
        if above is None:
            break
        if above >= 0:
            known = {sign * inside: below, sign * d: above}

            def f(x):
                v = known.get(x)
                if v is None:
                    v = excess(u_hat + x)
                return 1e300 if v is None else v
            a, b = sorted(known)
            return u_hat + find_root(f, a, b, xtol, rtol, maxiter), u_hat + sign * inside
        inside, below = d, above
    return None, u_hat + sign * inside


def both_ends(excess, u_hat, step, domain, name, open_note, what="profile"):
    """(ends, notes): the root of excess on each side of u_hat (tolerances: 1e-11 of the
    first step for a real parameter, 1e-11 on the log and logit scales, their own unit),
    or the edge of the domain where there is none (open_note(sign, edge) says so), and a
    note where a profile jumps."""
    ends, notes = [], []
    xtol = 1e-11 * step if domain == "real" else 1e-11
    for sign in (-1.0, 1.0):
        far = reach(domain, u_hat, step, sign)
        with np.errstate(all="ignore"):
            u, _ = search_side(excess, u_hat, sign, doubling(step, far) if far > 0 else (), xtol)
            jump = u is not None and _jumps(excess, u)
        if jump:
            notes.append(f"the {what} of {name} jumps near {_from_free(u, domain):.6g} (the inner fits "
                         f"found different local maxima on either side), so that end is uncertain")
        if u is None:
            edge = EDGES[domain][0 if sign < 0 else 1]
            ends.append(edge)
            notes.append(open_note(sign, edge))
        else:
            ends.append(_from_free(u, domain))
    return ends, notes


def _jumps(excess, root):
    """Whether the profile jumps at `root`: a true profile is continuous, so a root off
    the threshold is a jump between local maxima the inner fits could not join; unless
    the excess moves as much between root and its neighbouring doubles (a location far
    from 0, where one ulp is a sizeable fraction of a standard error)."""
    off = abs(excess(root))
    if off <= 1e-6:
        return False
    grain = max(abs(excess(math.nextafter(root, side)) - excess(root)) for side in (-math.inf, math.inf))
    return off > 2.0 * grain + 1e-6


class WarmPath:
    """Warm starts along a profile: the solution found at each point tried; the one found
    nearest a new point starts its fit."""

    def __init__(self, u, theta):
        self.points = {u: theta}

    def start(self, u):
        return self.points[min(self.points, key=lambda v: abs(v - u))]

    def keep(self, u, theta):
        self.points[u] = theta


# ------------------------------------------------------------------ a Fitted, some parameters held
class Held:
    """A Fitted's log-likelihood with the parameters `shown` set (by at()), maximised over
    its other free parameters, exact ones too (fixed ones stay fixed, `hold` {index: value}
    held as well): student_t's df at its normal limit is maximised over, not held. One other parameter is fitted by Brent's method
    from a small bracket (so it stays in the basin it starts in), or by the family's
    profile from its sums; several by constrained.fit_fixed; a categorical p[label] by
    the binomial profile (the others keep their proportions)."""

    def __init__(self, fitted, shown, hold=None):
        self.fitted = fitted
        self.base = {**fitted.fixed, **(hold or {})}
        self.others = [i for i in fitted.free if i not in shown and i not in self.base]
        self.units = {}

    def at(self, values, start):
        """(loglik, theta) at {index: value}: the fit started from `start` (a neighbour's
        solution), and a second one from the MLE where that start lies far out (over
        FAR_START standard errors of the MLE in a profiled parameter): a chain of warm
        starts can drift onto a flat ridge (student_t's df towards infinity) or a local
        maximum (a cauchy's location at small scales) and stall there; the better of the
        two is kept. -inf where the likelihood is undefined."""
        best = self._fit(values, start)
        if self.others and tuple(start) != tuple(self.fitted.theta) and self._far(start):
            best = max(best, self._fit(values, self.fitted.theta), key=lambda fit: fit[0])
        return best

    def _far(self, theta):
        """Whether a profiled parameter of theta lies over FAR_START standard errors from
        the MLE on its unconstrained scale (or its standard error is unknown)."""
        f = self.fitted
        for i in self.others:
            if i not in self.units:
                self.units[i] = se_step(f, i) if variance(f.cov, i) > 0 else math.nan
            dom, unit = f.domains[i], self.units[i]
            try:
                gap = abs(_to_free(theta[i], dom) - _to_free(f.theta[i], dom))
            except (ArithmeticError, ValueError):
                return True
            if not (unit > 0 and gap <= FAR_START * unit):
                return True
        return False

    def _fit(self, values, start):
        f, fam = self.fitted, self.fitted.family
        theta = tuple(float(values.get(k, self.base.get(k, t))) for k, t in enumerate(start))
        try:
            with np.errstate(all="ignore"):
                if len(values) == 1 and fam.param_names is not None and fam.spec.support == "labels":
                    return self._binomial(*values.items())
                if not self.others:  # nothing else to fit: the likelihood itself
                    return f.loglik_at(theta), theta
                if len(self.others) == 1 and not self.base and fam.profile is not None and len(theta) == 2:
                    ((index, value),) = values.items()  # the other parameter from the family's sums
                    ll, theta = fam.profile(f.stats, index, float(value), start, f.controls)
                    return (ll if math.isfinite(ll) else -math.inf), theta
                if len(self.others) == 1:
                    theta = self._brent(theta, self.others[0])
                else:
                    from ..constrained import fit_fixed
                    sol = fit_fixed(fam, f.stats, {**self.base, **values}, theta, f.controls)
                    theta = tuple(float(t) for t in sol.theta)
                return f.loglik_at(theta), theta
        except (MlefitError, ArithmeticError, ValueError, RuntimeError, np.linalg.LinAlgError):
            return -math.inf, theta

    def _binomial(self, item):
        index, value = item
        f = self.fitted
        counts = np.asarray(f.stats.counts, dtype=float)
        rest = f.n - counts[index]
        theta = tuple(value if k == index else (1.0 - value) * float(counts[k]) / rest
                      for k in range(counts.size))
        return f.loglik_at(theta), theta

    def _brent(self, theta, j):
        """theta with parameter j refitted by Brent's method, in v = (u - u0)/unit. For a
        real parameter the unit is its standard error, so that Brent's tolerance
        (tol |v| + 1e-11) is relative to the data's spread, not to |location|; on the log
        and logit scales, a hundredth of max(1, |u0|)."""
        f, dom = self.fitted, self.fitted.domains[j]
        trial = list(theta)
        u0 = _to_free(theta[j], dom)
        unit = fitted_free_se(f, j) if dom == "real" else math.nan
        if not (unit > 0 and math.isfinite(unit)):
            unit = 1e-2 * max(1.0, abs(u0))

        def nll(v):
            trial[j] = free_to(u0 + unit * float(v), dom)
            ll = f.loglik_at(trial)
            return -ll if math.isfinite(ll) else math.inf

        x, _ = minimize(nll, -0.1, 0.1, tol=1e-12, maxiter=500)
        trial[j] = free_to(u0 + unit * float(x), dom)
        return tuple(trial)


# ------------------------------------------------------------------ a maximum on the edge of the space
def edge_verdicts(fam, stats, theta, domains, confidence, known):
    """{index: (lower, upper, note, "profile likelihood")} for the parameters of theta that
    sit exactly on an edge of their space (0 for positive and unit, 1 for unit: where the
    generic path put a maximum it found there, likelihood.maximize_sum) and that `known`
    (the family's own boundary verdicts) does not cover: the one-sided profile-likelihood
    interval from the edge, as a fast path's boundary gives it (a ZIP's pi = 0). Only for
    a family with a profile hook (Family.profile)."""
    on_edge = [i for i, (dom, t) in enumerate(zip(domains, theta)) if i not in known and (
        t == 0.0 and dom in ("positive", "unit") or t == 1.0 and dom == "unit")]
    if fam.profile is None or not on_edge:
        return {}
    from ..families.base import Controls
    from .information import z_value
    q, top, out = z_value(confidence) ** 2, fam.loglik(stats, theta), {}
    names = fam.names(stats)
    for i in on_edge:
        dom, t = domains[i], theta[i]
        inward, path = (1.0 if t == 0.0 else -1.0), WarmPath(t, tuple(theta))

        def profile_at(v, i=i, path=path):
            ll, path.points[v] = fam.profile(stats, i, v, path.start(v), Controls())
            return ll
        # in u = log |theta_i - edge|, from 1e-12 (the generic path's nearness) to 1e-9 short of the other edge
        far = math.log1p(-1e-9) if dom == "unit" else LOG_REACH
        end = edge_end(profile_at, top, q, math.log(1e-12), far, lambda u, t=t, inward=inward: t + inward * math.exp(u))
        note = (f"{names[i]} = {t:g} is on the edge of its space (the likelihood is highest there): "
                f"one-sided profile likelihood interval" + ("" if end is not None else
                                                             ", open: the deviance never reaches the threshold"))
        if end is None:
            end = math.inf if dom == "positive" else 1.0 - t
        out[i] = (min(t, end), max(t, end), note, "profile likelihood")
    return out


def edge_end(profile_at, top, q, start, far, value):
    """The far end of a one-sided profile-likelihood interval of a parameter whose maximum
    is on an edge of its space (0, 1, or infinity): the value where the profile deviance
    2 (top - profile_at(value)) reaches q, searched from u = start towards u = far (u the
    log of the distance from the edge, or the log of the parameter for an edge at
    infinity; value(u) the parameter) by the engine's search; None when it never does.
    A profile that cannot be computed counts as past the threshold."""
    def excess(u):
        try:
            ll = profile_at(value(u))
        except (MlefitError, ArithmeticError, ValueError):
            return 1e300
        dev = 2.0 * (top - min(ll, top))
        return dev - q if math.isfinite(dev) else 1e300

    sign = 1.0 if far > start else -1.0
    with np.errstate(all="ignore"):
        root, _ = search_side(excess, start, sign, doubling(1.0, abs(far - start)), 1e-11)
    return None if root is None else value(root)


# ------------------------------------------------------------------ the core's objective, one coordinate held
def held_newton(objective, vec_hat, j, value, max_iter=100):
    """(the objective maximised with coordinate j held at value, the full vector,
    converged): Newton (mlefit.maximize) over the other coordinates from vec_hat's."""
    from ..maximize import Point, newton
    keep = None

    def full(sub):
        return np.insert(sub, j, value)

    def point(sub):
        nonlocal keep
        pt = objective(full(sub))
        if keep is None:
            keep = np.arange(pt.grad.size) != j
        return Point(pt.value, pt.grad[keep], pt.hess[np.ix_(keep, keep)], pt.noise[keep],
                     None if pt.floor is None else pt.floor[keep])
    found = newton(point, lambda sub: objective.value(full(sub)), np.delete(vec_hat, j), max_iter=max_iter)
    if found.converged or not math.isfinite(found.value):
        return found.value, full(found.eta), found.converged
    return _polish(full, point, found)


def _polish(full, point, found):
    """Where Newton stops short of certifying its maximum (Firth's penalised likelihood far
    out: its curvature is the augmented information, not the Hessian, and its steps stall
    at a decrement near 1e-13), BFGS on the exact value and gradient from there; the
    maximum is taken as found when the gradient, measured by that curvature, leaves less
    than HELD_DECREMENT to gain."""
    from scipy.optimize import minimize

    def minus(sub):
        pt = point(sub)
        return -pt.value, -pt.grad
    with np.errstate(all="ignore"):
        out = minimize(minus, found.eta, jac=True, method="BFGS", options={"gtol": 1e-12, "maxiter": 1000})
        pt = point(out.x)
        try:
            lam2 = float(pt.grad @ np.linalg.solve(-pt.hess, pt.grad))
        except np.linalg.LinAlgError:
            lam2 = math.inf
    if not (math.isfinite(pt.value) and pt.value >= found.value):
        return found.value, full(found.eta), False
    return pt.value, full(out.x), bool(math.isfinite(lam2) and 0.0 <= lam2 < HELD_DECREMENT)


HELD_DECREMENT = 1e-10


def newton_interval(objective, vec_hat, top, cov, j, confidence, max_iter=100, log_scale=False, stopped=None,
                    reached=None):
    """(lower, upper) of coordinate j of the core's objective (on its free scale; None for
    an open end): where the signed root sqrt(2 (top - profile)), nearly linear in the
    coordinate, reaches z (within 1e-7 z, about what Newton's inner fits decide). The search starts at the Wald end and doubles out to 1e3
    standard errors; a point where the profile cannot be computed (a parameter run to the
    edge of what the family can evaluate) ends it there, open. log_scale: j is a
    parameter's log or logit, where the first step stays within 5 units (an SE of 1e7 in
    log df at the normal limit would leave the doubles). stopped: a list, given, to which
    (sign, the last value reached) is added for each open end where the search stopped at a
    point whose profile could not be computed (rather than one it never fell far enough);
    reached: a list, given, to which (sign, end, the inner fit's full vector there) is added
    for each end found (for verify_ends)."""
    from .information import z_value
    z = z_value(confidence)
    se = math.sqrt(cov[j, j]) if cov is not None and cov[j, j] > 0 else abs(vec_hat[j]) * 0.1 + 0.1
    if log_scale:
        se = min(se, 5.0 / z)
    step, b_hat, last = z * se, float(vec_hat[j]), [0.0]

    failed = [False]

    warm = [vec_hat]  # the last inner fit on this side: the profile is the highest inner maximum,
    # and far out an inner fit may have several (Firth in separated data), so from there too

    def excess(b):
        try:
            with np.errstate(all="ignore"):
                ll, vec, ok = held_newton(objective, vec_hat, j, b, max_iter)
                if warm[0] is not vec_hat:
                    other = held_newton(objective, warm[0], j, b, max_iter)
                    if other[2] and math.isfinite(other[0]) and (not ok or other[0] > ll):
                        ll, vec, ok = other
        except (ArithmeticError, ValueError):
            failed[0] = True
            return None
        if not ok or not math.isfinite(ll):
            failed[0] = True
            return None
        warm[0] = vec
        last[0] = math.sqrt(2.0 * max(top - ll, 0.0))
        off = last[0] - z
        return 0.0 if abs(off) <= 1e-7 * z else off  # on the threshold: the root, as far as r is known

    def distances():
        """From the Wald end, each next distance where the secant through the last two
        points (the first: the estimate, r = 0) reaches z, at most double the last:
        r is nearly linear, so it lands at or just beyond the root."""
        d_prev, r_prev, d = 0.0, 0.0, step
        for _ in range(MAX_STEPS):
            if not d < 1e3 * step:
                break
            yield d
            r = last[0]
            slope = (r - r_prev) / (d - d_prev)
            d_prev, r_prev, d = d, r, (min(2.0 * d, d + (z - r) / slope) if slope > 0 else 2.0 * d)
        yield 1e3 * step

    ends = []
    for sign in (-1.0, 1.0):
        failed[0], warm[0] = False, vec_hat
        root, inside = search_side(excess, b_hat, sign, distances(), 1e-9 * step)
        ends.append(None if root is None else float(root))
        if root is not None and reached is not None:
            reached.append((sign, float(root), warm[0]))
        if root is None and failed[0] and stopped is not None:
            stopped.append((sign, float(inside)))
    return tuple(ends)


def verify_ends(objective, top, z, found, max_iter=100):
    """The ends in `found` ({coordinate: [(sign, end, vector), ...]}) whose profile, from
    the inner solutions of every other search as starts, is higher than the threshold
    allows: the inner fit there has another, higher local maximum, so the end is not the
    profile's (Firth's penalised likelihood far into separated data). [(coordinate, sign)]."""
    starts = [vec for ends in found.values() for _, _, vec in ends]
    doubtful = []
    for j, ends in found.items():
        for sign, end, own in ends:
            for start in starts:
                if start is own:
                    continue
                with np.errstate(all="ignore"):
                    try:
                        ll, _, ok = held_newton(objective, start, j, end, max_iter)
                    except (ArithmeticError, ValueError):
                        continue
                if ok and math.isfinite(ll) and math.sqrt(2.0 * max(top - ll, 0.0)) < z * (1.0 - 1e-6):
                    doubtful.append((j, sign))
                    break
    return doubtful
