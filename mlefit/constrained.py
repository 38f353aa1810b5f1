"""Fits with some parameters fixed (`--fix name=value`): the free ones maximise the
log-likelihood with the others held, on their unconstrained scale: Brent's method for
one free parameter, BFGS for several (student_t with df fixed). student_t with mu or
sigma fixed uses its own Newton fit in 1/df (see _own_fit)."""
import math

import numpy as np

from .errors import DataError, UsageError
from .families.base import Solution
from .numerics import expit, logit


def parse_fixed(fam, fix, stats):
    """{parameter index: value} from {name: value}, each checked against its domain."""
    if fam.param_names is not None:
        raise UsageError(f"the {fam.name} family's parameters cannot be fixed")
    names, domains = fam.names(stats), fam.domains(stats)
    out = {}
    for name, value in fix.items():
        if name not in names:
            raise UsageError(f"{fam.name} has no parameter '{name}'; its parameters are: {', '.join(names)}")
        i = names.index(name)
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise UsageError(f"--fix {name}= needs a number (got '{value}')") from None
        ok = {"real": math.isfinite(value), "positive": 0 < value < math.inf, "unit": 0 < value < 1}[domains[i]]
        if not ok:
            raise UsageError(f"{name} = {value:g} is outside its domain ({domains[i]})")
        out[i] = value
    return out


def _to_free(value, domain):
    """The unconstrained coordinate; a start on the edge of the domain (a ZIP pi of 0)
    is moved just inside it."""
    if domain == "positive":
        return math.log(max(value, 1e-300))
    if domain == "unit":
        return logit(min(max(value, 1e-12), 1.0 - 1e-12))
    return value


def _from_free(u, domain):
    return math.exp(u) if domain == "positive" else expit(u) if domain == "unit" else u


def fit_fixed(fam, stats, fixed, start, controls):
    """Maximise the log-likelihood over the parameters not in `fixed`, from `start` (the
    unconstrained MLE). Returns a Solution with the full parameter vector."""
    domains = fam.domains(stats)
    theta = [fixed.get(i, t) for i, t in enumerate(start)]
    free = [i for i in range(len(theta)) if i not in fixed]
    if not free:
        return Solution(tuple(theta), "all parameters fixed", 0, True)
    if fam.conditional is not None:
        given, _ = fam.conditional(stats, fixed, 0.95)
        if not math.isfinite(fam.loglik(stats, given)):
            raise _infeasible(fam, fam.names(stats), fixed)
        return Solution(given, "closed form given the fixed values", 0, True)
    own = _own_fit(fam, fixed)
    if own is not None:
        sol = own(stats, fixed, start, controls)
        if not math.isfinite(fam.loglik(stats, sol.theta)):
            raise _infeasible(fam, fam.names(stats), fixed)
        return sol

    # the free coordinates as v = (u - u0)/unit, the unit a standard error (below): every
    # tolerance of the optimisers (Brent's tol |v| + 1e-11, BFGS's gradient) is then
    # relative to the data's spread, not to |location| (at 1e12 a relative 1e-12 is 1)
    u0 = [_to_free(start[i], domains[i]) for i in free]
    units = _units(fam, stats, start, free, domains)
    # finite differences of at least a few ulp of each coordinate: a smaller step leaves
    # a location far from 0 where it is (at 1e12, BFGS's 1.5e-8 saw a zero gradient)
    steps = [max(CONFIRM_H, 8.0 * math.ulp(a) / h) for a, h in zip(u0, units)]

    def nll(v):
        trial = list(theta)
        try:
            for i, a, h, d in zip(free, u0, units, v):
                trial[i] = _from_free(a + h * float(d), domains[i])
            value = -fam.loglik(stats, tuple(trial))
        except (ArithmeticError, ValueError):
            return math.inf
        return value if math.isfinite(value) else math.inf

    import scipy.optimize

    names = fam.names(stats)
    if len(free) == 1:
        res = scipy.optimize.minimize_scalar(lambda v: nll([v]), bracket=(-0.5, 0.5),
                                             method="brent", tol=max(controls.tol, 1e-14),
                                             options={"maxiter": controls.max_iter})
        best, how = [float(res.x)], f"Brent on {names[free[0]]} with the others fixed"
    else:
        res = scipy.optimize.minimize(nll, np.zeros(len(free)), method="BFGS",
                                      jac=lambda v: _gradient(nll, v, [min(h, 1e-6) if h == CONFIRM_H else h
                                                                       for h in steps]),
                                      options={"gtol": 1e-8, "maxiter": 50 * controls.max_iter})
        best = [float(v) for v in res.x]
        how = f"BFGS on {', '.join(names[i] for i in free)} with the others fixed"
    if not math.isfinite(res.fun):
        raise _infeasible(fam, names, fixed)
    ok = bool(res.success) and math.isfinite(res.fun)
    if not ok and len(free) > 1 and math.isfinite(res.fun):
        # BFGS stops with "precision loss" at an optimum whose finite-difference gradient
        # is rounding noise: accept when the gradient is that small
        ok = bool(np.max(np.abs(res.jac)) <= 1e-6 * max(1.0, abs(res.fun)))
    message = "" if ok else f"the free parameters did not converge ({res.message})"
    if ok:  # confirmed by the score, after a few Newton steps where it is not zero yet
        value = float(res.fun)
        for polish in range(POLISH + 1):
            far, move = _newton_distance(nll, best, value, steps)
            if far <= CONFIRM_STEP or polish == POLISH:
                break
            for k, d in enumerate(move):  # one coordinate at a time, each kept if not downhill
                trial = list(best)
                trial[k] -= d
                f = nll(trial) if d != 0.0 else math.inf
                if f <= value:
                    best, value = trial, f
        if far > CONFIRM_STEP:
            ok, message = False, (f"the score is not zero at the estimate: a Newton step would move "
                                  f"it {far:.3g} standard errors")
    for i, a, h, v in zip(free, u0, units, best):
        theta[i] = _from_free(a + h * v, domains[i])
    return Solution(tuple(theta), how, int(res.nit), ok, message)


