"""normal(mu, sigma): per-row log-density, tails and derivatives."""
import math
from types import SimpleNamespace

import numpy as np

from .. import numerics as nm
from ..errors import DataError
from . import closed_forms, merge, survival_tails
from .base import Family, Solution, scipy_special as _special, scipy_stats
from .catalog import POSITIVE, REAL, Param, Regression, Spec
from .rowwise import Density, weighted_mean
from .tails import log_ndtr


SPEC = Spec("normal", (Param("mu", REAL, "mean"), Param("sigma", POSITIVE, "standard deviation (MLE, divisor n)")),
            "real", False, True, "exp(-(x-mu)^2/(2 sigma^2)) / (sigma sqrt(2 pi))",
            "norm(loc=mu, scale=sigma)", "dnorm(x, mean=mu, sd=sigma)",
            aliases=("gaussian", "norm"),
            estimator="closed form: mean, sd with divisor n", listed=60, select_rank=10,
            regression=Regression(10, 0, "identity", ("identity", "log"), censored=True))

HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def logpdf(y, mu, sigma):
    z = (y - mu) / sigma
    return -HALF_LOG_2PI - np.log(sigma) - 0.5 * z * z


def derivs(y, mu, sigma):
    z = (y - mu) / sigma
    z2 = z * z
    s2 = sigma * sigma
    d_mu, d_sigma = z / sigma, (z2 - 1.0) / sigma
    h_mm, h_ms, h_ss = -1.0 / s2 + 0.0 * z, -2.0 * z / s2, (1.0 - 3.0 * z2) / s2
    return (-HALF_LOG_2PI - np.log(sigma) - 0.5 * z2, (d_mu, d_sigma),
            ((h_mm, h_ms), (h_ms, h_ss)))


def start(y, w):
    mean = weighted_mean(y, w)
    return mean, math.sqrt(max(weighted_mean((y - mean) ** 2, w), 1e-300))


DENSITY = Density(
    sf_derivs=survival_tails.normal,
    name="normal", params=("mu", "sigma"), domains=(REAL, POSITIVE),
    logpdf=logpdf,
    logcdf=lambda y, mu, sigma: log_ndtr((y - mu) / sigma),
    logsf=lambda y, mu, sigma: log_ndtr((mu - y) / sigma),
    derivs=derivs, start=start,
    sample=lambda rng, size, mu, sigma: rng.normal(mu, sigma, size),
    scipy=lambda mu, sigma: scipy_stats().norm(mu, sigma),
    expected=lambda mu, sigma: (1.0 / (sigma * sigma), 2.0 / (sigma * sigma)),
)


# ---------------------------------------------------------------- the fast path: the normal
# fit from sufficient statistics (no covariates, no censoring, no prior); NORMAL is
# the family's record (families.get)
LOG_2PI = math.log(2.0 * math.pi)


# ---------------------------------------------------------------- the moments (lognormal.py takes them too)
def _moments(y, w):
    mean, m2 = nm.mean_and_m2(y, w)
    return SimpleNamespace(n=nm.total_weight(w, y.size), mean=mean, m2=m2, jacobian=0.0)


def _spread_check(s):
    if not s.m2 > 0:
        raise DataError("the values are (numerically) all equal: zero variance; "
                        "this family needs spread to estimate its scale")


def _normal_loglik(s, theta):
    mu, sigma = theta
    return (-0.5 * s.n * LOG_2PI - s.n * math.log(sigma)
            - s.n * (s.m2 + (s.mean - mu) ** 2) / (2.0 * sigma ** 2) - s.jacobian)


def _normal_observed(s, theta):
    mu, sigma = theta
    dev = s.mean - mu
    ss = s.n * (s.m2 + dev * dev)
    return np.array([[s.n / sigma ** 2, 2.0 * s.n * dev / sigma ** 3],
                     [2.0 * s.n * dev / sigma ** 3, -s.n / sigma ** 2 + 3.0 * ss / sigma ** 4]])


def _normal_expected(s, theta):
    return np.diag([s.n / theta[1] ** 2, 2.0 * s.n / theta[1] ** 2])


def _normal_logpdf(x, theta):
    mu, sigma = theta
    return -0.5 * LOG_2PI - math.log(sigma) - (x - mu) ** 2 / (2.0 * sigma ** 2)


def _not_all_equal(x):
    """Whether x holds two different values: O(1) where its first, middle and last differ,
    else one comparison pass. (m2 > 0 shows it where the one shifted pass gave m2, as the
    differences from a data value are then not all 0; the two-pass form of a constant
    non-dyadic sample could leave a rounding above 0.)"""
    first = x[0]
    return bool(first != x[-1] or first != x[x.size // 2] or np.any(x != first))


def _normal_vouches(s, x):
    """Finite moments vouch for finite values (a NaN or an inf would make the sum of
    squares about a data value NaN or inf), m2 > 0 and _not_all_equal for spread; max |x|
    is at most |mean| + sqrt(n m2) and at least sqrt(mean^2 + m2), the root mean square;
    a column of 0s and 1s has its mean p in [0, 1] and m2 = p (1 - p) <= 1/4, so moments
    outside that leave no binary note to make."""
    m, v = s.mean, s.m2
    if not (math.isfinite(m) and math.isfinite(v) and v > 0):
        return False
    if -1e-9 <= m <= 1.0 + 1e-9 and v <= 0.25 * (1.0 + 1e-9):
        return False
    big = nm.VOUCHED_MAGNITUDE
    return abs(m) + math.sqrt(s.n * v) <= big and math.sqrt(m * m + v) >= 1.0 / big and _not_all_equal(x)


NORMAL = Family(
    spec=SPEC,
    vouches=_normal_vouches,
    stats=_moments,
    merge=merge.moments,
    estimate=lambda s, c: Solution((s.mean, math.sqrt(s.m2)), "closed form: mean, sd with divisor n"),
    loglik=_normal_loglik,
    logpdf=_normal_logpdf,
    observed_information=_normal_observed,
    expected_information=_normal_expected,
    scipy=lambda t: scipy_stats().norm(t[0], t[1]),
    closed=closed_forms.NORMAL,
    cdf=lambda x, t: _special().ndtr((x - t[0]) / t[1]),
    sample=lambda rng, n, t: rng.normal(t[0], t[1], n),
    check=_spread_check,
    min_n=2,
    needs_spread=True,
    rescale=lambda s: ((s, s), (0.0, 0.0)),
)
