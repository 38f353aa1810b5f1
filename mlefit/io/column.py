"""Input: a CSV/TSV file or standard input (or a Python sequence) -> one clean column of
values, with a report of every row left out and why. Nothing is dropped silently."""
import math
import os
import re

import numpy as np

from ..errors import DataError, UsageError, plain
from ..limits import GUESS_COLUMNS
from ..numerics import extremes
from .readers import NA_VALUES, NUMBER, ReadOptions, is_number, parse, read_source
from ..data import FIRST, Record, column_label, counted, index_place
from ..report.result import Drop, made

MISSING = "missing value (blank, NA, NaN, null, None)"
BLANK_LINE = "blank line"
# what cells that are not numbers look like, for the way out a message offers: compiled
# (by re, which keeps them) when a column is refused, not at every start
_DECIMAL_COMMA = r"^\s*[+-]?\d*,\d+\s*$"
_THOUSANDS = r"^\s*[+-]?\d{1,3}(,\d{3})+\s*$"
_POINT_THOUSANDS = r"^\s*[+-]?\d{1,3}(\.\d{3})+(,\d*)?\s*$"  # 1.234.567,89
_HEXADECIMAL = r"(?i)^\s*[+-]?0x[0-9a-f]*\.?[0-9a-f]*(p[+-]?\d+)?\s*$"


def is_string(t):
    import pyarrow.types as pt
    return pt.is_string(t) or pt.is_large_string(t)


def _is_numeric_type(t):
    import pyarrow.types as pt
    return pt.is_integer(t) or pt.is_floating(t) or pt.is_boolean(t)


def _names_shown(names, limit=20):
    shown = ", ".join(f"'{plain(n)}'" if n != n.strip() or not n else plain(n) for n in names[:limit])
    return shown + (f", ... ({len(names) - limit} more)" if len(names) > limit else "")


def choose_column(table, column, option="--column", exclude=()):
    """The column to use: `column` (exact name, else ignoring case and surrounding
    spaces), or the only column, or the only numeric one (leaving out `exclude`)."""
    names = table.column_names
    shown = _names_shown(names)
    if column is not None:
        key = column.strip().casefold()
        matches = [n for n in names if n == column] or [n for n in names if n.strip().casefold() == key]
        if not matches:
            raise UsageError(f"no column '{plain(column)}'; the columns are: {shown}")
        chosen = matches[0]
        if len(set(matches)) > 1:
            raise UsageError(f"'{plain(column)}' matches several columns ({_names_shown(matches)}); "
                             f"give the exact name")
    else:
        left = [n for n in names if n not in exclude]
        numeric = [f.name for f in table.schema if _is_numeric_type(f.type) and f.name not in exclude]
        if len(left) == 1:
            chosen = left[0]
        elif len(numeric) == 1:
            chosen = numeric[0]
        else:
            raise UsageError(f"the file has {len(names)} column{'s' if len(names) != 1 else ''} ({shown}); "
                             f"choose one with {option} NAME")
    if names.count(chosen) > 1:
        raise UsageError(f"the column name '{plain(chosen)}' appears {names.count(chosen)} times "
                         f"({shown}); give the columns distinct names")
    return chosen


BINARY = "binary"  # labels=BINARY: numbers, or a text column's labels as they are (bernoulli's two)


def read_column(paths, column=None, labels=False, options=None, strict=False):
    """One column of one or more files ('-' for stdin), stacked into one Record.

    labels: keep the values as text (for the categorical family) instead of numbers;
        BINARY: numbers, or a text column's labels as they are (bernoulli's two labels).
    options: a readers.ReadOptions (delimiter, decimal mark, encoding, header, extra
        missing-value spellings). strict: refuse any missing value or blank line
        instead of dropping it.
    """
    paths = [paths] if isinstance(paths, str) else list(paths)
    if not paths:
        raise UsageError("no input: give a file, several files, a glob, or - for standard input")
    options = options or ReadOptions()
    files = expand_paths(paths)
    parts = [_read_one(path, column, labels, options, prefix=len(files) > 1) for path in files]
    col = parts[0] if len(parts) == 1 else _stack(parts, column)
    if strict:
        refuse_dropped(col.label, col.dropped)
    return col


def no_values(col):
    """The DataError for a column left with no values (col: its report: label, rows
    read and the Drops), in memory or read in chunks."""
    if not col.dropped:
        return DataError(f"{col.label} has no values to fit: there are no data rows; check the input")
    why = ", ".join(f"{d.count} {d.reason}" for d in col.dropped)
    return DataError(f"{col.label} has no values to fit ({col.rows_read} rows read, all left out: "
                     f"{why}); check the file and the column")


