"""Censored and truncated data: what each row says about its value.

A row's value was seen (exact), or is known only to lie at or below a bound
(left-censored: a concentration under the detection limit), above one (right-censored:
a machine still running when the study ended), or between two (interval-censored). A
truncated row could only have been recorded inside a region (above 10; after the
subject's entry time), so its likelihood is conditional on being there.

The rows are the one data record, mlefit.data.Record, with its censoring fields: per-row
bounds lower <= upper (equal: the value seen; lower = -inf: no lower bound; upper = +inf:
no upper bound) with whether each bound can be reached, and the truncation (entry,
truncate). Here are their constructors, following the conventions users bring:
an event indicator (lifelines, survival's Surv), lower/upper columns (fitdistrplus's
left/right), detection limits, and cells written '<0.04' or '>=2000'.

For a continuous family whether a bound is reached does not matter. For a discrete one
it does, and points() turns every row into F-difference points: P(a <= Y <= b) =
F(b) - F(a - 1); Y > t is Y >= floor(t) + 1; Y < t is Y <= ceil(t) - 1.
"""
import math
import re

import numpy as np

from ..data import Record, index_place
from ..errors import DataError, UsageError


def record(lo, hi, lo_closed, hi_closed, values, where=None, name=None):
    """The Record of censored rows: bounds lo <= hi with whether each can be reached,
    values the rows' stand-ins (the value seen or written, an interval's midpoint);
    where(i) names the place row i came from (default 'index i')."""
    return Record(name, values, None, int(values.size), (), locate=where or index_place, lower=lo, upper=hi,
                  lower_closed=lo_closed, upper_closed=hi_closed)


# a Record's censoring fields, and their values for rows that are not censored
FIELDS = {"lower": None, "upper": None, "lower_closed": None, "upper_closed": None, "entry": None,
          "truncate": (-math.inf, math.inf)}


def bounds_of(rows):
    """{field: value} of the censored rows' censoring fields (to put into another record of the same rows)."""
    return {f: getattr(rows, f) for f in FIELDS}


def stand_in(lo, hi):
    """One value per row from its bounds: the value seen, the one bound of a censored
    row, the midpoint of an interval."""
    with np.errstate(invalid="ignore"):
        return np.where(np.isneginf(lo), hi, np.where(np.isposinf(hi), lo, 0.5 * (lo + hi)))


def kinds(rows):
    """{kind: boolean mask} for the exact, left, right and interval rows of the Record `rows`."""
    lo, hi = rows.lower, rows.upper
    exact = lo == hi
    left = (lo == -np.inf) & ~exact
    right = (hi == np.inf) & ~exact
    return {"exact": exact, "left": left, "right": right, "interval": ~(exact | left | right)}


def counts(rows, masks=None):
    """{kind: rows}, with 'truncated' (rows whose likelihood is conditional); masks:
    kinds(rows), where already made."""
    out = {k: int(m.sum()) for k, m in (masks or kinds(rows)).items()}
    truncated = rows.n if truncated_everywhere(rows) else 0
    if rows.entry is not None and not truncated:
        truncated = int(np.sum(np.isfinite(rows.entry)))
    out["truncated"] = truncated
    return out


def truncated_everywhere(rows):
    return math.isfinite(rows.truncate[0]) or math.isfinite(rows.truncate[1])


def bounds(rows):
    """Every finite bound and value: what the data say about where values lie (for the
    candidates of a selection: a family must admit them all)."""
    lo, hi = rows.lower, rows.upper
    both = np.concatenate([lo, hi[lo != hi]])
    return both[np.isfinite(both)]


def truncated(rows, lower=None, upper=None, entry=None):
    """The same rows, recorded only in (lower, upper] (constants) and, per row, only
    above entry (left truncation). Observed values outside are an error."""
    lo_t = -math.inf if lower is None else _number(lower, "--truncate-lower")
    hi_t = math.inf if upper is None else _number(upper, "--truncate-upper")
    if not lo_t < hi_t:
        raise UsageError(f"--truncate-lower ({lo_t:g}) must be below --truncate-upper ({hi_t:g})")
    e = None
    if entry is not None:
        e = np.asarray(entry, dtype=np.float64).reshape(-1)
        if e.size != rows.n:
            raise UsageError(f"there are {e.size} entry times for {rows.n} rows; give one per row")
        e = np.where(np.isnan(e), -math.inf, e)
    out = rows.but(truncate=(lo_t, hi_t), entry=e)
    check_truncation(out)
    return out


