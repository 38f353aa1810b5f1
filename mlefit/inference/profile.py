"""Profile-likelihood intervals of a Fitted: for one parameter, or for a smooth quantity g(theta).

The profile log-likelihood of parameter i at psi is the largest log-likelihood with
theta_i = psi (the user's fixed values held too, exact parameters at their estimates).
The interval at level c is the set {psi : 2 (l_hat - l_p(psi)) <= q}, q the
chi-squared(1) quantile at c. The inner fits and the search for each end (outward from
the estimate on the parameter's unconstrained scale from a Wald-sized step, then Brent's
root finder) are the profile engine's (profile_engine.Held, both_ends), shared with the
likelihood plots, the MAP and regress. When the deviance never reaches q before the edge
of the parameter space, that end is the edge and a note says the interval is open there.

For categorical p[label] the profile is binomial: the others keep their proportions.
Mixtures are refused (UsageError)."""
import math

import numpy as np

from ..constrained import _to_free
from ..errors import UsageError
from .information import z_value
from .profile_engine import MAX_STEPS, REAL_REACH, Held, WarmPath, both_ends, first_step, fitted_free_se, free_to
from ..scalar_search import find_root, minimize

# constrained fits that may fail beyond the last point found inside the threshold before
# that side is reported open from there (each failing fit of an expensive quantity costs
# seconds: student_t's sd on 10 values hunted for 144 s, then gave no interval at all)
_OPEN_AFTER = 4


def _threshold(fitted, level):
    level = fitted.confidence if level is None else float(level)
    if not 0.0 < level < 1.0:
        raise UsageError(f"the confidence level must lie strictly between 0 and 1 (got {level:g})")
    return level, z_value(level) ** 2


def _refuse_mixture(fam):
    if fam.param_names is not None and fam.spec.support != "labels":
        raise UsageError(f"profile likelihood intervals are not available for the {fam.name} family "
                         f"(its components can swap labels and its weights sum to one); "
                         f"use Wald or bootstrap intervals")


def _categorical(fam):
    return fam.param_names is not None and fam.spec.support == "labels"


def _check_index(fitted, index):
    if index not in fitted.regular:
        raise ValueError(f"parameter {index} is fixed, exact or out of range: it has no profile")


# ------------------------------------------------------------------ one parameter
def profile_loglik(fitted, index, value, start=None):
    """(the largest log-likelihood with parameter `index` held at `value`, the theta
    reaching it). The other free parameters are refitted from `start` (a full theta,
    e.g. the previous grid point) or the MLE; the result never exceeds fitted.loglik."""
    _refuse_mixture(fitted.family)
    _check_index(fitted, index)
    ll, theta = Held(fitted, (index,)).at({index: float(value)}, fitted.theta if start is None else start)
    return min(ll, fitted.loglik), theta


def profile_interval(fitted, index, level=None):
    """(lower, upper, note): the profile-likelihood interval of parameter `index`; an
    end the deviance never reaches is the edge of the domain, said in the note."""
    fam = fitted.family
    _refuse_mixture(fam)
    _check_index(fitted, index)
    level, q = _threshold(fitted, level)
    domain, name = fitted.domains[index], fitted.names[index]
    est = float(fitted.theta[index])
    u_hat = _to_free(est, domain)
    step = first_step(fitted_free_se(fitted, index), u_hat, domain, math.sqrt(q))
    held = Held(fitted, (index,))
    path = WarmPath(u_hat, fitted.theta)
    above = []  # values where the likelihood rises above the fit's

    def excess(u):
        """deviance - q at u (the unconstrained coordinate)."""
        ll, theta = held.at({index: free_to(u, domain)}, path.start(u))
        path.keep(u, theta)
        if ll > fitted.loglik + 1e-9 * max(1.0, abs(fitted.loglik)):
            above.append(free_to(u, domain))
        dev = 2.0 * (fitted.loglik - min(ll, fitted.loglik))
        return dev - q if math.isfinite(dev) else 1e300

    ends, notes = both_ends(excess, u_hat, step, domain, name,
                            lambda sign, edge: _open_note(name, level, q, sign, edge))
    if above:
        notes.append(f"the likelihood rises above the fitted maximum at {name} = {above[0]:.6g} (the "
                     f"estimate is only a local maximum, or the likelihood is unbounded), so the "
                     f"interval is unreliable")
    lower, upper = min(ends[0], est), max(ends[1], est)
    return float(lower), float(upper), "; ".join(notes)


