"""Profile-likelihood intervals: for one parameter, or for a smooth quantity g(theta).

The profile log-likelihood of parameter i at psi is the largest log-likelihood with
theta_i = psi (the user's fixed values held too). The interval at level c is the set
{psi : 2 (l_hat - l_p(psi)) <= q}, q the chi-squared(1) quantile at c. Each end is
bracketed outward from the estimate on the parameter's unconstrained scale (log for
positive, logit for unit) from a Wald-sized step, then found by Brent's root finder
(scalar_search: scipy's steps without importing scipy.optimize).
When the deviance never reaches q before the edge of the parameter space, that end is
the edge and a note says the interval is open there.

For categorical p[label] the profile is binomial: the others keep their proportions.
Exact (non-regular) parameters are never profiled; profile_quantity holds them at
their estimates. Mixtures are refused (UsageError)."""
import math

import numpy as np

from .constrained import _from_free, _to_free, fit_fixed
from .errors import DataError, UsageError
from .inference import z_value
from .scalar_search import find_root, minimize

# how far the search goes from the estimate on the unconstrained scale before a side is
# called open: a factor e^70 ~ 2.5e30 for a positive parameter (student_t marks df at
# infinity by 1e30), p within 2e-16 of 0 or 1 for a unit one, 1e12 scales for a real one
_LOG_REACH = 70.0
_LOGIT_REACH = 36.0
_REAL_REACH = 1e12
_EDGES = {"real": (-math.inf, math.inf), "positive": (0.0, math.inf), "unit": (0.0, 1.0)}
_MAX_STEPS = 60
# constrained fits that may fail beyond the last point found inside the threshold before
# that side is reported open from there (each failing fit of an expensive quantity costs
# seconds: student_t's sd on 10 values hunted for 144 s, then gave no interval at all)
_OPEN_AFTER = 4


def _free_to(u, domain):
    """_from_free that saturates instead of overflowing (an optimiser's wild trial step)."""
    return _from_free(min(u, 709.0) if domain == "positive" else u, domain)


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
    ll, theta = _profile(fitted, index, float(value), start)
    return min(ll, fitted.loglik), theta


def _profile(fitted, index, value, start):
    """profile_loglik unclipped: above fitted.loglik when the fit is a local maximum."""
    if _categorical(fitted.family):  # binomial profile: the others keep their proportions
        counts = np.asarray(fitted.stats.counts, dtype=float)
        rest = fitted.n - counts[index]
        theta = tuple(value if k == index else (1.0 - value) * float(counts[k]) / rest
                      for k in range(counts.size))
        return fitted.loglik_at(theta), theta
    others = [k for k in fitted.free if k != index]
    fam = fitted.family
    if fam.profile is not None and not fitted.fixed and len(others) == 1 and len(fitted.theta) == 2:
        with np.errstate(all="ignore"):  # the other parameter from the family's sums
            ll, theta = fam.profile(fitted.stats, index, float(value), start or fitted.theta, fitted.controls)
        return (ll, theta) if math.isfinite(ll) else (-math.inf, theta)
    # the warm start follows the path; the MLE's values are a second opinion that catches
    # a path stuck on a local maximum (a cauchy's location at small scales)
    starts = [fitted.theta] if start is None else [start, fitted.theta]
    best_l, best_t = -math.inf, None
    for s in starts:
        theta = tuple(value if k == index else float(t) for k, t in enumerate(s))
        if not others:  # nothing else to fit: the likelihood itself
            return fitted.loglik_at(theta), theta
        with np.errstate(all="ignore"):
            try:
                theta = _inner_fit(fitted, theta, index, value, others)
            except (DataError, ArithmeticError, ValueError, RuntimeError):
                continue
        ll = fitted.loglik_at(theta)
        if best_t is None or ll > best_l:
            best_l, best_t = ll, theta
    if best_t is None:
        best_t = tuple(value if k == index else float(t) for k, t in enumerate(fitted.theta))
    return best_l, best_t


def _inner_fit(fitted, theta, index, value, others):
    """theta with the `others` refitted from their values in theta. One is fitted by
    Brent's method from a small bracket (so it stays in the basin it starts in), several
    by constrained.fit_fixed."""
    if len(others) > 1:
        fixed = dict(fitted.fixed)
        fixed[index] = value
        sol = fit_fixed(fitted.family, fitted.stats, fixed, theta, fitted.controls)
        return tuple(float(v) for v in sol.theta)
    j, dom = others[0], fitted.domains[others[0]]
    trial = list(theta)
    # in v = (u - u0)/unit. For a real parameter the unit is its standard error, so that
    # Brent's tolerance (tol |v| + 1e-11) is relative to the data's spread, not to
    # |location|; on the log and logit scales, a hundredth of max(1, |u0|)
    u0 = _to_free(theta[j], dom)
    unit = _free_se(fitted, j) if dom == "real" else math.nan
    if not (unit > 0 and math.isfinite(unit)):
        unit = 1e-2 * max(1.0, abs(u0))

    def nll(v):
        trial[j] = _free_to(u0 + unit * float(v), dom)
        ll = fitted.loglik_at(trial)
        return -ll if math.isfinite(ll) else math.inf

    x, _ = minimize(nll, -0.1, 0.1, tol=1e-12, maxiter=500)
    trial[j] = _free_to(u0 + unit * float(x), dom)
    return tuple(trial)


