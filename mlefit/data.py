"""The one per-row record of the data a fit uses: the response and every per-row side
column (weights, trials, censoring bounds, offset, covariates, and the named columns a
table was read with), aligned row for row, with the report of how they were read.

Rows move together in one place, take() (a slice, a group, a resample), and rows are
left out in one place, without() (a missing weight, a row of zero trials), each reason
counted and its first rows named. Nothing is dropped silently."""
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .errors import plain
from .report.result import Drop

FIRST = 5  # how many offending rows a report names


def column_label(name):
    return f"column '{plain(name)}'" if name is not None else "the data"


def index_place(position):
    """Where a value of a Python sequence stood: 'index 6'."""
    return f"index {position}"


# the per-row side columns: each is None (not given) or one value per row
SIDES = ("weights", "trials", "lower", "upper", "lower_closed", "upper_closed", "entry", "offset", "covariates",
         "clusters")


@dataclass(frozen=True)
class Record:
    """The rows of one data set ready for a fit.

    values: the response (float64, or str labels); positions: where each row stood in
    the source (None when nothing was left out: row i stood at i), and locate(position)
    names that place ("line 7" in a file, "index 6" in a sequence); rows_read, dropped
    (Drops: what was left out and why), source, notes: the report of the reading;
    extremes: (min, max) of values where already known; whole: values known to be whole
    numbers. Per-row side columns (None: not given): weights (weights_name: the column they
    were read from, which a fit reports as its `weights`; None: given in Python), trials (an array, or one
    number for every row), offset, covariates (a matrix, one row per row), clusters (for
    cluster-robust errors), and the censoring of censored rows (`censored`: lower is not
    None; built by mlefit.censored.rows): lower <= upper, each row's bounds (lower ==
    upper: the value seen; -inf, +inf: no bound), lower_closed/upper_closed whether the
    value may equal each bound (booleans, for discrete families), entry each row's left
    truncation (recorded only above it; None: none) and truncate, the (lower, upper]
    region every row could be recorded in (one pair for all rows). A table read by name keeps every column in
    `columns` ({name: values}, `names` in the order asked, the response first) and
    table_rows, the data rows read (blank lines not counted)."""

    name: str | None
    values: np.ndarray
    positions: np.ndarray | None
    rows_read: int
    dropped: tuple
    source: str | None = None
    locate: Callable = index_place
    notes: tuple = ()
    extremes: tuple | None = None
    whole: bool = False
    weights: np.ndarray | None = None
    weights_name: str | None = None
    trials: object = None
    lower: np.ndarray | None = None
    upper: np.ndarray | None = None
    lower_closed: np.ndarray | None = None
    upper_closed: np.ndarray | None = None
    entry: np.ndarray | None = None
    truncate: tuple = (-math.inf, math.inf)
    offset: np.ndarray | None = None
    covariates: np.ndarray | None = None
    clusters: np.ndarray | None = None
    columns: dict | None = None
    names: tuple = ()
    table_rows: int | None = None

    @property
    def n(self):
        """How many rows the record holds."""
        return int(self.values.shape[0])

    def where(self, i):
        """Where row i came from."""
        return self.locate(int(i if self.positions is None else self.positions[i]))

    @property
    def stood(self):
        """Where each row stood in the source (an index array)."""
        return np.arange(self.values.shape[0]) if self.positions is None else self.positions

    @property
    def censored(self):
        """Whether the rows are censored rows, said by their bounds (lower, upper)."""
        return self.lower is not None

    @property
    def label(self):
        return column_label(self.name)

    def take(self, index, **report):
        """The rows `index` (a slice, an index array with repeats for a resample, or a
        boolean mask): the response and every per-row column move together, and each
        row still names where it came from. The report of the reading is kept, or
        changed by `report` (a group's rows_read, dropped, notes). The cost is that of
        the rows taken (a group of 3 rows of a million costs 3 rows)."""
        d = self.__dict__
        if report and not report.keys() <= d.keys():
            raise TypeError(f"Record has no field {sorted(report.keys() - d.keys())}")
        if isinstance(index, slice):  # views
            stood = np.arange(*index.indices(self.n)) if d["positions"] is None else d["positions"][index]
            rows = _sliced
        else:
            index = np.asarray(index)
            if index.dtype.kind == "b":
                index = np.flatnonzero(index)
            stood = index if d["positions"] is None else d["positions"].take(index)
            rows = _taken
        changes = {**d, **report, "values": rows(d["values"], index), "positions": stood, "extremes": None}
        for side in SIDES:
            v = d[side]
            if v is not None and getattr(v, "ndim", 0):  # (one number of trials for every row stays)
                changes[side] = rows(v, index)
        if d["columns"] is not None:
            changes["columns"] = {c: rows(v, index) for c, v in d["columns"].items()}
        return _made(changes)

    def but(self, **changes):
        """The record with these fields changed (dataclasses.replace without the cost of
        __init__: a fit per group of a million groups makes a million of them)."""
        if not changes.keys() <= self.__dict__.keys():
            raise TypeError(f"Record has no field {sorted(changes.keys() - self.__dict__.keys())}")
        return _made({**self.__dict__, **changes})

    def without(self, *marked):
        """The record without the rows marked by any (mask, reason) pair, each counted
        under the first reason that marks it and the first FIRST named (added to
        `dropped`); the record itself when none is marked."""
        if not any(mask.any() for mask, _ in marked):  # (the usual case, at the cost of a look)
            return self
        out, drops = counted(marked, self.where)
        return self.take(~out, dropped=tuple(self.dropped) + drops)

    def drawn(self, weights):
        """A resample: the rows of positive `weights` (how often each row was drawn, times
        its own weight where the caller says so), each weighing that."""
        return self.but(weights=weights).take(weights > 0)

    def with_column(self, name, values):
        """The record with the column `name` of its table replaced (the response too,
        when it is the first)."""
        columns = {**self.columns, name: values}
        if self.names and name == self.names[0]:
            return self.but(columns=columns, values=values)
        return self.but(columns=columns)


