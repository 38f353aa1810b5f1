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

from .data import NamesOnly, choose_column
from .errors import DataError, UsageError
from .frame import converted, missing_rows, text_columns
from .regression_rows import edge, exposure_offset, response_values, text_refusal, weight_values
from .stream import Runs, _open, read_lines

SAMPLE_ROWS = 200_000  # rows kept for the start values (a systematic subsample: every stride-th row)
WAY_OUT = "drop --chunk-size (or give --chunk-size 0)"


@dataclass
class Chunk:
    """One chunk's columns, views of the mapped store: y, w (or None), offset (or None),
    X (rows x p, column-major), shapes (binomial's trials: none here)."""

    y: np.ndarray
    w: np.ndarray | None
    offset: np.ndarray | None
    X: np.ndarray
    shapes: tuple = ()


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

    def chunks(self, columns=None):
        """Each chunk, a Chunk of views into the mapped file (columns: a slice of the
        design's columns, default all); release(i) lets chunk i's pages go once a pass
        is done with it, so that memory stays at a chunk."""
        if self._map is None:
            self._file.flush()
            self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
        k, first = self.width, 1 + self.has_w + self.has_offset
        out = []
        for at, rows in self._spans:
            block = np.frombuffer(self._map, dtype=np.float64, count=rows * k, offset=at).reshape(k, rows)
            X = block[first:].T if columns is None else block[first:][columns].T
            out.append(Chunk(block[0], block[1] if self.has_w else None,
                             block[1 + self.has_w] if self.has_offset else None, X))
        return out

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

    def add(self, block):
        first = (-self.seen) % self.stride
        part = np.array(block[:, first::self.stride])
        self.seen += block.shape[1]
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
    found = _open(path, options.encoding)
    out = tempfile.TemporaryFile(mode="w+b")
    try:
        return _read(found, out, name, response, covariates, intercept, weights, offset, exposure, positive,
                     options, chunk_rows, on_bytes)
    except BaseException:
        out.close()
        raise
    finally:
        found.close()


def _read(fh, out, name, response, covariates, intercept, weights, offset, exposure, positive, options,
          chunk_rows, on_bytes):
    source = fh.name
    runs = Runs(fh, source, options, chunk_rows)
    wanted = list(dict.fromkeys([response] + list(covariates) + [c for c in (weights, offset, exposure) if c]))
    header = NamesOnly(runs.head.names)
    chosen = [choose_column(header, c, "--response" if i == 0 else "--covariates") for i, c in enumerate(wanted)]
    roles = {weights: "the --weights column", offset: "the --offset column", exposure: "the --exposure column"}
    numeric = {c: "a covariate" for c in covariates}
    numeric.update({c: role for c, role in roles.items() if c is not None})
    on_text = text_refusal(numeric)
    names = (("Intercept",) if intercept else ()) + tuple(covariates)
    sample = _Sample()
    spans, n, total_w, some_nonzero, some_below = [], 0, 0.0, False, False
    for block, line in runs:
        table, count, blanks, where = read_lines(block, line, runs.head, chosen, options, source, WAY_OUT)
        text = text_columns(table, chosen, (), options, auto_labels=False, on_text=on_text)
        if chosen[0] in text or (table.num_rows and _is_text(table, 0) and name == "bernoulli"):
            raise UsageError(f"the response '{response}' holds text labels, which are read in memory: {WAY_OUT}")
        kept, drops, filtered = missing_rows(table, chosen, wanted, options, place=where)
        runs.count(count, table.num_rows, blanks, drops)
        m = int(kept.size)
        if m:
            def at(p, kept=kept, where=where):
                return where(int(kept[p]))
            cols = converted(filtered, chosen, wanted, text, source, options, at, m)
            values = dict(zip(wanted, (cols[c] for c in chosen)))
            here = Place((response,), at)
            y, _ = response_values(name, values[response], here, positive)
            columns = [y]
            if weights:
                w = weight_values(Place((weights,), at), weights, values[weights])
                columns.append(w)
                total_w += float(np.sum(w))
            if offset or exposure:
                columns.append(exposure_offset(here, values.get(offset), values.get(exposure), exposure))
            columns += ([np.ones(m)] if intercept else []) + [values[c] for c in covariates]
            used = y if not weights else y[columns[1] > 0]
            some_nonzero = some_nonzero or bool(np.any(used != 0))
            some_below = some_below or bool(np.any(used != 1))
            step = m if not chunk_rows else int(chunk_rows)
            for s in range(0, m, step):
                part = np.stack([c[s:s + step] for c in columns])  # one block of columns (k x rows)
                spans.append((out.tell(), part.shape[1]))
                out.write(memoryview(np.ascontiguousarray(part)).cast("B"))
                sample.add(part)
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
    width = 1 + bool(weights) + bool(offset or exposure)
    s = sample.block(width + len(names))
    kept = Chunk(s[0].copy(), s[1].copy() if weights else None, s[1 + bool(weights)].copy() if (offset or exposure)
                 else None, np.asfortranarray(s[width:].T))
    notes = tuple(runs.head.notes) + (f"read in chunks of about {chunk_rows} rows" if chunk_rows else
                                      f"read in chunks of about {runs.size / 2 ** 20:.3g} MB of text",)
    return Store(response, names, n, total_w if weights else float(n), runs.rows_read + runs.blank_total, dropped, source,
                 notes, bool(weights), bool(offset or exposure), kept, out, spans)


def _is_text(table, i):
    from .data import _is_string
    return _is_string(table.schema.field(i).type)
