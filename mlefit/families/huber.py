"""huber:DELTA(mu): per-row log-density, tails and derivatives, with the fixed shape
delta as the trailing argument: logpdf(y, mu, delta). Unit scale:
log f = -rho_delta(y - mu) - log Z(delta), rho quadratic within delta of mu and linear
beyond (robust.huber_loss, robust.huber_log_norm). The log-density has a continuous
first derivative, psi = clip(y - mu, -delta, delta), and a piecewise second, -[|y - mu| < delta]."""
import math

import numpy as np

from .. import numerics as nm
from .catalog import REAL, Param, Regression, Spec
from .robust import huber_log_norm, huber_loss
from .rowwise import Density
from .tails import log1mexp


SPEC = Spec("huber", (Param("mu", REAL, "location (Huber M-estimate)"),), "real", False, False,
            "exp(-rho_delta(x-mu)) / Z(delta), rho quadratic within delta of mu and linear beyond, "
            "Z = sqrt(2 pi)(2 Phi(delta) - 1) + 2 exp(-delta^2/2)/delta; unit scale",
            "none", "none", shape="delta",
            not_selected="a loss's likelihood with a unit scale and a threshold chosen by the user (delta)",
            estimator="Newton on the Huber score", listed=170,
            shape_example="1.345", shape_rule="positive and finite, at least 2.2e-308",
            shape_range=(2.2250738585072014e-308, True, None, False, False),
            regression=Regression(110, 0, "identity", ("identity",), mean_model=False))

HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def log_norm(delta):
    """log Z(delta), for one delta or one per row."""
    if np.ndim(delta) == 0:
        return huber_log_norm(float(delta))
    return np.vectorize(huber_log_norm, otypes=[float])(delta)


def logpdf(y, mu, delta):
    with np.errstate(invalid="ignore", over="ignore"):
        out = -huber_loss(y - mu, delta) - log_norm(delta)
    return np.where(np.isinf(y), -np.inf, out)


def derivs(y, mu, delta):
    u = y - mu
    inside = np.abs(u) < delta
    return (-huber_loss(u, delta) - log_norm(delta), (np.clip(u, -delta, delta),),
            ((-inside.astype(np.float64),),))


def _log_lower(u, delta):
    """log F(u) for u <= 0 (u = y - mu), with no subtraction of nearly equal terms:
    below -delta, F = e^(delta^2/2 + delta u)/(delta Z); from -delta to 0,
    F Z = e^(-delta^2/2)/delta + sqrt(2 pi) Phi(u) (1 - Phi(-delta)/Phi(u)), summed on the
    log scale."""
    from scipy.special import log_ndtr
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        edge = -0.5 * delta * delta - np.log(delta)  # log of the linear part's mass, times Z
        beyond = edge + delta * (u + delta)
        lu = log_ndtr(np.maximum(u, -delta))
        middle = np.logaddexp(edge, HALF_LOG_2PI + lu + log1mexp(log_ndtr(-delta) - lu))
        return np.where(u < -delta, beyond, middle) - log_norm(delta)


def logcdf(y, mu, delta, upper=False):
    """log F at y - mu <= 0 directly; above, log(1 - F(-(y - mu))) by symmetry (F <= 1/2
    there, so log1mexp keeps every digit). upper: log(1 - F), which is F at mu - y."""
    with np.errstate(invalid="ignore"):
        u = np.asarray(y, dtype=np.float64) - mu
    if upper:
        u = -u
    low = _log_lower(-np.abs(u), delta)
    return np.where(u <= 0, low, log1mexp(low))


def start(y, w, delta):
    """The weighted median."""
    return (nm.weighted_median(np.asarray(y, dtype=np.float64), w),)


def sample(rng, size, mu, delta):
    """Exact draws from the mixture the density is: with probability
    sqrt(2 pi) (2 Phi(delta) - 1)/Z a normal truncated to [-delta, delta] (by inversion),
    otherwise delta + Exp(rate delta) on a side chosen with probability 1/2 each."""
    from scipy.special import ndtr, ndtri
    low = ndtr(-np.asarray(delta, dtype=np.float64))
    inner = np.exp(HALF_LOG_2PI + np.log1p(-2.0 * low) - log_norm(delta))
    middle = ndtri(low + rng.random(size) * (1.0 - 2.0 * low))
    tail = (delta + rng.standard_exponential(size) / delta) * np.where(rng.random(size) < 0.5, -1.0, 1.0)
    return mu + np.where(rng.random(size) < inner, middle, tail)


DENSITY = Density(
    name="huber", params=("mu",), domains=(REAL,), shapes=("delta",),
    logpdf=logpdf, logcdf=logcdf,
    logsf=lambda y, mu, delta: logcdf(y, mu, delta, upper=True),
    derivs=derivs, start=start, sample=sample,
    scipy=lambda *a: None,
    note="the Hessian is piecewise constant: minus the number of rows within delta of mu",
)


def build(value):
    """huber with its fixed shape: the fast path's record (robust.py)."""
    from .robust import build
    return build("huber", value)
