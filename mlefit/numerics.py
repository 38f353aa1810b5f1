"""Small numerical building blocks shared by the families: stable moments, weighted
median, log-factorial sums and a safeguarded root finder. numpy only (no scipy), so
closed-form fits never pay for importing scipy."""
import math

import numpy as np


def total_weight(w, n):
    return float(n) if w is None else float(np.sum(w))


def wsum(v, w):
    """Sum of v, weighted by w when w is given (pairwise summation in numpy)."""
    return float(np.sum(v)) if w is None else float(np.sum(w * v))


def mean(x, w=None):
    """Weighted mean, corrected by a second pass (sum of the residuals)."""
    n = total_weight(w, x.size)
    m = wsum(x, w) / n
    return m + wsum(x - m, w) / n


def mean_and_m2(x, w=None):
    """Weighted mean and second central moment (divisor: the total weight).

    Two passes with a compensation term, so a mean of 1e9 with a spread of 1e-3 keeps
    its full precision (the one-pass E[x^2] - E[x]^2 would lose it all)."""
    n = total_weight(w, x.size)
    mean = wsum(x, w) / n
    d = x - mean
    s1 = wsum(d, w)
    mean += s1 / n
    m2 = (wsum(d * d, w) - s1 * s1 / n) / n
    return mean, max(m2, 0.0)


def weighted_median(x, w=None):
    """A minimiser of sum w|x - m|; the midpoint where the minimisers form an interval
    (so it equals numpy's median for unit weights)."""
    if w is None:
        return float(np.median(x))
    return weighted_quantile(x, w, 0.5)


def weighted_quantile(x, w, tau):
    """A minimiser of sum w rho_tau(x - m), rho_tau(u) = u (tau - [u < 0]): the
    tau-quantile; the midpoint where the minimisers form an interval."""
    order = np.argsort(x, kind="stable")
    xs = x[order]
    cw = np.cumsum(w[order]) if w is not None else np.arange(1.0, x.size + 1.0)
    target = tau * cw[-1]
    i = min(int(np.searchsorted(cw, target * (1 - 1e-12), side="left")), xs.size - 1)
    if math.isclose(cw[i], target, rel_tol=1e-12) and i + 1 < xs.size:
        return 0.5 * (float(xs[i]) + float(xs[i + 1]))
    return float(xs[i])


def value_counts(x, w=None):
    """Distinct non-negative integer values and their (weighted) counts, in O(n) when
    the values are small enough for a bincount."""
    if x.size and x.max() <= 10 * x.size + 1000:
        xi = x.astype(np.int64)
        counts = np.bincount(xi, weights=w)
        values = np.flatnonzero(counts)
        return values.astype(np.float64), counts[values].astype(np.float64)
    values, inverse = np.unique(x, return_inverse=True)
    counts = np.bincount(inverse, weights=w).astype(np.float64)
    return values, counts


def sum_log_factorial(values, counts):
    """sum(count * log(value!)) over distinct values, via math.lgamma."""
    return float(sum(c * math.lgamma(v + 1.0) for v, c in zip(values.tolist(), counts.tolist())))


def solve_increasing(f, lo, hi, x0, *, max_iter, tol):
    """Root of an increasing function f(x) -> (value, derivative) inside [lo, hi] with
    f(lo) < 0 < f(hi): Newton steps, falling back to bisection whenever a step leaves
    the bracket. Returns (root, iterations, converged)."""
    x = min(max(x0, lo), hi)
    for it in range(1, max_iter + 1):
        fx, dfx = f(x)
        if fx == 0.0:
            return x, it, True
        if fx < 0:
            lo = x
        else:
            hi = x
        step = fx / dfx if dfx > 0 and math.isfinite(dfx) else math.inf
        new = x - step
        if not (lo < new < hi):
            new = 0.5 * (lo + hi)
        if abs(new - x) <= tol * max(1.0, abs(x)):
            return new, it, True
        x = new
    return x, max_iter, False


def logit(p):
    return math.log(p) - math.log1p(-p)


def expit(t):
    if t >= 0:
        return 1.0 / (1.0 + math.exp(-t))
    e = math.exp(t)
    return e / (1.0 + e)


HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def stirling_remainder(a):
    """mu(a) = lgamma(a) - [(a - 1/2) log a - a + log(2 pi)/2], accurately for all a > 0
    (the asymptotic series for a >= 15, where the direct difference would cancel)."""
    if a < 15.0:
        return math.lgamma(a) - ((a - 0.5) * math.log(a) - a + HALF_LOG_2PI)
    r = 1.0 / (a * a)
    return (1.0 / 12 - r * (1.0 / 360 - r * (1.0 / 1260 - r * (1.0 / 1680 - r / 1188)))) / a


