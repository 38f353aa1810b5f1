"""mlefit regress --engine dask: the rows of one or more CSV files read on a Dask cluster,
each block of lines parsed and checked on a worker (regress_read.read_run, as on one
machine) and kept there as a block of float64 columns; each Newton iteration is then one
map-reduce: every worker sums its blocks' log-likelihood, score and X'WX
(linear_model.Objective) and the driver adds the small results (DaskPasses, the
counterpart of regress_stream.Passes). Places are named as engine_dask names them: a
worker knows only the line within its block (@k@), the driver turns it into the file's."""
from dataclasses import dataclass, field

import numpy as np

from ..io.column import BLANK_LINE, FIRST
from ..io.dask_engine import CONNECT_TIMEOUT, connect_client, expand_files, refuse_other, relative, add_drops, after_header, placer
from ..errors import DataError, MlefitError, UsageError
from ..report.result import Drop

DEFAULT_BLOCK_BYTES = 64 << 20


@dataclass
class _Part:
    """A block read on a worker: its report, and its columns (k x m), kept there."""

    lines: int = 0
    rows: int = 0
    drops: dict = field(default_factory=dict)
    tally: tuple = (False, False, 0.0)
    error: str | None = None
    block: np.ndarray | None = None
    layout: tuple = (False, False)  # (weights, offset) columns after y
    kind: type = DataError  # of the error
    cache: dict = field(default_factory=dict, repr=False)  # objectives made from the block, by columns

    def summary(self):
        return _Part(self.lines, self.rows, self.drops, self.tally, self.error,
                     None if self.block is None else np.empty((0, self.block.shape[1])), self.layout, self.kind)

    def objective(self, make, columns):
        key = (columns.start, columns.stop) if columns is not None else None
        if key not in self.cache:
            from ..io.regress_read import chunk_of
            c = chunk_of(self.block, *self.layout)
            if columns is not None:
                c.X = c.X[:, columns]
            self.cache[key] = make(c)
        return self.cache[key]


def read_block(data, first, head, spec):
    """One block of whole lines of a CSV file (first: the file's first, with its header)
    -> a _Part."""
    from ..io.regress_read import read_run

    out = _Part(layout=(bool(spec.weights), bool(spec.offset or spec.exposure)))
    block, skipped = after_header(data, first, head)
    out.lines = skipped
    if not block:
        return out
    try:
        count, rows, blanks, drops, part, tally = read_run(block, skipped + 1, head, spec, place=relative)
    except MlefitError as exc:
        out.error = str(exc)
        out.kind = type(exc)
        return out
    out.lines, out.rows, out.tally = skipped + count, rows, tally
    out.block = None if part is None else np.stack(part)
    if blanks:
        out.drops[BLANK_LINE] = (len(blanks), tuple(blanks[:FIRST]))
    for d in drops:
        out.drops[d.reason] = (d.count, d.first)
    return out


def _summary(part):
    return part.summary()


def _every(part, stride):
    return None if part.block is None else part.block[:, ::stride].copy()


def _point(part, vec, make, columns):
    return None if part.block is None else part.objective(make, columns)(vec)


def _value(part, vec, make, columns):
    return None if part.block is None else part.objective(make, columns).value(vec)


def _shape(part, make, columns):
    if part.block is None:
        return None
    o = part.objective(make, columns)
    return o.p, o.others, o.domains


def _each(part, each, make, columns):
    return None if part.block is None else each(part.objective(make, columns))


class DaskPasses:
    """regress_stream.Passes over blocks held by Dask workers: value(vec), the Point at
    vec, each(fn) and narrowed(columns), each a map over the blocks and a sum."""

    def __init__(self, client, futures, make, on_pass=None, columns=None):
        self.client, self.futures, self.make, self.on_pass, self.columns = client, futures, make, on_pass, columns
        self.passes = 0
        shapes = [s for s in self._map(_shape) if s is not None]
        self.p, self.others, self.domains = shapes[0]

    def _map(self, task, **kw):
        got = self.client.gather(self.client.map(task, self.futures, make=self.make, columns=self.columns,
                                                 pure=False, **kw))
        self.passes += 1
        if self.on_pass is not None:
            self.on_pass(self.passes)
        return got

    def narrowed(self, columns, on_pass=None):
        return DaskPasses(self.client, self.futures, self.make, on_pass, columns)

    def value(self, vec):
        import math
        values = [v for v in self._map(_value, vec=vec) if v is not None]
        return math.fsum(values) if all(math.isfinite(v) for v in values) else -math.inf

    def __call__(self, vec):
        from .stream import added
        return added([pt for pt in self._map(_point, vec=vec) if pt is not None])

    def each(self, fn):
        return [r for r in self._map(_each, each=fn) if r is not None]


