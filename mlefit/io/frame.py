"""Several aligned columns of one input (a response and its side columns; target,
prediction, class probabilities), read into one Record. A row missing in any of them is
left out of all, and reported."""
import numpy as np

from .column import BLANK_LINE, FIRST, MISSING, NamesOnly, convert, is_string, missing_mask, normalise, to_numpy, choose_column, surely_present
from ..errors import DataError, UsageError, plain
from ..regression.formula import REST
from ..limits import GUESS_COLUMNS
from .readers import ReadOptions, is_number, parse, read_source
from ..data import Record, counted
from ..report.result import Drop


def _picker(names, option):
    """parse()'s pick for these names: only the named columns are converted; with a
    default column (a name of None) every column is, to find the only numeric one,
    unless the header is too wide for that (then the UsageError asking for `option`)."""
    def pick(header):
        given = [choose_column(NamesOnly(header), name) for name in names if name is not None]
        if len(given) == len(names):
            return list(dict.fromkeys(given))
        if len(header) > GUESS_COLUMNS:
            choose_column(NamesOnly(header), None, option, exclude=given)
        return None
    return pick


def read_frame(paths, names, labels=(), options=None, auto_labels=True, option="--target",
               missing_reasons=None, command="compare-losses", on_text=None, optional=()):
    """The named columns of one file ('-' for stdin), aligned row by row; a name of None
    takes the default column. A column named in `optional` may be blank (NaN in it: a
    censoring bound not given) without leaving its row out. Columns named in `labels`, and text columns, are kept as
    text labels; the others must be numbers. on_text(name, first cell): called for a
    column after the first that holds text and no number at all; it raises to refuse the
    column, or returns to keep it as labels (None: such cells are reported one by one)."""
    paths = [paths] if isinstance(paths, str) else list(paths)
    if len(paths) != 1:
        raise UsageError(f"{command} reads one file (or - for standard input)")
    options = options or ReadOptions()
    source = read_source(paths[0], options.encoding)
    rest = REST in names  # a formula's '.': every column not named, after the named ones
    names = [n for n in names if n != REST]
    pick = None if rest else _picker(names, option)
    raw = parse(source, options, pick=pick)
    if rest:
        named = {choose_column(raw.table, name) for name in names if name is not None}
        names = names + [c for c in raw.table.column_names if c not in named]
    given = {name: choose_column(raw.table, name) for name in names if name is not None}
    chosen = [given[name] if name is not None else
              choose_column(raw.table, None, option, exclude=list(given.values())) for name in names]
    if len(set(chosen)) != len(chosen):
        raise UsageError(f"the same column is named twice among {', '.join(chosen)}")
    text = [c for c, name in zip(chosen, names) if name in labels]
    if any(not is_string(raw.table.schema.field(c).type) for c in text) and raw.unit == "line":
        raw = parse(source, options, string_column=text[0], pick=pick)
    table = raw.table.select(chosen)
    text = text_columns(table, chosen, text, options, auto_labels, on_text)
    kept, dropped, filtered = missing_rows(table, chosen, names, options, missing_reasons, optional, raw.place)
    if raw.blank_lines:
        dropped.insert(0, Drop(BLANK_LINE, len(raw.blank_lines),
                               tuple(f"line {b}" for b in raw.blank_lines[:FIRST])))
    columns = converted(filtered, chosen, names, text, raw.source, options, lambda p: raw.place(int(kept[p])),
                        kept.size, optional)
    return Record(chosen[0], columns[chosen[0]], kept, table.num_rows + len(raw.blank_lines), tuple(dropped),
                  raw.source, raw.place, raw.notes, columns=columns, names=tuple(chosen), table_rows=table.num_rows)


def text_columns(table, chosen, text, options, auto_labels=False, on_text=None):
    """The columns of `table` to keep as text: those in `text`, the first one when
    auto_labels and it holds text and no number (a column of labels), and a later one
    holding no number for which on_text(name, first cell) returns (it raises to refuse)."""
    text = list(text)
    # a text target with no number in it is a column of labels; one with numbers is
    # numbers (its stray text is then an error naming the cells)
    if auto_labels and chosen[0] not in text and is_string(table.schema.field(0).type):
        cells = [v for v in table.column(0).to_pylist()[:10000] if v is not None and v.strip()]
        if cells and not any(is_number(v, options.decimal) for v in cells):
            text.append(chosen[0])
    for c in chosen[1:]:
        if on_text is not None and c not in text and is_string(table.schema.field(c).type):
            cells = [v for v in table.column(c).to_pylist()[:10000] if v is not None and v.strip()]
            if cells and not any(is_number(v, options.decimal) for v in cells):
                on_text(c, cells[0])
                text.append(c)
    return text


