"""Exact quantiles of values held in chunks (chunks.Chunks: a temporary file, Dask
workers), and the sum of a check loss about them, in memory bounded by a bracket.

The quantile is the one numerics.weighted_quantile gives unweighted (its one or two
order statistics, numerics.quantile_ranks), value for value. The ranks wanted are
bracketed by two values of the chunks' subsample (order_stats' idea: a few thousand
sample ranks either side); one pass over the chunks counts the values below the
bracket and collects those inside it (under one per cent of them), and np.partition
of those gives the order statistics. The same pass sums the loss of the values below
the bracket about its lower end a and of those above it about its upper end b, and the
sum about the quantile q (a <= q <= b) follows as a sum of terms that are all >= 0, so
nothing cancels however far the bracket's ends lie from q:

    sum loss(x - q) = sum_{x < a} loss(x - a) + N_below below_slope (q - a)
                      + sum_{x > b} loss(x - b) + N_above above_slope (b - q)
                      + sum over the bracket of loss(v - q).

A sample that holds every value (at most chunks.SAMPLE_SIZE of them) is the data: the
quantile and the sum are taken from it in memory, as the in-memory fit takes them.

When the sample misled the bracket (a file ordered in a period of the sample's
stride), or it holds more than COLLECT values (many ties), passes of histograms
narrow the range down to one that does hold the ranks and fits in memory (or is a
single value), and the loss is summed about q in a pass of its own.
"""
import math

import numpy as np

from . import numerics as nm
from .io.chunks import InMemory

COLLECT = 1 << 22  # values collected from a bracket at most (32 MiB)
MARGIN = 3.0  # bracket half-width in sample ranks, in units of sqrt(sample size)
CUTS = 4096  # cut points of a narrowing histogram (besides the sample's)


def quantile(chunks, tau, loss=None, below_slope=1.0, above_slope=1.0):
    """(the tau-quantile of the chunks' values, sum loss(x - q) or None without loss).
    loss(u): a check loss, below_slope (-u) for u < 0 and above_slope u for u >= 0,
    computed as the in-memory estimator computes it (the same per-value rounding)."""
    n = int(chunks.n)
    sample = np.asarray(chunks.sample(), dtype=np.float64)
    if sample.size == n:  # every value, in order: the in-memory fit's own computation, no pass
        q = nm.weighted_quantile(sample, None, tau)
        return q, None if loss is None else _fsum(loss(sample - q))
    ranks = nm.quantile_ranks(n, tau)
    a, b = _bracket(chunks, ranks, n)
    below, inside, values, outside = _collect_pass(chunks, a, b, loss)
    if a == b and below <= ranks[0] and ranks[-1] < below + inside:  # a tied value: nothing to collect
        return a, outside  # (q = a = b: the values outside are all there is to sum)
    if values is not None and below <= ranks[0] and ranks[-1] < below + inside:
        q = _from_values(values, [r - below for r in ranks])
        if loss is None:
            return q, None
        above = n - below - inside
        return q, math.fsum((outside, below * below_slope * (q - a), above * above_slope * (b - q),
                             _fsum(loss(values - q))))
    held = values is None and below <= ranks[0] and ranks[-1] < below + inside  # too many to collect
    start = (a, b, below, inside) if held else (chunks.lo, chunks.hi, 0, n)
    q = nm.quantile_of([_narrowed(chunks, r, *start) for r in ranks])  # one rank at a time: each
    #   narrows to a bin of its own (two ranks in two bins of many ties each would not)
    if loss is None:
        return q, None
    return q, chunks.map_sum(lambda x: InMemory(x).sum(lambda v, w: nm.wsum(loss(v - q), w)))


def _fsum(v):
    return InMemory(v).sum(lambda u, w: nm.wsum(u, w)) if v.size else 0.0


def _from_values(values, ranks):
    values.partition(sorted(set(ranks)))  # in place: the values are this module's own copy
    return nm.quantile_of([float(values[r]) for r in ranks])