def refuse_dropped(label, dropped):
    """--strict: any missing value or blank line is an error naming where they are."""
    if not dropped:
        return
    first = ", ".join(p for d in dropped for p in d.first)
    count = sum(d.count for d in dropped)
    what = "missing value or blank line" if count == 1 else "missing values or blank lines"
    raise DataError(f"{label} has {count} {what} ({first}) and --strict refuses them; "
                    f"fill them in, or drop --strict")


def expand_paths(paths):
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
    _refuse_repeats(out)
    return out


def _refuse_repeats(paths):
    """The same file named twice (or found by two globs, or by two names: a link, ./x)
    would have its rows counted twice: a UsageError naming it."""
    seen = {}
    for path in paths:
        if path == "-":
            key = "-"
        else:
            try:
                found = os.stat(path)
            except OSError:  # missing or beyond reach: its reader says so
                continue
            key = (found.st_dev, found.st_ino)
        if key not in seen:
            seen[key] = path
            continue
        if path == "-":
            raise UsageError("- (standard input) is given twice: it can be read once; give it once")
        first = seen[key]
        named = f"'{plain(path)}' is given twice" if first == path else \
            f"'{plain(first)}' and '{plain(path)}' are the same file"
        raise UsageError(f"{named}: its rows would be counted twice; give each file once")


class NamesOnly:
    """choose_column's view of a table known only by its column names (their types are
    not known before parsing: 'the only numeric column' then asks for --column)."""

    def __init__(self, names):
        self.column_names = list(names)
        self.schema = ()


def _picker(column):
    """parse()'s pick: only the named column is converted (all when none is named, to
    find the only numeric one, unless the header is too wide for that)."""
    if column is None:
        return _not_too_wide
    return lambda names: [choose_column(NamesOnly(names), column)]


def _not_too_wide(names):
    """Every column (None), or, for a header of over GUESS_COLUMNS names, the UsageError
    asking for --column at once: the header alone says so, where converting every
    column to look for the only numeric one took 19 s and 1.8 GB at 100,000 columns."""
    if len(names) > GUESS_COLUMNS:
        choose_column(NamesOnly(names), None)
    return None


def _read_one(path, column, labels, options, prefix=False):
    source = read_source(path, options.encoding)
    try:
        raw = parse(source, options, pick=_picker(column))
        name = choose_column(raw.table, column)
    except UsageError as exc:
        if not prefix:
            raise
        raise UsageError(f"{source.name}: {exc}") from None
    if labels is True and not is_string(raw.table.schema.field(name).type) and raw.unit == "line":
        raw = parse(source, options, string_column=name, pick=_picker(column))
    del source  # the file's bytes: not needed while the column is converted
    dropped = []
    if raw.blank_lines:
        dropped.append(Drop(BLANK_LINE, len(raw.blank_lines),
                            tuple(f"line {b}" for b in raw.blank_lines[:FIRST])))
    col = raw.table.column(name)
    where = (lambda p: f"{raw.source} {raw.place(p)}") if prefix else raw.place
    return convert(col, name, raw.source, labels, dropped, where=where,
                    rows_read=len(col) + len(raw.blank_lines), notes=raw.notes, options=options)


def _stack(parts, column):
    """Several files' columns as one data set; places name their file."""
    import bisect

    names = {p.name for p in parts}
    if column is None and len(names) > 1 and not all(p.name.isdigit() for p in parts):
        raise UsageError(f"the files give different columns ({', '.join(sorted(names))}); "
                         f"name one with --column")
    spans = [p.rows_read - sum(d.count for d in p.dropped if d.reason == BLANK_LINE) for p in parts]
    offsets = np.cumsum([0] + spans)[:-1].tolist()

    def locate(position):  # each part's places already name its file
        i = bisect.bisect_right(offsets, position) - 1
        return parts[i].locate(position - offsets[i])

    reasons = {}
    for part in parts:
        for d in part.dropped:
            count, first = reasons.get(d.reason, (0, ()))
            named = tuple(f if f.startswith(part.source) else f"{part.source} {f}" for f in d.first)
            reasons[d.reason] = (count + d.count, first + named)
    dropped = tuple(Drop(r, c, f[:FIRST]) for r, (c, f) in reasons.items())
    sources = [p.source for p in parts]
    source = ", ".join(sources) if len(sources) <= 3 else f"{len(sources)} files ({sources[0]} ... {sources[-1]})"
    notes = tuple(dict.fromkeys(n for p in parts for n in p.notes))
    return Record(parts[0].name, np.concatenate([p.values for p in parts]),
                  np.concatenate([p.stood + off for p, off in zip(parts, offsets)]),
                  sum(p.rows_read for p in parts), dropped, source, locate, notes,
                  whole=all(p.whole for p in parts))


