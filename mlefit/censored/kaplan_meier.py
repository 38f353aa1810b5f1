"""The Kaplan-Meier estimate of the survival function from right-censored rows: the
nonparametric curve a censored fit is compared with (its median is shown beside the
fitted one). With distinct event times t_j, d_j events (total weight) at t_j and n_j
rows at risk just before it (times >= t_j; a row censored at t_j is still at risk
there), S(t) = prod_{t_j <= t} (1 - d_j / n_j). With entry times (delayed entry, left
truncation) a row is at risk only after its entry (entry < t_j), and S estimates
P(X > t | X > the earliest entry)."""
import numpy as np


def curve(times, events, weights=None, confidence=None, entry=None):
    """(event times, S just after each) of rows (times, events: True = seen); with a
    confidence level, also (lower, upper): the pointwise band by Greenwood's variance on
    the log(-log S) scale (the exponential Greenwood interval, lifelines' and R
    survival's conf.type = "log-log"), which stays inside (0, 1). entry: per-row entry
    times (None: every row at risk from the start)."""
    t = np.asarray(times, dtype=np.float64)
    e = np.asarray(events, dtype=bool)
    if not t.size:
        return np.empty(0), np.empty(0)
    if entry is not None:
        w = np.ones(t.size) if weights is None else np.asarray(weights, dtype=np.float64)
        uniq, dead, risk = _risk_sets(t, e, w)
        order = np.argsort(entry)
        later = np.r_[np.cumsum(w[order][::-1])[::-1], 0.0]  # weight of rows entering at or after each
        risk = risk - later[np.searchsorted(np.asarray(entry, dtype=np.float64)[order], uniq, side="left")]
    elif weights is None:  # two sorts of values (no argsort): events' times, and all for the risk sets
        seen = np.sort(t[e])
        first = np.flatnonzero(np.r_[True, seen[1:] != seen[:-1]]) if seen.size else np.empty(0, np.intp)
        uniq = seen[first]
        dead = np.diff(np.r_[first, seen.size]).astype(np.float64)
        risk = (t.size - np.searchsorted(np.sort(t), uniq, side="left")).astype(np.float64)
    else:
        uniq, dead, risk = _risk_sets(t, e, np.asarray(weights, dtype=np.float64))
    keep = dead > 0
    t, d, r = uniq[keep], dead[keep], risk[keep]
    s = np.cumprod(1.0 - d / r)
    if confidence is None:
        return t, s
    from ..inference.information import z_value
    with np.errstate(all="ignore"):
        greenwood = np.cumsum(d / (r * (r - d)))  # Var(log S)
        log_s = np.log(s)
        half = z_value(confidence) * np.sqrt(greenwood) / np.abs(log_s)
        centre = np.log(-log_s)
        lower, upper = np.exp(-np.exp(centre + half)), np.exp(-np.exp(centre - half))
    done = s <= 0  # after the last row at risk died: S = 0, no band
    return t, s, np.where(done, 0.0, lower), np.where(done, 0.0, upper)


def _risk_sets(t, e, w):
    """(distinct times, weight of events at each, weight of rows with time >= each)."""
    order = np.argsort(t)  # ties in any order: rows are grouped by time below
    t, e, w = t[order], e[order], w[order]
    first = np.flatnonzero(np.r_[True, t[1:] != t[:-1]])
    dead = np.add.reduceat(np.where(e, w, 0.0), first)
    return t[first], dead, np.cumsum(w[::-1])[::-1][first]


def median(times, events, weights=None):
    """The smallest event time where S falls to 1/2 or below (None: it never does, the
    largest times being censored). Unweighted, of times >= 0: from the rows below a bound
    (_median_of_keys)."""
    t = np.asarray(times, dtype=np.float64)
    if weights is None and t.size and t.min() >= 0:
        return _median_of_keys([_keys(t, np.asarray(events, dtype=bool))], t.size)
    return _first_half(*curve(times, events, weights))


def _keys(t, events):
    """One sortable integer a row: the bits of its time (>= 0: the bits of non-negative
    doubles sort as the doubles do; the sign bit leaves, so -0.0 is 0.0) with the event
    in the lowest bit (a censoring sorts before an event at the same time)."""
    keys = np.left_shift(t.view(np.uint64), np.uint64(1))
    keys |= events
    return keys


# S at an event time t_j needs only the rows with a time below t_j (their deaths and
# censorings, in order) and the number of rows at or above it (n less those below): so
# the median needs the rows up to it sorted, and the rows above it only counted. A bound
# above the median is taken from a systematic subsample of the rows (SAMPLE_ROWS of them:
# the time where the subsample's curve is MARGIN below 1/2); only the rows at or below it
# are sorted (about two thirds of them where a third is censored), the curve found there
# is exact (the same arithmetic as curve's, so the same numbers), and where it does not
# reach 1/2 below the bound (a subsample far from the rows) the rows above the bound,
# sorted, continue it. Fewer than PREFIX_FROM rows: all of them, at once.
PREFIX_FROM = 1 << 17
SAMPLE_ROWS = 1 << 16
MARGIN = 0.02  # about 6 standard errors of S near 1/2 at SAMPLE_ROWS rows, 30% censored (a miss costs little)


