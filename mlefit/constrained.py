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
    import scipy.optimize

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

    def nll(u):
        trial = list(theta)
        try:
            for i, v in zip(free, u):
                trial[i] = _from_free(float(v), domains[i])
            value = -fam.loglik(stats, tuple(trial))
        except (ArithmeticError, ValueError):
            return math.inf
        return value if math.isfinite(value) else math.inf

    u0 = [_to_free(start[i], domains[i]) for i in free]
    names = fam.names(stats)
    if len(free) == 1:
        res = scipy.optimize.minimize_scalar(lambda u: nll([u]), bracket=(u0[0] - 0.5, u0[0] + 0.5),
                                             method="brent", tol=max(controls.tol, 1e-14),
                                             options={"maxiter": controls.max_iter})
        best, how = [float(res.x)], f"Brent on {names[free[0]]} with the others fixed"
    else:
        res = scipy.optimize.minimize(nll, u0, method="BFGS",
                                      options={"gtol": 1e-8, "maxiter": 50 * controls.max_iter})
        best = [float(v) for v in res.x]
        how = f"BFGS on {', '.join(names[i] for i in free)} with the others fixed"
    if not math.isfinite(res.fun):
        raise _infeasible(fam, names, fixed)
    for i, v in zip(free, best):
        theta[i] = _from_free(v, domains[i])
    ok = bool(res.success) and math.isfinite(res.fun)
    if not ok and len(free) > 1 and math.isfinite(res.fun):
        # BFGS stops with "precision loss" at an optimum whose finite-difference gradient
        # is rounding noise: accept when the gradient is that small
        ok = bool(np.max(np.abs(res.jac)) <= 1e-6 * max(1.0, abs(res.fun)))
    return Solution(tuple(theta), how, int(res.nit), ok,
                    "" if ok else f"the free parameters did not converge ({res.message})")


def _own_fit(fam, fixed):
    """The family's own estimator given the fixed values, where the generic one below
    would fail: student_t with df free, since on the log df scale the likelihood is flat
    at the normal limit (df = 1e30), so BFGS started there never leaves it even where a
    finite df is higher. Its fit works in 1/df, smooth at the limit (student_t.fit_given)."""
    if fam.name == "student_t" and 2 not in fixed:
        from .families.student_t import fit_given
        return fit_given
    return None


def _infeasible(fam, names, fixed):
    held = ", ".join(f"{names[i]} = {v:g}" for i, v in sorted(fixed.items()))
    return DataError(f"with {held} fixed, the data have zero likelihood under {fam.name} "
                     f"(some values fall outside the support those values allow, or so far out that "
                     f"their density is 0 in double precision); choose values the data allow")