CONFIRM_STEP = 1e-3  # the largest Newton step (in standard errors) a converged fit leaves
CONFIRM_H = 1e-3  # the finite-difference step of that check, in standard errors
POLISH = 3  # Newton steps (each coordinate on its own) taken where the check finds one needed


def _units(fam, stats, start, free, domains):
    """The unit of each free coordinate on its unconstrained scale: its standard error at
    `start` given the others (1/sqrt of its diagonal entry of the information there, in
    that scale), so a step of 1 is one standard error whatever the location; 1 where the
    information has none (or the family no observed information)."""
    units = [1.0] * len(free)
    try:
        info = np.atleast_2d(np.asarray(fam.observed_information(stats, tuple(start)), dtype=np.float64))
    except (ArithmeticError, ValueError, TypeError, IndexError, np.linalg.LinAlgError):
        return units
    for k, i in enumerate(free):
        if i >= info.shape[0] or i >= info.shape[1]:
            continue
        t, dom = float(start[i]), domains[i]
        jac = t if dom == "positive" else t * (1.0 - t) if dom == "unit" else 1.0  # dtheta/du
        var = float(info[i, i]) * jac * jac
        if math.isfinite(var) and var > 0 and math.isfinite(1.0 / math.sqrt(var)):
            units[k] = 1.0 / math.sqrt(var)
    return units


def _gradient(f, v, steps):
    """The gradient of f at v by central differences of `steps`."""
    out = np.empty(len(v))
    for k, h in enumerate(steps):
        up, down = np.array(v, dtype=np.float64), np.array(v, dtype=np.float64)
        up[k] += h
        down[k] -= h
        out[k] = (f(up) - f(down)) / (2.0 * h)
    return out


def _newton_distance(nll, v, value, steps):
    """The length (in the coordinates v: standard errors) of the Newton step each free
    coordinate takes from v on its own, by central differences of `steps`: the score at
    v confirms the optimiser's stop (0 where the curvature is not positive: nothing to
    confirm). Returns (that length, the steps). A step is measured against the largest of CONFIRM_STEP and its difference
    step (which cannot resolve less: a location a few ulp wide), so it is divided by
    max(1, h / CONFIRM_STEP)."""
    far, move = 0.0, [0.0] * len(v)
    for k, h in enumerate(steps):
        up, down = list(v), list(v)
        up[k] += h
        down[k] -= h
        fu, fd = nll(up), nll(down)
        curve = (fu - 2.0 * value + fd) / h ** 2
        if math.isfinite(fu) and math.isfinite(fd) and curve > 0:
            move[k] = (fu - fd) / (2.0 * h) / curve
            far = max(far, abs(move[k]) / max(1.0, h / CONFIRM_STEP))
    return far, move


def _own_fit(fam, fixed):
    """The family's own estimator given the fixed values, where the generic one below
    would fail: a family whose parameter free to reach its limit leaves the likelihood flat
    there (student_t's df, on the log df scale, at the normal limit df = 1e30: BFGS started
    there never leaves it even where a finite df is higher), by its limit's own fit
    (student_t.fit_given works in 1/df, smooth at the limit)."""
    if fam.given is not None:
        return fam.given
    if fam.limit is not None and fam.limit.given is not None and fam.limit.index not in fixed:
        return fam.limit.given
    if fam.profile is not None and len(fixed) == 1 and len(fam.spec.params) == 2:
        return _by_profile(fam)
    return None


def _by_profile(fam):
    """fit_fixed for a two-parameter family with one held, by the family's profile
    (weibull: the scale's closed form given the shape, the shape's equation given the
    scale, on sums of the data)."""
    def fit(stats, fixed, start, controls):
        ((index, value),) = fixed.items()
        with np.errstate(all="ignore"):
            ll, theta = fam.profile(stats, index, float(value), start, controls)
        other = fam.spec.params[1 - index].name
        return Solution(tuple(float(t) for t in theta), f"{other} maximised given the fixed value, from sums",
                        0, math.isfinite(ll))
    return fit


def _infeasible(fam, names, fixed):
    held = ", ".join(f"{names[i]} = {v:g}" for i, v in sorted(fixed.items()))
    return DataError(f"with {held} fixed, the data have zero likelihood under {fam.name} "
                     f"(some values fall outside the support those values allow, or so far out that "
                     f"their density is 0 in double precision); choose values the data allow")