def _median_of_keys(parts, n, helper=None, ordered=False):
    """curve's median (unweighted) of rows held as _keys in parts, n rows in all (ordered:
    each part is sorted, so a range of keys is a slice of each). helper (an executor, or
    None): the rows below the bound are taken in two ranges of keys, the lower by the
    helper, the upper here (numpy's sort releases the GIL)."""
    bound, split = _upper_bound(parts, n)
    if bound is not None:
        if helper is None or split is None:
            pieces = [_key_pieces(_sorted_between(parts, None, bound, ordered))]
        else:
            lower = helper.submit(lambda: _key_pieces(_sorted_between(parts, None, split, ordered)))
            upper = _key_pieces(_sorted_between(parts, split, bound, ordered))
            pieces = [lower.result(), upper]
        got = _first_half(*_assembled(pieces, n))
        if got is not None:
            return got
        # the curve stays above 1/2 up to the bound: the rows above it, sorted, continue it
        return _first_half(*_assembled(pieces + [_key_pieces(_sorted_between(parts, bound, None, ordered))], n))
    keys = np.concatenate(parts)
    keys.sort()
    return _first_half(*_key_curve(keys, n))


def _sorted_between(parts, above, bound, ordered=False):
    """The keys of parts above `above` and at or below bound (None: no limit on that side),
    sorted: gathered into one array and sorted in place (no array-sized temporaries: fresh
    memory is paid for in page faults). ordered: each part is sorted, and its keys in the
    range are the slice that searchsorted finds (no pass over the part)."""
    if ordered:
        cuts = [slice(0 if above is None else int(np.searchsorted(p, np.uint64(above), side="right")),
                      p.size if bound is None else int(np.searchsorted(p, np.uint64(bound), side="right")))
                for p in parts]
        keys = np.concatenate([p[c] for p, c in zip(parts, cuts)]) if parts else np.empty(0, np.uint64)
        keys.sort()
        return keys
    masks = [p <= bound if above is None else p > above if bound is None else (p > above) & (p <= bound)
             for p in parts]
    sizes = [int(np.count_nonzero(m)) for m in masks]
    keys = np.empty(sum(sizes), np.uint64)
    at = 0
    for p, m, size in zip(parts, masks, sizes):
        np.compress(m, p, out=keys[at:at + size])
        at += size
    keys.sort()
    return keys


