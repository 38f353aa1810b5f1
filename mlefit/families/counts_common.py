"""Pieces shared by the per-row count families (bernoulli, binomial, geometric,
negative_binomial, beta_binomial, zero_inflated_poisson): the support of a count, the
discrete tails' edges, log C(t, y), and weighted sums for starting values."""
from types import SimpleNamespace

import numpy as np

from .. import numerics as nm


def on_support(y, top=None):
    """y is a whole number in 0..top (0, 1, 2, ... without a top)."""
    y = np.asarray(y, dtype=np.float64)
    inside = (y >= 0) & (y == np.floor(y))
    return inside if top is None else inside & (y <= top)


def masked(inside, value):
    """value where the row is on the support, -inf (mass 0) elsewhere."""
    return np.where(inside, value, -np.inf)


def log_choose(t, y):
    """log C(t, y) as -log(t+1) - log B(t-y+1, y+1): exact for large t, where
    gammaln(t+1) - gammaln(y+1) - gammaln(t-y+1) cancels; log B from gamma_arrays (Stirling's
    form for a large shape, where scipy's betaln loses up to 2e-11 of its size)."""
    from .. import gamma_arrays as ga
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # NaN or inf off the support
        return -np.log1p(t) - ga.log_beta(np.subtract(t, y) + 1.0, np.add(y, 1.0), scipy=True)  # (masked by the callers)


def tail(y, formula, below, top=None, above=None):
    """A discrete tail at k = floor(y): formula(k) on the support 0..top-1 (k is clipped
    there first, so the formula sees no argument outside its domain), `below` where k < 0
    and `above` where k >= top (a bounded support: every mass is at or below k)."""
    k = np.floor(np.asarray(y, dtype=np.float64))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if top is None:
            return np.where(k < 0, below, formula(np.maximum(k, 0.0)))
        last = np.maximum(np.asarray(top, dtype=np.float64) - 1.0, 0.0)
        value = formula(np.minimum(np.maximum(k, 0.0), last))
        return np.where(k < 0, below, np.where(k >= top, above, value))


def wsum(values, y, w):
    """sum_i w_i v_i, where v (a shape such as the trials) may be one value for every row."""
    v = np.broadcast_to(np.asarray(values, dtype=np.float64), np.shape(y))
    return float(np.sum(v) if w is None else np.dot(w, v))


def inside_unit(p, margin=1e-10):
    """A starting probability, kept off 0 and 1 (where its logit is infinite)."""
    return float(min(max(p, margin), 1.0 - margin))


def upper_exact(alpha, n):
    """Exact one-sided bound when every trial went one way: (alpha/2)^(1/n)."""
    return (alpha / 2.0) ** (1.0 / n)


@nm.takes_span
def count_stats(x, w, span=None):
    """The sufficient statistics of counts: their table of distinct values (with counts),
    total, mean and m2: the poisson, geometric and negative_binomial fast paths' stats."""
    values, counts = nm.value_counts(x, w, hi=None if span is None else span[1])
    n = float(counts.sum())
    mean, m2 = nm.mean_and_m2(values, counts)
    return SimpleNamespace(n=n, total=float(values @ counts), mean=mean, m2=m2,
                           values=values, counts=counts)
