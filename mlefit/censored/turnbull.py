"""Turnbull's nonparametric MLE of a distribution from interval-censored rows (and left-
and right-censored and exact ones, as intervals): the curve a censored fit is compared
with where Kaplan-Meier does not apply.

Each row says its value lies in (lo, hi] (an exact value y is (y-, y]). The NPMLE puts
all its mass on the innermost intervals: the (q, p] where q is some row's lower bound,
p some row's upper bound, and no bound lies strictly between them. The masses solve the
self-consistency equations (Turnbull 1976) by EM: with row i covering innermost
intervals a_i .. b_i (they are contiguous once sorted),

    p_j <- sum_i w_i [a_i <= j <= b_i] p_j / (sum_{k=a_i..b_i} p_k) / sum_i w_i,

each iteration O(rows + intervals) by cumulative sums. Where the mass lies within an
innermost interval is not determined by the data: the survival function is known at the
intervals' ends only."""
import numpy as np


def innermost(lo, hi):
    """(left ends, right ends) of the innermost intervals of rows (lo, hi]."""
    ends = np.concatenate([lo, hi])
    is_right = np.concatenate([np.zeros(lo.size, bool), np.ones(hi.size, bool)])
    # a right end at the same point as a left end comes first: (a, b] and (c, a] do not meet
    order = np.lexsort((~is_right, ends))
    ends, is_right = ends[order], is_right[order]
    starts = np.flatnonzero(~is_right[:-1] & is_right[1:])
    return ends[starts], ends[starts + 1]


def npmle(lo, hi, weights=None, tol=1e-10, max_iter=100_000):
    """(left ends q, right ends p, masses, iterations, converged) of Turnbull's NPMLE of
    rows (lo, hi] (lo = -inf: left-censored; hi = +inf: right-censored; lo == hi: exact)."""
    lo = np.asarray(lo, dtype=np.float64)
    hi = np.asarray(hi, dtype=np.float64)
    exact = lo == hi
    lo = np.where(exact, np.nextafter(hi, -np.inf), lo)
    w = np.ones(lo.size) if weights is None else np.asarray(weights, dtype=np.float64)
    q, p = innermost(lo, hi)
    m = q.size
    # row i covers the innermost intervals with q_j >= lo_i and p_j <= hi_i
    a = np.searchsorted(q, lo, side="left")
    b = np.searchsorted(p, hi, side="right") - 1
    total = float(np.sum(w))
    mass = np.full(m, 1.0 / m)
    converged = False
    for it in range(1, max_iter + 1):
        cum = np.r_[0.0, np.cumsum(mass)]
        share = w / (cum[b + 1] - cum[a])
        diff = np.zeros(m + 1)
        np.add.at(diff, a, share)
        np.add.at(diff, b + 1, -share)
        new = mass * np.cumsum(diff)[:m] / total
        change = float(np.max(np.abs(new - mass)))
        mass = new
        if change <= tol:
            converged = True
            break
    return q, p, mass, it, converged


def survival(lo, hi, weights=None):
    """(right ends p of the innermost intervals, S(p) = 1 - F(p)) of the NPMLE."""
    q, p, mass, _, _ = npmle(lo, hi, weights)
    return q, p, np.clip(1.0 - np.cumsum(mass), 0.0, 1.0)