def _open_note(name, level, q, sign, edge):
    side, which = ("below", "lower") if sign < 0 else ("above", "upper")
    return (f"the profile deviance of {name} stays under the {level:.4g} threshold ({q:.4g}) all "
            f"the way to the edge of its domain ({name} -> {edge:g}): the likelihood flattens "
            f"there, so the interval is open {side} ({which} = {edge:g})")


# ------------------------------------------------------------- derived quantity
class _Coords:
    """The regular parameters on an unconstrained scale, with the others held: log for
    positive, logit for unit, and for categorical the log-ratios to the last label.
    The non-categorical ones are then measured from the estimate in standard errors,
    v = (u - u_hat)/se, so that SLSQP's finite differences and tolerances are relative
    to the data's spread, not to |location| (at 1e13, a step of 1.5e-8 leaves a
    location where it is)."""

    def __init__(self, fitted):
        self.theta = tuple(float(t) for t in fitted.theta)
        self.cat = _categorical(fitted.family)
        self.idx = fitted.regular
        self.domains = fitted.domains
        if not self.cat:
            self.u_hat = [_to_free(self.theta[i], self.domains[i]) for i in self.idx]
            self.units = [fitted_free_se(fitted, i) for i in self.idx]
            self.units = [h if h > 0 and math.isfinite(h) else 1.0 for h in self.units]

    def steps(self, u):
        """Finite-difference steps at u: 1e-6 (of a standard error), or more where a few
        ulp of the parameter are more (a location far from 0: a smaller step leaves it
        where it is, and the difference is 0)."""
        if self.cat:
            return 1e-6 * np.maximum(1.0, np.abs(u))
        return np.array([max(1e-6, 8.0 * math.ulp(a) / h) for a, h in zip(self.u_hat, self.units)])

    def gradient(self, f, u):
        """The gradient of f at u by central differences of self.steps(u)."""
        u = np.asarray(u, dtype=float)
        out = np.empty(u.size)
        for i, h in enumerate(self.steps(u)):
            e = np.zeros(u.size)
            e[i] = h
            out[i] = (f(u + e) - f(u - e)) / (2.0 * h)
        return out

    def to_u(self, theta):
        if self.cat:
            p = np.asarray(theta, dtype=float)
            return np.log(p[:-1]) - math.log(p[-1])
        return np.array([(_to_free(float(theta[i]), self.domains[i]) - a) / h
                         for i, a, h in zip(self.idx, self.u_hat, self.units)])

    def to_theta(self, u):
        if self.cat:
            v = np.append(np.asarray(u, dtype=float), 0.0)
            e = np.exp(v - float(np.max(v)))
            return tuple(float(v) for v in e / e.sum())
        theta = list(self.theta)
        for i, a, h, v in zip(self.idx, self.u_hat, self.units, u):
            theta[i] = free_to(a + h * float(v), self.domains[i])
        return tuple(theta)


def profile_quantity(fitted, g, level=None, start=None):
    """(lower, upper, note): the profile-likelihood interval of g(theta) (a smooth
    function of the full parameter tuple): the c's where the deviance of the largest
    log-likelihood subject to g(theta) = c reaches the chi-squared(1) quantile. Each
    constrained fit is SLSQP on the unconstrained scale of the regular parameters (Newton
    on the constraint when there is one), warm-started along the path from `start` (a
    full theta; default the MLE). (None, None, note) when a constrained fit fails."""
    fam = fitted.family
    _refuse_mixture(fam)
    level, q = _threshold(fitted, level)
    co = _Coords(fitted)
    if not co.idx:
        raise UsageError("no parameter is left to profile over (each is fixed or has an exact "
                         "interval)")
    l_hat = fitted.loglik
    with np.errstate(all="ignore"):
        c_hat = _value(g, fitted.theta)
    if not math.isfinite(c_hat):
        return None, None, "the quantity is not finite at the estimate, so it has no profile interval"
    path = {c_hat: co.to_u(fitted.theta if start is None else start)}
    step = _quantity_step(fitted, co, g, c_hat, math.sqrt(q))
    # the constraint's tolerance: relative to the quantity's standard error (step / z),
    # not to |c| (a location), down to a few ulp of c
    grain = step / math.sqrt(q)

    def solve(c):
        """deviance - q at g = c, or None when the constrained fit fails."""
        near = min(path, key=lambda v: abs(v - c))
        best = None
        for u_start in (path[near], co.to_u(fitted.theta)):  # the MLE when the warm start fails
            best = _constrained(fitted, co, g, c, u_start, l_hat, grain)
            if best is not None:
                break
        if best is None:
            return None
        path[c] = best[0]
        return best[1] - q

    ends, notes = [], []
    with np.errstate(all="ignore"):
        for sign in (-1.0, 1.0):
            end, reached = _quantity_end(solve, c_hat, step, sign, find_root)
            beyond = isinstance(reached, _Beyond)
            if end is None:
                return None, None, (f"the constrained fit of the quantity failed "
                                    f"{'below' if sign < 0 else 'above'} {reached:.6g}, before its "
                                    f"deviance reached the threshold (the quantity may be undefined, "
                                    f"not smooth or out of reach there), so it has no profile interval")
            side, bound = ("below", "lower") if sign < 0 else ("above", "upper")
            if beyond:
                notes.append(f"the profile likelihood of the quantity is still within the {level:.4g} "
                             f"threshold at {reached:.6g}, and beyond it the constrained fits fail (the "
                             f"quantity may be unbounded or undefined there), so its interval is open "
                             f"{side}: {'<' if sign < 0 else '>'} {reached:.6g}")
            elif math.isinf(end):
                notes.append(f"the profile likelihood of the quantity stays within the {level:.4g} "
                             f"threshold without bound, so its interval is open {side}: {bound} = {end:g}")
            ends.append(end)
    return float(min(ends[0], c_hat)), float(max(ends[1], c_hat)), "; ".join(notes)


