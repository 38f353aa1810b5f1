"""Logarithms of tail probabilities that stay accurate where the probability itself
underflows or where 1 - F cancels: shared by the families' logcdf and logsf."""
import numpy as np

LN2 = 0.6931471805599453
TINY = 1e-280  # below this a probability is taken again on the log scale


def log1mexp(a):
    """log(1 - exp(a)) for a <= 0, without cancellation at either end (Maechler 2012)."""
    a = np.asarray(a, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(a > -LN2, np.log(-np.expm1(a)), np.log1p(-np.exp(a)))


def log_ndtr(z):
    from scipy.special import log_ndtr as f
    return f(z)


def _log_prefix(a, x):
    """log(x^a e^-x / Gamma(a))."""
    from scipy.special import gammaln, xlogy
    return xlogy(a, x) - x - gammaln(a)


def _log_lower_series(a, x):
    """log P(a, x) by the series e^-x x^a / Gamma(a+1) sum_n x^n / ((a+1)...(a+n)), for x < a + 1."""
    term = np.ones_like(x)
    total = np.ones_like(x)
    for n in range(1, 500):
        term = term * x / (a + n)
        total = total + term
        if np.all(term <= 1e-17 * total):
            break
    return _log_prefix(a, x) - np.log(a) + np.log(total)


def _log_upper_fraction(a, x):
    """log Q(a, x) by Legendre's continued fraction (modified Lentz), for x > a + 1."""
    tiny = 1e-300
    b = x + 1.0 - a
    c = np.full_like(x, 1.0 / tiny)
    d = 1.0 / b
    h = d.copy()
    for i in range(1, 500):
        an = -i * (i - a)
        b = b + 2.0
        d = an * d + b
        d = np.where(np.abs(d) < tiny, tiny, d)
        c = b + an / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        d = 1.0 / d
        step = d * c
        h = h * step
        if np.all(np.abs(step - 1.0) < 1e-16):
            break
    return _log_prefix(a, x) + np.log(h)


def _refine(value, a, x, where, formula):
    """value with the rows `where` recomputed on the log scale by `formula`."""
    idx = np.flatnonzero(where)
    if not idx.size:
        return value
    value = np.array(value, dtype=np.float64)
    value.flat[idx] = formula(a.flat[idx], x.flat[idx])
    return value[()] if value.ndim == 0 else value


def log_gammainc(a, x):
    """log P(a, x), the regularised lower incomplete gamma (a gamma's log-CDF)."""
    from scipy.special import gammainc
    a, x = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(x, dtype=np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = gammainc(a, x)
        out = np.log(p)
        return _refine(out, a, x, (p < TINY) & (x > 0) & (x < a + 1.0), _log_lower_series)


def log_gammaincc(a, x):
    """log Q(a, x) = log(1 - P(a, x)), the regularised upper incomplete gamma (a gamma's
    log-survival function), accurate where Q underflows."""
    from scipy.special import gammaincc
    a, x = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(x, dtype=np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        q = gammaincc(a, x)
        out = np.log(q)
        return _refine(out, a, x, (q < TINY) & (x > a + 1.0), _log_upper_fraction)
