"""gumbel(mu, beta), for maxima: per-row log-density, tails and derivatives."""
import math

import numpy as np

from .. import numerics as nm
from . import locscale as ls
from .base import Solution, scipy_stats
from .catalog import POSITIVE, REAL, Param, Spec
from .realline_common import EULER_GAMMA, locscale_derivs, locscale_family, locscale_logpdf
from .rowwise import Density, weighted_mean
from .tails import log1mexp


SPEC = Spec("gumbel", (Param("mu", REAL, "location (mode)"), Param("beta", POSITIVE, "scale")),
            "real", False, False, "exp(-z - e^-z) / beta, z = (x-mu)/beta (maxima; right-skewed)",
            "gumbel_r(loc=mu, scale=beta)", "evd::dgumbel(x, loc=mu, scale=beta)",
            aliases=("gumbel_r", "extreme_value", "gumbel_max"),
            estimator="Newton on the profile equation in beta; mu in closed form", listed=210, select_rank=60)


def logcdf(y, mu, beta):
    """log F = -e^-z, exactly."""
    with np.errstate(over="ignore"):
        return -np.exp((mu - y) / beta)


def logsf(y, mu, beta):
    """log(1 - exp(-t)), t = e^-z: log1mexp, and -z - t/2 once t < 1e-10 (where t itself
    may underflow far in the upper tail; the next term, t^2/24, is below 1e-21)."""
    z = (np.asarray(y, dtype=np.float64) - mu) / beta
    with np.errstate(over="ignore"):
        t = np.exp(-z)
    return np.where(t < 1e-10, -z - 0.5 * np.minimum(t, 1e-10), log1mexp(-t))


def start(y, w):
    """The moments: beta = sd sqrt(6)/pi, mu = mean - Euler's gamma beta."""
    mean = weighted_mean(y, w)
    beta = math.sqrt(max(weighted_mean((y - mean) ** 2, w), 1e-300)) * math.sqrt(6.0) / math.pi
    return mean - EULER_GAMMA * beta, beta


DENSITY = Density(
    name="gumbel", params=("mu", "beta"), domains=(REAL, POSITIVE),
    logpdf=lambda y, mu, beta: locscale_logpdf(gumbel_parts, y, mu, beta),
    logcdf=logcdf, logsf=logsf,
    derivs=lambda y, mu, beta: locscale_derivs(gumbel_parts, y, mu, beta),
    start=start,
    sample=lambda rng, size, mu, beta: rng.gumbel(mu, beta, size),
    scipy=lambda mu, beta: scipy_stats().gumbel_r(mu, beta),
)


# ---------------------------------------------------------------- the fast path: the gumbel
# fit from sufficient statistics (no covariates, no censoring, no prior); GUMBEL is
# the family's record (families.get)
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


GUMBEL = locscale_family(
    "gumbel", gumbel_parts, _gumbel_estimate,
    [[1.0, EULER_GAMMA - 1.0], [EULER_GAMMA - 1.0, math.pi ** 2 / 6.0 + (1.0 - EULER_GAMMA) ** 2]],
    lambda t: scipy_stats().gumbel_r(t[0], t[1]),
    lambda z: np.exp(-np.exp(-z)),
    lambda rng, n: rng.gumbel(size=n))
