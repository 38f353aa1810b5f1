"""geometric(p): failures before the first success, y = 0, 1, 2, ...: per-row log-mass,
tails (closed forms) and derivatives."""
import numpy as np

from .base import scipy_stats
from .catalog import UNIT
from .counts_common import inside_unit, masked, on_support, tail
from .rowwise import Density, weighted_mean
from .tails import log1mexp


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
