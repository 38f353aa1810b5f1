"""beta(a, b): per-row log-density, tails and derivatives.

    log f = (a - 1) log y + (b - 1) log(1 - y) - log B(a, b);
    d/da = log y - psi(a) + psi(a + b),     d/db = log(1 - y) - psi(b) + psi(a + b);
    d2/da2 = psi'(a + b) - psi'(a),  d2/da db = psi'(a + b),  d2/db2 = psi'(a + b) - psi'(b).

The tails are the regularised incomplete beta I_y(a, b) and its complement
I_{1-y}(b, a) (never 1 - I; each in logs where it is below 1/2, log1p of minus the other
above); where either is below TINY (it may underflow), its log is
taken from the series I_x(a, b) = x^a (1-x)^b / (a B(a, b)) 2F1(a + b, 1; a + 1; x).
"""
import numpy as np

from .. import numerics as nm
from .catalog import POSITIVE
from .base import scipy_stats
from .positive_common import floats, inside_or, log_complements, masked_derivs, one_tail, quiet
from .rowwise import Density, weighted_mean
from .tails import TINY


STABLE_FROM = 20.0  # a + b from which log f and the score are taken in the stable form


def _stirling(x):
    """mu(x) = lgamma(x) - ((x - 1/2) log x - x + log(2 pi)/2), per row: the asymptotic
    series from 15 on (numerics.stirling_remainder, vectorised)."""
    from scipy.special import gammaln
    r = 1.0 / (x * x)
    series = (1.0 / 12 - r * (1.0 / 360 - r * (1.0 / 1260 - r * (1.0 / 1680 - r / 1188)))) / x
    return np.where(x >= 15.0, series, gammaln(x) - ((x - 0.5) * np.log(x) - x + nm.HALF_LOG_2PI))


def _log_minus_digamma(x):
    """log x - psi(x), per row: the asymptotic series from 10 on (numerics.SERIES_VALUE)."""
    from scipy.special import digamma
    r = 1.0 / (x * x)
    v = 0.0
    for c in nm.SERIES_VALUE[::-1]:
        v = c + r * v
    return np.where(x >= 10.0, 0.5 / x + r * v, np.log(x) - digamma(x))


def _log1p_pair(t, log_num, log_den):
    """(log(1 + t), log(1 + t) - t) for 1 + t = num/den: from the logs of num and den
    where t is near -1 (1 + t would keep no digits), log1p and log1pmx elsewhere."""
    near = t < -0.5
    log1p = np.where(near, log_num - log_den, np.log1p(t))
    return log1p, np.where(near, log1p - t, nm.log1pmx_array(t))


def _stable(y, a, b):
    """(log f, d/da, d/db) without the cancellation of the direct form, where its terms
    (a - 1) log y, (b - 1) log(1 - y) and log B(a, b) grow with a + b while log f does
    not. With p = a/s, q = b/s (s = a + b; the larger rounded, the other as 1 minus it,
    exactly), y/p = 1 + d and (1 - y)/q = 1 + e, Stirling's series gives
        log f = a log1pmx(d) + b log1pmx(e) + (y - p)(a/p - b/q) - log y - log(1 - y)
                + log(a b/s)/2 - log(2 pi)/2 + mu(s) - mu(a) - mu(b),
    the linear terms a d + b e = (y - p)(a/p - b/q) vanishing but for rounding (an error
    in p, or in a + b, moves a log p + b log q only to second order, as p + q = 1
    exactly). The score: psi(s) - psi(a) = -log(a/s) + L(a) - L(s), L(x) = log x - psi(x),
    with log(a/s) = log p - (p - a/s)/(a/s) (p - a/s is exact: the smaller of p and q
    has lost digits to 1 minus the other)."""
    s = a + b
    pa, qa = a / s, b / s
    q = np.where(a >= b, 1.0 - pa, qa)
    p = 1.0 - q
    logy, log1my = np.log(y), np.log1p(-y)
    log_d, lpm_d = _log1p_pair((y - p) / p, logy, np.log(p))
    log_e, lpm_e = _log1p_pair((p - y) / q, log1my, np.log(q))
    ll = (a * lpm_d + b * lpm_e + (y - p) * (a / p - b / q) - logy - log1my
          + 0.5 * np.log(a * b / s) - nm.HALF_LOG_2PI + _stirling(s) - _stirling(a) - _stirling(b))
    lms = _log_minus_digamma(s)
    return (ll, log_d + (p - pa) / pa + _log_minus_digamma(a) - lms,
            log_e + (q - qa) / qa + _log_minus_digamma(b) - lms)


