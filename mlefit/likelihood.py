"""The generic likelihood path: sum_i w_i log f(y_i | theta), maximised over theta on its
unconstrained scale with the family's per-row derivatives (mlefit.maximize.newton).

Weights are applied here, once. The families' closed forms and sufficient-statistics
Newton iterations (families.get(name).estimate) are shortcuts of this path for the plain
case; tests/test_density.py checks that both reach the same estimate and log-likelihood
for every family."""
import math
from dataclasses import dataclass, field, replace

import numpy as np

from .families.rowwise import chain, from_free, to_free
from .maximize import EPS, Point, newton


@dataclass(frozen=True)
class RowFit:
    """What the generic per-row estimator found."""

    theta: tuple
    loglik: float
    information: np.ndarray | None  # observed, on theta's own scale, free parameters only
    free: tuple  # indices of the parameters estimated (not fixed, not a sample extreme)
    iterations: int
    converged: bool
    message: str
    method: str
    # {index: edge}: parameters whose maximum is on the edge of their space (a ZIP's pi = 0,
    # a binomial p = 0 or 1), held there exactly (not free): what the family's boundary
    # verdict (Family.boundary) reads, as from its fast path
    edges: dict = field(default_factory=dict)


def total(values, w, n):
    """sum_i w_i v_i, where v may be a scalar shared by all n rows. A row of weight 0 adds
    nothing, even where its term is infinite or NaN (a value outside the support): the
    product is taken again with those terms set to 0 only when the sum is NaN."""
    if np.ndim(values) == 0:
        return float(values) * (n if w is None else float(np.sum(w)))
    if w is None:
        return float(np.sum(values))
    out = float(np.dot(w, values))
    if out != out:
        out = float(np.dot(w, np.where(np.asarray(w) == 0, 0.0, values)))
    return out


TALLIED = 1 << 16  # whole-number responses below this are summed by value (summed_by_value)


def summed_by_value(fn, y, w):
    """sum_i w_i fn(y_i) (as total), with fn taken once per distinct value where y holds
    whole numbers in [0, TALLIED) and there are at least four rows per value up to the
    largest: counts' log y! over 1e6 rows is 25 ms, over their few dozen values nothing;
    the sum then differs only by rounding."""
    y = np.asarray(y)
    if y.size < 1024 or y.dtype.kind != "f":
        return total(fn(y), w, y.size)
    low, high = float(np.min(y)), float(np.max(y))
    if not (low >= 0 and high < min(TALLIED, y.size / 4)):  # NaN fails too
        return total(fn(y), w, y.size)
    k = y.astype(np.intp)
    if not np.array_equal(k, y):
        return total(fn(y), w, y.size)
    counts = np.bincount(k, weights=w)
    used = np.flatnonzero(counts)
    return total(fn(used.astype(np.float64)), counts[used], used.size)


def saturated_loglik(dens, y, w):
    """sum_i w_i log f(y_i | mean y_i) for a family whose one parameter is its mean
    (poisson): the saturated model's log-likelihood, a count of 0 giving 0, by value
    (summed_by_value). The family's log-mass keeps its digits at large counts (Stirling's
    form), where y log y - y - log y! would cancel terms near y log y."""
    with np.errstate(all="ignore"):
        return summed_by_value(lambda v: np.where(v == 0, 0.0, dens.logpdf(v, v)), y, w)


def loglik(dens, y, theta, w=None, shapes=()):
    with np.errstate(all="ignore"):
        return total(dens.logpdf(y, *theta, *shapes), w, np.size(y))


def sums(dens, y, theta, w=None, shapes=()):
    """(loglik, gradient, Hessian, gradient noise) summed over rows, on theta's scale."""
    n = np.size(y)
    with np.errstate(all="ignore"):
        ll, score, hess = dens.derivs(y, *theta, *shapes)
        value = total(ll, w, n)
        grad = np.array([total(s, w, n) for s in score])
        noise = np.array([EPS * total(np.abs(s), None if w is None else np.abs(w), n) for s in score])
        h = np.array([[total(hjk, w, n) for hjk in row] for row in hess])
    return value, grad, h, noise


