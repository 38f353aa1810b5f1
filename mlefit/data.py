"""Input: a CSV/TSV file or standard input (or a Python sequence) -> one clean column of
values, with a report of every row left out and why. Nothing is dropped silently."""
import os
import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .errors import DataError, UsageError, plain
from .readers import NUMBER, ReadOptions, parse, read_source
from .result import Drop

MISSING = "missing value (blank, NA, NaN, null, None)"
BLANK_LINE = "blank line"
FIRST = 5  # how many offending rows a report names
_DECIMAL_COMMA = re.compile(r"^\s*[+-]?\d*,\d+\s*$")


def column_label(name):
    return f"column '{plain(name)}'" if name is not None else "the data"


def _index(position):
    return f"index {position}"


@dataclass(frozen=True)
class Column:
    """One column of data ready for a family: `values` (float64, or str labels),
    `positions` (where each value stood in the source), and what was left out.
    `locate(position)` names a place: "line 7" in a file, "index 6" in a sequence."""

    name: str | None
    values: np.ndarray
    positions: np.ndarray
    rows_read: int
    dropped: tuple
    source: str | None = None
    locate: Callable = _index
    notes: tuple = ()

    def where(self, i):
        """Where used value i came from."""
        return self.locate(int(self.positions[i]))

    @property
    def label(self):
        return column_label(self.name)


def _is_string(t):
    import pyarrow.types as pt
    return pt.is_string(t) or pt.is_large_string(t)


def _is_numeric_type(t):
    import pyarrow.types as pt
    return pt.is_integer(t) or pt.is_floating(t) or pt.is_boolean(t)


def choose_column(table, column):
    names = table.column_names
    shown = ", ".join(plain(n) for n in names)
    if column is not None:
        matches = [n for n in names if n == column] or [n for n in names if n.lower() == column.lower()]
        if not matches:
            raise UsageError(f"no column '{plain(column)}'; the columns are: {shown}")
        chosen = matches[0]
        if len(set(matches)) > 1:
            raise UsageError(f"'{plain(column)}' matches several columns ({', '.join(map(plain, matches))}); "
                             f"give the exact name")
    elif len(names) == 1:
        chosen = names[0]
    else:
        numeric = [f.name for f in table.schema if _is_numeric_type(f.type)]
        if len(numeric) != 1:
            raise UsageError(f"the file has {len(names)} columns ({shown}); choose one with --column NAME")
        chosen = numeric[0]
    if names.count(chosen) > 1:
        raise UsageError(f"the column name '{plain(chosen)}' appears {names.count(chosen)} times "
                         f"({shown}); give the columns distinct names")
    return chosen


def read_column(paths, column=None, labels=False, options=None, strict=False):
    """One column of one or more files ('-' for stdin), stacked into one Column.

    labels: keep the values as text (for the categorical family) instead of numbers.
    options: a readers.ReadOptions (delimiter, decimal mark, encoding, header, extra
        missing-value spellings). strict: refuse any missing value or blank line
        instead of dropping it.
    """
    paths = [paths] if isinstance(paths, str) else list(paths)
    if not paths:
        raise UsageError("no input: give a file, several files, a glob, or - for standard input")
    options = options or ReadOptions()
    parts = [_read_one(path, column, labels, options) for path in _expand(paths)]
    col = parts[0] if len(parts) == 1 else _stack(parts)
    if strict and col.dropped:
        first = ", ".join(p for d in col.dropped for p in d.first)
        count = sum(d.count for d in col.dropped)
        what = "missing value or blank line" if count == 1 else "missing values or blank lines"
        raise DataError(f"{col.label} has {count} {what} ({first}) and --strict refuses them; "
                        f"fill them in, or drop --strict")
    return col


def _expand(paths):
    """Glob patterns that the shell left unexpanded (quoted, or on Windows) are expanded
    here, in sorted order; a pattern that matches nothing is an error."""
    import glob

    out = []
    for path in paths:
        if path != "-" and not os.path.exists(path) and any(ch in path for ch in "*?["):
            matches = sorted(glob.glob(path))
            if not matches:
                raise UsageError(f"no files match '{path}'")
            out.extend(matches)
        else:
            out.append(path)
    return out


def _read_one(path, column, labels, options):
    source = read_source(path)
    raw = parse(source, options)
    name = choose_column(raw.table, column)
    if labels and not _is_string(raw.table.schema.field(name).type) and raw.unit == "line":
        raw = parse(source, options, string_column=name)
    dropped = []
    if raw.blank_lines:
        dropped.append(Drop(BLANK_LINE, len(raw.blank_lines),
                            tuple(f"line {b}" for b in raw.blank_lines[:FIRST])))
    col = raw.table.column(name)
    return _convert(col, name, raw.source, labels, dropped, where=raw.place,
                    rows_read=len(col) + len(raw.blank_lines), notes=raw.notes)


def _stack(parts):
    """Several files' columns as one data set; places name their file."""
    import bisect

    names = {p.name for p in parts}
    if len(names) > 1 and not all(p.name.isdigit() for p in parts):
        raise UsageError(f"the files give different columns ({', '.join(sorted(names))}); "
                         f"name one with --column")
    spans = [p.rows_read - sum(d.count for d in p.dropped if d.reason == BLANK_LINE) for p in parts]
    offsets = np.cumsum([0] + spans)[:-1].tolist()

    def locate(position):
        i = bisect.bisect_right(offsets, position) - 1
        return f"{parts[i].source} {parts[i].locate(position - offsets[i])}"

    reasons = {}
    for part in parts:
        for d in part.dropped:
            count, first = reasons.get(d.reason, (0, ()))
            reasons[d.reason] = (count + d.count, first + tuple(f"{part.source} {f}" for f in d.first))
    dropped = tuple(Drop(r, c, f[:FIRST]) for r, (c, f) in reasons.items())
    sources = [p.source for p in parts]
    source = ", ".join(sources) if len(sources) <= 3 else f"{len(sources)} files ({sources[0]} ... {sources[-1]})"
    notes = tuple(dict.fromkeys(n for p in parts for n in p.notes))
    return Column(parts[0].name, np.concatenate([p.values for p in parts]),
                  np.concatenate([p.positions + off for p, off in zip(parts, offsets)]),
                  sum(p.rows_read for p in parts), dropped, source, locate, notes)