def check_truncation(rows):
    """Every row's known range must meet the region it could be recorded in."""
    lo, hi, (t_lo, t_hi) = rows.lower, rows.upper, rows.truncate
    lower = np.full(rows.n, t_lo) if rows.entry is None else np.maximum(rows.entry, t_lo)
    bad = np.flatnonzero((hi < lower) | ((hi == lower) & (lo == hi)) | (lo > t_hi))
    if bad.size:
        shown = ", ".join(f"{rows.where(i)}: {describe(rows, i)}" for i in bad[:3])
        raise DataError(f"{bad.size} row{'s lie' if bad.size > 1 else ' lies'} outside the truncation "
                        f"region, where nothing could have been recorded ({shown}); check "
                        f"--truncate-lower/--truncate-upper and --entry")


def points(rows, discrete):
    """(lo, hi) as the points of F-differences: for a continuous family the bounds
    themselves; for a discrete one P(a <= Y <= b) = F(b) - F(a - 1) (an exact value
    keeps lo == hi)."""
    lo, hi = rows.lower, rows.upper
    if not discrete:
        return lo, hi
    exact = lo == hi
    with np.errstate(invalid="ignore"):
        a = np.where(rows.lower_closed, np.ceil(lo) - 1.0, np.floor(lo))
        b = np.where(rows.upper_closed, np.floor(hi), np.ceil(hi) - 1.0)
    a = np.where(exact, lo, a)
    b = np.where(exact, hi, b)
    empty = np.flatnonzero(~exact & (b <= a))
    if empty.size:
        i = empty[0]
        raise DataError(f"{empty.size} row{'s hold' if empty.size > 1 else ' holds'} no whole number "
                        f"({rows.where(i)}: {describe(rows, i)}); a count must lie between its bounds")
    return a, b


def truncation_points(rows, discrete):
    """Per-row (lower, upper) truncation points (F-difference points), or None."""
    if rows.entry is None and not truncated_everywhere(rows):
        return None
    t_lo, t_hi = rows.truncate
    lower = np.full(rows.n, t_lo) if rows.entry is None else np.maximum(rows.entry, t_lo)
    upper = np.full(rows.n, t_hi)
    if discrete:  # recorded only for Y > lower and Y <= upper
        lower, upper = np.floor(lower), np.floor(upper)
    return lower, upper


def _number(v, option):
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise UsageError(f"{option} needs a number (got '{v}')") from None
    if math.isnan(x):
        raise UsageError(f"{option} needs a number (got '{v}')")
    return x


def describe(rows, i):
    """What row i says, as a message shows it: '3', '< 0.04', '>= 2000', 'between 1 and 2'."""
    lo, hi = rows.lower[i], rows.upper[i]
    if lo == hi:
        return f"{lo:.10g}"
    if np.isneginf(lo):
        return f"{'<=' if rows.upper_closed[i] else '<'} {hi:.10g}"
    if np.isposinf(hi):
        return f"{'>=' if rows.lower_closed[i] else '>'} {lo:.10g}"
    return f"between {lo:.10g} and {hi:.10g}"