def to_numpy(chunked):
    """A null-free pyarrow ChunkedArray -> numpy, without pyarrow's pandas-importing path."""
    parts = [np.from_dlpack(ch) for ch in chunked.chunks if len(ch)]
    return np.concatenate(parts) if parts else np.empty(0)


def normalise(col):
    """Arrow types as a reader should see them: dictionaries decoded, string views as
    strings, decimals as floats."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.types as pt

    t = col.type
    if pt.is_dictionary(t):
        col = pc.cast(col, t.value_type)
        t = col.type
    if pt.is_string_view(t) or pt.is_large_string(t):
        col = pc.cast(col, pa.string())
    elif pt.is_decimal(t):
        col = pc.cast(col, pa.float64())
    return col


def missing_mask(col, options):
    """Which cells are missing: nulls, NaN, and cells that read as a missing-value marker
    (text is compared trimmed, numbers by value, so -999.0 matches --na-values -999).
    Built without pyarrow.array or pyarrow.scalar, which would import pandas."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.types as pt

    t = col.type
    missing = col.is_null(nan_is_null=True) if pt.is_floating(t) else col.is_null()
    markers = [m for m in options.na_values if m]
    if is_string(t):
        tokens = sorted(set(NA_VALUES) | set(markers))
        pattern = "^(?:" + "|".join(re.escape(v) for v in tokens) + ")$"
        hit = pc.match_substring_regex(pc.utf8_trim_whitespace(col), pattern)
        missing = pc.or_kleene(missing, hit)
    elif (pt.is_integer(t) or pt.is_floating(t)) and markers:
        numbers = [float(m.replace(options.decimal, ".")) for m in markers if is_number(m, options.decimal)]
        if numbers:
            hit = pc.is_in(pc.cast(col, pa.float64(), safe=False), value_set=pa.array(numbers))
            missing = pc.or_kleene(missing, hit)
    return missing  # never null: a null input is already True in `missing`


def surely_present(col, options):
    """Whether a numeric arrow column has no missing cell (no null, NaN or numeric
    --na-values marker), found from its buffers without a mask (the extremes of float
    values are NaN where one is)."""
    if str(col.type) not in _NUMPY_TYPES or col.null_count or any(
            m and is_number(m, options.decimal) for m in options.na_values):
        return False
    if str(col.type) in ("float", "double"):
        for ch in col.chunks:
            if len(ch):
                v = np.frombuffer(ch.buffers()[1], dtype=ch.type.to_pandas_dtype())[ch.offset:ch.offset + len(ch)]
                low, high = extremes(v)
                if low != low or high != high:
                    return False
    return True


_NUMPY_TYPES = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float",
                "double"}
_SIGNED = ("int8", "int16", "int32", "int64")


def _bits(buffer, offset, n):
    """n bits of an arrow bitmap from bit `offset`, as booleans."""
    return np.unpackbits(np.frombuffer(buffer, dtype=np.uint8), bitorder="little")[offset:offset + n].astype(bool)