def _free_se(fitted, index):
    """The standard error of parameter `index` on its unconstrained scale (NaN when the
    covariance has none)."""
    cov, est = fitted.cov, fitted.theta[index]
    var = math.nan
    if cov is not None:
        cov = np.asarray(cov, dtype=float)
        var = float(cov[index] if cov.ndim == 1 else cov[index, index])
    return free_se(var, est, fitted.domains[index])


def free_se(var, est, domain):
    """The standard error on the unconstrained scale of an estimate `est` whose variance
    on its own scale is `var` (NaN when var is none)."""
    se = math.sqrt(var) if math.isfinite(var) and var > 0 else math.nan
    jac = est if domain == "positive" else est * (1.0 - est) if domain == "unit" else 1.0  # dtheta/du
    return se / jac if jac != 0 else math.nan


def _wald_step(fitted, index, u_hat, domain, z):
    return first_step(_free_se(fitted, index), u_hat, domain, z)


def first_step(se, u_hat, domain, z):
    """z standard errors (se on the unconstrained scale) from u_hat: where the deviance is
    near q (for a real parameter at least a few ulp of its estimate, the least it can move)."""
    if math.isfinite(se) and se > 0:
        return max(z * se, 64.0 * math.ulp(u_hat) if domain == "real" else 1e-10 * max(1.0, abs(u_hat)))
    return 0.1 * max(1.0, abs(u_hat)) if domain == "real" else 0.1


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
    step = _wald_step(fitted, index, u_hat, domain, math.sqrt(q))
    path = {u_hat: fitted.theta}  # warm starts: the theta found at each point tried
    above = []  # values where the likelihood rises above the fit's

    def excess(u):
        """deviance - q at u (the unconstrained coordinate)."""
        near = min(path, key=lambda v: abs(v - u))
        ll, theta = _profile(fitted, index, _from_free(u, domain), path[near])
        path[u] = theta
        if ll > fitted.loglik + 1e-9 * max(1.0, abs(fitted.loglik)):
            above.append(_from_free(u, domain))
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


def both_ends(excess, u_hat, step, domain, name, open_note, what="profile"):
    """(ends, notes): the root of excess on each side of u_hat, or the edge of the domain
    where there is none (open_note(sign, edge) says so), and a note where a profile jumps."""
    ends, notes = [], []
    for sign in (-1.0, 1.0):
        with np.errstate(all="ignore"):
            u, jump = _search(excess, u_hat, step, sign, domain, find_root)
        if jump:
            notes.append(f"the {what} of {name} jumps near {_from_free(u, domain):.6g} (the inner fits "
                         f"found different local maxima on either side), so that end is uncertain")
        if u is None:
            edge = _EDGES[domain][0 if sign < 0 else 1]
            ends.append(edge)
            notes.append(open_note(sign, edge))
        else:
            ends.append(_from_free(u, domain))
    return ends, notes


def _search(excess, u_hat, step, sign, domain, brentq):
    """(the root of excess on the side `sign` of u_hat, or None when none lies before
    the edge of the domain; whether the profile jumps there)."""
    if domain == "unit":  # absolute: p within 2e-16 of 0 or 1
        limit = sign * _LOGIT_REACH
        if sign * (limit - u_hat) <= 0:
            return None, False  # the estimate is already at the edge of what can be searched
    else:
        reach = _LOG_REACH if domain == "positive" else _REAL_REACH * max(abs(u_hat), step, 1.0)
        limit = u_hat + sign * reach
    inside, below, h = u_hat, None, step  # below: the excess at inside, once known
    for k in range(_MAX_STEPS):
        u = u_hat + sign * h
        if sign * (u - limit) >= 0:
            u = limit
        above = excess(u)
        if above >= 0:
            if domain != "real":  # log or logit: the scale is its own unit
                a, b = (inside, u) if inside < u else (u, inside)
                root = brentq(excess, a, b, xtol=1e-11, rtol=1e-11, maxiter=200)
                return root, _jumps(excess, root)
            return _real_root(excess, u_hat, (inside, below), (u, above), step, brentq)
        if u == limit:
            return None, False
        inside, below, h = u, above, h * (2.0 if k < 8 else 8.0)
    return None, False


def _real_root(excess, u_hat, inner, outer, step, brentq):
    """(root, jumps) of excess between inner = (u, its excess < 0, or None when not
    known) and outer = (u, its excess >= 0) for a real parameter: found in d = u - u_hat,
    with tolerances relative to the first step (z standard errors), never to |u_hat| (at
    a location of 1e12, a relative 1e-12 is 1). The ends keep the values already found
    (evaluated again an ulp away, from another warm start, an end could change sign)."""
    ends = {inner[0] - u_hat: inner[1], outer[0] - u_hat: outer[1]}

    def f(d):
        known = ends.get(d)
        return known if known is not None else excess(u_hat + d)

    a, b = sorted(ends)
    d = brentq(f, a, b, xtol=1e-11 * step, rtol=1e-11, maxiter=200)
    return u_hat + d, _jumps(excess, u_hat + d)


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
            self.units = [_free_se(fitted, i) for i in self.idx]
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
            theta[i] = _free_to(a + h * float(v), self.domains[i])
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
    for k in range(_MAX_STEPS):
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
        if h > _REAL_REACH * max(1.0, abs(c_hat), step):
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
