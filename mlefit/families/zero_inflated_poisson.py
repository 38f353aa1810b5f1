"""zero_inflated_poisson(pi, rate): pi [y = 0] + (1 - pi) poisson(rate): per-row log-mass,
tails and derivatives. scipy.stats has no equivalent (tests/cases.py builds one)."""
import numpy as np

from .catalog import POSITIVE, UNIT
from .counts_common import inside_unit, masked, on_support, tail
from .poisson import logpdf as poisson_logpdf
from .rowwise import Density, weighted_mean
from .tails import log_gammainc, log_gammaincc


def _log_zero(pi, rate):
    """log P(Y = 0) = log(pi + (1 - pi) e^-rate), without underflow."""
    with np.errstate(divide="ignore"):
        return np.logaddexp(np.log(pi), np.log1p(-pi) - rate)


def logpdf(y, pi, rate):
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        positive = np.log1p(-pi) + poisson_logpdf(y, rate)
    return masked(on_support(y), np.where(y == 0, _log_zero(pi, rate), positive))


def derivs(y, pi, rate):
    """At y = 0, with q = P(Y = 0) and e = e^-rate: d/dpi = (1 - e)/q, d/drate =
    -(1 - pi) e/q, and the Hessian (-(1 - e)^2, e, pi (1 - pi) e) / q^2 (e/q and e/q^2
    on the log scale, so a large rate neither overflows nor divides 0 by 0). At y > 0 the
    poisson's terms in rate and -1/(1 - pi) in pi."""
    y = np.asarray(y, dtype=np.float64)
    zero = y == 0
    log_q = _log_zero(pi, rate)
    e_q = np.exp(-rate - log_q)  # e / q
    e_q2 = e_q * np.exp(-log_q)  # e / q^2
    one_e_q = -np.expm1(-rate) * np.exp(-log_q)  # (1 - e) / q
    q_pi = 1.0 - pi
    d_pi = np.where(zero, one_e_q, -1.0 / q_pi)
    d_rate = np.where(zero, -q_pi * e_q, y / rate - 1.0)
    h_pp = np.where(zero, -one_e_q * one_e_q, -1.0 / (q_pi * q_pi))
    h_pr = np.where(zero, e_q2, 0.0)
    h_rr = np.where(zero, pi * q_pi * e_q2, -y / (rate * rate))
    return logpdf(y, pi, rate), (d_pi, d_rate), ((h_pp, h_pr), (h_pr, h_rr))


def logcdf(y, pi, rate):
    """log P(Y <= k) = log(pi + (1 - pi) Q(k+1, rate))."""
    return tail(y, lambda k: np.logaddexp(np.log(pi), np.log1p(-pi) + log_gammaincc(k + 1.0, rate)), -np.inf)


def logsf(y, pi, rate):
    """log P(Y > k) = log(1 - pi) + log P(k+1, rate): the poisson's tail, far out too."""
    return tail(y, lambda k: np.log1p(-pi) + log_gammainc(k + 1.0, rate), 0.0)


def start(y, w):
    """The method of moments: mean = (1 - pi) rate and var / mean = 1 + pi rate, so
    rate = mean + var/mean - 1 and pi = 1 - mean/rate (pi kept in [0.001, 0.999])."""
    mean = max(weighted_mean(y, w), 1e-3)
    var = weighted_mean((y - mean) ** 2, w)
    rate = max(mean + var / mean - 1.0, mean)
    return inside_unit(1.0 - mean / rate, 1e-3), rate


def sample(rng, size, pi, rate):
    return np.where(rng.random(size) < pi, 0.0, rng.poisson(rate, size)).astype(np.float64)


DENSITY = Density(
    name="zero_inflated_poisson", params=("pi", "rate"), domains=(UNIT, POSITIVE), discrete=True,
    logpdf=logpdf, logcdf=logcdf, logsf=logsf, derivs=derivs, start=start, sample=sample,
    scipy=None,
    note="pi = 0 (no excess zeros: the poisson fit) is on the edge: no finite logit",
)