def _to_numpy(chunked):
    """A null-free pyarrow ChunkedArray -> numpy, without pyarrow's pandas-importing path."""
    parts = [np.from_dlpack(ch) for ch in chunked.chunks if len(ch)]
    return np.concatenate(parts) if parts else np.empty(0)


def _convert(col, name, source, labels, dropped, where, rows_read, notes=()):
    """A pyarrow column -> Column: missing cells counted and dropped, numbers parsed,
    anything else refused with the place it stood (`where(position)`)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.types as pt

    if col.null_count:
        is_null = _to_numpy(pc.cast(col.is_null(), pa.int8())).astype(bool)
        positions = np.flatnonzero(~is_null)
        missing = np.flatnonzero(is_null)
        dropped.append(Drop(MISSING, int(missing.size), tuple(where(p) for p in missing[:FIRST])))
        col = col.drop_null()
    else:
        positions = np.arange(len(col))
    label = column_label(name)
    t = col.type
    if labels:
        values = np.array(pc.cast(col, pa.string()).to_pylist(), dtype=object) if len(col) else np.empty(0, object)
    elif pt.is_null(t):
        values = np.empty(0)
    elif pt.is_integer(t) or pt.is_floating(t) or pt.is_boolean(t):
        values = _to_numpy(pc.cast(col, pa.float64(), safe=False))  # integers past 2^53 round
    elif _is_string(t):
        text = col.to_pylist()
        bad = [i for i, v in enumerate(text) if not NUMBER.match(v)]
        if bad:
            shown = ", ".join(f"{where(positions[i])}: {text[i]!r}" for i in bad[:3])
            comma = all(_DECIMAL_COMMA.match(text[i]) for i in bad[:3])
            way_out = ("these look like decimal commas: add --decimal ," if comma else
                       f"correct {'them' if len(bad) > 1 else 'it'} or leave the cell blank to mark it "
                       f"missing (or name the marker with --na-values), or use --dist categorical for labels")
            raise DataError(
                f"{label} has {len(bad)} non-numeric value{'s' if len(bad) > 1 else ''} ({shown}); {way_out}")
        values = np.array([float(v) for v in text], dtype=np.float64)
    else:
        raise DataError(f"{label} holds {t} values, not numbers; choose a numeric column with --column")
    if not labels:
        _reject_infinite(values, positions, label, where)
    return Column(name, values, positions, rows_read, tuple(dropped), source, where, tuple(notes))


# ---------------------------------------------------------------- Python sequences
def from_values(data, name=None, labels=False):
    """A Column from a list, tuple, numpy array or pandas Series. None and NaN count as
    missing and are reported like blank cells in a file."""
    import pyarrow as pa

    if isinstance(data, Column):
        return data
    if isinstance(data, (str, bytes)):
        raise UsageError("data must be a sequence of values, not a single string")
    arr = np.asarray(data, dtype=object if labels else None)
    if arr.ndim != 1:
        arr = arr.reshape(-1) if arr.ndim == 0 or 1 in arr.shape else arr
    if arr.ndim != 1:
        raise UsageError(f"data must be one-dimensional; got an array of shape {arr.shape}")
    if not labels and arr.dtype.kind in "biuf":
        return _from_numeric_array(arr, name)
    items = [None if _is_missing(v) else v for v in arr.tolist()]
    if labels:
        items = [None if v is None else _label_text(v) for v in items]
        col = pa.chunked_array([pa.array(items, type=pa.string())])
    else:
        try:
            col = pa.chunked_array([pa.array(items)])
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            col = pa.chunked_array([pa.array([None if v is None else str(v) for v in items])])
    return _convert(col, name, None, labels, [], where=_index, rows_read=len(col))


def _is_missing(v):
    """None, a float NaN, or pandas' NA/NaT (recognised without importing pandas)."""
    if v is None:
        return True
    if isinstance(v, float):
        return v != v
    return type(v).__name__ in ("NAType", "NaTType")


def _reject_infinite(values, positions, label, where):
    bad = np.flatnonzero(np.isinf(values))
    if bad.size:
        shown = ", ".join(f"{where(positions[i])}: {values[i]}" for i in bad[:3])
        many = bad.size > 1
        raise DataError(f"{label} has {bad.size} infinite value{'s' if many else ''} ({shown}); "
                        f"remove {'them' if many else 'it'} or leave the cell blank to mark it missing")


def _from_numeric_array(arr, name):
    """Fast path for numeric numpy input: NaN is missing, nothing is copied through Python."""
    values = np.asarray(arr, dtype=np.float64)
    rows = values.size
    nan = np.isnan(values)
    dropped = []
    if nan.any():
        missing = np.flatnonzero(nan)
        dropped.append(Drop(MISSING, int(missing.size), tuple(f"index {p}" for p in missing[:FIRST])))
        positions = np.flatnonzero(~nan)
        values = values[positions]
    else:
        positions = np.arange(rows)
    label = column_label(name)
    _reject_infinite(values, positions, label, _index)
    return Column(name, values, positions, rows, tuple(dropped), None, _index)


def _label_text(v):
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
