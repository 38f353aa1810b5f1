"""The Kaplan-Meier estimate of the survival function from right-censored rows: the
nonparametric curve a censored fit is compared with (its median is shown beside the
fitted one). With distinct event times t_j, d_j events (total weight) at t_j and n_j
rows at risk just before it (times >= t_j; a row censored at t_j is still at risk
there), S(t) = prod_{t_j <= t} (1 - d_j / n_j)."""
import numpy as np


def curve(times, events, weights=None):
    """(event times, S just after each) of rows (times, events: True = seen)."""
    t = np.asarray(times, dtype=np.float64)
    e = np.asarray(events, dtype=bool)
    w = np.ones(t.size) if weights is None else np.asarray(weights, dtype=np.float64)
    order = np.argsort(t, kind="stable")
    t, e, w = t[order], e[order], w[order]
    at_risk = np.cumsum(w[::-1])[::-1]  # weight of rows with time >= t[i]
    uniq, first = np.unique(t, return_index=True)
    dead = np.add.reduceat(np.where(e, w, 0.0), first) if t.size else np.empty(0)
    risk = at_risk[first]
    keep = dead > 0
    return uniq[keep], np.cumprod(1.0 - dead[keep] / risk[keep])


def median(times, events, weights=None):
    """The smallest event time where S falls to 1/2 or below (None: it never does, the
    largest times being censored)."""
    t, s = curve(times, events, weights)
    below = np.flatnonzero(s <= 0.5 + 1e-12)
    return float(t[below[0]]) if below.size else None
