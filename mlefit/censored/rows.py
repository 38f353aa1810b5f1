"""Censored and truncated data: what each row says about its value.

A row's value was seen (exact), or is known only to lie at or below a bound
(left-censored: a concentration under the detection limit), above one (right-censored:
a machine still running when the study ended), or between two (interval-censored). A
truncated row could only have been recorded inside a region (above 10; after the
subject's entry time), so its likelihood is conditional on being there.

Censored is the one record of this: per-row bounds lo <= hi (lo == hi: the value seen;
lo = -inf: no lower bound; hi = +inf: no upper bound) with whether each bound can be
reached, and the truncation. Its constructors follow the conventions users bring:
an event indicator (lifelines, survival's Surv), lower/upper columns (fitdistrplus's
left/right), detection limits, and cells written '<0.04' or '>=2000'.

For a continuous family whether a bound is reached does not matter. For a discrete one
it does, and points() turns every row into F-difference points: P(a <= Y <= b) =
F(b) - F(a - 1); Y > t is Y >= floor(t) + 1; Y < t is Y <= ceil(t) - 1.
"""
import math
import re
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from ..errors import DataError, UsageError

@dataclass(frozen=True)
class Censored:
    """lo, hi: each row's bounds (float arrays); lo_closed/hi_closed: whether the value
    may equal the bound (boolean arrays, for discrete families); entry: per-row left
    truncation (the value is recorded only above it; None: none); truncate: (lower,
    upper) constant truncation, the value recorded only in (lower, upper]; where(i):
    the place row i came from, for messages; rows_read/dropped: what reading left out;
    weights: each row's frequency weight (None: every row weighs 1), taken by the fit as a
    Record's are (mlefit.data.own_sides)."""

    lo: np.ndarray
    hi: np.ndarray
    lo_closed: np.ndarray
    hi_closed: np.ndarray
    entry: np.ndarray | None = None
    truncate: tuple = (-math.inf, math.inf)
    name: str | None = None
    where: object = None
    weights: np.ndarray | None = None

    @property
    def size(self):
        return int(self.lo.size)

    @cached_property
    def _kinds(self):
        exact = self.lo == self.hi
        left = (self.lo == -np.inf) & ~exact
        right = (self.hi == np.inf) & ~exact
        return {"exact": exact, "left": left, "right": right, "interval": ~(exact | left | right)}

    def kinds(self):
        """{kind: boolean mask} for exact, left, right and interval rows (made once)."""
        return self._kinds

    def counts(self):
        """{kind: rows}, with 'truncated' (rows whose likelihood is conditional)."""
        out = {k: int(m.sum()) for k, m in self.kinds().items()}
        truncated = self.size if self.truncated_everywhere else 0
        if self.entry is not None and not truncated:
            truncated = int(np.sum(np.isfinite(self.entry)))
        out["truncated"] = truncated
        return out

    @property
    def truncated_everywhere(self):
        return math.isfinite(self.truncate[0]) or math.isfinite(self.truncate[1])

    def bounds(self):
        """Every finite bound and value: what the data say about where values lie (for the
        candidates of a selection: a family must admit them all)."""
        both = np.concatenate([self.lo, self.hi[self.lo != self.hi]])
        return both[np.isfinite(both)]

    def place(self, i):
        return self.where(int(i)) if self.where is not None else f"index {int(i)}"

    def subset(self, keep):
        """The rows `keep` (a boolean mask or index array)."""
        return replace(self, lo=self.lo[keep], hi=self.hi[keep], lo_closed=self.lo_closed[keep],
                       hi_closed=self.hi_closed[keep],
                       entry=None if self.entry is None else self.entry[keep],
                       weights=None if self.weights is None else self.weights[keep],
                       where=None if self.where is None else _shifted(self.where, keep, self.size))

    def truncated(self, lower=None, upper=None, entry=None):
        """The same rows, recorded only in (lower, upper] (constants) and, per row, only
        above entry (left truncation). Observed values outside are an error."""
        lo_t = -math.inf if lower is None else _number(lower, "--truncate-lower")
        hi_t = math.inf if upper is None else _number(upper, "--truncate-upper")
        if not lo_t < hi_t:
            raise UsageError(f"--truncate-lower ({lo_t:g}) must be below --truncate-upper ({hi_t:g})")
        e = None
        if entry is not None:
            e = np.asarray(entry, dtype=np.float64).reshape(-1)
            if e.size != self.size:
                raise UsageError(f"there are {e.size} entry times for {self.size} rows; give one per row")
            e = np.where(np.isnan(e), -math.inf, e)
        out = replace(self, truncate=(lo_t, hi_t), entry=e)
        out.check_truncation()
        return out

    def check_truncation(self):
        """Every row's known range must meet the region it could be recorded in."""
        lower = np.full(self.size, self.truncate[0]) if self.entry is None else np.maximum(self.entry, self.truncate[0])
        upper = self.truncate[1]
        bad = np.flatnonzero((self.hi < lower) | ((self.hi == lower) & (self.lo == self.hi)) | (self.lo > upper))
        if bad.size:
            shown = ", ".join(f"{self.place(i)}: {_describe(self, i)}" for i in bad[:3])
            raise DataError(f"{bad.size} row{'s lie' if bad.size > 1 else ' lies'} outside the truncation "
                            f"region, where nothing could have been recorded ({shown}); check "
                            f"--truncate-lower/--truncate-upper and --entry")

    def points(self, discrete):
        """(lo, hi) as the points of F-differences: for a continuous family the bounds
        themselves; for a discrete one P(a <= Y <= b) = F(b) - F(a - 1) (an exact value
        keeps lo == hi)."""
        if not discrete:
            return self.lo, self.hi
        exact = self.lo == self.hi
        with np.errstate(invalid="ignore"):
            a = np.where(self.lo_closed, np.ceil(self.lo) - 1.0, np.floor(self.lo))
            b = np.where(self.hi_closed, np.floor(self.hi), np.ceil(self.hi) - 1.0)
        a = np.where(exact, self.lo, a)
        b = np.where(exact, self.hi, b)
        empty = np.flatnonzero(~exact & (b <= a))
        if empty.size:
            i = empty[0]
            raise DataError(f"{empty.size} row{'s hold' if empty.size > 1 else ' holds'} no whole number "
                            f"({self.place(i)}: {_describe(self, i)}); a count must lie between its bounds")
        return a, b

    def truncation_points(self, discrete):
        """Per-row (lower, upper) truncation points (F-difference points), or None."""
        if self.entry is None and not self.truncated_everywhere:
            return None
        lower = np.full(self.size, self.truncate[0]) if self.entry is None else np.maximum(self.entry, self.truncate[0])
        upper = np.full(self.size, self.truncate[1])
        if discrete:  # recorded only for Y > lower and Y <= upper
            lower, upper = np.floor(lower), np.floor(upper)
        return lower, upper


