"""Input: a CSV/TSV file or standard input (or a Python sequence) -> one clean column of
values, with a report of every row left out and why. Nothing is dropped silently."""
import os
import re
import sys
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Column:
    """One column of data ready for a family: `values` (float64, or str labels),
    `positions` (where each value stood in the source), and what was left out."""

    name: str | None
    values: np.ndarray
    positions: np.ndarray
    rows_read: int
    dropped: tuple
    source: str | None = None
    from_file: bool = True

    def where(self, i):
        """Where used value i came from: a file line (the header is line 1) or an index."""
        pos = int(self.positions[i])
        return f"line {pos + 2}" if self.from_file else f"index {pos}"

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


def read_table(path):
    """Read a delimited file into a pyarrow Table. Returns (table, source, blank_lines)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    raw, source = _read_bytes(path)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        raise DataError(f"'{source}' is empty; it needs a header row and at least one row of values")
    head = raw[:65536]
    if b"\x00" in head or not _decodes(head):
        raise DataError(f"'{source}' is not a UTF-8 text CSV file (it holds binary or other-encoded "
                        f"data); export it as CSV in UTF-8")
    delimiter = _sniff_delimiter(raw)
    single = delimiter not in raw.split(b"\n", 1)[0].decode("utf-8", "replace")
    body = raw.replace(b"\r\n", b"\n").rstrip(b"\n")
    blank = 0 if single else body.count(b"\n\n") + body.count(b"\n\r\n")
    try:
        table = pacsv.read_csv(
            pa.BufferReader(raw),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=not single),
            convert_options=pacsv.ConvertOptions(null_values=NA_VALUES, strings_can_be_null=True,
                                                 quoted_strings_can_be_null=True),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        detail = str(exc).splitlines()[0]
        detail = detail if len(detail) <= 120 else detail[:117] + "..."
        raise DataError(f"cannot read '{source}' as CSV: {detail}") from None
    return table, source, blank


def _is_numeric_type(t):
    import pyarrow.types as pt
    return pt.is_integer(t) or pt.is_floating(t) or pt.is_boolean(t)


def choose_column(table, column):
    names = table.column_names
    shown = ", ".join(names)
    if column is not None:
        if column in names:
            return column
        folded = [n for n in names if n.lower() == column.lower()]
        if len(folded) == 1:
            return folded[0]
        raise UsageError(f"no column '{column}'; the columns are: {shown}")
    if len(names) == 1:
        return names[0]
    numeric = [n for n in names if _is_numeric_type(table.schema.field(n).type)]
    if len(numeric) == 1:
        return numeric[0]
    raise UsageError(f"the file has {len(names)} columns ({shown}); choose one with --column NAME")


def read_column(path, column=None, labels=False):
    """The chosen column of a CSV file ('-' for stdin) as a Column. `labels` keeps the
    values as strings (for the categorical family) instead of parsing numbers."""
    table, source, blank = read_table(path)
    name = choose_column(table, column)
    col = table.column(name)
    dropped = [Drop(BLANK_LINE, blank)] if blank else []
    return _convert(col, name, source, labels, dropped, from_file=True)


def _to_numpy(chunked):
    """A null-free pyarrow ChunkedArray -> numpy, without pyarrow's pandas-importing path."""
    parts = [np.from_dlpack(ch) for ch in chunked.chunks if len(ch)]
    return np.concatenate(parts) if parts else np.empty(0)


def _convert(col, name, source, labels, dropped, from_file):
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.types as pt

    rows = len(col)
    where = (lambda p: f"line {p + 2}") if from_file else (lambda p: f"index {p}")
    if col.null_count:
        is_null = _to_numpy(pc.cast(col.is_null(), pa.int8())).astype(bool)
        positions = np.flatnonzero(~is_null)
        missing = np.flatnonzero(is_null)
        dropped.append(Drop(MISSING, int(missing.size), tuple(where(p) for p in missing[:FIRST])))
        col = col.drop_null()
    else:
        positions = np.arange(rows)
    label = f"column '{name}'" if name is not None else "the data"
    t = col.type
    if labels:
        values = np.array(pc.cast(col, pa.string()).to_pylist(), dtype=object) if len(col) else np.empty(0, object)
    elif pt.is_null(t):
        values = np.empty(0)
    elif pt.is_integer(t) or pt.is_floating(t) or pt.is_boolean(t):
        values = _to_numpy(pc.cast(col, pa.float64()))
    elif pt.is_string(t) or pt.is_large_string(t):
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
    return Column(name, values, positions, rows, tuple(dropped), source, from_file)


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
    items = arr.tolist()
    if arr.dtype.kind == "f":
        items = [None if v != v else v for v in items]
    elif arr.dtype.kind == "O":
        items = [None if (v is None or (isinstance(v, float) and v != v)) else v for v in items]
    if labels:
        items = [None if v is None else _label_text(v) for v in items]
        col = pa.chunked_array([pa.array(items, type=pa.string())])
    else:
        try:
            col = pa.chunked_array([pa.array(items)])
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            col = pa.chunked_array([pa.array([None if v is None else str(v) for v in items])])
    return _convert(col, name, None, labels, [], from_file=False)


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
    _reject_infinite(values, positions, label, lambda p: f"index {p}")
    return Column(name, values, positions, rows, tuple(dropped), None, from_file=False)


def _label_text(v):
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
