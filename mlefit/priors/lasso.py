"""Laplace priors on regression coefficients (lasso, elastic net): the log-posterior is
S(v) - sum_j w_j |v_j - c_j|, S smooth (the log-likelihood and any smooth priors), with a
kink at each c_j where the MAP may sit exactly. It is maximised by proximal Newton, as
glmnet does for GLMs: at v, the quadratic model of S (its gradient and Hessian, as for
every other fit) plus the kinks is maximised exactly by coordinate descent, whose
soft-threshold puts a coefficient exactly at c_j, and the step is taken with a
backtracking line search on the log-posterior itself."""
import math

import numpy as np

from ..maximize import Maximum

SWEEPS = 1000  # coordinate-descent sweeps of one quadratic model
TOL = 1e-13  # relative change of a sweep, and of an outer step, that counts as none


def maximise(objective, vec0, weights, centers, max_iter=100):
    """The Maximum of objective.value (which includes the kinks) from vec0; objective(v)
    -> Point of the smooth part's gradient and Hessian. weights, centers: w_j and c_j per
    coordinate (w_j = 0: no kink)."""
    v = np.asarray(vec0, dtype=float).copy()
    w = np.asarray(weights, dtype=float)
    c = np.asarray(centers, dtype=float)
    point = objective(v)
    value = objective.value(v)
    if not math.isfinite(value):
        return Maximum(v, value, point.grad, point.hess, 0, False, "the log-posterior is not finite at the start", 0.0)
    for it in range(1, max_iter + 1):
        A = positive_definite(-point.hess)
        z = _model_maximum(point.grad, A, v, w, c)
        d = z - v
        size = float(np.max(np.abs(d) / (1.0 + np.abs(v)))) if d.size else 0.0
        if size <= TOL:
            return Maximum(v, value, point.grad, point.hess, it - 1, True, "", 0.0)
        rise = _model_rise(point.grad, A, v, d, w, c)
        t = 1.0
        for _ in range(60):
            trial = z if t == 1.0 else v + t * d  # the full step keeps its exact zeros
            if np.array_equal(trial, v):  # the step rounds to nothing (t rise would pass any test)
                moved = False
                break
            new = objective.value(trial)
            if math.isfinite(new) and new >= value + 1e-4 * t * rise:
                moved = True
                break
            t *= 0.5
        else:
            moved = False
        rounding = rise <= 64.0 * np.finfo(float).eps * (abs(value) + 1.0)  # the rise at the value's rounding
        if not moved:
            if rounding:
                return Maximum(v, value, point.grad, point.hess, it - 1, True, "", 0.0)
            return Maximum(v, value, point.grad, point.hess, it, False, "the line search found no rise", rise)
        if rounding and new <= value:  # the last step: its rise is below what the value can show, and
            point = objective(trial)  # steps of that size could go back and forth for ever
            return Maximum(trial, new, point.grad, point.hess, it, True, "", 0.0)
        v, value = trial, new
        point = objective(v)
    return Maximum(v, value, point.grad, point.hess, max_iter, False,
                   f"no convergence in {max_iter} proximal Newton steps", 0.0)


def positive_definite(A):
    """A itself where it is positive definite; else A with its eigenvalues replaced by their
    absolute values (floored at a small fraction of the largest), so that the quadratic
    model has a maximum and its step rises. Away from the MAP minus the Hessian need not be
    positive definite: for normal regression with sigma free, the cross terms in (b, log
    sigma) make it indefinite wherever the slopes are far from their optimum (the null
    model's start), and coordinate descent on an indefinite model diverges."""
    if A.size == 0:
        return A
    try:
        np.linalg.cholesky(A)
        return A
    except np.linalg.LinAlgError:
        pass
    values, vectors = np.linalg.eigh(0.5 * (A + A.T))
    top = float(np.max(np.abs(values))) or 1.0
    floored = np.maximum(np.abs(values), 1e-8 * top)
    return (vectors * floored) @ vectors.T


def _model_maximum(g, A, v, w, c):
    """The point z = v + d maximising g'd - d'Ad/2 - sum w_j |z_j - c_j| (A positive
    definite: positive_definite), by coordinate descent; a soft-thresholded coordinate is exactly c_j."""
    k = g.size
    z = v.copy()
    Ad = np.zeros(k)  # A (z - v)
    diag = np.diag(A).copy()
    diag[diag <= 0] = 1e-12
    for _ in range(SWEEPS):
        biggest = 0.0
        for j in range(k):
            r = g[j] - Ad[j] + diag[j] * (z[j] - v[j])  # the model's slope in z_j at z_j = v_j
            new = v[j] + r / diag[j]
            if w[j] > 0:
                shrunk = max(abs(new - c[j]) - w[j] / diag[j], 0.0)
                new = c[j] + math.copysign(shrunk, new - c[j]) if shrunk > 0 else c[j]
            if new != z[j]:
                Ad += A[:, j] * (new - z[j])
                biggest = max(biggest, abs(new - z[j]) / (1.0 + abs(v[j])))
                z[j] = new
        if biggest <= TOL:
            break
    return z


def _model_rise(g, A, v, d, w, c):
    """How much the model rises along d: g'd - d'Ad/2 - kinks(v + d) + kinks(v)."""
    kinks = float(np.sum(w * (np.abs(v + d - c) - np.abs(v - c))))
    return float(g @ d - 0.5 * d @ A @ d) - kinks


def on_kink(found, w, c):
    """The covariance at the MAP from the curvature of the log-posterior's smooth part over
    the coordinates off their kinks (NaN rows and columns for those on one: the posterior
    mode sits on a corner, where the Laplace approximation does not apply), or None."""
    from ..inference.information import covariance_from_information
    off = ~((w > 0) & (found.eta == c))
    block = covariance_from_information(-found.hess[np.ix_(off, off)])
    if block is None:
        return None
    cov = np.full(found.hess.shape, np.nan)
    cov[np.ix_(off, off)] = block
    return cov
