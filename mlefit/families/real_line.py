"""Location-scale families on the whole real line: student_t (in student_t.py),
logistic, cauchy and gumbel (maxima). Each is f0((x - mu)/sigma)/sigma for a standard
log-density l = log f0 given with its derivatives; the shared sums, the observed
information and the Newton maximiser are in locscale.py.

- logistic(mu, s): Newton on the two score equations in (mu, log s) from the median
  and the half interquartile range / log 3; the log-likelihood is concave in
  (mu/s, 1/s), so the maximum is unique.
- cauchy(mu, sigma): safeguarded Newton in (mu, log sigma) from the median and half the
  interquartile range. In mu alone the likelihood can have several modes, but jointly
  in (mu, sigma) it has a single stationary point, the maximum (Copas 1975, Biometrika
  62: 701-704), so an uphill Newton iteration finds the global maximum. It does not
  exist when one value carries half the weight or more (the supremum is approached as
  sigma -> 0 there), nor for two distinct values.
- gumbel(mu, beta): beta solves the profile equation
  beta = mean(x) - sum x e^{-x/beta} / sum e^{-x/beta}, increasing in beta (its
  derivative is 1 + weighted var(x)/beta^2), by bracketed Newton in log beta with the
  exponentials shifted by min(x), from the moments fit (beta = sd sqrt(6)/pi,
  mu = mean - Euler's gamma beta; values in chunks: from the root on their sample); then
  mu = -beta log(mean e^{-x/beta}) in closed form, and the log-likelihood and information
  from the power sums at the root (no pass for them).

All four fit a file chunk by chunk (Family.chunked_stats, locscale.chunked): every sum
is a pass over the chunks, and the start values come from their sample.
"""
import math

import numpy as np

from .. import numerics as nm
from . import locscale as ls
from .base import Family, Solution, scipy_special, scipy_stats
from .catalog import BY_NAME
from .student_t import STUDENT_T

EULER_GAMMA = 0.57721566490153286061
LOG_PI = math.log(math.pi)
LOG_4 = math.log(4.0)


def _family(name, parts, estimate, expected, scipy, cdf, sample, check=None, min_n=2):
    return Family(
        spec=BY_NAME[name], stats=ls.stats, chunked_stats=ls.chunked, estimate=estimate,
        loglik=lambda s, t: ls.sums(parts, s.data, s.n, t[0], t[1], False),
        logpdf=lambda x, t: parts((x - t[0]) / t[1], 0)[0] - math.log(t[1]),
        observed_information=lambda s, t: ls.observed(parts, s, t),
        expected_information=lambda s, t: s.n / t[1] ** 2 * np.asarray(expected),
        scipy=scipy, check=check, min_n=min_n, needs_spread=True, rescale=ls.rescale,
        cdf=lambda x, t: cdf((np.asarray(x, dtype=np.float64) - t[0]) / t[1]),
        sample=lambda rng, n, t: t[0] + t[1] * sample(rng, n),
    )


def _newton_estimate(parts, log_scale0, method):
    def estimate(s, controls):
        theta, it, ok, message, at = ls.newton_fit(parts, s, log_scale0, controls)
        return Solution(theta, method, it, ok, message,
                        (s.centre, s.spread * math.exp(log_scale0)), at)
    return estimate


# ---------------------------------------------------------------- logistic
def logistic_parts(z, order):
    """l(z) = -|z| - 2 log(1 + e) with e = e^-|z|, l' = -tanh(z/2), l'' = -2 e/(1 + e)^2,
    all from t = tanh(z/2) (one transcendental pass, numpy's quickest): 1 + e =
    2/(1 + |t|), so l = 2 log1p(|t|) - |z| - 2 log 2, and l'' = -(1 - t^2)/2. Nothing
    overflows; in the far tails l'' is within 1e-16 absolute (not relative) of its
    value, which the sums it enters cannot see."""
    t = np.tanh(0.5 * z)
    a = np.abs(t)
    l = np.log1p(a, out=a)
    l *= 2.0
    l -= np.abs(z)
    l -= LOG_4
    if order == 0:
        return (l,)
    d2 = t * t
    d2 -= 1.0
    d2 *= 0.5
    return l, -t, d2


