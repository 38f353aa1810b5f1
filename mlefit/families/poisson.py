"""poisson(rate): per-row log-mass, tails and derivatives."""
import math

import numpy as np

from .. import special_series as ss
from .base import Family, Solution, scipy_special as _special, scipy_stats
from .catalog import POSITIVE, Param, Regression, Spec
from .counts_common import count_stats
from .rowwise import Density, weighted_mean
from .tails import log_gammainc, log_gammaincc


SPEC = Spec("poisson", (Param("rate", POSITIVE, "mean count"),), "count", True, True,
            "rate^x e^-rate / x!", "poisson(mu=rate)", "dpois(x, lambda=rate)",
            estimator="closed form: the mean", listed=30, select_rank=20,
            regression=Regression(40, 0, "log", ("log", "identity"), censored=True, edges="zero"))


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


# ---------------------------------------------------------------- the fast path: the poisson
# fit from sufficient statistics (no covariates, no censoring, no prior); POISSON is
# the family's record (families.get)
def _pois_loglik(s, theta):
    (lam,) = theta
    if lam == 0:
        return 0.0 if s.total == 0 else -math.inf
    return ss.poisson_loglik_terms(s.values, s.counts, lam)


def _pois_logpdf(x, theta):
    from scipy.special import gammaln, xlogy
    return xlogy(x, theta[0]) - theta[0] - gammaln(x + 1)


def _pois_boundary(s, theta, confidence):
    if s.total == 0:
        upper = -math.log((1.0 - confidence) / 2.0) / s.n
        return {0: (0.0, upper, "rate = 0 (all counts zero): exact interval")}
    return {}


POISSON = Family(
    spec=SPEC,
    stats=count_stats,
    estimate=lambda s, c: Solution((s.mean,), "closed form: rate = mean"),
    loglik=_pois_loglik,
    logpdf=_pois_logpdf,
    observed_information=lambda s, t: np.array([[s.total / t[0] ** 2]]),
    expected_information=lambda s, t: np.array([[s.n / t[0]]]),
    scipy=lambda t: scipy_stats().poisson(t[0]),
    cdf=lambda x, t: np.where(x < 0, 0.0, _special().pdtr(np.floor(np.maximum(x, 0.0)), t[0])),
    sample=lambda rng, n, t: rng.poisson(t[0], n).astype(np.float64),
    boundary=_pois_boundary,
)
