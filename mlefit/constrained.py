"""Fits with some parameters fixed (`--fix name=value`): the free ones maximise the
log-likelihood with the others held, by Brent's method on the unconstrained scale
(one free parameter: every family here has at most two)."""
import math

from .errors import UsageError
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
    return math.log(value) if domain == "positive" else logit(value) if domain == "unit" else value


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
    (i,) = free  # at most two parameters, one of them fixed
    dom = domains[i]

    def nll(u):
        trial = list(theta)
        try:
            trial[i] = _from_free(u, dom)
            value = -fam.loglik(stats, tuple(trial))
        except (ArithmeticError, ValueError):
            return math.inf
        return value if math.isfinite(value) else math.inf

    u0 = _to_free(start[i], dom)
    res = scipy.optimize.minimize_scalar(nll, bracket=(u0 - 0.5, u0 + 0.5), method="brent",
                                         tol=max(controls.tol, 1e-14),
                                         options={"maxiter": controls.max_iter})
    theta[i] = _from_free(float(res.x), dom)
    ok = bool(res.success) and math.isfinite(res.fun)
    return Solution(tuple(theta), f"Brent on {fam.names(stats)[i]} with the others fixed",
                    int(res.nit), ok, "" if ok else f"the free parameter did not converge ({res.message})")