def _floats(v, what):
    try:
        return np.asarray(v, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise DataError(f"{what} must be numbers") from None


def _boolean(n, value):
    return np.full(n, value, dtype=bool)


def from_event(values, event, *, left=False, where=None, name=None, event_name="--event"):
    """Times with an event indicator: 1 (or true) the value was seen; 0 (or false) the
    value is known only to exceed it (right-censored), or with left=True only to lie
    below it (left-censored: --event-left)."""
    x = _floats(values, "the values")
    e = _indicator(event, x.size, event_name, where)
    x = x.copy()  # the values, and the bound they are (the rows' own: the caller's array may change)
    if left:
        lo = np.where(e, x, -math.inf)
        return record(lo, x, _boolean(x.size, True), _boolean(x.size, False), x, where, name)
    hi = np.where(e, x, math.inf)
    return record(x, hi, _boolean(x.size, False), _boolean(x.size, True), x, where, name)


def _indicator(event, n, option, where):
    """An event column as booleans: 1/0, true/false (any case), yes/no."""
    e = np.asarray(event)
    if e.size != n:
        raise UsageError(f"{option}: {e.size} indicators for {n} values; give one per value")
    if e.dtype.kind == "b":
        return e.astype(bool)
    if e.dtype.kind in "iuf":
        ok = (e == 0) | (e == 1)
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            place = where(i) if where else f"index {i}"
            raise DataError(f"{option} must be 1 (event seen) or 0 (censored); {place} holds {e[i]:.10g}")
        return e == 1
    words = {"1": True, "0": False, "true": True, "false": False, "yes": True, "no": False,
             "t": True, "f": False}
    distinct, back = np.unique(np.asarray([str(v) for v in e], dtype=object), return_inverse=True)
    known = np.empty(distinct.size, dtype=bool)
    for j, v in enumerate(distinct):  # each distinct word once
        key = str(v).strip().casefold()
        if key not in words:
            i = int(np.flatnonzero(back == j)[0])
            place = where(i) if where else f"index {i}"
            raise DataError(f"{option} must be 1 (event seen) or 0 (censored), or true/false; {place} "
                            f"holds '{v}'")
        known[j] = words[key]
    return known[back]


def from_bounds(lower, upper, *, where=None, name=None):
    """fitdistrplus's convention: lower and upper per row; a missing lower bound is
    left-censored at the upper, a missing upper right-censored at the lower, equal bounds
    an exact value, lower < upper an interval; lower > upper is an error. Both missing:
    the row says nothing (the caller leaves it out)."""
    lo = _floats(lower, "lower bounds")
    hi = _floats(upper, "upper bounds")
    if lo.size != hi.size:
        raise UsageError(f"{lo.size} lower bounds for {hi.size} upper bounds; give one of each per row")
    crossed = np.flatnonzero(lo > hi)
    if crossed.size:
        i = int(crossed[0])
        place = where(i) if where else f"index {i}"
        raise DataError(f"{crossed.size} row{'s have' if crossed.size > 1 else ' has'} a lower bound above "
                        f"its upper bound ({place}: {lo[i]:.10g} > {hi[i]:.10g}); swap them or correct the row")
    lo = np.where(np.isnan(lo), -math.inf, lo)
    hi = np.where(np.isnan(hi), math.inf, hi)
    n = lo.size
    return record(lo, hi, _boolean(n, True), _boolean(n, True), stand_in(lo, hi), where, name)


def from_limits(values, *, lower_limit=None, upper_limit=None, where=None, name=None):
    """Values with detection limits: at or below lower_limit a value is known only to lie
    at or below it (left-censored there), at or above upper_limit only at or above it."""
    x = _floats(values, "the values")
    lo, hi = x.copy(), x.copy()
    n = x.size
    lo_closed, hi_closed = _boolean(n, True), _boolean(n, True)
    a = -math.inf if lower_limit is None else _number(lower_limit, "--lower-limit")
    b = math.inf if upper_limit is None else _number(upper_limit, "--upper-limit")
    if not a < b:
        raise UsageError(f"--lower-limit ({a:g}) must be below --upper-limit ({b:g})")
    below, above = x <= a, x >= b
    lo[below], hi[below] = -math.inf, a
    lo[above], hi[above] = b, math.inf
    return record(lo, hi, lo_closed, hi_closed, x.copy(), where, name)


CELL = re.compile(r"^\s*(<=|>=|<|>|≤|≥)\s*(.+?)\s*$")


def from_cells(cells, *, decimal=".", where=None, name=None):
    """Cells as written by laboratories: '0.31' seen, '<0.04' or '<=0.04' below a limit,
    '>2000' or '>=2000' above one. Blank cells are left for the caller to drop."""
    n = len(cells)
    lo, hi = np.empty(n), np.empty(n)
    lo_closed, hi_closed = _boolean(n, True), _boolean(n, True)
    for i, cell in enumerate(cells):
        text = str(cell).strip()
        m = CELL.match(text)
        op, number = (m.group(1), m.group(2)) if m else ("", text)
        try:
            v = float(number.replace(decimal, ".") if decimal != "." else number)
        except ValueError:
            place = where(i) if where else f"index {i}"
            raise DataError(f"{place} holds '{text[:40]}', which is neither a number nor a censored cell "
                            f"such as '<0.04' or '>=2000'; correct it or leave it blank") from None
        if not math.isfinite(v):
            place = where(i) if where else f"index {i}"
            raise DataError(f"{place} holds '{text[:40]}': censoring limits must be finite")
        if op in ("<", "<=", "≤"):
            lo[i], hi[i], hi_closed[i] = -math.inf, v, op != "<"
        elif op in (">", ">=", "≥"):
            lo[i], hi[i], lo_closed[i] = v, math.inf, op != ">"
        else:
            lo[i] = hi[i] = v
    return record(lo, hi, lo_closed, hi_closed, stand_in(lo, hi), where, name)  # the numbers written


def exact(values, *, where=None, name=None):
    """Nothing censored: every value seen."""
    x = _floats(values, "the values").copy()
    return record(x, x, _boolean(x.size, True), _boolean(x.size, True), x, where, name)
