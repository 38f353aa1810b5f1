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

from .catalog import POSITIVE
from .base import scipy_stats
from .positive_common import floats, inside_or, log_complements, masked_derivs, one_tail, quiet
from .rowwise import Density, weighted_mean
from .tails import TINY


@quiet
def logpdf(y, a, b):
    from scipy.special import betaln, xlog1py, xlogy
    y = floats(y)
    body = xlogy(a - 1.0, y) + xlog1py(b - 1.0, -y) - betaln(a, b)
    return inside_or((y >= 0) & (y <= 1), body, -np.inf)


@quiet
def derivs(y, a, b):
    from scipy.special import betaln, digamma, polygamma
    y = floats(y)
    logy, log1my = np.log(y), np.log1p(-y)
    ll = (a - 1.0) * logy + (b - 1.0) * log1my - betaln(a, b)
    d_ab, t_ab = digamma(a + b), polygamma(1, a + b)
    zero = 0.0 * y
    score = (logy - digamma(a) + d_ab, log1my - digamma(b) + d_ab)
    hess = ((t_ab - polygamma(1, a) + zero, t_ab + zero), (t_ab + zero, t_ab - polygamma(1, b) + zero))
    return masked_derivs((y > 0) & (y < 1), ll, score, hess)


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