def _upper_bound(parts, n):
    """(bound, split): the key of a time very likely above the median, where the curve of
    every stride-th row falls MARGIN below 1/2, and an event key about halfway through
    the subsample's rows below it (every key of its time at or below it: a time's rows
    are never split); (None, None) for fewer than PREFIX_FROM rows, or where the
    subsample's curve does not fall that far."""
    if n < PREFIX_FROM:
        return None, None
    stride, at, sample = max(n // SAMPLE_ROWS, 1), 0, []
    for p in parts:
        sample.append(p[(-at) % stride::stride])
        at += p.size
    sample = np.sort(np.concatenate(sample))
    t, s = _key_curve(sample, sample.size)
    past = np.flatnonzero(s <= 0.5 - MARGIN)
    if not past.size:
        return None, None
    bound = _keys(t[past[0]:past[0] + 1], np.ones(1, bool))[0]
    below = np.searchsorted(sample, bound, side="right")
    return bound, (sample[below // 2] | np.uint64(1) if below >= 2 else None)


def _key_curve(keys, n):
    """curve's (event times, S) of the rows whose sorted _keys are `keys`, n rows in all
    (those not given have later times): the same arithmetic as curve's."""
    return _assembled([_key_pieces(keys)], n)


def _key_pieces(keys):
    """(event keys, events at each, rows with an earlier time among `keys`, rows) of
    sorted keys: one pass over the rows finds the distinct keys; the rest works on those
    (an event key's time has its censorings just before it, as the key one lower)."""
    if not keys.size:
        return keys, np.empty(0, np.intp), np.empty(0, np.intp), 0
    change = np.empty(keys.size, bool)
    change[0] = True
    np.not_equal(keys[1:], keys[:-1], out=change[1:])
    starts = np.flatnonzero(change)
    distinct = keys[starts]
    counts = np.diff(starts, append=keys.size)
    at = np.flatnonzero(distinct & np.uint64(1))  # the distinct event keys
    ev = distinct[at]
    censored_too = distinct[at - 1] == ev - np.uint64(1)  # at 0: the last key, never one below the first
    return ev, counts[at], np.where(censored_too, starts[at - 1], starts[at]), keys.size


def _assembled(pieces, n):
    """(event times, S) from the _key_pieces of consecutive ranges of keys."""
    offsets = np.cumsum([0] + [p[3] for p in pieces[:-1]])
    ev = np.concatenate([p[0] for p in pieces])
    dead = np.concatenate([p[1] for p in pieces])
    below = np.concatenate([p[2] + o for p, o in zip(pieces, offsets)])  # rows with an earlier time
    s = np.cumprod(1.0 - dead.astype(np.float64) / (n - below).astype(np.float64))
    return np.right_shift(ev, np.uint64(1)).view(np.float64), s


class Tally:
    """The Kaplan-Meier median of rows added chunk by chunk (add). Up to RAW_ROWS rows are
    held as they come, one _keys integer a row, and the median sorts only those below a
    bound (_median_of_keys). Past RAW_ROWS, memory holds a table of each distinct (time,
    event) and its count, not the rows: a chunk costs one integer sort; the chunks'
    tables are merged whenever they outgrow the merged one, by a stable sort that runs
    through the sorted tables (each row is merged O(log n) times). A row censored below 0
    is in no risk set of an event time (>= 0) and is left out."""

    RAW_ROWS = 1 << 24

    def __init__(self, presort=True):
        """presort: each chunk's keys are sorted as they come (where add runs beside a parse
        that leaves a core idle: the median then slices each part instead of scanning it);
        False where add's thread has other work on the chunk (the median masks the parts)."""
        self.keys, self.counts, self.parts, self.waiting = np.empty(0, np.uint64), np.empty(0, np.int64), [], 0
        self.raw, self.raw_n, self.presort = [], 0, presort

    def add(self, times, events, nonnegative=False):
        """Rows of times and events (booleans); nonnegative: every time is known to be >= 0."""
        t = np.asarray(times, dtype=np.float64)
        events = np.asarray(events, dtype=bool)
        if not nonnegative:
            keep = (t >= 0) | events
            t, events = t[keep], events[keep]
        keys = _keys(t, events)  # a new array: the caller's may be reused
        if self.raw_n + keys.size <= self.RAW_ROWS and not self.parts and not self.keys.size:
            if self.presort:
                keys.sort()
            self.raw.append(keys)
            self.raw_n += keys.size
            return
        for k in self.raw + [keys]:
            self._tabulate(k)
        self.raw, self.raw_n = [], 0

    def _tabulate(self, keys):
        keys.sort()
        self.parts.append(_distinct(keys))
        self.waiting += self.parts[-1][0].size
        if self.waiting > max(1 << 23, 2 * self.keys.size):
            self._merge()

    def _merge(self):
        keys = np.concatenate([self.keys] + [p[0] for p in self.parts])
        counts = np.concatenate([self.counts] + [p[1] for p in self.parts])
        order = np.argsort(keys, kind="stable")  # sorted runs: a merge
        first, keys = _firsts(keys[order])
        self.keys, self.counts = keys, _run_sums(counts[order], first)
        self.parts, self.waiting = [], 0

    def median(self, helper=None):
        """curve's median of the rows added (no weights): the smallest event time where
        S falls to 1/2 or below, or None. helper: an executor that takes part of the work
        (_median_of_keys; not one whose only worker runs this call)."""
        if not self.keys.size and not self.parts:
            return _median_of_keys(self.raw, self.raw_n, helper, ordered=self.presort) if self.raw_n else None
        if self.parts:
            self._merge()
        times = np.right_shift(self.keys, np.uint64(1))
        dead_here = np.where(self.keys & np.uint64(1), self.counts, 0)
        first, _ = _firsts(times)
        if not first.size:
            return None
        rows = _run_sums(self.counts, first)
        dead = _run_sums(dead_here, first)
        risk = rows[::-1].cumsum()[::-1]  # rows with a time at or above
        seen = dead > 0
        return _first_half(times[first][seen].view(np.float64),
                           np.cumprod(1.0 - dead[seen].astype(np.float64) / risk[seen].astype(np.float64)))


def _firsts(sorted_values):
    """(where each run of equal sorted values starts, the distinct values)."""
    if not sorted_values.size:
        return np.empty(0, np.intp), sorted_values
    first = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    return first, sorted_values[first]


def _run_sums(values, first):
    """The sums of the runs of values starting at `first` (integers: exact by cumsum)."""
    ends = np.cumsum(values)[np.r_[first[1:] - 1, values.size - 1]] if first.size else values[:0]
    return np.diff(np.r_[0, ends]) if first.size else ends


def _distinct(sorted_values):
    """(distinct values, how many times each) of sorted values."""
    first, values = _firsts(sorted_values)
    return values, np.diff(np.r_[first, sorted_values.size])


def _first_half(times, s):
    below = np.flatnonzero(s <= 0.5 + 1e-12)
    return float(times[below[0]]) if below.size else None