def _value(g, theta):
    try:
        v = float(g(tuple(theta)))
    except (ArithmeticError, ValueError):
        return math.nan
    return v


def _constrained(fitted, co, g, c, u_start, l_hat, grain):
    """(u, deviance) of the largest log-likelihood with g = c, or None. With one free
    coordinate the constraint alone fixes it (Newton); with two it is a search along the
    curve g = c (_along_curve); otherwise, or where those fail, SLSQP, whose answer is
    then moved exactly onto the constraint (its own tolerance leaves a gap that would
    make the deviance noisy in c)."""
    def objective(u):
        ll = fitted.loglik_at(co.to_theta(u))
        return l_hat - ll if math.isfinite(ll) else 1e10

    def constraint(u):
        return _value(g, co.to_theta(u)) - c

    u = None
    if len(u_start) == 1:
        u = _project(co, constraint, u_start, c, grain)
    elif len(u_start) == 2:
        u = _along_curve(co, objective, constraint, u_start, c, grain)
    if u is None:
        import scipy.optimize
        res = scipy.optimize.minimize(objective, np.asarray(u_start, dtype=float), method="SLSQP",
                                      jac=lambda u: co.gradient(objective, u),
                                      constraints=[{"type": "eq", "fun": constraint,
                                                    "jac": lambda u: co.gradient(constraint, u)}],
                                      options={"ftol": 1e-12, "maxiter": 200})
        u = _project(co, constraint, res.x, c, grain) if math.isfinite(res.fun) else None
    if u is None:
        return None
    value = objective(u)
    return (u, 2.0 * max(value, 0.0)) if value < 1e9 else None


def _along_curve(co, objective, constraint, u_start, c, grain):
    """The point of the curve g = c (two coordinates, in standard errors) where the
    objective is least, or None. The curve near u0 (u_start moved onto it) is
    s -> u0 + s t moved onto it (_project), t its unit tangent at u0: a minimisation in
    one variable, by Brent's method from a bracket of +-0.1 standard error. The least
    objective is found to rounding (an error d in s costs d^2 in it), with no scipy."""
    u0 = _project(co, constraint, u_start, c, grain)
    if u0 is None:
        return None
    normal = co.gradient(constraint, u0)
    size = math.hypot(float(normal[0]), float(normal[1]))
    if not (math.isfinite(size) and size > 0):
        return None
    tangent = np.array([-normal[1], normal[0]]) / size
    points = {}

    def along(s):
        u = _project(co, constraint, u0 + s * tangent, c, grain)
        if u is None:
            return math.inf
        points[s] = u
        return objective(u)

    s, least = minimize(along, -0.1, 0.1, tol=CURVE_TOL, maxiter=200)
    return _polish(co, constraint, points[s]) if math.isfinite(least) and s in points else None


def _polish(co, constraint, u, steps=8):
    """u moved further onto the constraint by Newton steps while each brings |g - c| down
    (_project stops within a few ulp of c: at a location of 1e9, one ulp is a sizeable
    part of the deviance's slope, and the ends would be off by as many ulp)."""
    gap = abs(constraint(u))
    for _ in range(steps):
        if gap == 0.0:
            break
        grad = co.gradient(constraint, u)
        norm = float(grad @ grad)
        if not (math.isfinite(norm) and norm > 0):
            break
        trial = u - constraint(u) * grad / norm
        new = abs(constraint(trial))
        if not new < gap:
            break
        u, gap = trial, new
    return u


