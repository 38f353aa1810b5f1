"""The chunked fit on a Dask cluster (--engine dask): many CSV or Parquet files, each cut
into blocks of whole lines (CSV) or read by row group (Parquet); every block is parsed,
checked and reduced to its family's statistics on a worker, and the driver merges the
small results and fits, as stream.py does on one machine. The report is the in-memory
one: rows read, every row dropped and why, places named by file and line.

Workers cannot know the line a block starts on, so they name places by the line within
their block (written @k@); the driver, which learns every block's line count, turns
them into lines of the file. Needs `pip install mlefit[dask]`."""
import os
import re
from dataclasses import dataclass

import numpy as np

from .. import numerics as nm
from .chunks import SAMPLE_SIZE, Chunks, total
from .column import BLANK_LINE, FIRST, convert, choose_column
from ..data import Record
from ..errors import DataError, MlefitError, UsageError, plain
from .intake import COLUMNAR, MAGIC, ZIP
from .readers import ReadOptions, check_file, not_utf8
from ..report.result import Drop
from .stream import Outside, TextLabels, check_chunk_values, Header, chosen_column, check_values, read_block, read_lines, refuse_huge, refuse_text, stats_over, streams, why_not

DEFAULT_BLOCK_BYTES = 64 << 20
WAY_OUT = "fit it without --engine dask"
_PLACE = re.compile(r"\b(line|row) @(\d+)@")


@dataclass
class _Block:
    """What a worker sends back for one block: small, whatever the block's size."""

    lines: int = 0  # lines of the file this block spans
    rows: int = 0  # rows parsed (blank lines not counted)
    used: int = 0
    drops: dict = None  # reason -> (count, first places)
    stats: object = None
    values: np.ndarray = None  # distinct values (count families)
    counts: np.ndarray = None
    lo: float = np.inf
    hi: float = -np.inf
    first: float | None = None
    spread: bool = False
    error: str | None = None
    outside: tuple = None  # stream.Outside.tally(): values outside the support, above the trials
    x: np.ndarray = None  # the values, kept on the worker for families with chunked_stats


def _family(name):
    """The family of a block's task: a registry name, or a user's own model's recipe
    (_recipe), rebuilt on the worker from its text."""
    if isinstance(name, tuple):
        from ..own.model import model
        return model(*name[1])
    from .. import families
    return families.get(name)


def _recipe(fam):
    """What a block's task names its family by: the registry name, or ("own", model()'s
    arguments) for a user's own model (which has no registry entry)."""
    source = getattr(fam.spec, "source", None)
    return ("own", source) if source else fam.name


def _summarise(part, fam, out):
    """Into `out`: the block's dropped cells, its statistics (or its table of counts,
    or its values) and what the checks need."""
    for d in part.dropped:
        out.drops[d.reason] = (d.count, d.first)
    x = part.values
    if not x.size:
        return
    outside = Outside(fam, whole_pass=True)  # counted over every block, refused by the driver
    out.lo, out.hi = check_values(part, fam, outside)
    out.outside = outside.tally()
    out.used = int(x.size)
    out.first = float(x[0])
    out.spread = out.hi > out.lo
    with np.errstate(all="ignore"):
        if outside.count:  # refused: no statistics
            pass
        elif fam.merge is not None:
            out.stats = fam.stats(x, None)
        elif fam.chunked_stats is not None:
            out.x = x
        else:
            out.values, out.counts = nm.value_counts(x)


def _labels(cells, options, where, out):
    """Into `out`: a block's count of each label (the categorical family) and its
    missing cells."""
    from .stream_labels import count_labels
    out.values, out.counts, dropped = count_labels(cells, options, where)
    for d in dropped:
        out.drops[d.reason] = (d.count, d.first)
    out.used = int(out.counts.sum())
    out.spread = out.values.size > 1


def _said(exc):
    """A block's error, as the driver will raise it."""
    if isinstance(exc, TextLabels):
        return f"{exc}: bernoulli on text labels is not fitted on Dask; {WAY_OUT}"
    return str(exc)


def relative(k):
    return f"line @{k}@"


def csv_block(block, first, head, name, family, options, source):
    """One block of whole lines of a CSV file -> a _Block. `first`: the file's first
    block, which starts with the header row (and any blank lines before it)."""
    fam = _family(family)
    out = _Block(drops={})
    block, skipped = after_header(block, first, head)
    if not block:
        out.lines = skipped
        return out
    try:
        if fam.spec.support == "labels":
            table, count, blanks, where = read_lines(block, skipped + 1, head, [name], options, source,
                                                     WAY_OUT, place=relative, text=[name])
            part = None
        else:
            part, count, blanks = read_block(block, skipped + 1, head, name, options, source, WAY_OUT,
                                             place=relative, text_labels=fam.spec.support == "binary")
        out.lines, out.rows = skipped + count, table.num_rows if part is None else part.rows_read
        if blanks:
            out.drops[BLANK_LINE] = (len(blanks), tuple(blanks[:FIRST]))
        if part is None:
            _labels(table.column(0), options, where, out)
        else:
            _summarise(part, fam, out)
    except MlefitError as exc:
        out.error = _said(exc)
    return out