def _shifted(where, keep, n):
    idx = np.arange(n)[keep]
    return lambda i: where(int(idx[i]))


def _number(v, option):
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise UsageError(f"{option} needs a number (got '{v}')") from None
    if math.isnan(x):
        raise UsageError(f"{option} needs a number (got '{v}')")
    return x


def _describe(c, i):
    lo, hi = c.lo[i], c.hi[i]
    if lo == hi:
        return f"{lo:.10g}"
    if np.isneginf(lo):
        return f"{'<=' if c.hi_closed[i] else '<'} {hi:.10g}"
    if np.isposinf(hi):
        return f"{'>=' if c.lo_closed[i] else '>'} {lo:.10g}"
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
    inf = np.full(x.size, math.inf)
    if left:
        lo = np.where(e, x, -inf)
        return Censored(lo, x.copy(), _boolean(x.size, True), _boolean(x.size, False), name=name, where=where)
    hi = np.where(e, x, inf)
    return Censored(x.copy(), hi, _boolean(x.size, False), _boolean(x.size, True), name=name, where=where)


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
    return Censored(lo, hi, _boolean(n, True), _boolean(n, True), name=name, where=where)


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
    return Censored(lo, hi, lo_closed, hi_closed, name=name, where=where)


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
    return Censored(lo, hi, lo_closed, hi_closed, name=name, where=where)


def exact(values, *, where=None, name=None):
    """Nothing censored: every value seen."""
    x = _floats(values, "the values")
    return Censored(x.copy(), x.copy(), _boolean(x.size, True), _boolean(x.size, True), name=name, where=where)
