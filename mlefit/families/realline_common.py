"""Pieces shared by the per-row families on the real line (logistic, cauchy, gumbel,
log_logistic, laplace, asymmetric_laplace): the log-density and its derivatives for a
location-scale family from those of its standard form, the two-piece exponential tails
of the (asymmetric) Laplace, and the median and interquartile range for start values."""
import math

import numpy as np

from . import locscale as ls
from .base import Family, Solution
from .catalog import BY_NAME
from .locscale import quantiles


def _standard(parts, z, order):
    """parts(z, order) for any z (logistic_parts writes into arrays: a scalar z is
    taken as a one-element array and given back as a scalar)."""
    z = np.asarray(z, dtype=np.float64)
    if z.ndim:
        return parts(z, order)
    return tuple(v[0] for v in parts(z.reshape(1), order))


def locscale_logpdf(parts, y, mu, s):
    """log f0((y - mu)/s) - log s per row, l = log f0 given by parts(z, 0); -inf at
    y = +-inf (where l may be inf - inf)."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = _standard(parts, (y - mu) / s, 0)[0] - np.log(s)
    return np.where(np.isinf(y), -np.inf, out)


def locscale_derivs(parts, y, mu, s):
    """(logpdf, score, hessian) per row in (mu, s) of log f0((y - mu)/s) - log s, from
    parts(z, 2) = (l, l', l'') of the standard log-density l = log f0. With z = (y - mu)/s:
    d/dmu = -l'/s, d/ds = -(1 + z l')/s, d2/dmu2 = l''/s^2,
    d2/dmu ds = (l' + z l'')/s^2, d2/ds2 = (1 + z (2 l' + z l''))/s^2."""
    z = (y - mu) / s
    with np.errstate(over="ignore", invalid="ignore"):  # |z| beyond 1e154: not a fit's rows
        l, d1, d2 = _standard(parts, z, 2)
        s2 = s * s
        zd2 = z * d2
        h_ms = (d1 + zd2) / s2
        return (l - np.log(s), (-d1 / s, -(1.0 + z * d1) / s),
                ((d2 / s2, h_ms), (h_ms, (1.0 + z * (d1 + d1 + zd2)) / s2)))


def check_tail(y, mu, sigma, tau, upper=False):
    """log P(Y <= y), or with upper log P(Y > y), for the asymmetric Laplace with density
    tau (1 - tau)/sigma exp(-rho_tau(u)), u = (y - mu)/sigma: log P(U <= u) is
    log tau + (1 - tau) u below 0 and log1p(-(1 - tau) e^(-tau u)) above, so no 1 - F is
    formed in either tail; log P(U > u) is the same at -u with 1 - tau."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        u = (np.asarray(y, dtype=np.float64) - mu) / sigma
        if upper:
            u, tau = -u, 1.0 - tau
        below = np.log(tau) + (1.0 - tau) * u
        above = np.log1p(-(1.0 - tau) * np.exp(-tau * np.maximum(u, 0.0)))
    return np.where(u < 0, below, above)


def median_and_iqr(y, w):
    """(median, interquartile range), the range floored at a tiny positive value."""
    q1, med, q3 = quantiles(np.asarray(y, dtype=np.float64), w, (0.25, 0.5, 0.75))
    return med, max(q3 - q1, 1e-12 * (abs(med) + 1.0))


EULER_GAMMA = 0.57721566490153286061
LOG_PI = math.log(math.pi)
LOG_4 = math.log(4.0)


def locscale_family(name, parts, estimate, expected, scipy, cdf, sample, check=None, min_n=2, moments=None):
    """The fast-path record of a location-scale family on the real line, f0((x - mu)/sigma)/sigma,
    from its standard log-density parts(z, order) (locscale.py: the sums, the information)."""
    return Family(
        spec=BY_NAME[name], stats=ls.stats, chunked_stats=ls.chunked, estimate=estimate,
        loglik=lambda s, t: ls.sums(parts, s.data, s.n, t[0], t[1], False),
        logpdf=lambda x, t: parts((x - t[0]) / t[1], 0)[0] - math.log(t[1]),
        observed_information=lambda s, t: ls.observed(parts, s, t),
        expected_information=lambda s, t: s.n / t[1] ** 2 * np.asarray(expected),
        scipy=scipy, check=check, min_n=min_n, needs_spread=True, rescale=ls.rescale, moments=moments,
        cdf=lambda x, t: cdf((np.asarray(x, dtype=np.float64) - t[0]) / t[1]),
        sample=lambda rng, n, t: t[0] + t[1] * sample(rng, n),
    )


def newton_estimate(parts, log_scale0, method):
    """The estimator by Newton in (mu, log sigma) from the median and the spread (locscale.newton_fit)."""
    def estimate(s, controls):
        theta, it, ok, message, at = ls.newton_fit(parts, s, log_scale0, controls)
        return Solution(theta, method, it, ok, message,
                        (s.centre, s.spread * math.exp(log_scale0)), at)
    return estimate
