"""log I_x(a, b), the regularised incomplete beta, accurate where I_x itself underflows:
the binomial and negative binomial tails (and any other written as an incomplete beta)
far out, past 1e-300.

x and y = 1 - x are both taken, so that a caller who has each exactly (p and 1 - p as
q/(r+mu) and r/(r+mu)) loses nothing to forming 1 - x."""
import numpy as np

from .tails import TINY


def _log_fraction(a, b, x, y):
    """log I_x(a, b) = a log x + b log y - log B(a, b) - log a + log F, F the continued
    fraction of Numerical Recipes' betacf (evaluated by modified Lentz), which converges
    for x < (a + 1)/(a + b + 2), where every underflowing I_x lies."""
    from scipy.special import betaln, xlog1py, xlogy
    tiny = 1e-300
    c = np.ones_like(x)
    d = 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
    h = d.copy()
    for m in range(1, 20000):
        for an in (m * (b - m) * x / ((a + 2 * m - 1.0) * (a + 2 * m)),
                   -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1.0))):
            d = 1.0 + an * d
            d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
            c = 1.0 + an / c
            c = np.where(np.abs(c) < tiny, tiny, c)
            step = d * c
            h = h * step
        if np.all(np.abs(step - 1.0) < 4e-16):  # within two ulps of 1
            break
    # b log y from the y given (exact where the caller formed it directly), or as
    # b log1p(-x) where y is over 1/2 and so no more precise than 1 - x
    log_y = np.where(y > 0.5, xlog1py(b, -x), xlogy(b, y))
    return xlogy(a, x) + log_y - betaln(a, b) - np.log(a) + np.log(h)


def _log_tail(special, a, b, x, y, swap):
    """log of special(a, b, x), with the rows where it underflows (and the fraction
    converges) taken again by _log_fraction: at (a, b, x, y), or (b, a, y, x) for the
    complement (1 - I_x(a, b) = I_y(b, a))."""
    a, b, x = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (a, b, x)))
    y = np.broadcast_to(1.0 - x if y is None else np.asarray(y, dtype=np.float64), x.shape)
    if swap:
        a, b, x, y = b, a, y, x
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        out = np.log(special(*((b, a, y) if swap else (a, b, x))))
        idx = np.flatnonzero((out < np.log(TINY)) & (x > 0) & (x < (a + 1.0) / (a + b + 2.0)))
        if idx.size:
            out = np.array(out)
            out.flat[idx] = _log_fraction(*(v.flat[idx] for v in (a, b, x, y)))
    return out[()] if out.ndim == 0 else out


def log_betainc(a, b, x, y=None):
    """log I_x(a, b) for x in [0, 1]; y = 1 - x (from x when not given)."""
    from scipy.special import betainc
    return _log_tail(betainc, a, b, x, y, False)


def log_betaincc(a, b, x, y=None):
    """log(1 - I_x(a, b)) = log I_y(b, a), from betaincc at x (no 1 - I)."""
    from scipy.special import betaincc
    return _log_tail(betaincc, a, b, x, y, True)