def after_header(block, first, head):
    """(the block without the file's header row and what precedes it, the lines skipped):
    `first`, the file's first block, starts with them (a byte-order mark too)."""
    skipped = 0
    if first:
        if block.startswith(b"\xef\xbb\xbf"):
            block = block[3:]
        if head.header:
            from .readers import end_of_first_content_line
            cut = end_of_first_content_line(block)
            skipped = block[:cut].count(b"\n")
            block = block[cut:]
    return block, skipped


def parquet_group(path, group, name, family, options):
    """One row group of a Parquet file -> a _Block; places are rows of the file, the
    driver adding the row groups before this one (@k@ is a row within the group)."""
    import pyarrow.parquet as pq

    fam = _family(family)
    out = _Block(drops={})
    table = pq.ParquetFile(path).read_row_group(group, columns=[name])
    col = table.column(0)
    out.lines = out.rows = len(col)
    try:
        if fam.spec.support == "labels":
            _labels(col, options, lambda p: f"row @{p + 1}@", out)
        else:
            if fam.spec.support == "binary":
                refuse_text(col, name, lambda p: f"row @{p + 1}@")
            part = convert(col, name, path, False, [], where=lambda p: f"row @{p + 1}@",
                            rows_read=len(col), options=options)
            _summarise(part, fam, out)
    except MlefitError as exc:
        out.error = _said(exc)
    return out


# ---------------------------------------------------------------- values on the cluster
def _without_values(block):
    """The block's summary, for the driver (its values stay on the worker)."""
    from dataclasses import replace
    return replace(block, x=None)


def _apply(block, fn):
    return None if block.x is None or not block.x.size else fn(block.x)


def _every(block, stride):
    return np.empty(0) if block.x is None else block.x[::stride]


