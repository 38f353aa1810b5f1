"""Derived quantities of a fit by the invariance of the MLE, with delta-method intervals.

The MLE of g(theta) is g(theta_hat). Its standard error is sqrt(grad' V grad), grad the
gradient of g at theta_hat over the regular (estimated, Wald) parameters, by central
differences with one Richardson extrapolation, V their covariance. The interval is built
on the scale where the quantity is unconstrained (log for a positive one, logit for a
probability) and mapped back, so it never leaves the possible range.

Quantities: mean, median, var, sd, quantile:P, sf:X = P(X > x), cdf:X = P(X <= x), or an
expression in the parameter names (mlefit.inference.expression). An expression's scale is decided
over the whole parameter space (mlefit.inference.expression_range), not at the estimate, so
'shape/rate' gets the log-scale interval the gamma mean gets. Distribution functions come from
the family's closed forms (Family.closed: scipy.special, not the slow import of
scipy.stats), else its scipy.stats equivalent; the families without one get their own formulas.
"""
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import expression, expression_range
from ..errors import UsageError, plain
from .information import wald_interval, z_value
from ..losses import shortest

KEYWORDS = "mean, median, var, sd, quantile:P, sf:X, cdf:X"
BOOTSTRAP_ADVICE = "; use --interval bootstrap"  # dropped from a note once a bootstrap interval is there
STEP_NOTE = ("a step function of the parameters (discrete family): no delta-method "
             f"interval{BOOTSTRAP_ADVICE}")
REL_STEP = 1e-3  # central differences + Richardson: error O(h^4) against rounding eps/h
# families whose mean and variance exist only beyond a parameter value:
# family -> (parameter index, its name, needed for the mean, needed for the variance)


@dataclass(frozen=True)
class Quantity:
    """name: the spec, normalised ('quantile:0.99'). function: theta tuple -> float (nan
    where the quantity does not exist). domain: 'real', 'positive' or 'unit', the scale
    of its interval. step: integer-valued in the parameters (a quantile of a discrete
    family), so no delta method applies. note: why it does not exist at the estimate."""

    name: str
    function: Callable
    domain: str
    step: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Derived:
    """A quantity derived from the parameters, with its interval."""

    name: str
    estimate: float | None
    se: float | None
    ci_lower: float | None
    ci_upper: float | None
    interval: str
    note: str | None = None

    def to_dict(self):
        from ..report.result import _clean
        return _clean({"name": self.name, "estimate": self.estimate, "se": self.se,
                       "ci_lower": self.ci_lower, "ci_upper": self.ci_upper,
                       "interval": self.interval, "note": self.note})


def derive(fitted, specs):
    """delta(fitted, quantity(fitted, spec)) for each spec: a tuple of Derived."""
    return tuple(delta(fitted, quantity(fitted, s)) for s in specs)


# ---------------------------------------------------------------- the quantities
def quantity(fitted, spec):
    """The Quantity `spec` names for this fit, or UsageError (one line)."""
    text = str(spec).strip()
    key, _, arg = text.lower().partition(":")
    key = key.strip()
    if key not in ("mean", "median", "var", "sd", "quantile", "sf", "cdf"):
        return _expression(fitted, text)
    fam = fitted.family
    if getattr(fam.spec, "own_support", None) is not None:  # mlefit.own.model: numerical
        from ..own.sampling import Distribution
        dist = Distribution(fam)
    else:
        dist = _Distribution(fam)
    theta = tuple(float(t) for t in fitted.theta)
    if key in ("mean", "median", "var", "sd") and arg:
        raise UsageError(f"'{plain(text, 40)}': {key} takes no ':' value; the named quantities are {KEYWORDS}")
    if key == "quantile":
        p = _number(text, arg, "quantile:P needs a probability strictly between 0 and 1, e.g. quantile:0.99")
        if not 0.0 < p < 1.0:
            raise UsageError(f"'{plain(text, 40)}': the probability of quantile:P must be strictly "
                             f"between 0 and 1, e.g. quantile:0.99")
        name, fn = f"quantile:{shortest(p)}", (lambda t: dist.quantile(t, p))
    elif key in ("sf", "cdf"):
        x = _number(text, arg, f"{key}:X needs a finite number X, e.g. {key}:5")
        name = f"{key}:{shortest(x)}"
        fn = (lambda t: dist.sf(t, x)) if key == "sf" else (lambda t: dist.cdf(t, x))
    elif key == "median":
        name, fn = "median", (lambda t: dist.quantile(t, 0.5))
    else:
        name, fn = key, getattr(dist, key)
    dist.usable(name, fitted.names)
    value = _value(fn, theta)
    note = dist.missing(key, theta)
    if note is None and key in ("mean", "var", "sd") and not math.isfinite(value):
        note = f"the {_moment(key)} of {fam.name} is not finite at the estimate"
    return Quantity(name, fn, _domain(fam, key, value), key in ("median", "quantile") and fam.spec.discrete, note)