LOGISTIC = _family(
    "logistic", logistic_parts,
    _newton_estimate(logistic_parts, -math.log(math.log(3.0)), "Newton on the score equations"),
    [[1.0 / 3.0, 0.0], [0.0, (math.pi ** 2 + 3.0) / 9.0]],
    lambda t: scipy_stats().logistic(t[0], t[1]),
    lambda z: scipy_special().expit(z),
    lambda rng, n: rng.logistic(size=n))


# ---------------------------------------------------------------- cauchy
def cauchy_parts(z, order):
    """l(z) = -log(pi (1 + z^2)), l' = -2z/(1 + z^2), l'' = -2(1 - z^2)/(1 + z^2)^2."""
    z2 = z * z
    l = -np.log1p(z2) - LOG_PI
    if order == 0:
        return (l,)
    r = 1.0 / (1.0 + z2)
    return l, -2.0 * z * r, -2.0 * (1.0 - z2) * r * r


def _cauchy_check(s):
    ls.refuse_ties(s, "cauchy", "the likelihood climbs towards its supremum as sigma -> 0 at that value",
                   half=True)


CAUCHY = _family(
    "cauchy", cauchy_parts,
    _newton_estimate(cauchy_parts, 0.0, "Newton on the score equations (unique maximum)"),
    [[0.5, 0.0], [0.0, 0.5]],
    lambda t: scipy_stats().cauchy(t[0], t[1]),
    lambda z: 0.5 + np.arctan(z) / math.pi,
    lambda rng, n: rng.standard_cauchy(n),
    check=_cauchy_check, min_n=3)


# ---------------------------------------------------------------- gumbel
def gumbel_parts(z, order):
    """l(z) = -z - e^-z, l' = e^-z - 1, l'' = -e^-z."""
    e = np.exp(-z)
    l = -z - e
    if order == 0:
        return (l,)
    return l, e - 1.0, -e


GUMBEL_METHOD = "Newton on the profile equation in beta"


def _gumbel_power_sums(y, w, b):
    """Weighted sums of e^{-y/b}, y e^{-y/b}, y^2 e^{-y/b}."""
    e = np.exp(-y / b)  # (no BLAS dot: small dots stall when the other core is busy)
    if w is not None:
        e = e * w
    ey = e * y
    return float(e.sum()), float(ey.sum()), float((ey * y).sum())


def _gumbel_estimate(s, controls):
    """On y = (x - min x)/spread >= 0, b = beta/spread solves
    h(b) = b - mean(y) + sum y e^{-y/b} / sum e^{-y/b} = 0 (e^{-y/b} <= 1: no overflow);
    h is increasing, with dh/dlog b = b + var_b(y)/b (var_b: weighted by e^{-y/b}). From
    the moments fit of the sample; for values held in chunks, from the root on their
    sample (within sampling error of the root on all of them: Newton's quadratic
    convergence then needs two or three passes). The estimate is the last point
    evaluated (the root to tol), and its log-likelihood and information come from the
    power sums there (_gumbel_at): no pass for them."""
    low, spread = s.data.bounds()[0], s.spread
    y = s.data.map(lambda x: (x - low) / spread)
    ys, ws = y.sample()  # the moments start (all the values in memory)
    v0 = math.log(math.sqrt(nm.mean_and_m2(ys, ws)[1]) * math.sqrt(6.0) / math.pi)
    b0 = math.exp(v0)
    if not y.in_memory:
        # (b is the same for y shifted: the sample's own minimum at 0 keeps its bracket's w0 > 0)
        v, _, ok, _, _ = _gumbel_root(ls.InMemory(ys - ys.min()), float(ys.size), v0, controls)
        v0 = v if ok else v0
    v, it, ok, power, ybar = _gumbel_root(y, s.n, v0, controls)
    b = math.exp(v)
    m = -b * math.log(power[0] / s.n)
    theta = (low + spread * m, spread * b)
    start = (low + s.spread * (ybar - EULER_GAMMA * b0), s.spread * b0)  # the moments fit
    return Solution(theta, GUMBEL_METHOD, it, ok, "" if ok else f"beta did not converge in {it} iteration(s)",
                    start, _gumbel_at(s.n, power, ybar, m, b, spread))


