"""Profile-likelihood intervals for a regression's coefficients and other parameters:
the values of one coordinate where the log-likelihood, maximised over all the others,
falls chi2_1(level)/2 below its maximum. Each point of the profile is a Newton fit of
the other coordinates (mlefit.maximize.newton) with this one held; the ends are found
on the signed root r(b) = sign(b - b_hat) sqrt(2 (l_hat - l_profile(b))), nearly linear
in b, by the secant method from the Wald ends. An end the profile never reaches (the
likelihood flattens: the estimate is near a boundary) is open (None)."""
import math

import numpy as np

from .inference import z_value
from .maximize import Point, newton

STEPS = 30  # secant steps for one end


def _held(objective, j, value):
    """The objective over every coordinate but j, with j held at value."""
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
    return point, lambda sub: objective.value(full(sub)), full


def profile_loglik(objective, vec_hat, j, value, max_iter=100):
    """(the log-likelihood maximised with coordinate j held at value, the full vector)."""
    point, val, full = _held(objective, j, value)
    found = newton(point, val, np.delete(vec_hat, j), max_iter=max_iter)
    return found.value, full(found.eta), found.converged


def interval(objective, vec_hat, loglik_hat, cov, j, confidence, max_iter=100, log_scale=False):
    """(lower, upper) of coordinate j (on the free scale); None for an open end.
    log_scale: j is a parameter's log or logit, where the first trial stays within 5
    units (an SE of 1e7 in log df at the normal limit would leave the doubles)."""
    z = z_value(confidence)
    se = math.sqrt(cov[j, j]) if cov is not None and cov[j, j] > 0 else abs(vec_hat[j]) * 0.1 + 0.1
    if log_scale:
        se = min(se, 5.0 / z)
    ends = []
    for sign in (-1.0, 1.0):
        ends.append(_end(objective, vec_hat, loglik_hat, j, sign, z, se, max_iter))
    return tuple(ends)


def _root(objective, vec_hat, loglik_hat, j, b, max_iter):
    """r(b), or None where the profile cannot be computed (a parameter run to the edge of
    what the family can evaluate: the end is then open)."""
    try:
        with np.errstate(all="ignore"):
            ll, _, ok = profile_loglik(objective, vec_hat, j, b, max_iter)
    except (ArithmeticError, ValueError):
        return None
    if not ok or not math.isfinite(ll):
        return None
    drop = max(loglik_hat - ll, 0.0)
    return math.copysign(math.sqrt(2.0 * drop), b - vec_hat[j])


def _end(objective, vec_hat, loglik_hat, j, sign, z, se, max_iter):
    """The end on one side: r(b) = sign z, by the secant method from b_hat (r = 0) and the
    Wald end; the step grows while r stays below z, and an end past 1e3 SEs is open."""
    target = sign * z
    b0, r0 = vec_hat[j], 0.0
    b1 = vec_hat[j] + sign * z * se
    r1 = _root(objective, vec_hat, loglik_hat, j, b1, max_iter)
    if r1 is None:
        return None
    for _ in range(STEPS):
        if abs(r1 - target) <= 1e-7 * z:
            return float(b1)
        slope = (r1 - r0) / (b1 - b0) if b1 != b0 else 0.0
        reach = 2.0 * (b1 - vec_hat[j])  # at most double the distance from b_hat in one step
        step = (target - r1) / slope if slope > 0 and math.isfinite(slope) else reach  # r rises with b
        if abs(step) > abs(reach):  # the profile is flat here: reach further out, not at once
            step = reach
        b2 = b1 + step
        if abs(b2 - vec_hat[j]) > 1e3 * z * se:
            return None
        r2 = _root(objective, vec_hat, loglik_hat, j, b2, max_iter)
        for _ in range(30):  # beyond what the family can evaluate: shorten the step
            if r2 is not None:
                break
            step *= 0.5
            b2 = b1 + step
            r2 = _root(objective, vec_hat, loglik_hat, j, b2, max_iter)
        if r2 is None:
            return None
        b0, r0, b1, r1 = b1, r1, b2, r2
    return float(b1) if abs(r1 - target) <= 1e-4 * z else None
