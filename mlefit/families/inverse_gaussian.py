"""inverse_gaussian(mu, lambda): per-row log-density, tails and derivatives.

With q = (y - mu)^2 / (mu^2 y) (taken as ((y - mu)/mu)^2 / y: no power of mu is formed):
    log f = (log lambda - log 2 pi - 3 log y)/2 - lambda q / 2;
    d/dmu = lambda (y - mu)/mu^3,            d/dlambda = 1/(2 lambda) - q/2;
    d2/dmu2 = lambda (2 mu - 3 y)/mu^4,      d2/dmu dlambda = (y - mu)/mu^3,
    d2/dlambda2 = -1/(2 lambda^2).

The distribution function, with r = sqrt(lambda/y), a = r (y/mu - 1), b = r (y/mu + 1),
c = 2 lambda/mu: F = Phi(a) + e^c Phi(-b), a sum of positive terms (taken in logs), and
S = Phi(-a) - e^c Phi(-b), a difference; each, where it is above 1/2, as 1 - the other.
Since c - b^2/2 = -a^2/2, e^c Phi(-b) = phi(a) m(b) and S = phi(a) (m(a) - m(b)), with
m(x) = Phi(-x)/phi(x) = sqrt(pi/2) erfcx(x/sqrt 2), Mills' ratio. m(a) - m(b) is taken
- for a >= 10 from m's asymptotic series term by term: 1/a^k - 1/b^k is (b - a)/(a b)
  times a sum of positive terms, so no digit cancels however far in the upper tail
  (y = 5.6e248: log S = -3.5e248);
- for b - a <= 1 (and a > -20) as the integral of -m' = 1 - x m(x) > 0 over [a, b]
  (the difference loses a/(b - a) digits: lambda/mu = 1e-4 lost 6);
- else for a > 0 as the difference; for a <= 0 (S above some 1/4) as Phi(-a) minus the
  other term, in logs.
"""
import math
from types import SimpleNamespace

import numpy as np

from .. import numerics as nm
from ..errors import DataError
from . import merge
from .base import Family, Solution, scipy_special as _special, scipy_stats
from .catalog import POSITIVE, Param, Spec
from .positive_common import floats, inside_or, masked_derivs, one_tail, quiet
from .rowwise import Density, weighted_mean
from .tails import LN2, log1mexp, log_ndtr


SPEC = Spec("inverse_gaussian", (Param("mu", POSITIVE, "mean"), Param("lambda", POSITIVE, "shape; var = mu^3/lambda")),
            "positive", False, True, "sqrt(lambda/(2 pi x^3)) exp(-lambda (x-mu)^2 / (2 mu^2 x))",
            "invgauss(mu=mu/lambda, scale=lambda)", "statmod::dinvgauss(x, mean=mu, shape=lambda)",
            aliases=("invgauss", "wald", "inverse_normal"),
            estimator="closed form: the mean, n / sum(1/x - 1/mean)", listed=230, select_rank=130)


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
    """(a, b, b - a = 2 r, exact where b rounds to a); y/mu - 1 as (y - mu)/mu."""
    r = np.sqrt(lam / y)
    dev = _dev_q(y, mu)[0]
    return r * dev, r * (dev + 2.0), 2.0 * r


ASYMPTOTIC_FROM = 10.0  # a from which m(a) - m(b) is taken from the asymptotic series
INTEGRAL_FROM = 20.0  # -a above which the integral is taken (erfcx(-x) overflows from 37)
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


def _log_mills_integral(a, gap):
    """log(m(a) - m(a + gap)) = log of the integral of 1 - x m(x) (= -m'(x) > 0) over
    [a, a + gap], by 8-point Gauss-Legendre: for gap <= 1 it keeps every digit that
    1 - x m(x) holds (it loses x^2 ulp), where the difference m(a) - m(b) would lose
    a/gap (and b - a itself rounds)."""
    from scipy.special import erfcx
    nodes, weights = np.polynomial.legendre.leggauss(8)
    half = 0.5 * gap
    mid = a + half
    total = 0.0
    for t, wt in zip(nodes, weights):
        x = mid + half * t
        total = total + wt * (1.0 - x * SQRT_HALF_PI * erfcx(SQRT_HALF * x))
    return np.log(half * total)


@quiet
def tails(y, mu, lam):
    """(log F, log S): log S = log phi(a) + log(m(a) - m(b)) as above, and log F as the
    log-sum, with log(e^c Phi(-b)) = log phi(a) + log m(b) (e^c and Phi(-b) each
    overflow and underflow far sooner); each, where it is above log(1/2), as
    log(1 - the other) (the terms cancel there)."""
    from scipy.special import erfcx
    y = floats(y)
    a, b, gap = _ab(y, mu, lam)
    log_phi_a = -0.5 * a * a - HALF_LOG_2PI
    log_far = log_phi_a + np.log(SQRT_HALF_PI * erfcx(SQRT_HALF * b))
    near = log_ndtr(-a)
    near = near + log1mexp(log_far - near)
    mills = np.select(
        [a >= ASYMPTOTIC_FROM, (gap <= 1.0) & (a > -INTEGRAL_FROM), a > 0],
        [_log_mills_difference(np.maximum(a, ASYMPTOTIC_FROM), b, gap), _log_mills_integral(a, gap),
         np.log(SQRT_HALF_PI * (erfcx(SQRT_HALF * a) - erfcx(SQRT_HALF * b)))], np.nan)
    log_s = np.where(np.isnan(mills), near, log_phi_a + mills)
    log_f = np.logaddexp(log_ndtr(a), log_far)
    log_f, log_s = (np.where(log_s < -LN2, log1mexp(log_s), log_f),
                    np.where(log_f < -LN2, log1mexp(log_f), log_s))
    return inside_or(y > 0, log_f, -np.inf), inside_or(y > 0, log_s, 0.0)


