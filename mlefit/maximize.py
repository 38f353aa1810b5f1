"""Newton's method for a smooth objective on an unconstrained vector: the one maximiser
behind the generic likelihood path (and, through it, regression, censoring and priors).

The objective returns its value, gradient, Hessian and the rounding noise of its
gradient. Each iteration solves with the Hessian where it is negative definite, and
otherwise with its eigenvalues reflected and floored (a trust-region-like modified
Newton step), then backtracks until the value rises. Convergence is judged by the
Newton decrement lambda^2 = g' (-H)^-1 g, twice the rise the quadratic model still
promises: it is free of the parameters' units and of the data's offset. It is reached
when lambda^2 falls to the level that rounding in the gradient alone produces, never by
a step size relative to |theta|."""
import math
from dataclasses import dataclass

import numpy as np

from .inference.information import scaled_inverse

EPS = np.finfo(float).eps
FLOOR = 1e-24  # lambda^2 below which nothing is left to gain at any scale


@dataclass(frozen=True)
class Maximum:
    """Where the maximiser stopped, with the gradient and Hessian there."""

    eta: np.ndarray
    value: float
    grad: np.ndarray
    hess: np.ndarray
    iterations: int
    converged: bool
    message: str
    decrement: float  # lambda^2 at eta


@dataclass(frozen=True)
class Point:
    """What an objective returns at eta. noise: the rounding error of each gradient
    component (eps times the sum of the absolute per-row terms)."""

    value: float
    grad: np.ndarray
    hess: np.ndarray
    noise: np.ndarray
    # the finest step of each coordinate beyond eps |eta| (None: none): eps for a log or
    # logit coordinate, whose parameter can move by one unit in its last place, eps * t,
    # even where eta = log t is near 0
    floor: np.ndarray | None = None


def newton_direction(grad, hess):
    """(step, lambda^2, definite): the ascent step -H^-1 g, solved with H scaled to a unit
    diagonal (a covariate measured in 1e-8 units is then no worse conditioned than one in
    units), and with the scaled H's eigenvalues reflected to negative and floored
    relative to the largest where it is not negative definite (definite is then False)."""
    d = np.abs(np.diag(hess))
    d = 1.0 / np.sqrt(np.where((d > 0) & np.isfinite(d), d, 1.0))
    neg = -hess * np.outer(d, d)
    sg = grad * d
    try:
        chol = np.linalg.cholesky(neg)
        step = d * np.linalg.solve(chol.T, np.linalg.solve(chol, sg))
        return step, float(grad @ step), True
    except np.linalg.LinAlgError:
        vals, vecs = np.linalg.eigh(neg)
        top = float(np.max(np.abs(vals))) if vals.size else 0.0
        if not (top > 0 and math.isfinite(top)):
            return grad.copy(), float(grad @ grad), False
        vals = np.maximum(np.abs(vals), 1e-8 * top)
        step = d * (vecs @ ((vecs.T @ sg) / vals))
        return step, float(grad @ step), False


def settled(point, eta, step, lam2, definite):
    """Converged: the Hessian is negative definite and either nothing is left to gain
    (lambda^2 below FLOOR) or each coordinate's step is within what rounding decides:
    the step that the gradient's own rounding noise would cause, and that a change of
    one unit in the last place of any coordinate would (an estimate is only as fine as
    the float that holds it: at mu = 1e13 that is 0.002, and it moves the other
    coordinates' optimum through their covariance). Scale-free: no tolerance relative
    to |theta|."""
    if not definite:
        return False
    if lam2 <= FLOOR:
        return True
    cov = scaled_inverse(-point.hess)
    if cov is None:
        return False
    ulp = EPS * np.abs(eta) if point.floor is None else np.maximum(EPS * np.abs(eta), point.floor)
    # coordinate j held a unit in its last place off its optimum moves coordinate k's by
    # cov_kj / cov_jj of it (the regression of k on j): at most ulp_k for k = j, and no
    # more than that for the others however correlated they are (|cov| |H| ulp, the bound
    # for a gradient taken at a different rounding of theta in each component, grows with
    # the condition number: 1e-6 of the shape for a gamma of shape 1e9, whose per-row
    # derivatives are coherent)
    reach = np.abs(cov) @ point.noise + (np.abs(cov) / np.diag(cov)) @ ulp
    return bool(np.all(np.abs(step) <= 16.0 * reach))