def own_sides(data, weights=None, trials=None):
    """(data, weights, trials) for a library call given `data`: a Record's own weights
    and trials where none are given as arguments, and the record then without them, so
    they are applied once; any other data (values, arrays) as given."""
    if type(data) is not Record or (data.weights is None and data.trials is None):
        return data, weights, trials
    own_w, own_t = data.weights, data.trials
    # weights given as arguments win: the column the record's own came from no longer names them
    data = data.but(weights=None, trials=None, **({} if weights is None else {"weights_name": None}))
    return data, (own_w if weights is None else weights), (own_t if trials is None else trials)


def carrying(data, weights=None, trials=None):
    """(rows, trials) for a library call that fits the same rows several times (select,
    lrt): the Record `data` (censored rows too) carrying its weights (those given, else its
    own) and, where they are one per row, its trials (the same), so that each fit takes
    them from it (own_sides) and applies them once; and the trials as the caller names
    them (one number names the family, binomial:12, and is not carried). Other data
    (values) become a Record first, as mlefit.select and mlefit.lrt make them."""
    if type(data) is not Record:
        from .io.column import from_values
        data = from_values(data)
    data, weights, trials = own_sides(data, weights, trials)
    per_row = trials if trials is not None and np.ndim(trials) > 0 else None
    return (data.but(weights=weights, trials=per_row) if weights is not None or per_row is not None
            else data), trials


def _sliced(v, index):
    return v[index]


def _taken(v, index):
    """The rows `index` of v: ndarray.take, for a matrix 10-15x quicker than v[index]."""
    return v.take(index, axis=0) if type(v) is np.ndarray else v[index]


def _made(fields):
    """A Record of these fields (all of them), without __init__'s cost per field."""
    out = object.__new__(Record)
    object.__setattr__(out, "__dict__", fields)
    return out


def counted(marked, place):
    """(the rows marked by any (mask, reason) pair, the Drops): each row counted under
    the first reason that marks it, the first FIRST named by place(row). The one count
    of rows left out, for a Record and for a table before it becomes one."""
    out, drops = None, []
    for mask, reason in marked:
        mask = np.asarray(mask, dtype=bool)
        new = mask if out is None else mask & ~out
        if new.any():
            rows = np.flatnonzero(new)
            drops.append(Drop(reason, int(rows.size), tuple(place(int(i)) for i in rows[:FIRST])))
        out = mask if out is None else out | mask
    return out, tuple(drops)
