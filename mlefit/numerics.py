"""Small numerical building blocks shared by the families: stable moments, weighted
median, log-factorial sums and a safeguarded root finder. numpy only (no scipy), so
closed-form fits never pay for importing scipy."""
import math
import threading

import numpy as np

from . import order_stats


def total_weight(w, n):
    return float(n) if w is None else float(np.sum(w))


def wsum(v, w):
    """Sum of v, weighted by w when w is given (pairwise summation in numpy)."""
    if w is None:  # the method: a few microseconds less than np.sum's dispatch, per call
        return float(v.sum()) if isinstance(v, np.ndarray) else float(np.sum(v))
    return float(np.sum(w * v))


# the magnitudes a family's vouches (families.base.Family) may leave unchecked: estimate's
# _rescaled divides data beyond 1e+-100 by a power of two; 1e+-99 leaves room for rounding
VOUCHED_MAGNITUDE = 1e99


def takes_span(stats):
    """Mark a family's stats(x, w) as also taking span=(min x, max x), the extremes of the
    values (of those that carry weight), when its caller knows them: estimate.fit has
    them from validating the data, and passes them to the stats so marked rather than
    have them computed again (a pass over the data each). Without span (other callers:
    streams, resamples) the stats compute what they need themselves."""
    stats.takes_span = True
    return stats


EXTREMES_CHUNK = 65536


def extremes(x):
    """(min x, max x) as floats (NaN when x holds a NaN). Taken chunk by chunk, both of a
    chunk while it is in cache: a fifth faster than x.min() and x.max() for large x."""
    if x.size <= 2 * EXTREMES_CHUNK:
        return float(x.min()), float(x.max())
    k = x.size // EXTREMES_CHUNK
    rows = x[:k * EXTREMES_CHUNK].reshape(k, EXTREMES_CHUNK)
    lows, highs = np.empty(k + 1), np.empty(k + 1)
    for i in range(k):
        lows[i], highs[i] = rows[i].min(), rows[i].max()
    tail = x[k * EXTREMES_CHUNK:]
    lows[k], highs[k] = (tail.min(), tail.max()) if tail.size else (lows[0], highs[0])
    return float(lows.min()), float(highs.max())


# ---------------------------------------------------------------- sums and their rounding
# The fast paths below are used only where a bound on their rounding error says they are
# as good as the careful forms (to 1e-12 or better, relative); otherwise the careful
# form is computed. The bounds are first-order worst cases, with u = 2^-53:
# - np.sum of n terms (numpy's pairwise summation: blocks of 128 summed in 8
#   accumulators, then halves) is within sum_bound(n) = (log2 n + 20) u of sum |terms|;
# - dot() (below) is within dot_bound(n) = (DOT_BLOCK + log2 n + 20) u of sum |a b|,
#   whatever the order of the additions within a row of DOT_BLOCK products (one
#   accumulator is the worst case);
# - numpy's log is within LOG_ERROR (4 ulp: 8u, relative) of the exact log.
U = 2.0 ** -53
LOG_ERROR = 8.0 * U
DOT_BLOCK = 512


def sum_bound(n):
    """gamma(n): |np.sum(a) - sum(a)| <= gamma(n) sum |a| for n terms."""
    return (math.log2(max(float(n), 2.0)) + 20.0) * U


def dot_bound(n):
    """The same for dot(a, b) relative to sum |a b|."""
    return DOT_BLOCK * U + sum_bound(n)


def _row_dots_einsum(a, b):
    return np.einsum("ij,ij->i", a, b)


def _short_dot_einsum(a, b):
    return np.einsum("i,i->", a, b)


# the dot of each row (and of fewer than DOT_BLOCK values): numpy >= 2.0's vecdot (a dot
# of at most DOT_BLOCK values, which OpenBLAS never splits between threads: no stall;
# twice einsum's speed, and a third of its call's cost), else einsum
_row_dots = getattr(np, "vecdot", _row_dots_einsum)
_short_dot = getattr(np, "vecdot", _short_dot_einsum)


