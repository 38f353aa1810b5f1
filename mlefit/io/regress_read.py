"""The rows of a regression read chunk by chunk into a column store: one parse of the CSV
(stream.Runs, pyarrow on each run of lines), every row checked and accounted for as
regression_rows.prepare does in memory (missing cells by column, blank lines, bad
responses, weights and exposures, text covariates), and the columns used written as
float64 to an anonymous temporary file, a block of columns per chunk. The passes of the
fit (regress_stream) then map the file back a chunk at a time: memory is bounded by the
chunk and the subsample kept for start values, whatever the number of rows."""
import mmap
import tempfile
from dataclasses import dataclass, field

import numpy as np

from .column import NamesOnly, choose_column
from ..data import Record
from ..errors import DataError, UsageError
from ..families.catalog import support
from .frame import converted, missing_rows, text_columns
from ..regression.rows import edge, exposure_offset, response_values, text_refusal, weight_values
from .stream import Runs, open_text, read_lines

SAMPLE_ROWS = 200_000  # rows kept for the start values (a systematic subsample: every stride-th row)
WAY_OUT = "drop --chunk-size (or give --chunk-size 0)"


class TextResponse(UsageError):
    """A response of text labels found in a read in chunks: read in memory instead
    (regression.regress does, when the chunks were its own choice)."""


@dataclass
class Chunk:
    """One chunk's columns, views of the mapped store: y, w (or None), offset (or None),
    X (rows x p, column-major), shapes (binomial's trials: none here)."""

    y: np.ndarray
    w: np.ndarray | None
    offset: np.ndarray | None
    X: np.ndarray
    shapes: tuple = ()

    @property
    def rows(self):
        """The chunk's rows as the one per-row Record (the response, weights, offset, the
        design as covariates) that a regression's objective reads: views, no copy."""
        return Record(None, self.y, None, self.y.size, (), weights=self.w, offset=self.offset, covariates=self.X)


@dataclass
class Place:
    """What regression_rows' checks need of a table: the response's name and where a row stood."""

    names: tuple
    place: object