class DaskChunks(Chunks):
    """The values of every block, held by the workers (chunks.Chunks): map_sum sends
    the function to the blocks and adds up what comes back."""

    def __init__(self, client, futures, n, lo, hi):
        self.client, self.futures, self.n, self.lo, self.hi = client, futures, n, lo, hi

    def map_sum(self, fn):
        return total(self.map_each(fn))

    def map_each(self, fn):
        parts = self.client.gather(self.client.map(_apply, self.futures, fn=fn, pure=False))
        return [p for p in parts if p is not None]

    def sample(self):
        stride = max(1, -(-int(self.n) // SAMPLE_SIZE))
        parts = self.client.gather(self.client.map(_every, self.futures, stride=stride, pure=False))
        return np.concatenate(parts)


# ---------------------------------------------------------------- the driver
LOCAL_WORKERS = 2  # threads of the local cluster (no --scheduler)
CONNECT_TIMEOUT = 10.0  # seconds to reach a scheduler (Dask's own default is 30 s)
_ADDRESS_HELP = "give tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786"


def connect_client(address, timeout=CONNECT_TIMEOUT):
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise UsageError("--engine dask needs Dask: pip install 'mlefit[dask]'") from None
    if address:
        return _connect(Client, address, timeout), None
    # Threads, not processes: pyarrow parses CSV with the GIL released, and on 2 cores two
    # worker threads in this process fitted a 1e7-row CSV quicker than two worker processes
    # (gamma 1.95 s against 4.49 s, weibull 4.61 s against 6.94 s, best of 4; the same
    # numbers), which pay their start-up and the moves between processes; benchmarks/RESULTS.md.
    cluster = LocalCluster(n_workers=LOCAL_WORKERS, threads_per_worker=1, processes=False, dashboard_address=None)
    return Client(cluster), cluster


def check_address(address):
    """A UsageError for a scheduler address that is not one (said before any progress
    line: importing Dask to parse it may take seconds on a busy machine)."""
    try:
        from distributed.comm.addressing import get_address_host_port, normalize_address
    except ImportError:
        raise UsageError("--engine dask needs Dask: pip install 'mlefit[dask]'") from None
    where = plain(address)
    try:
        host, port = get_address_host_port(normalize_address(address))
    except (ValueError, TypeError) as exc:
        raise UsageError(f"the scheduler address '{where}' is not valid ({plain(exc)}); {_ADDRESS_HELP}") from None
    if not host or not 0 < port < 65536:
        raise UsageError(f"the scheduler address '{where}' needs a host and a port from 1 to 65535; {_ADDRESS_HELP}")


def _connect(Client, address, timeout):
    """A client of the scheduler at `address`, or one line saying what went wrong: a
    UsageError for an address that is not one, a MlefitError (exit 1) when nothing
    answers within `timeout` seconds or what answers is not a Dask scheduler."""
    check_address(address)
    where = plain(address)
    silent = MlefitError(f"no Dask scheduler answered at '{where}' within {timeout:g} s (nothing listening, "
                         f"or a firewall); start one ('dask scheduler'), check the address, or raise "
                         f"--connect-timeout")
    try:
        return _within(lambda: Client(address, timeout=timeout), timeout + 1.0)
    except TimeoutError:  # Dask bounds the connection but not the handshake after it
        raise silent from None
    except OSError as exc:
        if "Timed out" in str(exc):
            raise silent from None
        raise MlefitError(f"cannot reach the Dask scheduler at '{where}': {plain(exc)}") from None
    except Exception as exc:  # the reply was not Dask's protocol (a 3 EiB frame length, a closed stream...)
        raise MlefitError(f"something answered at '{where}' but not as a Dask scheduler "
                          f"({type(exc).__name__}); check the address and port") from None


def _within(make, seconds):
    """make()'s value, run on a thread given `seconds` (TimeoutError after that; the
    thread is left to end when its connection does)."""
    import threading

    box = {}

    def run():
        try:
            box["value"] = make()
        except BaseException as exc:
            box["error"] = exc
    worker = threading.Thread(target=run, name="mlefit-connect", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TimeoutError
    if "error" in box:
        raise box["error"]
    return box["value"]


def expand_files(paths):
    from .column import expand_paths as expand
    files = expand([paths] if isinstance(paths, str) else list(paths))
    if not files:
        raise UsageError("no input: give a file, several files or a glob")
    if "-" in files:
        raise UsageError("--engine dask reads files, not standard input")
    for f in files:
        check_file(f, stdin=False)
    return files


def refuse_other(path, head):
    """What Dask cannot cut into blocks of lines, refused from the file's first bytes: an
    empty file, a device or pipe (no size to cut by: /dev/zero never ends), binary data,
    Feather or zip."""
    if not head.strip():
        raise DataError(f"'{path}' is empty; it needs a header row and at least one row of values")
    if not os.path.isfile(path):
        raise UsageError(f"'{path}' is not a regular file (a device or a pipe): --engine dask cuts files into "
                         f"blocks by their size; fit it without --engine dask")
    if head.startswith(COLUMNAR + (ZIP,)):
        raise UsageError(f"'{path}' is neither CSV nor Parquet: --engine dask reads those two")
    if b"\x00" in head:
        raise DataError(not_utf8(path))


def _tasks(files, column, fam, options, block_bytes):
    """(delayed tasks in file order, [(file, number of tasks, unit)], column name)."""
    import dask
    from dask.bytes import read_bytes

    tasks, layout, name = [], [], None
    for path in files:
        with open(path, "rb") as fh:
            head_bytes = fh.read(1 << 20)
        if head_bytes.startswith(b"PAR1"):
            import pyarrow.parquet as pq
            pf = pq.ParquetFile(path)
            chosen = choose_column(_Schema(pf.schema_arrow), column)
            name = name or chosen
            groups = [dask.delayed(parquet_group)(path, g, chosen, _recipe(fam), options)
                      for g in range(pf.num_row_groups)]
            layout.append((path, len(groups), "row"))
        else:
            refuse_other(path, head_bytes)
            compressed = any(head_bytes.startswith(magic) for magic, _, _ in MAGIC)
            if compressed:
                raise UsageError(f"'{path}' is compressed: --engine dask reads plain CSV (or Parquet); "
                                 f"decompress it, or fit it without --engine dask")
            head = Header(head_bytes.lstrip(b"\xef\xbb\xbf"), options, path)
            chosen = chosen_column(head, head.block, column, options, path)
            name = name or chosen
            _, blocks = read_bytes(path, delimiter=b"\n", blocksize=block_bytes, sample=False)
            groups = [dask.delayed(csv_block)(b, j == 0, head, chosen, _recipe(fam), options, path)
                      for j, b in enumerate(blocks[0])]
            layout.append((path, len(groups), "line"))
        tasks.extend(groups)
    return tasks, layout, name


def _run(files, fam, column, options, block_bytes, client, strict):
    """(a Record report without values, the stats, (min, max)) of one column of the files,
    on the cluster of `client` (which must stay open while the stats of a family with
    chunked_stats are in use: their values are on the workers)."""
    tasks, layout, name = _tasks(files, column, fam, options or ReadOptions(), block_bytes)
    futures = client.compute(tasks)
    keep = fam.merge is None and fam.chunked_stats is not None
    results = client.gather(client.map(_without_values, futures) if keep else futures)
    report, stats, span, used = _reduce(results, layout, name, fam, files, strict)
    if keep:
        stats = stats_over(fam, DaskChunks(client, futures, used, span[0], span[1]), report, span)
    return report, stats, span


def placer(path, offset):
    """fix(text): a block's places (line @k@) as places in its file, `offset` lines before
    the block (named with the file's path where one is given: several files)."""
    prefix = f"{path} " if path else ""

    def fix(text):
        return _PLACE.sub(lambda m: f"{prefix}{m.group(1)} {int(m.group(2)) + offset}", text)
    return fix


def add_drops(drops, more, fix):
    """Into drops ({reason: (count, first places)}): a block's, its places fixed."""
    for reason, (c, f) in more.items():
        c0, f0 = drops.get(reason, (0, ()))
        drops[reason] = (c0 + c, (f0 + tuple(fix(p) for p in f))[:FIRST])


def _reduce(results, layout, name, fam, files, strict):
    drops, rows, used = {}, 0, 0
    stats, values, counts = None, [], []
    lo, hi, first, spread = np.inf, -np.inf, None, False
    outside = Outside(fam, whole_pass=True)
    i = 0
    several = len(files) > 1
    for path, count, unit in layout:
        offset = 0
        for block in results[i:i + count]:
            fix = placer(path if several else None, offset)
            if block.error is not None:
                raise DataError(fix(block.error))
            add_drops(drops, block.drops, fix)
            rows += block.rows + (block.drops.get(BLANK_LINE, (0,))[0])
            used += block.used
            if block.outside is not None:
                outside.absorb(block.outside, fix)
            if block.used:
                lo, hi = min(lo, block.lo), max(hi, block.hi)
                if first is None:
                    first = block.first
                spread = spread or block.spread or block.first != first
                if block.stats is not None:
                    stats = block.stats if stats is None else fam.merge(stats, block.stats)
                else:
                    values.append(block.values)
                    counts.append(block.counts)
            offset += block.lines
        i += count
    order = [BLANK_LINE] + [r for r in drops if r != BLANK_LINE]
    dropped = tuple(Drop(r, drops[r][0], drops[r][1]) for r in order if r in drops)
    source = ", ".join(files) if len(files) <= 3 else f"{len(files)} files ({files[0]} ... {files[-1]})"
    report = Record(name, np.empty(0), np.empty(0, dtype=np.int64), rows, dropped, source,
                    notes=(f"read on Dask in {len(results)} blocks",))
    if strict:
        from .column import refuse_dropped
        refuse_dropped(report.label, report.dropped)
    outside.refuse(report.label)
    check_chunk_values(fam, report, used, first, spread)
    if fam.merge is None and fam.chunked_stats is None:
        v, c = np.concatenate(values), np.concatenate(counts)
        v, inverse = np.unique(v, return_inverse=True)
        with np.errstate(all="ignore"):
            stats = fam.stats(v, np.bincount(inverse, weights=c).astype(np.float64))
    return report, stats, (lo, hi), used


def fit_dask(paths, family=None, *, loss=None, column=None, options=None, block_bytes=DEFAULT_BLOCK_BYTES,
             address=None, strict=False, fix=None, confidence=0.95, information="observed", max_iter=200,
             tol=1e-12, connect_timeout=CONNECT_TIMEOUT):
    """mlefit.fit of one column of CSV/Parquet files on a Dask cluster (the scheduler at
    `address`, or a local cluster of two worker threads in this process): the in-memory fit's
    estimates, Wald intervals and report. connect_timeout: seconds to wait for the
    scheduler to answer (10 by default)."""
    from ..estimate import from_stats, resolve

    fam, loss_label, loss_note = resolve(family, loss, None, confidence, information, max_iter)
    if not streams(fam):
        raise UsageError(why_not(fam))
    files = expand_files(paths)
    client, cluster = connect_client(address, connect_timeout)
    try:
        report, stats, span = _run(files, fam, column, options, block_bytes, client, strict)
        refuse_huge(fam, report, span, "fit it in memory (rescaled exactly)")
        return from_stats(fam, stats, report, span, fix=fix, confidence=confidence, information=information,
                          max_iter=max_iter, tol=tol, loss=loss_label, loss_note=loss_note, keep_data=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class _Schema:
    """choose_column's view of a Parquet file's schema: its names and their types."""

    def __init__(self, schema):
        self.column_names, self.schema = list(schema.names), schema
