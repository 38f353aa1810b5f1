"""poisson(rate): per-row log-mass, tails and derivatives."""
import math

import numpy as np

from .. import gamma_arrays as ga, special_series as ss
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
    """y log(rate) - rate - lgamma(y + 1); from a count of ga.STIRLING_FROM on in Stirling's
    form y (log u - u + 1) - log(2 pi y)/2 - mu(y), u = rate / y (mu: Stirling's
    remainder), whose terms do not grow with y as the direct form's do (y log y each:
    at y = 1e12 the direct form kept four decimals of log P, at 1e15 none)."""
    from scipy.special import gammaln, xlogy
    y = np.asarray(y, dtype=np.float64)
    big = y >= ga.STIRLING_FROM
    if not np.any(big):
        return xlogy(y, rate) - rate - gammaln(y + 1.0)
    with np.errstate(all="ignore"):
        out = np.array(np.broadcast_to(xlogy(y, rate) - rate - gammaln(y + 1.0), np.broadcast(y, rate).shape))
        big = np.broadcast_to(big, out.shape)  # those rows again, in Stirling's form
        yb, rb = np.broadcast_to(y, out.shape)[big], np.broadcast_to(rate, out.shape)[big]
        out[big] = _stirling_mass(yb, rb, lambda: np.log(rb))
    return out if out.ndim else out[()]


def _stirling_mass(y, rate, log_rate):
    """log P(y) for counts y >= ga.STIRLING_FROM: y (log u - u + 1) - log(2 pi y)/2 - mu(y),
    u = rate / y; log_rate() gives log(rate) where u is not a normal float."""
    u = rate / y
    logu = ga.log_of(u, lambda: log_rate() - np.log(y))
    return y * ga.log_minus_linear(u, logu) - 0.5 * np.log(2.0 * math.pi * y) - ga.stirling_remainder(y)


def derivs(y, rate):
    return logpdf(y, rate), (y / rate - 1.0,), ((-(y / rate) / rate,),)


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
    """The log-mass less _log_constant(y), with its derivatives y - mu and -mu: y eta - mu
    for counts below ga.LINK_STIRLING_FROM, and the whole log-mass (Stirling's form, near
    -log(2 pi y)/2) from there on, where y eta - mu and log y! are each near y log y and
    their sum kept a few decimals (0.5 off at y = 1e12, several hundred at 1e15)."""
    mu = np.exp(eta)
    value = y * eta - mu
    big = y >= ga.LINK_STIRLING_FROM
    if np.any(big):
        value[big] = _stirling_mass(y[big], mu[big], lambda: eta[big])
    return value, y - mu, -mu


def _log_constant(y):
    """-log y! for counts below ga.LINK_STIRLING_FROM (whose _log_link terms leave it out),
    0 from there on."""
    from scipy.special import gammaln
    return np.where(np.asarray(y) < ga.LINK_STIRLING_FROM, -gammaln(y + 1.0), 0.0)


DENSITY = Density(
    name="poisson", params=("rate",), domains=(POSITIVE,), discrete=True,
    logpdf=logpdf, logcdf=logcdf, logsf=logsf, derivs=derivs,
    start=lambda y, w: (max(weighted_mean(y, w), 1e-3),),
    sample=lambda rng, size, rate: rng.poisson(rate, size).astype(np.float64),
    scipy=lambda rate: scipy_stats().poisson(rate),
    canonical=("log", _log_link, _log_constant),
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