def _number(text, arg, need):
    try:
        value = float(arg)
    except ValueError:
        raise UsageError(f"'{plain(text, 40)}': {need}") from None
    if not math.isfinite(value):
        raise UsageError(f"'{plain(text, 40)}': {need}")
    return value


def _moment(key):
    return "mean" if key == "mean" else "variance (and sd)"


def _domain(fam, key, value):
    """The scale of the interval: a value that must be positive or a probability gets
    one that cannot leave that range."""
    if not math.isfinite(value):
        return "real"
    if key in ("sf", "cdf"):
        return "unit" if 0.0 < value < 1.0 else "real"
    if key in ("var", "sd"):
        return "positive" if value > 0.0 else "real"
    support = fam.spec.support
    own = getattr(fam.spec, "own_support", None)  # a user's own model: its --support
    if own is not None:
        support = "unit_open" if own.lo >= 0.0 and own.hi <= 1.0 else "positive" if own.lo >= 0.0 else "real"
    if support in ("unit_open", "binary") and 0.0 < value < 1.0:
        return "unit"
    if support in ("count", "positive", "nonnegative") and value > 0.0:
        return "positive"
    return "real"


def _expression(fitted, text):
    names = fitted.names
    try:
        expr = expression.parse(text, names)
    except UsageError as err:
        raise UsageError(f"{err}; or a named quantity: {KEYWORDS}") from None
    # the scale of the interval: log where every value of the expression over the parameter
    # space is positive, logit where every value is in (0, 1), as for a parameter
    fixed = {names[i]: float(fitted.theta[i]) for i in fitted.fixed}
    domain = expression_range.scale(expr.tree, dict(zip(names, fitted.domains)), fixed)
    return Quantity(text.strip(), lambda t: expr(dict(zip(names, t))), domain)


