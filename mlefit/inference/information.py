"""From the curvature of the log-likelihood to standard errors and intervals.

Intervals are Wald intervals built on the scale where the parameter is unconstrained
(log for positive parameters, logit for probabilities) and mapped back, so they never
leave the parameter space. Estimates on the boundary get exact intervals from the
family, or none, with a note."""
import math
from functools import lru_cache
from statistics import NormalDist

import numpy as np

from ..numerics import expit, logit

# how each parameter domain's interval is built, as reported in the output
INTERVAL_SCALE = {"real": "wald", "positive": "wald, log scale", "unit": "wald, logit scale"}


@lru_cache(maxsize=64)
def z_value(confidence):
    """The normal quantile of a two-sided `confidence` interval, from the lower tail:
    0.5 + confidence/2 rounds to 1 (an infinite quantile) for a confidence within 1e-16
    of 1, while (1 - confidence)/2 is exact there."""
    return -NormalDist().inv_cdf((1.0 - confidence) / 2.0)


def percent(confidence):
    """A confidence level as a percentage with every digit it has: '95%', '99.99999999999%'
    (100 * level to a few significant digits calls 0.99999999999 '100%')."""
    from decimal import Decimal

    level = (Decimal(repr(float(confidence))) * 100).normalize()
    return format(level, "f" if level.adjusted() >= -6 else "g") + "%"


def covariance_from_information(info):
    """The inverse of a symmetric positive-definite information matrix, or None when
    it is singular, not positive definite, or either matrix is not finite (then no
    standard errors exist): a covariance returned is finite throughout."""
    if not (type(info) is np.ndarray and info.ndim == 2 and info.dtype == np.float64):
        info = np.atleast_2d(np.asarray(info, dtype=float))
    if info.shape[0] <= 2:  # in floats: numpy's linear algebra costs more than a small fit
        rows = info.tolist()
        if not all(math.isfinite(v) for row in rows for v in row):
            return None
        inv = inverse_rows(rows)  # checked as lists, one array made: 0.6 us less than an array checked
        return np.array(inv) if inv is not None and all(math.isfinite(v) for row in inv for v in row) else None
    if not np.all(np.isfinite(info)):
        return None
    try:
        chol = np.linalg.cholesky(info)
    except np.linalg.LinAlgError:
        return None
    inv_chol = np.linalg.inv(chol)
    inv = inv_chol.T @ inv_chol
    return inv if np.all(np.isfinite(inv)) else None


def scaled_inverse(m):
    """The inverse of a symmetric positive-definite matrix (symmetrised first), scaled to a
    unit diagonal before it is inverted (parameters of very different sizes), or None when
    it is not finite or not positive definite: the one small-matrix inverse of mlefit."""
    m = np.asarray(m, dtype=float)
    m = 0.5 * (m + m.T)
    d = np.diag(m)
    if not (np.all(np.isfinite(m)) and np.all(d > 0)):
        return None
    s = 1.0 / np.sqrt(d)
    inv = covariance_from_information(m * np.outer(s, s))
    return None if inv is None else inv * np.outer(s, s)


def small_inverse(a):
    """The inverse of a 1 x 1 or 2 x 2 symmetric matrix (lists), or None unless it is
    positive definite (a11 > 0 and, for 2 x 2, a22 - a12^2/a11 > 0, as Cholesky finds)."""
    inv = inverse_rows(a)
    return None if inv is None else np.array(inv)


def inverse_rows(a):
    """small_inverse's rows, as lists of floats (or None): for a caller in floats (a Newton step of two
    parameters), where an array would cost more than the arithmetic."""
    if len(a) == 1:
        return [[1.0 / a[0][0]]] if a[0][0] > 0 else None
    (p, q), (_, r) = a
    if not p > 0:
        return None
    schur = r - q * (q / p)  # Cholesky's second pivot, squared
    if not (schur > 0 and math.isfinite(schur)):
        return None
    # [[p, q], [q, r]]^-1 = [[1/p + q^2/(p^2 s), -q/(p s)], [-q/(p s), 1/s]], s = schur
    off = -(q / p) / schur
    return [[1.0 / p - off * (q / p), off], [off, 1.0 / schur]]