def _direct(y, a, b):
    """(log f, d/da, d/db) as written above."""
    from scipy.special import betaln, digamma, xlog1py, xlogy
    d_ab = digamma(a + b)
    ll = xlogy(a - 1.0, y) + xlog1py(b - 1.0, -y) - betaln(a, b)
    return ll, np.log(y) - digamma(a) + d_ab, np.log1p(-y) - digamma(b) + d_ab


def _parts(y, a, b):
    """(y, a, b broadcast, (log f, d/da, d/db)): the stable form where a + b >= STABLE_FROM."""
    y, a, b = np.broadcast_arrays(floats(y), floats(a), floats(b))
    big = a + b >= STABLE_FROM
    if not np.any(big):
        return y, a, b, _direct(y, a, b)
    if np.all(big):
        return y, a, b, _stable(y, a, b)
    return y, a, b, tuple(np.where(big, u, v) for u, v in zip(_stable(y, a, b), _direct(y, a, b)))


@quiet
def logpdf(y, a, b):
    y, a, b, (ll, _, _) = _parts(y, a, b)
    return inside_or((y >= 0) & (y <= 1), ll, -np.inf)


@quiet
def derivs(y, a, b):
    from scipy.special import polygamma
    y, a, b, (ll, d_a, d_b) = _parts(y, a, b)
    t_ab = polygamma(1, a + b)
    hess = ((t_ab - polygamma(1, a), t_ab), (t_ab, t_ab - polygamma(1, b)))
    return masked_derivs((y > 0) & (y < 1), ll, (d_a, d_b), hess)


def _log_lower_series(a, b, x):
    """log I_x(a, b) by the series above, for 0 < x < 1."""
    from scipy.special import betaln, hyp2f1, xlog1py, xlogy
    return xlogy(a, x) + xlog1py(b, -x) - np.log(a) - betaln(a, b) + np.log(hyp2f1(a + b, 1.0, a + 1.0, x))


def _log_tail(p, a, b, x):
    """log p, with the rows where p < TINY (0 < x < 1) recomputed as log I_x(a, b)."""
    out = np.log(p)
    redo = (p < TINY) & (x > 0) & (x < 1)
    if np.any(redo):
        out = np.array(out, dtype=np.float64)
        out[redo] = _log_lower_series(a[redo], b[redo], x[redo])
    return out


@quiet
def tails(y, a, b):
    """(log F, log S): each the log of its own regularised incomplete beta (refined
    where it underflows) where that is below 1/2, log1p of minus the other above."""
    from scipy.special import betainc, betaincc
    y, a, b = np.broadcast_arrays(floats(y), floats(a), floats(b))
    x = np.clip(y, 0.0, 1.0)
    p, q = betainc(a, b, x), betaincc(a, b, x)
    # the complement is I_{1-y}(b, a); 1 - y is exact where the upper tail is small
    log_f, log_s = log_complements(p, q, _log_tail(p, a, b, x), _log_tail(q, b, a, 1.0 - x))
    return inside_or(y >= 0, log_f, -np.inf), inside_or(y >= 0, log_s, 0.0)


def start(y, w):
    """The method of moments: a + b = mean (1 - mean)/var - 1."""
    mean = weighted_mean(y, w)
    var = weighted_mean((floats(y) - mean) ** 2, w)
    total = mean * (1.0 - mean) / var - 1.0 if var > 0 else 0.0
    total = max(total, 1e-3)
    return mean * total, (1.0 - mean) * total


DENSITY = Density(
    name="beta", params=("a", "b"), domains=(POSITIVE, POSITIVE),
    logpdf=logpdf,
    logcdf=one_tail(tails, 0), logsf=one_tail(tails, 1),
    derivs=derivs, start=start,
    sample=lambda rng, size, a, b: rng.beta(a, b, size),
    scipy=lambda a, b: scipy_stats().beta(a, b),
)
