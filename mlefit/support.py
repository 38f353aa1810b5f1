"""Which values each support admits, and which families would accept a data set."""
import numpy as np

from .families.catalog import SPECS, SUPPORT_TEXT


def outside(support, x):
    """Boolean mask of the values of x (float64) outside `support`."""
    if support == "binary":
        return (x != 0) & (x != 1)
    if support == "count":
        return (x < 0) | (x != np.floor(x))
    if support == "nonnegative":
        return x < 0
    if support == "positive":
        return x <= 0
    if support == "unit_open":
        return (x <= 0) | (x >= 1)
    return np.zeros(x.shape, dtype=bool)


def may_leave(support, lo, hi):
    """Whether values from lo to hi can lie outside the support: only then is the mask
    of outside() worth making (and always for whole numbers, checked one by one)."""
    inside = {"real": True, "nonnegative": lo >= 0, "positive": lo > 0, "unit_open": lo > 0 and hi < 1}
    return not inside.get(support, False)


def accepting_families(x):
    """Names of the numeric families whose support admits every value of x."""
    ok = {s: not outside(s, x).any() for s in SUPPORT_TEXT if s != "labels"}
    return [spec.name for spec in SPECS
            if spec.support != "labels" and spec.shape is None and ok[spec.support]]
