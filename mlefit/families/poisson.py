"""poisson(rate): per-row log-mass, tails and derivatives."""
import numpy as np

from .catalog import POSITIVE
from .base import scipy_stats
from .rowwise import Density, weighted_mean
from .tails import log_gammainc, log_gammaincc


def logpdf(y, rate):
    from scipy.special import gammaln, xlogy
    return xlogy(y, rate) - rate - gammaln(y + 1.0)


def derivs(y, rate):
    return logpdf(y, rate), (y / rate - 1.0,), ((-y / (rate * rate),),)


def logcdf(y, rate):
    """log P(Y <= y) = log Q(floor(y) + 1, rate); -inf below 0."""
    k = np.floor(np.asarray(y, dtype=np.float64))
    with np.errstate(invalid="ignore"):
        return np.where(k < 0, -np.inf, log_gammaincc(np.maximum(k, 0.0) + 1.0, rate))


def logsf(y, rate):
    """log P(Y > y) = log P(floor(y) + 1, rate); 0 below 0."""
    k = np.floor(np.asarray(y, dtype=np.float64))
    with np.errstate(invalid="ignore"):
        return np.where(k < 0, 0.0, log_gammainc(np.maximum(k, 0.0) + 1.0, rate))


def _log_link(y, eta):
    """l + log y! = y eta - e^eta, with its derivatives y - mu and -mu."""
    mu = np.exp(eta)
    return y * eta - mu, y - mu, -mu


def _log_factorial(y):
    from scipy.special import gammaln
    return -gammaln(y + 1.0)


DENSITY = Density(
    name="poisson", params=("rate",), domains=(POSITIVE,), discrete=True,
    logpdf=logpdf, logcdf=logcdf, logsf=logsf, derivs=derivs,
    start=lambda y, w: (max(weighted_mean(y, w), 1e-3),),
    sample=lambda rng, size, rate: rng.poisson(rate, size).astype(np.float64),
    scipy=lambda rate: scipy_stats().poisson(rate),
    canonical=("log", _log_link, _log_factorial),
    expected=lambda rate: (1.0 / rate,),
)