def fit_rows(dens, y, w=None, shapes=(), fixed=None, start=None, max_iter=200):
    """The MLE of theta for rows y (weights w) by the generic path. fixed: {index: value}
    held fixed; a support bound (dens.extreme) is held at its MLE, the sample extreme."""
    y = np.asarray(y, dtype=np.float64)
    fixed = dict(fixed or {})
    held = {i: float(f(y, w)) for i, f in dens.extreme.items() if i not in fixed}
    theta0 = list(start if start is not None else dens.start(y, w, *shapes))
    return maximize_sum(dens, lambda theta: loglik(dens, y, theta, w, shapes),
                        lambda theta: sums(dens, y, theta, w, shapes), theta0, fixed, held, max_iter)


def maximize_sum(dens, value_at, sums_at, theta0, fixed, held, max_iter=200, stop=None):
    """Maximise a sum of per-row terms of the family `dens` over its parameters not fixed
    nor held, from theta0. value_at(theta) -> the sum; sums_at(theta) -> (sum, gradient,
    Hessian, gradient noise) on theta's scale (likelihood.sums' shape). fixed, held:
    {index: value}, held ones being support bounds at their MLE (said in the method).
    stop(theta) -> True ends the run there, unconverged (a run heading for an edge)."""
    fixed = {**dict(fixed or {}), **held}
    theta0 = list(theta0)
    sums_at = _last_kept(sums_at)  # the estimate's sums, taken by the last iteration, are not taken again
    for i, v in fixed.items():
        theta0[i] = v
    free = tuple(i for i in range(dens.k) if i not in fixed)
    domains = tuple(dens.domains[i] for i in free)

    def full(eta):
        theta = list(theta0)
        for i, t in zip(free, from_free(eta, domains)):
            theta[i] = t
        return theta

    def value(eta):
        try:
            with np.errstate(all="ignore"):
                v = value_at(full(eta))
        except (ArithmeticError, ValueError):
            return -math.inf
        return v if math.isfinite(v) else -math.inf

    what = "held at the sample extreme" if held else ""
    if not free:
        theta = full(np.empty(0))
        return RowFit(tuple(theta), value_at(theta), None, (), 0, True, "",
                      "generic: every parameter fixed" + (f" or {what}" if what else ""))
    eta0 = to_free([theta0[i] for i in free], domains)
    if dens.derivs is None or not dens.smooth:
        return _derivative_free(value_at, full, value, eta0, free, dens.smooth, max_iter)

    floor = np.array([0.0 if d == "real" else EPS for d in domains])
    sub = list(free)

    def objective(eta):
        theta = full(eta)
        v, g, h, noise = sums_at(theta)
        t_free = [theta[i] for i in free]
        ge, he = chain(t_free, domains, g[sub], h[np.ix_(sub, sub)])
        ne, _ = chain(t_free, domains, noise[sub], np.zeros_like(he))
        return Point(v if math.isfinite(v) else -math.inf, ge, he, np.abs(ne), floor)

    found = newton(objective, value, eta0, max_iter=max_iter,
                   stop=None if stop is None else (lambda eta: stop(full(eta))))
    theta = full(found.eta)
    edges = _on_edges(dens, sums_at, theta, free, found.value)
    if edges:  # the others maximised with those held on their edge
        found_edge = maximize_sum(dens, value_at, sums_at, theta, {**{i: v for i, v in fixed.items()
                                                                     if i not in held}, **edges},
                                  held, max_iter, stop)
        names = ", ".join(f"{dens.params[i]} = {v:g}" for i, v in edges.items())
        return replace(found_edge, edges={**found_edge.edges, **edges},
                       method=f"{found_edge.method}; {names}: the maximum is on the edge of the parameter space")
    v, g, h, _ = sums_at(theta)
    info = -h[np.ix_(sub, sub)]
    method = "generic: Newton on the unconstrained scale with analytic derivatives"
    if held:
        names = ", ".join(dens.params[i] for i in held)
        method += f"; {names} {what}"
    return RowFit(tuple(theta), v, info, free, found.iterations, found.converged, found.message, method)


EDGE_NEAR = 1e-12  # a unit or positive parameter this near its edge 0 (or 1) is checked for a maximum there