CURVE_TOL = 1.48e-8  # Brent's relative tolerance in s: sqrt(eps), the most a minimum's position is known to


def _project(co, constraint, u, c, grain, steps=30):
    """u moved onto constraint(u) = 0 (g = c) by minimum-norm Newton steps, or None:
    within 1e-12 of the quantity's standard error `grain` (or a few ulp of c), and
    accepted when within 1e-9 of it (or 64 ulp)."""
    u = np.array(u, dtype=float)
    close, enough = max(1e-12 * grain, 4.0 * math.ulp(c)), max(1e-9 * grain, 64.0 * math.ulp(c))
    for _ in range(steps):
        gap = constraint(u)
        if not math.isfinite(gap):
            return None
        if abs(gap) <= close:
            return u
        grad = co.gradient(constraint, u)
        norm = float(grad @ grad)
        if not (math.isfinite(norm) and norm > 0):
            return None
        u = u - gap * grad / norm
    gap = constraint(u)
    return u if math.isfinite(gap) and abs(gap) <= enough else None


def _quantity_step(fitted, co, g, c_hat, z):
    """z delta-method standard errors of g (a tenth of |g| when no covariance); the
    gradient by central differences of a thousandth of each parameter's standard error
    (of its size where it has none), or of a few ulp where that is more."""
    scale = 0.1 * max(abs(c_hat), 1e-8)
    cov = fitted.cov
    if cov is None:
        return scale
    cov = np.asarray(cov, dtype=float)
    theta = list(fitted.theta)
    idx = fitted.regular
    grad = np.zeros(len(idx))
    for j, i in enumerate(idx):
        var = float(cov[i] if cov.ndim == 1 else cov[i, i])
        h = 1e-3 * math.sqrt(var) if math.isfinite(var) and var > 0 else 1e-6 * max(abs(theta[i]), 1e-8)
        h = max(h, 8.0 * math.ulp(theta[i]))  # a step that moves theta[i]
        up, down = list(theta), list(theta)
        up[i] += h
        down[i] -= h
        grad[j] = (_value(g, up) - _value(g, down)) / (2.0 * h)
    sub = np.diag(cov[list(idx)]) if cov.ndim == 1 else cov[np.ix_(idx, idx)]
    var = float(grad @ sub @ grad)
    if math.isfinite(var) and var > 0:
        return max(z * math.sqrt(var), 64.0 * math.ulp(c_hat))
    return scale


class _Beyond(float):
    """The last c found inside the threshold, beyond which the constrained fits fail."""


def _quantity_end(solve, c_hat, step, sign, brentq):
    """(c, c) on side `sign` where the deviance reaches q; (+-inf, last c) when it
    never does; (+-inf, _Beyond(last c inside)) when the constrained fits fail beyond a
    point reached inside it (after _OPEN_AFTER tries); (None, last c solved) when one
    fails where it is needed."""
    inside, h, failures = c_hat, step, 0
    for k in range(MAX_STEPS):
        c = c_hat + sign * h
        f = solve(c)
        if f is None:  # infeasible or failed: step back towards the last good point
            failures += 1
            if inside != c_hat and failures > _OPEN_AFTER:  # reached beyond the estimate: open there
                return sign * math.inf, _Beyond(inside)
            if failures > 30 or abs(c - inside) <= 1e-12 * step:
                return None, inside
            h = (abs(inside - c_hat) + h) / 2.0
            continue
        if f >= 0:
            break
        if h > REAL_REACH * max(1.0, abs(c_hat), step):
            return sign * math.inf, c
        inside, h = c, h * (2.0 if k < 8 else 8.0)
    else:
        return None, inside
    failed = []

    def root_f(v):
        r = solve(v)
        if r is None:
            failed.append(v)
            return 1e300
        return r
    # the constrained fits are good to about 1e-10 in the deviance: a tighter tolerance
    # only chases their noise. In d = c - c_hat, the tolerance relative to the first step,
    # never to |c_hat| (a location of 1e12: a relative 1e-9 is 1e3)
    a, b = (inside - c_hat, c - c_hat) if inside < c else (c - c_hat, inside - c_hat)
    root = c_hat + brentq(lambda d: root_f(c_hat + d), a, b, xtol=1e-9 * step, rtol=1e-10, maxiter=100)
    return (None, failed[0]) if failed else (root, root)
