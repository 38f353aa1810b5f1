"""The Kaplan-Meier estimate of the survival function from right-censored rows: the
nonparametric curve a censored fit is compared with (its median is shown beside the
fitted one). With distinct event times t_j, d_j events (total weight) at t_j and n_j
rows at risk just before it (times >= t_j; a row censored at t_j is still at risk
there), S(t) = prod_{t_j <= t} (1 - d_j / n_j)."""
import numpy as np


def curve(times, events, weights=None, confidence=None):
    """(event times, S just after each) of rows (times, events: True = seen); with a
    confidence level, also (lower, upper): the pointwise band by Greenwood's variance on
    the log(-log S) scale (the exponential Greenwood interval, lifelines' and R
    survival's conf.type = "log-log"), which stays inside (0, 1)."""
    t = np.asarray(times, dtype=np.float64)
    e = np.asarray(events, dtype=bool)
    if not t.size:
        return np.empty(0), np.empty(0)
    order = np.argsort(t)  # ties in any order: rows are grouped by time below
    t, e = t[order], e[order]
    first = np.flatnonzero(np.r_[True, t[1:] != t[:-1]])
    uniq = t[first]
    if weights is None:
        dead = np.add.reduceat(e.astype(np.float64), first)
        risk = (t.size - first).astype(np.float64)  # rows with time >= t[first]
    else:
        w = np.asarray(weights, dtype=np.float64)[order]
        dead = np.add.reduceat(np.where(e, w, 0.0), first)
        risk = np.cumsum(w[::-1])[::-1][first]  # weight of rows with time >= t[i]
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


def median(times, events, weights=None):
    """The smallest event time where S falls to 1/2 or below (None: it never does, the
    largest times being censored)."""
    t, s = curve(times, events, weights)
    below = np.flatnonzero(s <= 0.5 + 1e-12)
    return float(t[below[0]]) if below.size else None