class _Distribution:
    """mean, var, sd, quantile, sf, cdf of the family at theta; scipy's where the family
    has a scipy.stats equivalent, its own formulas where it does not."""

    def __init__(self, fam):
        self.fam = fam
        self.base = fam.spec.base

    def usable(self, name, names):
        fam = self.fam
        if fam.spec.support == "labels":
            raise UsageError(f"the {fam.name} family has labels, not numbers: {name} is not defined; "
                             f"use an expression in the probabilities, e.g. '{names[0]}/(1 - {names[0]})'")
        if fam.sides:  # trials per row: the rows (successes, trials) are its data
            raise UsageError(f"with a number of trials per row, the {self.base} fit is not one "
                             f"distribution: {name} is not defined; use an expression in the "
                             f"parameters, or one number of trials ({self.base}:N)")

    def missing(self, key, theta):
        """Why the mean or variance does not exist at theta, or None."""
        if key not in ("mean", "var", "sd"):
            return None
        limits = self.fam.moments
        if limits == ():
            return (f"the {_moment(key)} of {self.base} does not exist (its tails are too heavy); "
                    f"use the median (mu) or a quantile")
        if limits:
            i, pname, for_mean, for_var = limits
            need = for_mean if key == "mean" else for_var
            if not theta[i] > need:
                return (f"the {_moment(key)} of {self.base} does not exist for {pname} <= {need} "
                        f"(here {pname} = {theta[i]:.4g}); use the median or a quantile")
        return None

    def _scipy(self, theta):
        return self.fam.scipy(theta) if self.fam.scipy is not None else None

    def _closed(self, name):
        """The family's closed form of `name` (mean, var, cdf, sf, ppf), or None."""
        return (self.fam.closed or {}).get(name)

    def mean(self, theta):
        if self.missing("mean", theta):
            return math.nan
        if self._closed("mean"):
            return self._closed("mean")(theta)
        return float(self._scipy(theta).mean())

    def var(self, theta):
        if self.missing("var", theta):
            return math.nan
        if self._closed("var"):
            return self._closed("var")(theta)
        return float(self._scipy(theta).var())

    def sd(self, theta):
        v = self.var(theta)
        return math.sqrt(v) if v >= 0.0 else math.nan

    def quantile(self, theta, p):
        if self._closed("ppf"):
            return self._closed("ppf")(p, theta)
        return float(self._scipy(theta).ppf(p))

    def sf(self, theta, x):
        if self._closed("sf"):
            return self._closed("sf")(x, theta)
        return float(self._scipy(theta).sf(x))

    def cdf(self, theta, x):
        if self._closed("cdf"):
            return self._closed("cdf")(x, theta)
        if self._scipy(theta) is None:
            return float(self.fam.cdf_values(np.float64(x), theta))
        return float(self._scipy(theta).cdf(x))

# ---------------------------------------------------------------- the delta method
def delta(fitted, q):
    """The estimate of q at the MLE, its delta-method SE and interval at fitted.confidence."""
    theta = tuple(float(t) for t in fitted.theta)
    est = _value(q.function, theta)
    if q.note is not None or not math.isfinite(est):
        note = q.note or f"{q.name} is not finite at the estimate"
        return Derived(q.name, None, None, None, None, "none", note)
    if q.step:
        return Derived(q.name, est, None, None, None, "none", STEP_NOTE)
    names = fitted.names
    exact = [names[i] for i in sorted(fitted.exact)
             if i not in fitted.fixed and _depends(q.function, theta, i, est)]
    only_exact = Derived(q.name, est, None, None, None, "none",
                         f"depends only on {', '.join(exact)}, whose intervals are exact (not Wald "
                         f"ones): no delta-method interval{BOOTSTRAP_ADVICE}")
    if exact and not fitted.regular:
        return only_exact
    notes = []
    if exact:
        notes.append(f"depends on {', '.join(exact)}, whose interval is exact (not a Wald one): "
                     f"treated as known, so the SE leaves out its uncertainty")
    se, why = _se(fitted, q.function, theta)
    if exact and se == 0.0:
        return only_exact
    if se is None:
        return Derived(q.name, est, None, None, None, "none", "; ".join(notes + [why]))
    if se == 0.0:
        notes.append("does not vary with the estimated parameters")
    domain = q.domain
    if (domain == "positive" and not est > 0.0) or (domain == "unit" and not 0.0 < est < 1.0):
        domain = "real"
    lo, hi, label = wald_interval(est, se, domain, z_value(fitted.confidence))
    return Derived(q.name, est, se, lo, hi, label.replace("wald", "delta method"), "; ".join(notes) or None)


def _value(f, theta):
    with np.errstate(all="ignore"):
        try:
            value = float(f(tuple(theta)))
        except (ArithmeticError, ValueError):
            return math.nan
    return value


def _depends(f, theta, i, est):
    """Whether f changes with parameter i (a one-sided nudge, in whichever direction
    stays valid: for the note on exact parameters)."""
    h = 1e-6 * abs(theta[i]) if theta[i] != 0.0 else 1e-6
    for step in (h, -h):
        t = list(theta)
        t[i] += step
        moved = _value(f, t)
        if math.isfinite(moved):
            return abs(moved - est) > 1e-12 * max(abs(est), 1e-300)
    return False