def dot(a, b):
    """sum(a * b) without the temporary a * b and without a BLAS call over the whole
    arrays (whose threads stall a dot when the other core is busy, DESIGN.md): the dots
    of rows of DOT_BLOCK values (_row_dots: in any order of its additions, a row of
    DOT_BLOCK products is within DOT_BLOCK u of its sum of |a b|), then np.sum (pairwise)
    over the rows; error within dot_bound(n) of sum |a b|."""
    n = a.size
    k = n // DOT_BLOCK
    if k < 1:
        return float(_short_dot(a, b))
    if k < 2:  # two rows of fewer than DOT_BLOCK values and one addition: a third of the calls below
        h = n // 2
        return float(_short_dot(a[:h], b[:h])) + float(_short_dot(a[h:], b[h:]))
    cut = k * DOT_BLOCK
    rows = _row_dots(a[:cut].reshape(k, DOT_BLOCK), b[:cut].reshape(k, DOT_BLOCK))
    head = float(rows.sum())  # pairwise, as np.sum
    return head if cut == n else head + float(_short_dot(a[cut:], b[cut:]))


def mean(x, w=None):
    """Weighted mean, corrected by a second pass (sum of the residuals)."""
    n = total_weight(w, x.size)
    m = wsum(x, w) / n
    return m + wsum(x - m, w) / n


ONE_PASS_RATIO = 8.0  # (mean - shift)^2 / m2 up to which the one-pass shifted second moment is kept
NEAR_ZERO_SLACK = 1.0 + 1e-6  # moments_by_shifts: where sum w x is wanted, with room for rounding
SHIFTED_BLOCK = 1 << 16  # values per block of the shifted pass (512 KiB of float64: in a core's L2 cache)
# Up to this many values shifted_sums takes its differences into a fresh array: below
# malloc's threshold for mapping pages of their own (128 KiB), a temporary costs no page
# faults, and the kept buffers' lookup and the blocks' lists cost more (lognormal3's
# profile at 1e4 makes 66 passes: 7% of its fit)
SMALL_TEMPORARY = 1 << 14


_KEPT = threading.local()


def _buffers():
    """This thread's two buffers of SHIFTED_BLOCK values, made once and kept. A fresh
    temporary the size of the data at every pass cost page faults wherever malloc had
    given its pages back between fits (lognormal at 1e5, its logs and their differences
    freed together: 0.3 -> 0.8 ms a fit, in a loop of fits)."""
    kept = getattr(_KEPT, "buffers", None)
    if kept is None:
        kept = _KEPT.buffers = (np.empty(SHIFTED_BLOCK), np.empty(SHIFTED_BLOCK))
    return kept


def all_whole(x, nan_ok=False):
    """Whether every value of the 1-d x is a whole number (a NaN counts as one where
    nan_ok), tested block by block through this thread's kept buffer: no temporary the size
    of x. (Each fresh floor(x) of 1e5 values cost 200 page faults a fit where malloc had
    given its pages back between fits: binomial with trials per row, in a loop of fits.)"""
    if x.size <= SMALL_TEMPORARY:
        return _whole_block(x, np.floor(x), nan_ok)
    buf = _buffers()[0]
    for i in range(0, x.size, SHIFTED_BLOCK):
        part = x[i:i + SHIFTED_BLOCK]
        if not _whole_block(part, np.floor(part, out=buf[:part.size]), nan_ok):
            return False
    return True


def _whole_block(x, floor, nan_ok):
    same = floor == x
    if nan_ok:
        same |= floor != floor
    return bool(same.all())


