"""Which values each support admits, and which families would accept a data set."""
import numpy as np

from .errors import DataError
from .numerics import all_whole
from .families.catalog import SPECS


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


def outside_values(support, x, lo, hi, whole=False):
    """The indexes of the values of x outside `support` (none: an empty tuple), given
    their min lo and max hi: the mask is made only where the range can leave the
    support, and counts from lo >= 0 need one test that all are whole (floor(x) == x),
    none when the caller knows they are (`whole`: read from an integer column)."""
    inside = {"real": True, "nonnegative": lo >= 0, "positive": lo > 0, "unit_open": lo > 0 and hi < 1,
              "binary": whole and lo >= 0 and hi <= 1}
    if inside.get(support, False):
        return ()
    if support == "count" and lo >= 0 and (whole or all_whole(x)):
        return ()
    return np.flatnonzero(outside(support, x))


def accepting_families(x):
    """Names of the numeric families whose support admits every value of x."""
    return accepting(float(x.min()), float(x.max()), all_whole(x))


def accepting(lo, hi, whole):
    """Names of the numeric families whose support admits values from lo to hi (all of
    them whole numbers, or not): every support is decided by these three facts. The
    families select does not try (weibull3, gamma3 and lognormal3, whose threshold moves
    their support) are not offered."""
    ok = {"real": True, "nonnegative": lo >= 0, "positive": lo > 0, "unit_open": lo > 0 and hi < 1,
          "count": whole and lo >= 0, "binary": whole and lo >= 0 and hi <= 1}
    return [spec.name for spec in SPECS
            if spec.support != "labels" and spec.shape is None and not spec.not_selected and ok[spec.support]]


def outside_error(fam, label, count, shown, others, name=None):
    """The DataError for `count` values outside the family's support: `shown` names the
    first of them, `others` are the families that accept every value; name: the family's
    as the fit names it (default fam.name)."""
    others = [f for f in others if f != fam.name]
    hint = f"families that accept this data: {', '.join(others)}" if others else "no family accepts it as it is"
    return DataError(f"{label} has {count} value{'s' if count > 1 else ''} outside the support of {name or fam.name} "
                     f"({fam.spec.support_text}): {shown}; {hint}")
