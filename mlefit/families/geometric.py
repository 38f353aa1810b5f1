"""geometric(p): failures before the first success, y = 0, 1, 2, ...: per-row log-mass,
tails (closed forms) and derivatives."""
import math

import numpy as np

from .base import Family, Solution, scipy_stats
from .catalog import UNIT, Param, Spec
from .counts_common import count_stats, inside_unit, masked, on_support, tail, upper_exact
from .rowwise import Density, weighted_mean
from .tails import log1mexp


SPEC = Spec("geometric", (Param("p", UNIT, "success probability; failures before the first success"),),
            "count", True, True, "p (1-p)^x on x = 0, 1, 2, ...", "geom(p, loc=-1)",
            "dgeom(x, prob=p)",
            estimator="closed form: 1/(1 + mean)", listed=40, select_rank=30)


def logpdf(y, p):
    """log p + y log(1 - p); -inf off 0, 1, 2, ..."""
    from scipy.special import xlog1py
    y = np.asarray(y, dtype=np.float64)
    return masked(on_support(y), np.log(p) + xlog1py(y, -p))


def derivs(y, p):
    y = np.asarray(y, dtype=np.float64)
    q = 1.0 - p
    return logpdf(y, p), (1.0 / p - y / q,), ((-1.0 / (p * p) - y / (q * q),),)


def logsf(y, p):
    """log P(Y > k) = (k + 1) log(1 - p), exact however far in the tail."""
    return tail(y, lambda k: (k + 1.0) * np.log1p(-p), 0.0)


def logcdf(y, p):
    """log P(Y <= k) = log(1 - (1 - p)^(k+1)), without cancellation at either end."""
    return tail(y, lambda k: log1mexp((k + 1.0) * np.log1p(-p)), -np.inf)


DENSITY = Density(
    name="geometric", params=("p",), domains=(UNIT,), discrete=True,
    logpdf=logpdf, logcdf=logcdf, logsf=logsf, derivs=derivs,
    start=lambda y, w: (inside_unit(1.0 / (1.0 + weighted_mean(y, w))),),
    sample=lambda rng, size, p: (rng.geometric(p, size) - 1).astype(np.float64),
    scipy=lambda p: scipy_stats().geom(p, loc=-1),
    note="p = 1 (every count 0) is on the edge: no finite logit",
)


# ---------------------------------------------------------------- the fast path: the geometric
# fit from sufficient statistics (no covariates, no censoring, no prior); GEOMETRIC is
# the family's record (families.get)
def _geom_loglik(s, theta):
    (p,) = theta
    if p == 1:
        return 0.0 if s.total == 0 else -math.inf
    return s.n * math.log(p) + s.total * math.log1p(-p)


def _geom_logpdf(x, theta):
    from scipy.special import xlog1py
    return math.log(theta[0]) + xlog1py(x, -theta[0])


def _geom_boundary(s, theta, confidence):
    if s.total == 0:
        lower = upper_exact(1.0 - confidence, s.n)
        return {0: (lower, 1.0, "p = 1 (all counts zero): exact interval")}
    return {}


GEOMETRIC = Family(
    spec=SPEC,
    stats=count_stats,
    estimate=lambda s, c: Solution((1.0 / (1.0 + s.mean),), "closed form: p = 1/(1 + mean)"),
    loglik=_geom_loglik,
    logpdf=_geom_logpdf,
    observed_information=lambda s, t: np.array([[s.n / t[0] ** 2 + s.total / (1 - t[0]) ** 2]]),
    expected_information=lambda s, t: np.array([[s.n / (t[0] ** 2 * (1 - t[0]))]]),
    scipy=lambda t: scipy_stats().geom(t[0], loc=-1),
    cdf=lambda x, t: np.where(x < 0, 0.0, -np.expm1((np.floor(x) + 1.0) * np.log1p(-t[0]))),
    sample=lambda rng, n, t: (rng.geometric(t[0], n) - 1).astype(np.float64),
    boundary=_geom_boundary,
)