def _se(fitted, f, theta):
    """(se, None) or (None, why not)."""
    regular = list(fitted.regular)
    cov = fitted.cov
    if not regular:
        return None, "no estimated parameter has a Wald standard error: no delta-method interval"
    if cov is None:
        return None, "no standard errors: the information matrix could not be inverted"
    cov = np.asarray(cov, dtype=np.float64)
    if cov.ndim == 1:  # variances alone (categorical)
        scale = np.sqrt(np.abs(cov[regular]))
    else:
        scale = np.sqrt(np.abs(np.diag(cov)[regular]))
    grad = _gradient(f, theta, regular, scale, [fitted.domains[i] for i in regular])
    if not np.all(np.isfinite(grad)):
        return None, "the quantity is not finite or not smooth near the estimate: no delta-method SE"
    if cov.ndim == 1:
        used = [j for j, g in enumerate(grad) if g != 0.0]
        if len(used) > 1:
            return None, ("the fit gives variances without covariances: a delta-method SE only "
                          "for a quantity of one probability")
        var = sum(grad[j] ** 2 * cov[regular[j]] for j in used)
    else:
        v = cov[np.ix_(regular, regular)]
        if not np.all(np.isfinite(v)):
            return None, "no standard errors: the covariance is not finite"
        var = float(grad @ v @ grad)
    return (math.sqrt(max(var, 0.0)), None) if math.isfinite(var) else (None, "no finite SE")


def _gradient(f, theta, idx, scale, domains):
    """Central differences with one Richardson extrapolation, (4 D(h/2) - D(h)) / 3,
    the step relative to the parameter (or its SE, for a value near 0) and kept inside
    its domain; for a real parameter (a location) relative to its SE alone, never to
    its size (at 1e9 a step of 1e-3 |mu| is 1e6, far beyond the curvature of a cdf), and
    at least a few ulp of it. Where the difference is lost in the rounding of f itself
    (a quantity far from 0: a quantile at 1e13 moves by less than its ulp), the step
    grows tenfold, up to the parameter's SE, until the difference is 1e4 ulp of f."""
    base = np.asarray(theta, dtype=np.float64)
    grad = np.empty(len(idx))
    for j, i in enumerate(idx):
        se = float(scale[j]) if np.isfinite(scale[j]) else 0.0
        if domains[j] == "real" and se > 0.0:
            h = max(REL_STEP * se, 32.0 * math.ulp(base[i]))
        else:
            h = REL_STEP * max(abs(base[i]), se, 1e-300)
        cap = max(h, se)
        if domains[j] == "positive":
            h, cap = min(h, 0.25 * base[i]), min(cap, 0.25 * base[i])
        elif domains[j] == "unit":
            h, cap = (min(v, 0.25 * base[i], 0.25 * (1.0 - base[i])) for v in (h, cap))
        if not h > 0.0:
            grad[j] = math.nan
            continue
        whole, moved, size = _difference(f, base, i, h)
        while moved < ROUNDED_ULPS * math.ulp(size) and 10.0 * h <= cap:
            h *= 10.0
            whole, moved, size = _difference(f, base, i, h)
        grad[j] = (4.0 * _difference(f, base, i, 0.5 * h)[0] - whole) / 3.0
    return grad


ROUNDED_ULPS = 1e4  # a difference of f below this many of its ulp is mostly rounding


def _difference(f, base, i, step):
    """((f(theta + step e_i) - f(theta - step e_i)) / (the step actually taken, twice),
    |that difference of f|, the larger |f| of the two)."""
    up, down = base.copy(), base.copy()
    up[i] += step
    down[i] -= step
    fu, fd = _value(f, up), _value(f, down)
    return (fu - fd) / (up[i] - down[i]), abs(fu - fd), max(abs(fu), abs(fd))
