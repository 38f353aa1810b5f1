"""Merging the statistics of two data sets into those of both together, for the families
whose statistics are a few numbers: a file is then fitted chunk by chunk in one pass
(stream.py), in bounded memory, with the estimate the whole file would give.

Every merge keeps the cancellation-free forms the families compute their statistics in:
second central moments by Chan's update, and the gamma's and inverse Gaussian's spread
terms as sums of non-negative parts, so tightly clustered data keep their precision
whatever the chunks."""
import math
from types import SimpleNamespace

from .. import special_series as ss


def _shares(a, b):
    n = a.n + b.n
    return n, a.n / n, b.n / n


def _mean(a, b):
    """The pooled mean; the pooled mean lies between the two, whatever the rounding."""
    n, pa, pb = _shares(a, b)
    mean = pa * a.mean + pb * b.mean
    return min(max(mean, min(a.mean, b.mean)), max(a.mean, b.mean))


def _m2(a, b, n):
    """Chan et al.'s pairwise update of the second central moment (divisor n)."""
    delta = b.mean - a.mean
    return max((a.n * a.m2 + b.n * b.m2 + delta * delta * (a.n * b.n / n)) / n, 0.0)


def moments(a, b):
    """normal, lognormal: n, mean, m2 and the Jacobian term sum log x."""
    n = a.n + b.n
    return SimpleNamespace(n=n, mean=_mean(a, b), m2=_m2(a, b, n), jacobian=a.jacobian + b.jacobian)


def sums(*fields):
    """Statistics that are all sums (n among them)."""
    def merge(a, b):
        return SimpleNamespace(**{f: getattr(a, f) + getattr(b, f) for f in ("n",) + fields})
    return merge


def _spread_between(parts, mean, term):
    """sum over the parts of n_c * term((m_c - m) / m): the part of a spread statistic
    that comes from the parts' means differing from the pooled one."""
    return sum(p.n * term((p.mean - mean) / mean) for p in parts)


def gamma(a, b):
    """n, mean, meanlog and d = log(mean) - mean(log x) >= 0. With t_c = (m_c - m)/m,
    n d = sum n_c d_c + sum n_c log(m / m_c) = sum n_c d_c - sum n_c log1pmx(t_c) - sum n_c t_c:
    the first two are sums of non-negative terms, the last is 0 up to rounding."""
    n, pa, pb = _shares(a, b)
    mean = _mean(a, b)
    between = -_spread_between((a, b), mean, ss.log1pmx) - (a.n * (a.mean - mean) + b.n * (b.mean - mean)) / mean
    d = pa * a.d + pb * b.d + max(between, 0.0) / n
    return SimpleNamespace(n=n, mean=mean, d=d, meanlog=pa * a.meanlog + pb * b.meanlog)


def beta(a, b):
    """n and the mean logs l1 = mean log x, l2 = mean log(1 - x)."""
    n, pa, pb = _shares(a, b)
    return SimpleNamespace(n=n, l1=pa * a.l1 + pb * b.l1, l2=pa * a.l2 + pb * b.l2)


def inverse_gaussian(a, b):
    """n, mean, sum log x and D = sum (1/x - 1/mean) >= 0:
    D = D_a + D_b + sum n_c (m_c - m)^2 / (m^2 m_c), a sum of non-negative terms."""
    n = a.n + b.n
    mean = _mean(a, b)
    between = sum(p.n * ((p.mean - mean) / mean) ** 2 / p.mean for p in (a, b))
    return SimpleNamespace(n=n, mean=mean, d=a.d + b.d + between, sumlog=a.sumlog + b.sumlog)


def _log_ratio(big, small):
    """log(big / small) for big >= small > 0, exact for nearby values."""
    excess = (big - small) / small
    return math.log1p(excess) if math.isfinite(excess) else math.log(big) - math.log(small)


def pareto(a, b):
    """n, the minimum m, T = sum log(x / m) and sum log x."""
    m = min(a.m, b.m)
    t = a.t + a.n * _log_ratio(a.m, m) + b.t + b.n * _log_ratio(b.m, m)
    return SimpleNamespace(n=a.n + b.n, m=m, t=t, sumlog=a.sumlog + b.sumlog)


def uniform(a, b):
    lo, hi = min(a.lo, b.lo), max(a.hi, b.hi)
    return SimpleNamespace(n=a.n + b.n, lo=lo, hi=hi, range=hi - lo)
