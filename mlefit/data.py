"""Input: a CSV/TSV file or standard input (or a Python sequence) -> one clean column of
values, with a report of every row left out and why. Nothing is dropped silently."""
import os
import re
import sys
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .errors import DataError, UsageError
from .result import Drop

# Cells read as missing. pyarrow's defaults plus a few spellings R, pandas and
# databases write.
NA_VALUES = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
             "1.#IND", "1.#QNAN", "N/A", "NA", "NULL", "NaN", "n/a", "nan", "null",
             "None", "none", "NAN", "Na", "Null", "na"]
MISSING = "missing value (blank, NA, NaN, null, None)"
BLANK_LINE = "blank line"
FIRST = 5  # how many offending rows a report names
_NUMBER = re.compile(r"^\s*[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|inf|infinity)\s*$", re.IGNORECASE)


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

    def where(self, i):
        """Where used value i came from."""
        return self.locate(int(self.positions[i]))

    @property
    def label(self):
        return f"column '{self.name}'" if self.name is not None else "the data"


# ---------------------------------------------------------------- files
def _read_bytes(path):
    if path == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    if not os.path.exists(path):
        raise UsageError(f"file '{path}' not found; check the path, or pass - to read standard input")
    if os.path.isdir(path):
        raise UsageError(f"'{path}' is a directory; give the path of a CSV file")
    try:
        with open(path, "rb") as fh:
            return fh.read(), path
    except OSError as exc:
        raise DataError(f"cannot read '{path}': {exc.strerror or exc}; check its permissions") from None


def _decodes(head):
    """True when these leading bytes are UTF-8 (allowing a character cut at the end)."""
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3


def _sniff_delimiter(raw):
    """The delimiter that splits the header line most: tab, comma, semicolon or pipe.
    Quoted text is ignored. A header with none of them is a single column."""
    header = raw[:65536].split(b"\n", 1)[0]
    header = re.sub(rb'"[^"]*"', b"", header)
    counts = {d: header.count(d.encode()) for d in ("\t", ",", ";", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


@dataclass(frozen=True)
class RawTable:
    """A parsed file: the pyarrow table, and where its rows stood in the file."""

    table: object
    source: str
    blank_lines: tuple  # file line numbers of blank lines after the header
    lines: object = None  # file line number of each table row, when known exactly

    def line(self, row):
        return int(self.lines[row]) if self.lines is not None else row + 2


def _load(path):
    raw, source = _read_bytes(path)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        raise DataError(f"'{source}' is empty; it needs a header row and at least one row of values")
    head = raw[:65536]
    if b"\x00" in head or not _decodes(head):
        raise DataError(f"'{source}' is not a UTF-8 text CSV file (it holds binary or other-encoded "
                        f"data); export it as CSV in UTF-8")
    return raw, source


def _line_map(raw):
    """(line numbers of the non-blank lines after the header, of the blank ones), both
    1-based. Only needed when the file has blank lines, which the parser skips."""
    buf = np.frombuffer(raw, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10)
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [buf.size]))
    if starts[-1] == buf.size:  # nothing after the final newline
        starts, ends = starts[:-1], ends[:-1]
    length = ends - starts
    first = buf[np.minimum(starts, buf.size - 1)]
    blank = (length == 0) | ((length == 1) & (first == 13))
    numbers = np.arange(1, starts.size + 1)
    header = int(np.flatnonzero(~blank)[0])
    after = numbers > header + 1
    return numbers[after & ~blank], numbers[after & blank]