def mean_and_m2(x, w=None):
    """Weighted mean and second central moment (divisor: the total weight).

    One pass about a shift a, a value of the data (the median of the first, middle and
    last): with d = x - a, s = sum w d and q = sum w d^2, m2 = q/n - (s/n)^2 (the mean:
    moments_by_shifts). The differences are taken block by block into one buffer that stays in
    cache (no array-sized temporary), and q by dot. The error is within
    (dot_bound + 2 sum_bound + 46u) (1 + (mean - a)^2/m2) of m2 (2u for the rounding of
    each d, 40u for adding the blocks' sums), so the result is kept only where
    (mean - a)^2 <= ONE_PASS_RATIO m2: then within 9 (dot_bound + 2 sum_bound + 46u),
    7e-13 at n = 1e6 in the worst case (about 1e-15 in practice). A data value is
    within a few spreads of the mean for any sample without extreme outliers, however far
    the mean is from 0 (1e9 with a spread of 1e-3), so one pass is the rule; otherwise
    (a, or the mean itself, far out) a second pass about the mean found by the first
    (the compensated two-pass form: (mean - a)^2 is then at rounding level)."""
    n = total_weight(w, x.size)
    if x.size == 0:
        return math.nan, math.nan
    return moments_by_shifts(lambda a: shifted_sums(x, w, a, total=False), n, a_value(x, zero_near=w is None),
                             total=lambda: wsum(x, w) if w is None else dot(w, x)) or _two_pass(x, w, n)


