"""inverse_gaussian(mu, lambda): per-row log-density, tails and derivatives.

With q = (y - mu)^2 / (mu^2 y) (taken as ((y - mu)/mu)^2 / y: no power of mu is formed):
    log f = (log lambda - log 2 pi - 3 log y)/2 - lambda q / 2;
    d/dmu = lambda (y - mu)/mu^3,            d/dlambda = 1/(2 lambda) - q/2;
    d2/dmu2 = lambda (2 mu - 3 y)/mu^4,      d2/dmu dlambda = (y - mu)/mu^3,
    d2/dlambda2 = -1/(2 lambda^2).

The distribution function, with r = sqrt(lambda/y), a = r (y/mu - 1), b = r (y/mu + 1),
c = 2 lambda/mu: F = Phi(a) + e^c Phi(-b), a sum of positive terms (taken in logs), and
S = Phi(-a) - e^c Phi(-b), a difference. Since c - b^2/2 = -a^2/2, S = phi(a) (m(a) - m(b))
with m(x) = Phi(-x)/phi(x), Mills' ratio: for a >= 10 the difference of m's asymptotic
series term by term, 1/a^k - 1/b^k = (b - a)/(a b) times a sum of positive terms, so no
digit cancels however far in the upper tail (y = 1e250: log S = -3.5e248); for 0 < a < 10
m = sqrt(pi/2) erfcx(x/sqrt 2) directly; for a <= 0 (S >= 1/2 and more) the difference
of the two terms in logs.
"""
import math

import numpy as np

from .catalog import POSITIVE
from .base import scipy_stats
from .positive_common import floats, inside_or, masked_derivs, quiet
from .rowwise import Density, weighted_mean
from .tails import log1mexp, log_ndtr

HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
SQRT_HALF_PI = math.sqrt(0.5 * math.pi)
SQRT_HALF = math.sqrt(0.5)


def _dev_q(y, mu):
    """((y - mu)/mu, q = ((y - mu)/mu)^2 / y): y - mu is exact where y is near mu, and
    no power of mu is formed, so nothing overflows before the result does."""
    dev = (y - mu) / mu
    return dev, dev * dev / y


def _log_density(y, lam, q):
    return 0.5 * np.log(lam) - HALF_LOG_2PI - 1.5 * np.log(y) - 0.5 * lam * q


@quiet
def logpdf(y, mu, lam):
    y = floats(y)
    return inside_or(y > 0, _log_density(y, lam, _dev_q(y, mu)[1]), -np.inf)


@quiet
def derivs(y, mu, lam):
    """With d = (y - mu)/mu and phi = lambda/mu: d/dmu = phi d/mu,
    d2/dmu2 = -phi (1 + 3 d)/mu^2, d2/dmu dlambda = d/mu^2 (each divided by mu in turn)."""
    y = floats(y)
    dev, q = _dev_q(y, mu)
    ll = _log_density(y, lam, q)
    phi = lam / mu
    h_ml = dev / mu / mu
    score = (phi * dev / mu, 0.5 / lam - 0.5 * q)
    hess = ((-phi * (1.0 + 3.0 * dev) / mu / mu, h_ml),
            (h_ml, -0.5 / (lam * lam) + 0.0 * y))
    return masked_derivs(y > 0, ll, score, hess)


def _ab(y, mu, lam):
    """(a, b, c, b - a = 2 r, exact where b rounds to a); y/mu - 1 as (y - mu)/mu."""
    r = np.sqrt(lam / y)
    dev = _dev_q(y, mu)[0]
    return r * dev, r * (dev + 2.0), 2.0 * lam / mu, 2.0 * r


@quiet
def logcdf(y, mu, lam):
    y = floats(y)
    a, b, c, _ = _ab(y, mu, lam)
    return inside_or(y > 0, np.logaddexp(log_ndtr(a), c + log_ndtr(-b)), -np.inf)


ASYMPTOTIC_FROM = 10.0  # a from which m(a) - m(b) is taken from the asymptotic series
ASYMPTOTIC_TERMS = 26  # (2n-1)!!/a^2n < 1e-16 relative from n = 20 on at a = 10


def _log_mills_difference(a, b, gap):
    """log(m(a) - m(b)) for 10 <= a < b, from m(x) ~ sum_n (-1)^n (2n-1)!! x^-(2n+1): with
    p = 1/a, q = 1/b, p^k - q^k = (p - q) h_k, h_k = sum_j p^j q^(k-1-j) (h_k = p^(k-1) + q h_(k-1)),
    and p - q = gap p q, gap = b - a."""
    p, q = 1.0 / a, 1.0 / b
    h, pk = np.ones_like(p), np.ones_like(p)  # h_1, p^0
    total, coef = np.ones_like(p), 1.0  # the n = 0 term: (-1)!! h_1
    for n in range(1, ASYMPTOTIC_TERMS):
        for _ in range(2):  # h_(2n+1) from h_(2n-1)
            pk = pk * p
            h = pk + q * h
        coef *= -(2.0 * n - 1.0)
        total = total + coef * h
    return np.log(gap) - np.log(a) - np.log(b) + np.log(total)  # (b - a) p q underflows far out


@quiet
def logsf(y, mu, lam):
    from scipy.special import erfcx
    y = floats(y)
    a, b, c, gap = _ab(y, mu, lam)
    near = log_ndtr(-a)
    near = near + log1mexp(c + log_ndtr(-b) - near)
    direct = np.log(SQRT_HALF_PI * (erfcx(SQRT_HALF * a) - erfcx(SQRT_HALF * b)))
    mills = np.where(a >= ASYMPTOTIC_FROM, _log_mills_difference(np.maximum(a, ASYMPTOTIC_FROM), b, gap), direct)
    far = -0.5 * a * a - HALF_LOG_2PI + mills
    return inside_or(y > 0, np.where(a > 0, far, near), 0.0)


def start(y, w):
    """The moments: mu = mean, lambda = mean^3 / var."""
    mean = weighted_mean(y, w)
    var = max(weighted_mean((floats(y) - mean) ** 2, w), 1e-300)
    return mean, mean ** 3 / var


DENSITY = Density(
    name="inverse_gaussian", params=("mu", "lambda"), domains=(POSITIVE, POSITIVE),
    logpdf=logpdf, logcdf=logcdf, logsf=logsf, derivs=derivs, start=start,
    sample=lambda rng, size, mu, lam: rng.wald(mu, lam, size),
    scipy=lambda mu, lam: scipy_stats().invgauss(mu / lam, scale=lam),
)
