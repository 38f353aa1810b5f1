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
    from .inference import z_value
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
    largest times being censored)."""
    t, s = curve(times, events, weights)
    below = np.flatnonzero(s <= 0.5 + 1e-12)
    return float(t[below[0]]) if below.size else None