def _on_edges(dens, sums_at, theta, free, top):
    """{index: edge} for the free unit or positive parameters that Newton ran to an edge
    of their space (within EDGE_NEAR of 0 or 1: on the log or logit scale it can only
    approach it) where the maximum is on that edge: the log-likelihood is finite there
    and its derivative in the parameter points out of the space (beyond the gradient's
    rounding), the first-order condition for a maximum on a bound; where the derivative
    is not finite on the edge (a bernoulli's y/p at p = 0), the edge's log-likelihood is
    at least Newton's last `top` (to rounding). Only then is a pass taken at the edge: an
    interior fit pays nothing."""
    out = {}
    for i in free:
        dom, t = dens.domains[i], float(theta[i])
        edge = 0.0 if (dom in ("positive", "unit") and t < EDGE_NEAR) else \
            1.0 if dom == "unit" and 1.0 - t < EDGE_NEAR else None
        if edge is None:
            continue
        at = list(theta)
        at[i] = edge
        try:
            with np.errstate(all="ignore"):
                v, g, _, noise = sums_at(at)
        except (ArithmeticError, ValueError):
            continue
        slope = float(g[i]) if edge == 0.0 else -float(g[i])  # into the space
        if not math.isfinite(v):
            continue
        if slope <= float(noise[i]) if math.isfinite(slope) else v >= top - 4.0 * EPS * max(1.0, abs(top)):
            out[i] = edge
    return out


def solve(dens, value_at, sums_at, start, max_iter, how, stop=None):
    """maximize_sum from `start` as the Solution a Family's estimate returns (with the
    log-likelihood and observed information of its last step): the estimate of every
    Family built on a per-row Density (censored rows, a user's own model)."""
    from .families.base import Solution

    found = maximize_sum(dens, value_at, sums_at, start, {}, {}, max_iter, stop)
    if found.edges:
        how += "; " + ", ".join(f"{dens.params[i]} = {v:g}" for i, v in found.edges.items()) + \
            ": the maximum is on the edge of the parameter space"
    return Solution(tuple(found.theta), how, found.iterations, found.converged, found.message,
                    at=(found.loglik, None if found.edges else found.information))  # the family's own, over all


def fixed_fits(dens, value_at, sums_at):
    """(given, profile): a Family's hooks for --fix and profile intervals (families.base)
    when it is built on the per-row Density `dens`: the same Newton on the parameters not
    fixed. value_at(stats, theta), sums_at(stats, theta): the Family's sum and sums."""
    from .families.base import Solution

    def given(s, fixed, start, controls):
        found = maximize_sum(dens, lambda t: value_at(s, t), lambda t: sums_at(s, t), start, fixed, {},
                             controls.max_iter)
        names = ", ".join(dens.params[i] for i in found.free)
        return Solution(tuple(found.theta), f"Newton on {names} with the others fixed", found.iterations,
                        found.converged, found.message)

    def profile(s, index, value, start, controls):
        sol = given(s, {index: value}, start, controls)
        return (value_at(s, sol.theta) if sol.converged else -math.inf), sol.theta

    return given, profile


def _last_kept(fn):
    """fn(theta) with its last result kept for the same theta."""
    last = [None, None]

    def kept(theta):
        key = tuple(float(t) for t in theta)
        if last[0] != key:
            last[0], last[1] = key, fn(theta)
        return last[1]
    return kept


def _derivative_free(value_at, full, value, eta0, free, smooth, max_iter):
    """Families without a second derivative (a kink in the log-likelihood: laplace's mu)
    or without analytic derivatives: Nelder-Mead, or L-BFGS on numeric gradients."""
    from scipy.optimize import minimize

    def nll(eta):
        v = value(eta)
        return -v if math.isfinite(v) else 1e300

    if smooth:
        out = minimize(nll, eta0, method="L-BFGS-B", options={"maxiter": 50 * max_iter, "ftol": 1e-15, "gtol": 1e-10})
        how = "generic: L-BFGS on numeric gradients (no analytic derivatives)"
    else:
        # stop at the rounding of the log-likelihood (1e-13 absolute never came at a value
        # near -700), with steps below 1e-10 of eta's size
        f0 = abs(nll(eta0)) + 1.0
        out = minimize(nll, eta0, method="Nelder-Mead",
                       options={"maxiter": 200 * max_iter, "xatol": 1e-10 * max(1.0, float(np.max(np.abs(eta0)))),
                                "fatol": 64.0 * np.finfo(float).eps * f0, "adaptive": True})
        how = "generic: Nelder-Mead (the log-likelihood has a kink)"
    theta = full(out.x)
    return RowFit(tuple(theta), value_at(theta), None, tuple(free), int(out.nit),
                  bool(out.success), "" if out.success else str(out.message), how)