def a_value(x, zero_near=False):
    """A value of x to shift by: the median of its first, middle and last; with
    zero_near, 0 where that median is within the three values' range of 0 (the mean is
    then near 0 against the spread: the shifted sums are the plain ones, with no pass of
    differences; the bound on (mean - shift)^2 decides as for any shift)."""
    lo, mid, hi = sorted((float(x[0]), float(x[x.size // 2]), float(x[-1])))
    return 0.0 if zero_near and abs(mid) <= hi - lo else mid


def moments_by_shifts(sums, n, shift, total=None):
    """(mean, m2) from sums(a) = (sum w (x - a), sum w (x - a)^2, sum w x) over a total
    weight n: about `shift`, then (where (mean - shift)^2 > ONE_PASS_RATIO m2) about the
    mean that gave; None where neither is within the bound (non-finite values). The mean
    is sum w x / n where mean^2 <= ONE_PASS_RATIO m2 (correctly rounded when the sum is
    exact: counts, values with few digits), else shift + sum w (x - shift) / n (within an
    ulp of the mean and a rounding of the spread, where sum w x would lose more).
    total: () -> sum w x, for sums that give None in its place (in memory a pass of its
    own, taken only where the mean is near 0 against the spread: data with an offset,
    the usual case, never need it)."""
    for _ in range(2):
        s, q, r = sums(shift)
        step = s / n
        m2 = q / n - step * step
        if m2 > 0 and step * step <= ONE_PASS_RATIO * m2 and math.isfinite(q):
            about = shift + step
            if r is None:  # plain and about differ by roundings: the slack keeps the test below exact
                if about * about > NEAR_ZERO_SLACK * ONE_PASS_RATIO * m2:
                    return about, m2
                r = total()
            plain = r / n
            return (plain if plain * plain <= ONE_PASS_RATIO * m2 else about), m2
        if not (math.isfinite(step) and math.isfinite(q)):
            return None
        shift += step
    return None


def shifted_sums(x, w, shift, total=True):
    """(sum w (x - shift), sum w (x - shift)^2, sum w x), block by block through one buffer
    (without total: None for sum w x, a reduction a block fewer)."""
    if shift == 0.0 and w is None:  # the differences are the values: no buffer, one sum serves twice
        s = float(x.sum())
        return s, dot(x, x), s
    size = x.size
    if size <= SMALL_TEMPORARY:  # the same sums as one block, with temporaries from malloc's heap
        d = np.subtract(x, shift)
        if w is None:
            return float(d.sum()), dot(d, d), float(x.sum()) if total else None
        wd = np.multiply(w, d)
        return float(wd.sum()), dot(wd, d), dot(w, x) if total else None
    block = SHIFTED_BLOCK
    buf, wbuf = _buffers()
    ss, qs, rs = [], [], []
    for i in range(0, size, block):
        j = min(i + block, size)
        xi = x[i:j]
        d = np.subtract(xi, shift, out=buf[:j - i])
        if w is None:
            if total:
                rs.append(float(xi.sum()))
            ss.append(float(d.sum()))
            qs.append(dot(d, d))
        else:
            wi = w[i:j]
            if total:
                rs.append(dot(wi, xi))
            wd = np.multiply(wi, d, out=wbuf[:j - i])
            ss.append(float(wd.sum()))
            qs.append(dot(wd, d))
    if len(ss) == 1:
        return ss[0], qs[0], rs[0] if total else None
    return float(np.sum(ss)), float(np.sum(qs)), float(np.sum(rs)) if total else None


def _two_pass(x, w, n):
    """The mean, then the compensated squares about it (what non-finite values get)."""
    mean = wsum(x, w) / n
    d = x - mean
    wd = d if w is None else w * d
    s1 = float(np.sum(wd))
    mean += s1 / n
    m2 = (dot(wd, d) - s1 * s1 / n) / n
    return mean, max(m2, 0.0)


# ---------------------------------------------------------------- logs of clustered values
# log x in double precision is within LOG_ERROR |log x| of exact: absolute, whatever the
# spread of the values. For values tightly clustered far from 1 (1e9 + noise: log x =
# 20.7 +- 1e-9) that rounding is a sizeable part of their spread (2e-6 of it), and every
# statistic of the logs (lognormal's sdlog, weibull's power sums with a shape of 1e9,
# log_logistic's standardised logs) inherits it. There the logs are taken about a centre
# c, as log(c) + log(x/c) with log(x/c) = log1p((x - c)/c): x - c is exact within a
# factor 2 of c, so log(x/c) keeps full relative precision.
LOGS_REL = 1e-12  # the relative error of the logs' spread the plain logs may leave


def logs_lose_digits(centre, spread):
    """Whether plain logs of values whose logs have this centre (a mean or median of
    log x) and this spread (an sd or half the interquartile range) are rounded by more
    than LOGS_REL of that spread: then they are taken about a centre (log_ratio)."""
    return LOG_ERROR * abs(centre) > LOGS_REL * spread


def log_ratio(x, c):
    """log(x / c) for an array x > 0 and c > 0, as log1p((x - c)/c): to full relative
    precision for x within a factor 2 of c (there x - c is exact); for x far below c
    within about 2u c/x absolute (clustered data have few such values, if any)."""
    t = np.subtract(x, c)
    t /= c
    return np.log1p(t, out=t)


def log_about(x, c, hi=None):
    """log(x / c) for an array x > 0 and c > 0, for values near c or far from it:
    log1p((x - c)/c) for x >= c/2 (full relative precision within a factor 2 of c, where
    x - c is exact; within about 2u absolute above), log(x) - log(c) below (where
    log_ratio would lose up to 2u c/x), and for all where hi (max x, when known) is so
    far above c that (x - c)/c could overflow."""
    if hi is not None and not hi <= 1e300 * c:
        z = np.log(x)
        z -= math.log(c)
        return z
    low = x < 0.5 * c
    count = int(np.count_nonzero(low))
    if 2 * count > x.size:  # mostly far below c: plain logs, the others near c
        z = np.log(x)
        z -= math.log(c)
        near = ~low
        z[near] = log_ratio(x[near], c)
        return z
    z = log_ratio(x, c)
    if count:
        z[low] = np.log(x[low]) - math.log(c)
    return z


def log_ratio_scalar(a, c):
    """log(a / c) for a, c > 0: log1p((a - c)/c) within a factor 2 (exact difference),
    else log(a) - log(c)."""
    if 0.5 * c <= a <= 2.0 * c:
        return math.log1p((a - c) / c)
    return math.log(a) - math.log(c)


# ---------------------------------------------------------------- sums of logarithms
LOG_BLOCK = 32  # values multiplied together before one log is taken


def _block_rows(lo, hi):
    """How many values of [lo, hi] (0 < lo <= hi) can be multiplied with every partial
    product in the normal range (|log2| <= 1000, with room for rounding): 0 when fewer
    than 4, or the bounds are not usable."""
    if not (0.0 < lo <= hi < math.inf):
        return 0
    e = max(-math.log2(lo), math.log2(hi), 1.0)
    m = min(LOG_BLOCK, int(1000.0 // e))
    return m if m >= 4 else 0


def sum_log(x, span=None):
    """sum(log x) for x > 0. With span = (min x, max x), by blocks: the product of
    m <= 32 values at a time (a multiplication costs a fraction of a log), then one log
    per product. Each product is within (m - 1) u of exact (span keeps every partial
    product normal), so the sum is within n u (u per value: the rounding of the values
    themselves) plus LOG_ERROR and sum_bound of sum |log x|, as the direct sum is. Without
    span, or where it allows fewer than 4 values a block: np.sum(np.log(x))."""
    m = 0 if span is None else _block_rows(*span)
    k = x.size // m if m else 0
    if k < 64:
        return float(np.sum(np.log(x)))
    cut = m * k
    products = np.prod(x[:cut].reshape(m, k), axis=0)
    return float(np.sum(np.log(products, out=products))) + float(np.sum(np.log(x[cut:])))


def sum_log1m(x, span=None):
    """sum(log(1 - x)) for x < 1, by blocks as sum_log (span = (min x, max x)): 1 - x is
    exact for x >= 1/2 and within 2^-54 (relative u, as 1 - x > 1/2) below, so the sum is
    within 2 n u plus LOG_ERROR and sum_bound of sum |log(1 - x)|. Callers check that the
    result is large enough for that n u (beta: |mean| >= 1e-3); elsewhere, and without
    span, np.sum(np.log1p(-x))."""
    m = 0
    if span is not None and span[0] >= 0.0:
        m = _block_rows(1.0 - span[1], 1.0)
    k = x.size // m if m else 0
    if k < 64:
        return float(np.sum(np.log1p(-x)))
    cut = m * k
    rows = x[:cut].reshape(m, k)
    products = np.subtract(1.0, rows[0])
    one_minus = np.empty(k)
    for row in rows[1:]:
        products *= np.subtract(1.0, row, out=one_minus)
    return float(np.sum(np.log(products, out=products))) + float(np.sum(np.log1p(-x[cut:])))


def weighted_median(x, w=None):
    """A minimiser of sum w|x - m|; the midpoint where the minimisers form an interval
    (so it equals numpy's median for unit weights)."""
    if w is None:
        return order_stats.median(x)
    return weighted_quantile(x, w, 0.5)


def weighted_quantile(x, w, tau):
    """A minimiser of sum w rho_tau(x - m), rho_tau(u) = u (tau - [u < 0]): the
    tau-quantile; the midpoint where the minimisers form an interval. Unweighted, the
    one or two order statistics it is made of are selected (order_stats), not sorted
    for: the same values, several times quicker."""
    if w is None:
        return _unweighted_quantile(x, tau)
    order = np.argsort(x, kind="stable")
    xs = x[order]
    cw = np.cumsum(w[order])
    target = tau * cw[-1]
    i = min(int(np.searchsorted(cw, target * (1 - 1e-12), side="left")), xs.size - 1)
    if math.isclose(cw[i], target, rel_tol=1e-12) and i + 1 < xs.size:
        return 0.5 * (float(xs[i]) + float(xs[i + 1]))
    return float(xs[i])


def _unweighted_quantile(x, tau):
    return quantile_of(order_stats.order_statistics(x, quantile_ranks(x.size, tau)))


def quantile_ranks(n, tau):
    """The 0-based ranks of the one or two order statistics of n values that
    weighted_quantile with every weight 1 is made of (quantile_of them): the cumulative
    weights are 1..n, so the index searched for is the count of k in 1..n below
    tau n (1 - 1e-12); two where tau n is (within 1e-12) a whole number below n."""
    target = tau * n
    i = min(max(math.ceil(target * (1 - 1e-12)) - 1, 0), n - 1)
    if math.isclose(i + 1.0, target, rel_tol=1e-12) and i + 1 < n:
        return [i, i + 1]
    return [i]


def quantile_of(values):
    """The quantile made of the order statistics at quantile_ranks: the one, or the
    midpoint of the two."""
    return values[0] if len(values) == 1 else 0.5 * (values[0] + values[1])


def value_counts(x, w=None, hi=None):
    """Distinct non-negative integer values and their (weighted) counts, in O(n) when
    the values are small enough for a bincount (hi: max x, when the caller knows it).
    x: float64, or int64 (counted as they are, without a copy); the values are float64."""
    if x.size and (x.max() if hi is None else hi) <= 10 * x.size + 1000:
        xi = x if x.dtype == np.int64 else x.astype(np.int64)
        counts = np.bincount(xi, weights=w)
        values = np.flatnonzero(counts)
        return values.astype(np.float64), counts[values].astype(np.float64)
    values, inverse = np.unique(x.astype(np.float64, copy=False), return_inverse=True)
    counts = np.bincount(inverse, weights=w).astype(np.float64)
    return values, counts


def sum_log_factorial(values, counts):
    """sum(count * log(value!)) over distinct values, via math.lgamma."""
    return float(sum(c * math.lgamma(v + 1.0) for v, c in zip(values.tolist(), counts.tolist())))


def solve_increasing(f, lo, hi, x0, *, max_iter, tol, scale=None, verify=None):
    """Root of an increasing function f(x) -> (value, derivative) inside [lo, hi] with
    f(lo) < 0 < f(hi): Newton steps, falling back to bisection whenever a step leaves
    the bracket. Returns (root, iterations, converged).

    Converged when a step (Newton's: the value over its derivative, so the stop is
    confirmed by f itself; or a bisection's: half the bracket) is below tol * scale, or
    when the bracket has shrunk to a few ulp of x (the root to rounding precision).
    scale: the unit of x. For a location, the data's spread: never |x|, since at
    1e13 a relative 1e-12 is 10 units. Default max(1, |x|), for a coordinate that is its
    own unit (log b).
    verify: where an end of [lo, hi] is not yet known to bracket the root (f not
    evaluated there), (lo, hi) -> a bracket; called only if a step needs the bracket (a
    Newton step leaving it, a bisection, the bracket at rounding width) before points
    where f has each sign replaced both ends: a Newton step that stays inside costs no
    evaluation of f at the far end."""
    x = min(max(x0, lo), hi)
    sides = [verify is None, verify is None]  # whether f(lo) < 0 and f(hi) > 0 are known
    for it in range(1, max_iter + 1):
        fx, dfx = f(x)
        if fx == 0.0:
            return x, it, True
        if fx < 0:
            lo, sides[0] = x, True
        else:
            hi, sides[1] = x, True
        step = fx / dfx if dfx > 0 and math.isfinite(dfx) else math.inf
        new = x - step
        unit = max(1.0, abs(x)) if scale is None else scale
        newton = lo < new < hi
        if not all(sides) and (not newton or _collapsed(lo, hi)):
            lo, hi = verify(lo, hi)
            sides = [True, True]
            newton = lo < new < hi
        if not newton:
            if abs(new - x) <= tol * unit:  # a step below the tolerance that rounding put on an end of
                return x, it, True          # the bracket (x itself): not a reason to bisect from there
            new = 0.5 * (lo + hi)
        if abs(new - x) <= tol * unit or _collapsed(lo, hi):
            return new, it, True
        x = new
    return x, max_iter, False


BRACKET_ULPS = 2.0  # solve_increasing's bracket at rounding precision: this many ulp wide (one value inside)


def _collapsed(lo, hi):
    return hi - lo <= BRACKET_ULPS * math.ulp(max(abs(lo), abs(hi)))


def logit(p):
    return math.log(p) - math.log1p(-p)


def expit(t):
    if t >= 0:
        return 1.0 / (1.0 + math.exp(-t))
    e = math.exp(t)
    return e / (1.0 + e)


HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