def _numeric(col, options, ints=False):
    """(float64 values, missing mask or None, (min, max) or None) of a plain numeric arrow
    column, read from its buffers by numpy alone (pyarrow.compute costs 30-60 ms to
    import): nulls, NaN and numeric --na-values are missing; integers past 2^53 round.
    The extremes of float values come from the pass that finds their NaNs (one pass
    instead of two, and none more for the support check); None when any is missing.
    ints: a column of signed integers stays int64 (exact, and not converted: a table of
    counts is made from them as they are)."""
    kind = np.int64 if ints and str(col.type) in _SIGNED else np.float64
    x = np.empty(len(col), dtype=kind)  # one copy (converted on the way): writable, the table let go
    masks, at = [], 0
    for ch in col.chunks:
        n = len(ch)
        if not n:
            continue
        validity, data = ch.buffers()[:2]
        x[at:at + n] = np.frombuffer(data, dtype=ch.type.to_pandas_dtype())[ch.offset:ch.offset + n]
        masks.append((at, n, None if validity is None or ch.null_count == 0 else ~_bits(validity, ch.offset, n)))
        at += n
    missing, span = None, None
    if any(m is not None for _, _, m in masks):
        missing = np.zeros(x.size, bool)
        for at, n, m in masks:
            if m is not None:
                missing[at:at + n] = m
    if str(col.type) in ("float", "double"):
        if missing is None and x.size:  # NaN is missing: the extremes are finite only without one
            span = extremes(x)
        if not (span is not None and math.isfinite(span[0]) and math.isfinite(span[1])):
            nan = np.isnan(x)
            missing, span = (nan if missing is None else missing | nan), None
    numbers = [float(m.replace(options.decimal, ".")) for m in options.na_values
               if m and is_number(m, options.decimal)]
    if numbers:
        hit = np.isin(x, numbers)
        missing, span = (hit if missing is None else missing | hit), None
    if missing is not None and not missing.any():
        missing = None
    return x, missing, span


def convert(col, name, source, labels, dropped, where, rows_read, notes=(), options=None,
             values=True, infinite=True, ints=False):
    """A pyarrow column -> Record: missing cells counted and dropped, numbers parsed,
    anything else refused with the place it stood (`where(position)`). infinite=False:
    the caller checks for infinite values (from the column's min and max). ints: values
    read from a column of signed integers stay int64 (_numeric)."""
    options = options or ReadOptions()
    if labels is not True and str(col.type) in _NUMPY_TYPES:
        x, missing, span = _numeric(col, options, ints)
        positions = None
        if missing is not None:
            dropped.extend(counted([(missing, MISSING)], where)[1])
            positions = np.flatnonzero(~missing)
            x = x[positions]
        if infinite and span is None:  # finite extremes: nothing infinite
            reject_infinite(x, positions, column_label(name), where)
        return Record(name, x, positions, rows_read, tuple(dropped), source, where, tuple(notes),
                      extremes=span, whole="int" in str(col.type))
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.types as pt

    col = normalise(col)
    mask = missing_mask(col, options)
    is_missing = to_numpy(pc.cast(mask, pa.int8())).astype(bool) if len(col) else np.zeros(0, bool)
    if is_missing.any():
        positions = np.flatnonzero(~is_missing)
        dropped.extend(counted([(is_missing, MISSING)], where)[1])
        col = col.filter(pc.invert(mask))
    else:
        positions = None
    if is_string(col.type) and labels is not True:
        col = pc.utf8_trim_whitespace(col)
    label = column_label(name)
    t = col.type
    if labels is True:
        values = np.array(pc.cast(col, pa.string()).to_pylist(), dtype=object) if len(col) else np.empty(0, object)
    elif pt.is_null(t):
        values = np.empty(0)
    elif pt.is_integer(t) or pt.is_floating(t) or pt.is_boolean(t):
        values = to_numpy(pc.cast(col, pa.float64(), safe=False))  # integers past 2^53 round
    elif is_string(t):
        text = col.to_pylist()
        if options.decimal != ".":
            _refuse_points(text, options.decimal, label, where, positions)
            text = [v.replace(options.decimal, ".") for v in text]
        bad = [i for i, v in enumerate(text) if not NUMBER.match(v)]
        if bad and labels == BINARY:  # two labels for bernoulli: kept as text, mapped to 0/1 by the fit
            return Record(name, np.array(col.to_pylist(), dtype=object), positions, rows_read, tuple(dropped),
                          source, where, tuple(notes))
        if bad:
            raw = col.to_pylist()
            shown = ", ".join(f"{where(i if positions is None else positions[i])}: '{plain(raw[i])[:40]}'"
                              for i in bad[:3])
            raise DataError(f"{label} has {len(bad)} non-numeric value{'s' if len(bad) > 1 else ''} "
                            f"({shown}); {_way_out([raw[i] for i in bad[:3]], name, len(bad), options, values)}")
        values = np.array([float(v) for v in text], dtype=np.float64)
    else:
        raise DataError(f"{label} holds {t} values, not numbers; choose a numeric column")
    if labels is not True:
        reject_infinite(values, positions, label, where)
    return Record(name, values, positions, rows_read, tuple(dropped), source, where, tuple(notes))