def wald_interval(estimate, se, domain, z):
    """(lower, upper, label) on the domain's natural scale, mapped back."""
    if domain == "positive":
        # estimate * exp(-+half), not exp(log(estimate) -+ half): with a tiny SE the
        # latter can round the lower bound above the estimate
        half = z * se / estimate
        lo = estimate * math.exp(-half) if half < 700.0 else 0.0
        hi = estimate * _exp(half) if half < 700.0 else math.inf
        return min(lo, estimate), max(hi, estimate), INTERVAL_SCALE[domain]
    if domain == "unit":
        centre, half = logit(estimate), z * se / (estimate * (1.0 - estimate))
        return expit(centre - half), expit(centre + half), INTERVAL_SCALE[domain]
    return estimate - z * se, estimate + z * se, INTERVAL_SCALE[domain]


def wald_below(estimate, se, bound, z):
    """(lower, upper, label) for a parameter that must stay below `bound` (a threshold below
    the smallest value): the Wald interval of log(bound - parameter), mapped back."""
    gap = bound - estimate
    half = z * se / gap
    lo = bound - gap * _exp(half)
    hi = bound - gap * math.exp(-half) if half < 700.0 else bound
    return min(lo, estimate), max(hi, estimate), "wald, log(min x - value) scale"


def interval(fam, stats, i, estimate, se, domain, z):
    """The Wald interval of parameter i: wald_below for one the family bounds by the data
    (Family.below), else on its domain's scale (wald_interval)."""
    below = fam.below(stats) if fam.below is not None else {}
    if i in below:
        return wald_below(estimate, se, below[i], z)
    return wald_interval(estimate, se, domain, z)


def _exp(t):
    """exp that saturates to 0 or inf instead of raising."""
    return math.exp(t) if t < 709.0 else math.inf


def numeric_hessian(f, theta, rel_step=2e-3):
    """Hessian of a smooth scalar function by central differences with one Richardson
    extrapolation (error O(h^4)); the step, relative to each coordinate, balances that
    against rounding error (about eps^(1/6))."""
    theta = np.asarray(theta, dtype=float)
    k = theta.size
    base = rel_step * np.maximum(np.abs(theta), 1e-8)

    def at(h):
        hess = np.empty((k, k))
        f0 = f(theta)
        for i in range(k):
            ei = np.zeros(k)
            ei[i] = h[i]
            hess[i, i] = (f(theta + ei) - 2.0 * f0 + f(theta - ei)) / h[i] ** 2
            for j in range(i):
                ej = np.zeros(k)
                ej[j] = h[j]
                hess[i, j] = hess[j, i] = (f(theta + ei + ej) - f(theta + ei - ej)
                                           - f(theta - ei + ej) + f(theta - ei - ej)) / (4 * h[i] * h[j])
        return hess

    return (4.0 * at(base / 2.0) - at(base)) / 3.0


def score_outer(scores, w=None, clusters=None):
    """J of a sandwich covariance H^-1 J H^-1 from per-row scores (n x k): sum_i w_i s_i s_i'
    (w frequency weights: a weight k is k rows), or with clusters sum_c S_c S_c' over the
    clusters' sums S_c of w_i s_i, times G/(G-1) (R's sandwich::vcovCL adjustment)."""
    ws = scores if w is None else scores * np.asarray(w, dtype=np.float64)[:, None]
    if clusters is None:
        return ws.T @ scores
    _, group = np.unique(clusters, return_inverse=True)
    sums = np.zeros((int(group.max()) + 1, scores.shape[1]))
    np.add.at(sums, group, ws)
    g = sums.shape[0]
    return sums.T @ sums * (g / (g - 1.0))