def missing_rows(table, chosen, names, options, missing_reasons=None, optional=(), place=None):
    """(the indexes of the rows kept, the Drops of the others by reason, the table of the
    rows kept): a row missing a value in any column (but those of `optional` names) is
    left out, counted under the first column it misses (missing_reasons[i] if given, else
    MISSING for the first column and "missing value in column 'c'" for the others); place(row)
    names a row."""
    import pyarrow as pa

    any_missing = None  # an arrow mask to filter with
    marked = []  # (rows missing in this column, reason)
    for i, c in enumerate(chosen):  # nulls, NaN, blank or marker cells, as for one column
        if names[i] in optional or surely_present(table.column(c), options):
            continue
        import pyarrow.compute as pc  # (30-300 ms to import: only where a cell may be missing)
        mask = missing_mask(normalise(table.column(c)), options)
        any_missing = mask if any_missing is None else pc.or_(any_missing, mask)
        if table.num_rows:
            reason = (missing_reasons or {}).get(i) or (MISSING if i == 0 else f"missing value in column '{c}'")
            marked.append((to_numpy(pc.cast(mask, pa.int8())).astype(bool), reason))
    missing, dropped = counted(marked, place)
    if missing is None or not missing.any():
        return np.arange(table.num_rows), list(dropped), table
    return np.flatnonzero(~missing), list(dropped), table.filter(pc.invert(any_missing))  # noqa: F821


def converted(filtered, chosen, names, text, source, options, where, n, optional=(), spans=None):
    """{column: values} of the rows kept (missing_rows): text columns as labels, the
    others as numbers (refused with where(p) naming a bad cell); blanks of an optional
    column back in place as NaN. spans: a dict given to be filled with each numeric
    column's (min, max), where its reading found them (else None)."""
    columns = {}
    for name, c in zip(names, chosen):
        col = convert(filtered.column(c), c, source, c in text, [], where=where, rows_read=n, options=options,
                       values=c == chosen[0])
        columns[c] = col.values
        if spans is not None:
            spans[c] = col.extremes
        if name in optional and col.positions is not None:  # blanks back in place, as NaN
            columns[c] = np.full(n, np.nan)
            columns[c][col.positions] = col.values
    return columns


def frame_of(data, names, text_first=False, options=None, on_text=None, optional=(), labels=()):
    """The named columns, aligned, from a CSV path ('-' for stdin), a dict of arrays or a
    pandas DataFrame; a row missing a value in any of them is left out of all and
    reported, each column's missing rows under its own reason. text_first: the first
    column may be text labels (when it holds no number); on_text: see read_frame (None:
    text columns are kept); optional: columns whose blanks (NaN) keep their row (a
    censoring bound not given); labels: columns kept as text (censored cells '<0.04')."""
    if isinstance(data, str) or (isinstance(data, (list, tuple)) and data and isinstance(data[0], str)):
        return read_frame(data, list(names), options=options, auto_labels=text_first, labels=tuple(labels),
                          option="--response", missing_reasons={i: f"missing value in column '{c}'"
                                                                for i, c in enumerate(names)},
                          command="regress", on_text=on_text or (lambda name, cell: None),
                          optional=tuple(optional))
    if not hasattr(data, "__getitem__") or not hasattr(data, "keys"):
        raise UsageError("data must be a CSV path, a dict of arrays or a pandas DataFrame")
    if REST in names:  # a formula's '.': every column not named, after the named ones
        names = [n for n in names if n != REST]
        names += [str(k) for k in data.keys() if str(k) not in names]
    arrays = []
    for name in names:
        if name not in data.keys():
            raise UsageError(f"no column '{name}' in the data (columns: {', '.join(map(str, data.keys()))})")
        v = np.asarray(data[name])
        if v.dtype.kind in "OUS" and on_text is not None and arrays and v.size:
            on_text(name, str(v[0]))
        arrays.append(v if v.dtype.kind in "OUS" else np.asarray(v, dtype=np.float64))  # no copy of floats
    n = {a.shape[0] for a in arrays}
    if len(n) != 1:
        raise UsageError("the columns have different lengths")
    rows = n.pop()
    marked = [(np.array([v is None or (isinstance(v, float) and v != v) for v in a]) if a.dtype.kind == "O"
               else (np.isnan(a) if a.dtype.kind == "f" else np.zeros(rows, dtype=bool)),
               f"missing value in column '{name}'") for name, a in zip(names, arrays) if name not in optional]
    columns = dict(zip(names, arrays))
    whole = Record(names[0], columns[names[0]], np.arange(rows), rows, (), None, columns=columns,
                   names=tuple(names), table_rows=rows)
    return whole.without(*marked)


def refuse_text(name, example):
    """on_text for --covariates: a text column is refused, pointing to --formula."""
    raise DataError(f"covariate '{plain(name)}' is text (e.g. '{plain(example)}'); covariates must be "
                    f"numbers: use --formula 'y ~ C({plain(name)})' for its levels as categories")