def read_on_dask(paths, name, response, covariates, intercept, weights, offset, exposure, options, chunk_rows,
                 scheduler, make, on_pass):
    """(a regress_read.Store of the report and subsample, no file; the DaskPasses of its
    blocks; close()) of the CSV files `paths` read on the cluster at `scheduler` (None:
    a local one)."""
    import dask
    from dask.bytes import read_bytes

    from ..io.readers import ReadOptions
    from ..io.regress_read import SAMPLE_ROWS, Store, sample_chunk, spec_of
    from ..io.stream import Header, bytes_per_chunk

    options = options or ReadOptions()
    files = expand_files(paths)
    tasks, layout, spec = [], [], None
    for path in files:
        with open(path, "rb") as fh:
            first = fh.read(1 << 20)
        refuse_other(path, first)
        if first.startswith(b"PAR1"):
            raise UsageError(f"'{path}' is Parquet: regress --engine dask reads CSV files; fit it without "
                             f"--engine dask")
        head = Header(first.lstrip(b"\xef\xbb\xbf"), options, path)
        spec = spec_of(head, name, response, covariates, intercept, weights, offset, exposure, None, options,
                       path if len(files) == 1 else ", ".join(files))
        size = DEFAULT_BLOCK_BYTES if chunk_rows is None else bytes_per_chunk(first, chunk_rows)
        _, blocks = read_bytes(path, delimiter=b"\n", blocksize=size, sample=False)
        tasks += [dask.delayed(read_block)(b, j == 0, head, spec) for j, b in enumerate(blocks[0])]
        layout.append((path, len(blocks[0])))
    client, cluster = connect_client(scheduler, CONNECT_TIMEOUT)

    def close():
        client.close()
        if cluster is not None:
            cluster.close()
    try:
        futures = client.compute(tasks)
        parts = client.gather(client.map(_summary, futures, pure=False))
        n, total_w, dropped, rows, tally = _reduce(parts, layout, len(files) > 1)
        if n == 0:
            why = ", ".join(f"{d.count} {d.reason}" for d in dropped) or "the input has no data rows"
            raise DataError(f"no rows left to fit ({rows} read, all left out: {why}); check the columns")
        if weights and not total_w > 0:
            raise DataError(f"the weights in '{weights}' are all 0: no row counts; check the column")
        from .rows import edge
        edge(name, response, tally[0], tally[1])
        stride = max(1, -(-n // SAMPLE_ROWS))
        kept = [s for s in client.gather(client.map(_every, futures, stride=stride, pure=False)) if s is not None]
        sample = sample_chunk(np.concatenate(kept, axis=1), spec)
        store = Store(response, spec.names, n, total_w if weights else float(n), rows, dropped, spec.source,
                      (f"read on Dask in {len(parts)} blocks",), bool(weights), bool(offset or exposure), sample)
        return store, DaskPasses(client, futures, make, on_pass), close
    except BaseException:
        close()
        raise


def _reduce(parts, layout, several):
    """(rows used, their weight, the Drops, rows read, the tally) of the blocks' reports,
    their places turned into lines of the files; a block's error raised, so placed."""
    drops, rows, n, total_w, nonzero, below = {}, 0, 0, 0.0, False, False
    i = 0
    for path, count in layout:
        offset = 0
        for part in parts[i:i + count]:
            fix = placer(path if several else None, offset)
            if part.error is not None:
                raise part.kind(fix(part.error))
            add_drops(drops, part.drops, fix)
            rows += part.rows + part.drops.get(BLANK_LINE, (0,))[0]
            n += 0 if part.block is None else part.block.shape[1]
            nonzero, below, total_w = nonzero or part.tally[0], below or part.tally[1], total_w + part.tally[2]
            offset += part.lines
        i += count
    order = [BLANK_LINE] + [r for r in drops if r != BLANK_LINE]
    dropped = tuple(Drop(r, drops[r][0], drops[r][1]) for r in order if r in drops)
    return n, total_w, dropped, rows, (nonzero, below, total_w)