@dataclass
class Store:
    """The columns of the rows used, in a temporary file, with the report of the read."""

    response: str
    names: tuple            # the design's column names (Intercept first)
    n: int                  # rows used
    n_weighted: float       # their total weight (n without weights)
    rows_read: int
    dropped: tuple
    source: str
    notes: tuple
    has_w: bool
    has_offset: bool
    sample: Chunk           # the subsample, in memory
    _file: object = field(repr=False, default=None)
    _spans: list = field(repr=False, default_factory=list)  # (byte offset, rows) of each chunk
    _map: object = field(repr=False, default=None)

    @property
    def width(self):
        return 1 + self.has_w + self.has_offset + len(self.names)

    def chunks(self):
        """Each chunk, a Chunk of views into the mapped file; release(i) lets chunk i's pages go once a pass
        is done with it, so that memory stays at a chunk."""
        if self._map is None:
            self._file.flush()
            self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
        k = self.width
        return [chunk_of(np.frombuffer(self._map, dtype=np.float64, count=rows * k, offset=at).reshape(k, rows),
                         self.has_w, self.has_offset) for at, rows in self._spans]

    def release(self, i):
        """Drop chunk i's pages from this process's memory (they stay in the page cache)."""
        at, rows = self._spans[i]
        page = mmap.PAGESIZE
        lo, hi = -(-at // page) * page, (at + rows * self.width * 8) // page * page
        if hi > lo and hasattr(self._map, "madvise"):
            self._map.madvise(mmap.MADV_DONTNEED, lo, hi - lo)

    def close(self):
        if self._map is not None:
            try:
                self._map.close()
            except BufferError:  # a view still held: the map goes with it
                pass
        if self._file is not None:
            self._file.close()


class _Sample:
    """A systematic subsample of the rows: every stride-th row, the stride doubled
    whenever more than SAMPLE_ROWS are kept."""

    def __init__(self, limit=None):
        self.limit, self.stride, self.seen, self.parts, self.kept = limit, 1, 0, [], 0

    def add(self, columns):
        first = (-self.seen) % self.stride
        part = np.stack([c[first::self.stride] for c in columns])
        self.seen += columns[0].size
        self.parts.append(part)
        self.kept += part.shape[1]
        while self.kept > (SAMPLE_ROWS if self.limit is None else self.limit):
            both = np.concatenate(self.parts, axis=1)[:, ::2].copy()
            self.parts, self.kept, self.stride = [both], both.shape[1], 2 * self.stride

    def block(self, width):
        return np.concatenate(self.parts, axis=1) if self.parts else np.empty((width, 0))


def read_store(path, name, response, covariates, intercept, *, weights=None, offset=None, exposure=None,
               positive=None, options=None, chunk_rows=None, on_bytes=None):
    """The Store of a regression's rows read from the CSV `path` ('-': standard input) a
    run of lines at a time (chunk_rows rows, or about 16 MB of text)."""
    from .readers import ReadOptions

    options = options or ReadOptions()
    found = open_text(path, options.encoding)
    out = tempfile.TemporaryFile(mode="w+b")
    try:
        return _read(found, out, name, response, covariates, intercept, weights, offset, exposure, positive,
                     options, chunk_rows, on_bytes)
    except BaseException:
        out.close()
        raise
    finally:
        found.close()


@dataclass(frozen=True)
class Spec:
    """What a run of lines is read for: the family, the columns and their roles."""

    name: str
    response: str
    covariates: tuple
    intercept: bool
    weights: str | None
    offset: str | None
    exposure: str | None
    positive: str | None
    options: object
    source: str
    chosen: tuple  # the file's names of the columns read (response first)

    @property
    def wanted(self):
        return list(dict.fromkeys([self.response, *self.covariates] +
                                  [c for c in (self.weights, self.offset, self.exposure) if c]))

    @property
    def names(self):
        return (("Intercept",) if self.intercept else ()) + tuple(self.covariates)

    @property
    def width(self):
        """Columns before the design's: y, then w and the offset where given."""
        return 1 + bool(self.weights) + bool(self.offset or self.exposure)


def spec_of(head, name, response, covariates, intercept, weights, offset, exposure, positive, options, source):
    """The Spec of a file whose header is `head` (stream.Header); unknown columns refused."""
    wanted = list(dict.fromkeys([response] + list(covariates) + [c for c in (weights, offset, exposure) if c]))
    header = NamesOnly(head.names)
    chosen = tuple(choose_column(header, c, "--response" if i == 0 else "--covariates") for i, c in enumerate(wanted))
    return Spec(name, response, tuple(covariates), bool(intercept), weights, offset, exposure, positive, options,
                source, chosen)


def _line(k):
    return f"line {k}"


def read_run(block, line, head, spec, place=_line):
    """One run of whole lines, its first on line `line` (place(k) names line k): (the lines
    it spans, the rows parsed, the places of its blank lines, its Drops, the k float64
    columns of the rows kept (y, w, offset, the design's; None if none), the tally (some response
    above 0, some not 1, the sum of the weights)). Every check of regression_rows.prepare
    that a run can make is made here."""
    roles = {spec.weights: "the --weights column", spec.offset: "the --offset column",
             spec.exposure: "the --exposure column"}
    numeric = {c: "a covariate" for c in spec.covariates}
    numeric.update({c: role for c, role in roles.items() if c is not None})
    chosen, wanted, options = list(spec.chosen), spec.wanted, spec.options
    table, count, blanks, where = read_lines(block, line, head, chosen, options, spec.source, WAY_OUT, place)
    text = text_columns(table, chosen, (), options, auto_labels=False, on_text=text_refusal(numeric))
    if chosen[0] in text or (table.num_rows and _is_text(table, 0) and support(spec.name) == "binary"):
        raise TextResponse(f"the response '{spec.response}' holds text labels, which are read in memory: {WAY_OUT}")
    kept, drops, filtered = missing_rows(table, chosen, wanted, options, place=where,
                                         missing_reasons={i: f"missing value in column '{c}'"
                                                          for i, c in enumerate(wanted)})
    m = int(kept.size)
    if not m:
        return count, table.num_rows, blanks, drops, None, (False, False, 0.0)

    def at(p):
        return where(int(kept[p]))
    cols = converted(filtered, chosen, wanted, text, spec.source, options, at, m)
    values = dict(zip(wanted, (cols[c] for c in chosen)))
    here = Place((spec.response,), at)
    y, _ = response_values(spec.name, values[spec.response], here, spec.positive)
    columns, total_w = [y], 0.0
    if spec.weights:
        w = weight_values(Place((spec.weights,), at), spec.weights, values[spec.weights])
        columns.append(w)
        total_w = float(np.sum(w))
    if spec.offset or spec.exposure:
        columns.append(exposure_offset(here, values.get(spec.offset), values.get(spec.exposure), spec.exposure))
    columns += ([np.ones(m)] if spec.intercept else []) + [values[c] for c in spec.covariates]
    used = y if not spec.weights else y[columns[1] > 0]
    return (count, table.num_rows, blanks, drops, columns,
            (bool(np.any(used != 0)), bool(np.any(used != 1)), total_w))


def _read(fh, out, name, response, covariates, intercept, weights, offset, exposure, positive, options,
          chunk_rows, on_bytes):
    runs = Runs(fh, fh.name, options, chunk_rows)
    spec = spec_of(runs.head, name, response, covariates, intercept, weights, offset, exposure, positive, options,
                   fh.name)
    names = spec.names
    sample = _Sample()
    spans, n, total_w, some_nonzero, some_below = [], 0, 0.0, False, False
    for block, line in runs:
        count, rows, blanks, drops, part, tally = read_run(block, line, runs.head, spec)
        runs.count(count, rows, blanks, drops)
        if part is not None:
            some_nonzero, some_below, total_w = some_nonzero or tally[0], some_below or tally[1], total_w + tally[2]
            m = part[0].size
            step = m if not chunk_rows else int(chunk_rows)
            for s in range(0, m, step):  # a block of columns (k x rows), written column by column
                spans.append((out.tell(), min(step, m - s)))
                for column in part:
                    out.write(memoryview(np.ascontiguousarray(column[s:s + step], dtype=np.float64)).cast("B"))
                sample.add([column[s:s + step] for column in part])
            n += m
        if on_bytes is not None:
            on_bytes(runs.done)
    dropped = tuple(runs.dropped())
    if n == 0:
        why = ", ".join(f"{d.count} {d.reason}" for d in dropped) or "the input has no data rows"
        raise DataError(f"no rows left to fit ({runs.rows_read + runs.blank_total} read, all left out: {why}); "
                        f"check the columns")
    if weights and not total_w > 0:
        raise DataError(f"the weights in '{weights}' are all 0: no row counts; check the column")
    edge(name, response, some_nonzero, some_below)
    kept = sample_chunk(sample.block(spec.width + len(names)), spec)
    notes = tuple(runs.head.notes) + (f"read in chunks of about {chunk_rows} rows" if chunk_rows else
                                      f"read in chunks of about {runs.size / 2 ** 20:.3g} MB of text",)
    return Store(response, names, n, total_w if weights else float(n), runs.rows_read + runs.blank_total, dropped,
                 fh.name, notes, bool(weights), bool(offset or exposure), kept, out, spans)


def chunk_of(block, has_w, has_offset):
    """The Chunk of a k x m block of columns (y, then w and the offset where given, then
    the design's): views of it."""
    first = 1 + has_w + has_offset
    return Chunk(block[0], block[1] if has_w else None, block[1 + has_w] if has_offset else None, block[first:].T)


def sample_chunk(s, spec):
    """The Chunk (in memory, a copy) of a k x m block of sampled rows."""
    return chunk_of(np.array(s, order="C"), bool(spec.weights), bool(spec.offset or spec.exposure))


def _is_text(table, i):
    from .column import is_string
    return is_string(table.schema.field(i).type)