def _gumbel_root(y, n, v0, controls):
    """(log b, iterations, converged, the power sums at b, mean(y)): the root of the profile
    equation on the values y (chunks.InMemory or OnChunks, n of them), from log b = v0,
    where the mean of y and the weight at y = 0 (for the bracket) are summed in the first
    pass, with the power sums at v0. b is the last point evaluated: its Newton step is
    within tol (solve_increasing's returned point, one step on, is not evaluated)."""
    first = y.sum(lambda v, w: (*_gumbel_power_sums(v, w, math.exp(v0)), nm.wsum(v, w), nm.wsum(v == 0.0, w)))
    ybar, w0 = first[3] / n, first[4]  # w0: the weight at y = 0
    last = {v0: first[:3]}

    def h(v):
        if v not in last:
            b = math.exp(v)
            last.clear()
            last[v] = y.sum(lambda t, w: _gumbel_power_sums(t, w, b))
        s0, s1, s2 = last[v]
        b = math.exp(v)
        m = s1 / s0
        return b - ybar + m, b + max(s2 / s0 - m * m, 0.0) / b

    # a bracket from 0 <= m(b) <= n b / (e w0) (y e^{-y/b} <= b/e):
    # h(2 mean(y)) >= mean(y) > 0 and h(b) <= b (1 + n/(e w0)) - mean(y) < 0 below
    lo, hi = math.log(0.5 * ybar / (1.0 + n / (math.e * w0))), math.log(2.0 * ybar)
    _, it, ok = nm.solve_increasing(h, lo, hi, v0, max_iter=controls.max_iter, tol=controls.tol)
    (v, power), = last.items()
    return v, it, ok, power, ybar


def _gumbel_at(n, power, ybar, m, b, spread):
    """(log-likelihood, observed information in (mu, beta)) at the profile estimate from
    the power sums s_k = sum y^k e^{-y/b} there: with z = (y - m)/b and m = -b log(s0/n),
    sum e^{-z} = n, sum z = n (mean(y) - m)/b, sum z e^{-z} = n (s1/s0 - m)/b and
    sum z^2 e^{-z} = n (var_b + (s1/s0 - m)^2)/b^2, so the log-likelihood is
    -sum z - n - n log beta and the Hessian is locscale.sums' with l' = e^{-z} - 1,
    l'' = -e^{-z} (beta = spread b: the same z on x)."""
    s0, s1, s2 = power
    mean_b = s1 / s0
    e0, z1 = n, n * (ybar - m) / b
    e1 = n * (mean_b - m) / b
    e2 = n * (max(s2 / s0 - mean_b * mean_b, 0.0) + (mean_b - m) ** 2) / (b * b)
    beta = spread * b
    loglik = -z1 - e0 - n * math.log(beta)
    g = np.array([-(e0 - n) / beta, -(e1 - z1) - n])
    cross = (-e1 + (e0 - n)) / beta
    hess = np.array([[-e0 / beta ** 2, cross], [cross, -e2 + (e1 - z1)]])
    return loglik, ls._information(g, hess, beta)


GUMBEL = _family(
    "gumbel", gumbel_parts, _gumbel_estimate,
    [[1.0, EULER_GAMMA - 1.0], [EULER_GAMMA - 1.0, math.pi ** 2 / 6.0 + (1.0 - EULER_GAMMA) ** 2]],
    lambda t: scipy_stats().gumbel_r(t[0], t[1]),
    lambda z: np.exp(-np.exp(-z)),
    lambda rng, n: rng.gumbel(size=n))

FAMILIES = (STUDENT_T, LOGISTIC, CAUCHY, GUMBEL)
