"""negative_binomial(size, mu): per-row log-mass, tails and derivatives, with
var = mu + mu^2 / size."""
import numpy as np

from .base import scipy_stats
from .beta_tails import log_betainc, log_betaincc
from .catalog import POSITIVE
from .counts_common import masked, on_support, tail
from .rowwise import Density, Limit, weighted_mean


def _pieces(y, size, mu):
    """log-mass, written as the fast path writes it, -log(y+r) - log B(r, y+1) (0 at
    y = 0) - r log(1 + mu/r) - y log(1 + r/mu): huge counts or sizes do not cancel it away;
    and the intermediates the derivatives share."""
    from scipy.special import betaln
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        coef = np.where(y > 0, -np.log(y + size) - betaln(size, np.maximum(y, 0.0) + 1.0), 0.0)
        value = coef - size * np.log1p(mu / size) - y * np.log1p(size / mu)
    return y, masked(on_support(y), value), size + mu


def logpdf(y, size, mu):
    return _pieces(y, size, mu)[1]


def derivs(y, size, mu):
    from scipy.special import digamma, polygamma
    y, ll, r_mu = _pieces(y, size, mu)
    d_size = digamma(y + size) - digamma(size) - np.log1p(mu / size) + (mu - y) / r_mu
    d_mu = y / mu - (size + y) / r_mu
    r_mu2 = r_mu * r_mu
    h_ss = polygamma(1, y + size) - polygamma(1, size) + mu / (size * r_mu) - (mu - y) / r_mu2
    h_sm = (y - mu) / r_mu2
    h_mm = -y / (mu * mu) + (size + y) / r_mu2
    return ll, (d_size, d_mu), ((h_ss, h_sm), (h_sm, h_mm))


def logcdf(y, size, mu):
    """log P(Y <= k) = log(1 - I_q(k+1, size)), q = mu/(size+mu), by betaincc (no 1 - F),
    on the log scale where that underflows."""
    return tail(y, lambda k: log_betaincc(k + 1.0, size, mu / (size + mu), size / (size + mu)), -np.inf)


def logsf(y, size, mu):
    """log P(Y > k) = log I_q(k+1, size), accurate however far in the upper tail."""
    return tail(y, lambda k: log_betainc(k + 1.0, size, mu / (size + mu), size / (size + mu)), 0.0)


def start(y, w):
    """The method of moments: mu = mean, size = mean^2 / (var - mean), with the excess
    variance floored at 1e-3 of the mean (not overdispersed data have no finite size)."""
    mean = max(weighted_mean(y, w), 1e-3)
    var = weighted_mean((y - mean) ** 2, w)
    return mean * mean / max(var - mean, 1e-3 * mean), mean


DENSITY = Density(
    name="negative_binomial", params=("size", "mu"), domains=(POSITIVE, POSITIVE), discrete=True,
    logpdf=logpdf, logcdf=logcdf, logsf=logsf, derivs=derivs, start=start,
    sample=lambda rng, size_, r, mu: rng.negative_binomial(r, r / (r + mu), size_).astype(np.float64),
    scipy=lambda size, mu: scipy_stats().nbinom(size, size / (size + mu)),
    note="size has no finite MLE when the variance does not exceed the mean (the poisson limit)",
    expected=lambda size, mu: (None, size / (mu * (size + mu))),
    limit=Limit(family=lambda: "poisson", near=lambda theta: theta[0] > 1e4,
                inside=lambda theta: (1.0, theta[1]), going=("size",),
                why="the counts are not overdispersed, so the fit tends to the poisson limit (size -> "
                    "infinity); use --dist poisson", start=lambda theta: (1.0, theta[0])),
)