def log_minus_digamma(a):
    """log(a) - digamma(a) and its derivative 1/a - trigamma(a), without the cancellation
    the direct differences suffer for large a. Pure Python, so the gamma fit needs no scipy
    (0.2-0.5 s to import). Below a = 20 it is within 3.5 ulp (value) and 4.5 ulp
    (derivative) of mpmath, where scipy's digamma and polygamma followed by the
    differences were up to 180 ulp off; tests/test_startup.py checks both.
    """
    if a < 20.0:
        return _log_minus_digamma_shifted(a)
    return _log_minus_digamma_series(a)


def _log_minus_digamma_series(a):
    """The asymptotic series of log(a) - digamma(a) and of its derivative, for a >= 20."""
    r = 1.0 / (a * a)
    value = 1.0 / (2 * a) + r * (1.0 / 12 - r * (1.0 / 120 - r * (1.0 / 252 - r * (1.0 / 240 - r / 132))))
    deriv = -(r / 2 + (r / a) * (1.0 / 6 - r * (1.0 / 30 - r * (1.0 / 42 - r * (1.0 / 30 - r * 5.0 / 66)))))
    return value, deriv


SHIFT_TO = 25.0  # where the series is accurate to an ulp for the value and the derivative


def _log_minus_digamma_shifted(a):
    """a < 20: digamma(c) = digamma(c + 1) - 1/c and trigamma(c) = trigamma(c + 1) + 1/c^2
    carry a up to b = a + n >= 25 for the series. Each step adds 1/c - log(1 + 1/c) > 0 to
    the value and 1/c - 1/(c+1) - 1/c^2 = -1/(c^2 (c+1)) < 0 to the derivative: terms of
    one sign, so nothing cancels, and fsum adds them without further rounding."""
    if not a > 0:
        raise ValueError("math domain error")
    n = math.ceil(SHIFT_TO - a)
    value, deriv = _log_minus_digamma_series(a + n)
    values, derivs = [value], [deriv]
    for k in range(n):
        c = a + k
        t = 1.0 / c
        values.append(_t_minus_log1p(t))
        derivs.append(-(t * t) / (c + 1.0))
    return math.fsum(values), math.fsum(derivs)


def _t_minus_log1p(t):
    """t - log(1 + t) for t > 0, to a few ulp: for t <= 1 from log(1 + t) = 2 atanh(u),
    u = t/(2 + t), so t - log(1 + t) = 2u^2/(1-u) - 2u^3 (1/3 + u^2/5 + u^4/7 + ...)
    (u <= 1/3, so the second part is under an eighth of the first)."""
    if t > 1.0:
        return t - math.log1p(t)
    u = t / (2.0 + t)
    u2 = u * u
    total, power, j = 0.0, 1.0, 0
    while True:
        term = power / (2 * j + 3)
        total += term
        if term < 1e-17 * total:
            break
        power *= u2
        j += 1
    return 2.0 * u2 / (1.0 - u) - 2.0 * u2 * u * total


def log1pmx(t):
    """log(1 + t) - t, accurate also for tiny t."""
    if abs(t) < 1e-4:
        return -t * t * (0.5 - t * (1.0 / 3 - t * (0.25 - t / 5)))
    return math.log1p(t) - t


def log1pmx_array(t):
    """Vectorised log1pmx: the series where |t| < 1e-3, log1p(t) - t elsewhere, each
    computed only where it is needed (large arrays pay for no third temporary)."""
    t = np.asarray(t, dtype=np.float64)
    small = np.abs(t) < 1e-3

    def series(u):
        return -u * u * (0.5 - u * (1.0 / 3 - u * (0.25 - u * (0.2 - u / 6))))

    def direct(u):
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.log1p(u) - u
    if small.all():
        return series(t)
    if not small.any():
        return direct(t)
    out = direct(t)
    out[small] = series(t[small])
    return out


def poisson_loglik_terms(values, counts, lam):
    """sum over distinct counts v (with multiplicities) of log P(v; lam), accurate for huge
    counts: for v >= 10 it uses v (log u - u + 1) - log(2 pi v)/2 - mu(v), u = lam / v,
    instead of the difference of three numbers near v log v."""
    total = 0.0
    for v, c in zip(values.tolist(), counts.tolist()):
        if v == 0:
            term = -lam
        elif v < 10:
            term = v * math.log(lam) - lam - math.lgamma(v + 1.0)
        else:
            term = v * log1pmx(lam / v - 1.0) - 0.5 * math.log(2 * math.pi * v) - stirling_remainder(v)
        total += c * term
    return total
