"""The data a threshold family's fit sums over (threshold.py), the same in memory and in
chunks (issue 21): a view with sum(fn) (chunks.InMemory, or chunks.OnChunks for a file
read in chunks), so that every pass is taken block by block, with no temporary as long
as the data, and the same code fits a file in memory or in chunks.

The statistics hold n, the smallest and largest value, the mean and spread, the view,
and a systematic sample (every stride-th value, the stride the least power of two that
leaves at most chunks.SAMPLE_SIZE values: what chunks.LocalChunks keeps as it reads), so
that the subsets the profile is searched on first (subset: every k-th value of the
sample and the smallest) are the same values whether the data are in memory or in
chunks, and so are the fits."""
import math
from types import SimpleNamespace

import numpy as np

from .. import numerics as nm


BLOCK = 1 << 14  # values a call of the sums' block functions: their half-dozen temporaries stay in L2 (measured
#                 at 1e7: twice as fast as chunks.BLOCK)


def ws(a, w):
    """sum w a (w None: unit weights), pairwise (numpy's sum)."""
    return float(a.sum() if w is None else np.multiply(a, w).sum())


def wd(a, b, w):
    """sum w a b, pairwise: on a block the product's temporary stays in cache, and costs
    less than numerics.dot's calls (half a pass's time went to them)."""
    ab = np.multiply(a, b)
    return float(ab.sum() if w is None else np.multiply(ab, w, out=ab).sum())


class Mapped:
    """The values f(x) of a view (f applied block by block as each pass visits them)."""

    in_memory = True  # for the base fits' estimators: no sample of f(x) to start from (the
    #                   profile's own subsets give the threshold family its starts)

    def __init__(self, view, f, n):
        self.view, self.f, self.n = view, f, n

    def sum(self, fn, block=BLOCK):
        f = self.f
        return self.view.sum(lambda x, w: fn(f(x), w), block)


def stride(n):
    """The stride of chunks.LocalChunks' sample of n values."""
    from ..io import chunks
    size, k = max(int(chunks.SAMPLE_SIZE), 1), 1
    while -(-n // k) > size:
        k *= 2
    return k


def _stats(view, n, lo, hi, mean, m2, sample, sample_w, w_lo, x=None, w=None):
    return SimpleNamespace(n=n, view=view, lo=float(lo), hi=float(hi), mean=float(mean), spread=math.sqrt(m2),
                           sample=sample, sample_w=sample_w, w_lo=w_lo, mid=nm.a_value(sample), x=x, w=w, memo={})


@nm.takes_span
def in_memory(x, w, span=None):
    """The statistics of values in memory (weights w, or None)."""
    from ..io.chunks import InMemory
    x = np.asarray(x, dtype=np.float64)
    n = nm.total_weight(w, x.size)
    lo, hi = span if span is not None else nm.extremes(x)
    mean, m2 = nm.mean_and_m2(x, w)
    k = stride(x.size)
    sample, sample_w = x[::k], None if w is None else w[::k]  # (views: subset copies what it takes)
    w_lo = None if w is None else float(w[int(np.argmin(x))])
    return _stats(InMemory(x, w, n), n, lo, hi, mean, m2, sample, sample_w, w_lo, x, w)


def on_chunks(chunks):
    """The statistics of values held in chunks (mlefit.io.chunks: a file read in chunks)."""
    from ..io.chunks import OnChunks
    view = OnChunks(chunks)
    mean, m2 = view.mean_and_m2()
    return _stats(view, float(chunks.n), chunks.lo, chunks.hi, mean, m2, np.asarray(chunks.sample()), None, None)


def subset(s, size):
    """The statistics of about `size` values: the smallest, then every k-th of the sample
    (weights alike), with the full data's smallest value and spread (so that a threshold
    means the same offset below min x); None where the sample has fewer than 2 size."""
    from ..io.chunks import InMemory
    k = s.sample.size // size
    if k < 2:
        return None
    x = np.concatenate(([s.lo], s.sample[::k]))
    w = None if s.sample_w is None else np.concatenate(([s.w_lo], s.sample_w[::k]))
    n = nm.total_weight(w, x.size)
    return SimpleNamespace(n=n, view=InMemory(x, w, n), lo=s.lo, hi=float(x.max()), mean=nm.mean(x, w),
                           spread=s.spread, mid=nm.a_value(x), x=x, w=w, memo={})


def above_smallest(s):
    """How many values exceed the smallest (at least those of the sample; a pass only
    where the sample has fewer than 2)."""
    for part in (s.sample[:64], s.sample):  # (most often the first few are enough)
        seen = int(np.count_nonzero(part > s.lo))
        if seen >= 2:
            return seen
    lo = s.lo
    return int(s.view.sum(lambda x, w: float(np.count_nonzero(x > lo))))


def logs_of(c, scale=1.0):
    """x -> log((x - c) / scale), block by block (one buffer)."""
    inv = 1.0 / scale

    def logs(x):
        z = np.subtract(x, c)
        if scale != 1.0:
            z *= inv
        return np.log(z, out=z)
    return logs


def log_moments(s, c, scale=1.0):
    """(mean, m2) of log((x - c) / scale) over the data, in one pass about its value at a
    typical data value (numerics.moments_by_shifts)."""
    view = Mapped(s.view, logs_of(c, scale), s.n)
    got = nm.moments_by_shifts(lambda a: view.sum(lambda y, w: nm.shifted_sums(y, w, a), BLOCK), s.n,
                               math.log((s.mid - c) / scale))
    return got if got is not None else (math.nan, math.nan)