def _refuse_points(text, decimal, label, where, positions):
    """With another decimal mark (--decimal ,), a point in a number is a thousands
    separator (1.234 is 1234 in a European file) or a mix of marks: never read as a
    decimal point silently."""
    bad = [i for i, v in enumerate(text)
           if "." in v and (NUMBER.match(v.replace(decimal, ".")) or re.match(_POINT_THOUSANDS, v))]
    if bad:
        shown = ", ".join(f"{where(i if positions is None else positions[i])}: '{plain(text[i])[:40]}'"
                          for i in bad[:3])
        many = len(bad) > 1
        raise DataError(f"{label} has {len(bad)} value{'s' if many else ''} with a point although the decimal "
                        f"mark is '{decimal}' ({shown}): with decimal commas a point separates thousands "
                        f"(1.234 is 1234), or the file mixes both marks; remove the thousands points, or drop "
                        f"--decimal {decimal}")


def _way_out(bad, name, count, options, values=True):
    """What to do about non-numeric cells, from what they look like."""
    if options.decimal == "." and all(re.match(_THOUSANDS, v) for v in bad):
        return ("these could be thousands separators (remove them) or decimal commas "
                "(add --decimal ,): check the file")
    if name is not None and "," in name and options.delimiter not in (None, ","):
        return "the column name holds commas: is the delimiter a comma? (drop --delimiter)"
    if options.decimal == "." and all(re.match(_DECIMAL_COMMA, v) for v in bad):
        return "these look like decimal commas: add --decimal ,"
    it = "them" if count > 1 else "it"
    labels = options.labels_way if values else ""
    if all(re.match(_HEXADECIMAL, v) for v in bad):
        return f"numbers are read in decimal, not hexadecimal: write {it} in decimal{labels}"
    return (f"correct {it} or leave the cell blank to mark it missing (or name the marker with "
            f"--na-values){labels}")


# ---------------------------------------------------------------- Python sequences
def from_values(data, name=None, labels=False):
    """A Record from a list, tuple, numpy array or pandas Series. None and NaN count as
    missing and are reported like blank cells in a file."""
    if isinstance(data, Record):
        return data
    if isinstance(data, (str, bytes)):
        raise UsageError("data must be a sequence of values, not a single string")
    arr = np.asarray(data, dtype=object if labels is True else None)
    if arr.ndim != 1:
        arr = arr.reshape(-1) if arr.ndim == 0 or 1 in arr.shape else arr
    if arr.ndim != 1:
        raise UsageError(f"data must be one-dimensional; got an array of shape {arr.shape}")
    if labels is not True and arr.dtype.kind in "biuf":
        return _from_numeric_array(arr, name)
    import pyarrow as pa

    items = [None if _is_missing(v) else v for v in arr.tolist()]
    if labels is True:
        items = [None if v is None else _label_text(v) for v in items]
        col = pa.chunked_array([pa.array(items, type=pa.string())])
    else:
        try:
            col = pa.chunked_array([pa.array(items)])
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):  # mixed, or ints past 64 bits
            col = pa.chunked_array([pa.array([None if v is None else str(v) for v in items])])
    return convert(col, name, None, labels, [], where=index_place, rows_read=len(col))


def _is_missing(v):
    """None, a float NaN, or pandas' NA/NaT (recognised without importing pandas)."""
    if v is None:
        return True
    if isinstance(v, float):
        return v != v
    return type(v).__name__ in ("NAType", "NaTType")


def reject_infinite(values, positions, label, where):
    """A DataError naming the first infinite values, if there are any."""
    bad = np.flatnonzero(np.isinf(values))
    if bad.size:
        shown = ", ".join(f"{where(i if positions is None else positions[i])}: {values[i]}" for i in bad[:3])
        many = bad.size > 1
        raise DataError(f"{label} has {bad.size} infinite value{'s' if many else ''} ({shown}); "
                        f"remove {'them' if many else 'it'} or leave the cell blank to mark it missing")


def _from_numeric_array(arr, name):
    """Fast path for numeric numpy input: NaN is missing, nothing is copied through Python."""
    values = np.asarray(arr, dtype=np.float64)
    rows = values.size
    span = extremes(values) if rows else None
    if span is not None and math.isfinite(span[0]) and math.isfinite(span[1]):  # no NaN, no inf
        return made(Record, name=name, values=values, positions=None, rows_read=rows, dropped=(), extremes=span)
    col = Record(name, values, None, rows, ()).without((np.isnan(values), MISSING))
    reject_infinite(col.values, col.positions, col.label, index_place)
    return col


def _label_text(v):
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
