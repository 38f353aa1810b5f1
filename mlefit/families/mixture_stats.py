"""The statistics of normal_mixture:K: the data as their distinct values with summed
weights (a sorted table), which merge chunk by chunk (Family.merge), so a file is fitted
in memory bounded by its number of distinct values, not its rows (stream.py, Dask).

The EM's view of the table (values centred and divided by a power of two near the sd,
the spread and the collapse floor) is made from the table alone, on first use: the
merged table of a file's chunks is the table of the whole file, so a streamed fit is
the in-memory fit, number for number. Only n, mean and m2 (the one-component fit, and
the data's sd in the notes) come from the rows, merged by Chan's update as the normal
family's are."""
import math
from functools import cached_property

import numpy as np

from .. import numerics as nm
from . import merge as pooled


class Table:
    """n, k, mean, m2 and the table (values, counts); y, centre, scale, spread and floor
    (the EM's standardized view) are made on first use."""

    def __init__(self, k, values, counts, n, mean, m2):
        self.k, self.values, self.counts, self.n, self.mean, self.m2 = k, values, counts, n, mean, m2

    @cached_property
    def _view(self):
        from .mixture_em import FLOOR

        values, counts = self.values, self.counts
        centre, var = nm.mean_and_m2(values, counts)
        scale = math.ldexp(1.0, math.frexp(math.sqrt(var))[1]) if var > 0 else 1.0
        y = (values - centre) / scale
        cum = np.cumsum(counts)
        q1, q3 = (y[min(int(np.searchsorted(cum, u * cum[-1])), y.size - 1)] for u in (0.25, 0.75))
        sd = math.sqrt(var) / scale
        spread = min(sd, (q3 - q1) / 1.349) if q3 > q1 else sd
        return y, centre, scale, spread, FLOOR * spread

    y = property(lambda self: self._view[0])
    centre = property(lambda self: self._view[1])
    scale = property(lambda self: self._view[2])
    spread = property(lambda self: self._view[3])
    floor = property(lambda self: self._view[4])


def stats(k):
    def table(x, w):
        if w is None:
            values, counts = _counted(x)
        else:
            values, inverse = np.unique(x, return_inverse=True)
            counts = np.bincount(inverse.ravel(), weights=w, minlength=values.size).astype(np.float64)
        mean, m2 = nm.mean_and_m2(x, w)  # k = 1: exactly the normal family's estimate
        return Table(k, values, counts, nm.total_weight(w, x.size), mean, m2)
    return table


def _counted(x):
    """The distinct values of x and how often each occurs (float64), as np.unique(x,
    return_counts=True) gives them, with fewer row-sized temporaries (a chunk's table is
    made while the chunk and the merged table are held)."""
    xs = np.sort(x.reshape(-1))
    if xs.size == 0:
        return xs, np.empty(0)
    first = np.empty(xs.size, dtype=bool)
    first[0] = True
    np.not_equal(xs[1:], xs[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    del first
    values = xs[starts]
    del xs
    counts = np.empty(starts.size)
    np.subtract(starts[1:], starts[:-1], out=counts[:-1])
    counts[-1] = x.size - starts[-1]
    return values, counts


def merge(a, b):
    """The statistics of two data sets together: their tables merged (values in order,
    the weights of a value in both added), n, mean and m2 as merge.moments pools them.
    One boolean mask places a's entries and b's new values in the merged arrays (where
    two np.insert calls would sort the positions and build a mask each)."""
    if a.values.size == 0 or b.values.size == 0:
        return b if a.values.size == 0 else a
    at = np.searchsorted(a.values, b.values)
    fresh = a.values.take(at, mode="clip") != b.values  # b's values not in a (at == a.values.size: beyond a's last)
    before = np.cumsum(fresh)
    before -= fresh  # b[i] lands after the new values of b before it (b is sorted): at[i] + their number
    at += before
    del before
    size = a.values.size + int(np.count_nonzero(fresh))
    new = at[fresh]
    old = np.ones(size, dtype=bool)
    old[new] = False
    values, counts = np.empty(size), np.empty(size)
    values[old], counts[old] = a.values, a.counts
    del old
    values[new], counts[new] = b.values[fresh], 0.0
    del new
    counts[at] += b.counts  # b's values are distinct: no index twice
    n = a.n + b.n
    return Table(a.k, values, counts, n, pooled._mean(a, b), pooled._m2(a, b, n))