def start(y, w):
    """The moments: mu = mean, lambda = mean^3 / var."""
    mean = weighted_mean(y, w)
    var = max(weighted_mean((floats(y) - mean) ** 2, w), 1e-300)
    return mean, mean ** 3 / var


DENSITY = Density(
    name="inverse_gaussian", params=("mu", "lambda"), domains=(POSITIVE, POSITIVE),
    logpdf=logpdf, logcdf=one_tail(tails, 0), logsf=one_tail(tails, 1), derivs=derivs, start=start,
    sample=lambda rng, size, mu, lam: rng.wald(mu, lam, size),
    scipy=lambda mu, lam: scipy_stats().invgauss(mu / lam, scale=lam),
)


# ---------------------------------------------------------------- the fast path: the inverse_gaussian
# fit from sufficient statistics (no covariates, no censoring, no prior); INVERSE_GAUSSIAN is
# the family's record (families.get)
LOG_2PI = math.log(2.0 * math.pi)


# log f = log(lambda / (2 pi x^3)) / 2 - lambda (x - mu)^2 / (2 mu^2 x). Summed:
# sum (x - mu)^2 / (mu^2 x) = D + n (mean - mu)^2 / (mu^2 mean), with
# D = sum (1/x - 1/mean) = sum ((x - mean)/mean)^2 / x: a sum of non-negative terms, so
# tightly clustered data keep their small D (the direct difference would cancel).
IG_DIRECT_REL = 1e-12  # the direct D is kept where its error bound is below this, relative


@nm.takes_span
def _ig_stats(x, w, span=None):
    """n, mean, D and sum log x. D is first taken directly, S - n/mean with S = sum 1/x:
    S (positive terms, each reciprocal rounded) is within g + 2u of itself, n/mean
    within g + 4u of itself (g = numerics.sum_bound(n)) and n/mean <= S (the harmonic
    mean is below the mean), so the difference is within (2 g + 6u) S. That is kept where
    the bound is below IG_DIRECT_REL D; otherwise (a relative spread below about a
    tenth) D as the sum of non-negative terms above."""
    n = nm.total_weight(w, x.size)
    sumlog = nm.sum_log(x, span) if w is None else nm.wsum(np.log(x), w)
    mean = nm.wsum(x, w) / n
    inverse = np.divide(1.0, x)
    total = nm.wsum(inverse, w)
    del inverse
    d = total - n / mean
    if not (d > 0 and (2.0 * nm.sum_bound(n) + 6.0 * nm.U) * total <= IG_DIRECT_REL * d):
        mean = nm.mean(x, w)
        r = np.subtract(x, mean)
        r /= mean
        r *= r
        r /= x
        d = nm.wsum(r, w)
    return SimpleNamespace(n=n, mean=mean, d=d, sumlog=sumlog)


def _ig_check(s):
    """mu / lambda = mean D / n is the squared coefficient of variation: below 1e-28 the
    values agree to within a few dozen units in the last place, and lambda is noise."""
    if not s.mean * s.d / s.n > 1e-28:
        raise DataError("the values are (numerically) all equal: their relative spread is "
                        "below 1e-14, so the inverse_gaussian shape lambda is infinite to "
                        "double precision; use the normal family for such data")


def _ig_loglik(s, theta):
    mu, lam = theta
    spread = s.d + s.n * (s.mean - mu) ** 2 / (mu * mu * s.mean)
    return 0.5 * s.n * (math.log(lam) - LOG_2PI) - 1.5 * s.sumlog - 0.5 * lam * spread


def _ig_observed(s, theta):
    mu, lam = theta
    cross = s.n * (mu - s.mean) / mu ** 3
    return np.array([[lam * s.n * (3.0 * s.mean - 2.0 * mu) / mu ** 4, cross],
                     [cross, 0.5 * s.n / lam ** 2]])


def _ig_logpdf(x, theta):
    mu, lam = theta
    return 0.5 * (math.log(lam) - LOG_2PI - 3.0 * np.log(x)) - lam * (x - mu) ** 2 / (2.0 * mu * mu * x)


def _ig_cdf(x, theta):
    """Phi(r (x/mu - 1)) + e^(2 lambda/mu) Phi(-r (x/mu + 1)), r = sqrt(lambda/x); the
    second term in logs, so e^(2 lambda/mu) cannot overflow."""
    mu, lam = theta
    sp = _special()
    x = np.maximum(x, 0.0)
    r = np.sqrt(lam / x)
    return sp.ndtr(r * (x / mu - 1.0)) + np.exp(2.0 * lam / mu + sp.log_ndtr(-r * (x / mu + 1.0)))


INVERSE_GAUSSIAN = Family(
    spec=SPEC,
    stats=_ig_stats,
    merge=merge.inverse_gaussian,
    estimate=lambda s, c: Solution((s.mean, s.n / s.d),
                                   "closed form: mu = mean, lambda = n / sum(1/x - 1/mean)"),
    loglik=_ig_loglik,
    logpdf=_ig_logpdf,
    observed_information=_ig_observed,
    expected_information=lambda s, t: np.diag([s.n * t[1] / t[0] ** 3, 0.5 * s.n / t[1] ** 2]),
    scipy=lambda t: scipy_stats().invgauss(t[0] / t[1], scale=t[1]),
    check=_ig_check,
    cdf=_ig_cdf,
    sample=lambda rng, n, t: rng.wald(t[0], t[1], n),
    min_n=2,
    needs_spread=True,
    rescale=lambda c: ((c, c), (0.0, 0.0)),
)