def _bracket(chunks, ranks, n):
    """(a, b): values of the subsample a margin of sample ranks either side of the ranks
    wanted (the least and greatest values at the ends)."""
    sample = np.asarray(chunks.sample(), dtype=np.float64)
    m = sample.size
    if m == 0:
        return float(chunks.lo), float(chunks.hi)
    margin = int(MARGIN * math.sqrt(m)) + 1
    mid = [min(int(r * m / n), m - 1) for r in ranks]
    r_lo, r_hi = mid[0] - margin, mid[-1] + margin
    wanted = [r for r in (r_lo, r_hi) if 0 <= r < m]
    part = np.partition(sample, wanted) if wanted else sample
    a = float(part[r_lo]) if r_lo > 0 else float(chunks.lo)
    b = float(part[r_hi]) if r_hi < m - 1 else float(chunks.hi)
    return a, b


def _collect_pass(chunks, a, b, loss):
    """(the number of values below a, the number in [a, b], those values (None when
    more than COLLECT, or a == b: all equal a), sum_{x < a} loss(x - a) + sum_{x > b}
    loss(x - b) or None without loss), in one pass."""
    held = [0]

    def each(x):
        below = int(np.count_nonzero(x < a))
        if a == b:
            inside = None
            k = int(np.count_nonzero(x == a))
        else:
            inside = x[(x >= a) & (x <= b)]
            k = inside.size
        held[0] += k
        if held[0] > COLLECT:
            inside = None
        outside = None
        if loss is not None:  # loss(0) = 0: the values inside the bracket add nothing here
            outside = InMemory(x).sum(lambda v, w: nm.wsum(loss(np.minimum(v - a, 0.0)), w)
                                      + nm.wsum(loss(np.maximum(v - b, 0.0)), w))
        return below, k, inside, outside

    parts = chunks.map_each(each)
    below = sum(p[0] for p in parts)
    inside = sum(p[1] for p in parts)
    kept = [p[2] for p in parts]
    values = None if any(v is None for v in kept) or inside > COLLECT else np.concatenate(kept)
    outside = None if loss is None else math.fsum(p[3] for p in parts)
    return below, inside, values, outside


def _narrowed(chunks, rank, lo, hi, below, count):
    """The order statistic of a rank by passes of histograms over a closed range [lo, hi]
    known to hold it (`below` values lie under it, `count` in it): each pass cuts the
    range at the subsample's values inside it and CUTS equally spaced points, each cut
    point c with a bin of its own ([c, next float above c): ties never spread over
    several bins), and keeps the bin holding the rank, until the range holds at most
    COLLECT values (collected and partitioned) or a single value."""
    lo, hi = float(lo), float(hi)
    sample = np.asarray(chunks.sample(), dtype=np.float64)
    while True:
        if lo == hi:
            return lo
        if count <= COLLECT:
            values = _collect_pass(chunks, lo, hi, None)[2]
            values.partition(rank - below)
            return float(values[rank - below])
        inner = sample[(sample >= lo) & (sample <= hi)]
        t = np.linspace(0.0, 1.0, CUTS)
        base = np.unique(np.concatenate((inner, lo * (1.0 - t) + hi * t, [lo, hi])))  # (no hi - lo: it may overflow)
        cuts = np.unique(np.concatenate((base, np.nextafter(base, np.inf))))
        cuts = cuts[cuts <= hi]  # the last bin is [hi, hi]

        def each(x, lo=lo, hi=hi, cuts=cuts):
            v = x[(x >= lo) & (x <= hi)]
            return np.bincount(np.searchsorted(cuts, v, side="right"), minlength=cuts.size + 1)

        counts = chunks.map_sum(each)[1:]  # bin j: [cuts[j], cuts[j + 1]) (no value is below lo)
        starts = below + np.concatenate(([0], np.cumsum(counts)))
        j = int(np.searchsorted(starts, rank, side="right")) - 1
        below, count = int(starts[j]), int(starts[j + 1] - starts[j])
        lo, hi = float(cuts[j]), (float(np.nextafter(cuts[j + 1], -np.inf)) if j + 1 < cuts.size else hi)