def _parse(raw, source, column_types=None):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    delimiter = _sniff_delimiter(raw)
    try:
        return pacsv.read_csv(
            pa.BufferReader(raw),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(null_values=NA_VALUES, strings_can_be_null=True,
                                                 quoted_strings_can_be_null=True,
                                                 column_types=column_types or {}),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        detail = str(exc).splitlines()[0]
        detail = detail if len(detail) <= 120 else detail[:117] + "..."
        raise DataError(f"cannot read '{source}' as CSV: {detail}") from None


def read_table(path, string_column=None):
    """Read a delimited file ('-' for stdin) into a RawTable. `string_column` is read as
    text, never parsed as numbers (labels like zip codes keep their leading zeros)."""
    return _table(*_load(path), string_column)


def _table(raw, source, string_column=None):
    import pyarrow as pa

    types = {string_column: pa.string()} if string_column is not None else None
    table = _parse(raw, source, types)
    lines, blank = None, ()
    if b"\n\n" in raw or b"\n\r\n" in raw:
        lines, blank_lines = _line_map(raw)
        blank = tuple(int(b) for b in blank_lines)
        if lines.size != table.num_rows:  # quoted fields spanning lines: numbering unknown
            lines = None
    return RawTable(table, source, blank, lines)


def _is_string(t):
    import pyarrow.types as pt
    return pt.is_string(t) or pt.is_large_string(t)


def _is_numeric_type(t):
    import pyarrow.types as pt
    return pt.is_integer(t) or pt.is_floating(t) or pt.is_boolean(t)


def choose_column(table, column):
    names = table.column_names
    shown = ", ".join(names)
    if column is not None:
        matches = [n for n in names if n == column] or [n for n in names if n.lower() == column.lower()]
        if not matches:
            raise UsageError(f"no column '{column}'; the columns are: {shown}")
        chosen = matches[0]
        if len(set(matches)) > 1:
            raise UsageError(f"'{column}' matches several columns ({', '.join(matches)}); "
                             f"give the exact name")
    elif len(names) == 1:
        chosen = names[0]
    else:
        numeric = [f.name for f in table.schema if _is_numeric_type(f.type)]
        if len(numeric) != 1:
            raise UsageError(f"the file has {len(names)} columns ({shown}); choose one with --column NAME")
        chosen = numeric[0]
    if names.count(chosen) > 1:
        raise UsageError(f"the column name '{chosen}' appears {names.count(chosen)} times "
                         f"({shown}); give the columns distinct names")
    return chosen


def read_column(path, column=None, labels=False):
    """The chosen column of a CSV file ('-' for stdin) as a Column. `labels` keeps the
    values as text (for the categorical family) instead of parsing numbers."""
    content, source = _load(path)
    raw = _table(content, source)
    name = choose_column(raw.table, column)
    if labels and not _is_string(raw.table.schema.field(name).type):
        raw = _table(content, source, string_column=name)
    dropped = []
    if raw.blank_lines:
        dropped.append(Drop(BLANK_LINE, len(raw.blank_lines),
                            tuple(f"line {b}" for b in raw.blank_lines[:FIRST])))
    col = raw.table.column(name)
    return _convert(col, name, raw.source, labels, dropped,
                    where=lambda p: f"line {raw.line(p)}", rows_read=len(col) + len(raw.blank_lines))


def _to_numpy(chunked):
    """A null-free pyarrow ChunkedArray -> numpy, without pyarrow's pandas-importing path."""
    parts = [np.from_dlpack(ch) for ch in chunked.chunks if len(ch)]
    return np.concatenate(parts) if parts else np.empty(0)


def _convert(col, name, source, labels, dropped, where, rows_read):
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
    label = f"column '{name}'" if name is not None else "the data"
    t = col.type
    if labels:
        values = np.array(pc.cast(col, pa.string()).to_pylist(), dtype=object) if len(col) else np.empty(0, object)
    elif pt.is_null(t):
        values = np.empty(0)
    elif pt.is_integer(t) or pt.is_floating(t) or pt.is_boolean(t):
        values = _to_numpy(pc.cast(col, pa.float64()))
    elif _is_string(t):
        text = col.to_pylist()
        bad = [i for i, v in enumerate(text) if not _NUMBER.match(v)]
        if bad:
            shown = ", ".join(f"{where(positions[i])}: {text[i]!r}" for i in bad[:3])
            raise DataError(
                f"{label} has {len(bad)} non-numeric value{'s' if len(bad) > 1 else ''} ({shown}); "
                f"correct {'them' if len(bad) > 1 else 'it'} or leave the cell blank to mark it missing, "
                f"or use --dist categorical for labels")
        values = np.array([float(v) for v in text], dtype=np.float64)
    else:
        raise DataError(f"{label} holds {t} values, not numbers; choose a numeric column with --column")
    if not labels:
        _reject_infinite(values, positions, label, where)
    return Column(name, values, positions, rows_read, tuple(dropped), source, where)


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
    label = f"column '{name}'" if name is not None else "the data"
    _reject_infinite(values, positions, label, _index)
    return Column(name, values, positions, rows, tuple(dropped), None, _index)


def _label_text(v):
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