def newton(objective, value, eta0, *, max_iter=200, stop=None):
    """Maximise from eta0. objective(eta) -> Point (value, gradient, Hessian, noise);
    value(eta) -> the value alone (for the line search); stop(eta) -> True ends the
    search there, unconverged. Never raises for a failed search: the Maximum says
    whether it converged and why not."""
    eta = np.asarray(eta0, dtype=np.float64).copy()
    point = objective(eta)
    if not math.isfinite(point.value):
        return _result(eta, point, 0, False, "the log-likelihood is not finite at the start values", math.inf)
    lam2 = math.inf
    unseen = 0  # consecutive steps whose promised rise is below what the value can show
    for it in range(1, max_iter + 1):
        if not (np.all(np.isfinite(point.grad)) and np.all(np.isfinite(point.hess))):
            return _result(eta, point, it - 1, False, "the derivatives are not finite", lam2)
        step, lam2, definite = newton_direction(point.grad, point.hess)
        resolution = 8.0 * EPS * (abs(point.value) + 1.0)
        if settled(point, eta, step, lam2, definite):
            if 0.5 * lam2 <= 64.0 * resolution or not _shown(value, eta + step, point.value, lam2):
                return _result(eta, point, it - 1, True, "", lam2)
            # the step is within the gradient's rounding as bounded (a bound: by column, over
            # every row), yet the value rises as Newton's model says: the gradient was no
            # rounding, and the search goes on
            unseen = 0
            eta = eta + step
            point = objective(eta)
            continue
        if stop is not None and stop(eta):
            return _result(eta, point, it - 1, False, "stopped where the caller asked (an edge)", lam2)
        if definite and 0.5 * lam2 <= resolution:
            # the rise left is below the rounding of the log-likelihood itself: the
            # quadratic model governs; take its step, and twice in a row means the
            # estimate sits at the rounding of the sum (large counts, far offsets)
            unseen += 1
            if unseen >= 2:
                return _result(eta, point, it - 1, True, "", lam2)
            eta = eta + step
            point = objective(eta)
            continue
        unseen = 0
        full = objective(eta + step)  # the full step is taken most often: its derivatives at once
        if math.isfinite(full.value) and full.value >= point.value + 1e-4 * lam2:
            eta, point = eta + step, full
            continue
        trial = backtrack(value, eta, step, point.value, lam2)
        if trial is None:
            return _result(eta, point, it, False,
                           f"the line search found no rise (Newton decrement {lam2:.3g})", lam2)
        eta = trial
        point = objective(eta)
    step, lam2, definite = newton_direction(point.grad, point.hess)
    converged = settled(point, eta, step, lam2, definite)
    return _result(eta, point, max_iter, converged,
                   "" if converged else f"no convergence in {max_iter} iterations (Newton decrement "
                                        f"{lam2:.3g})", lam2)


def _shown(value, trial, start, lam2):
    """Whether the value at `trial` rises above `start` by at least half the lambda^2/2
    Newton's quadratic model promises: a rise that rounding does not make (called only
    where that promise is far above the value's rounding)."""
    v = value(trial)
    return math.isfinite(v) and v - start >= 0.25 * lam2


def backtrack(value, eta, step, start, lam2):
    """The point eta + t step, t = 1/2, 1/4, ..., where value rises enough above `start`
    (Armijo's rule, 1e-4 t lambda^2), or None where no t down to 2^-60 does."""
    t = 0.5
    for _ in range(60):
        trial = eta + t * step
        v = value(trial)
        if math.isfinite(v) and v >= start + 1e-4 * t * lam2:
            return trial
        t *= 0.5
    return None


def _result(eta, point, iterations, converged, message, lam2):
    return Maximum(eta=eta, value=float(point.value), grad=point.grad, hess=point.hess,
                   iterations=iterations, converged=converged, message=message, decrement=lam2)
