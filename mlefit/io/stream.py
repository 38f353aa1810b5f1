"""Fitting a file larger than memory: the column is read chunk by chunk, each chunk is
checked and reduced to its family's statistics, and the statistics are merged, in one
pass and in memory bounded by the chunk size whatever the file's size.

A chunk is a run of whole lines of the file (cut at a newline), parsed by pyarrow's
multi-threaded CSV reader with only the chosen column converted. Every line is
accounted for as in an in-memory read: blank lines, missing cells and bad values are
counted and named by their line in the file. The families that stream are those whose
statistics merge (Family.merge: sums, moments by Chan's update); the count families
(binomial and beta_binomial with a constant --trials too), whose statistics are made from
the table of distinct values and their counts, merged by adding the counts; categorical
and bernoulli's two labels, counted label by label (stream_labels); and the families with
Family.chunked_stats: the Newton families (weibull, student_t, logistic, cauchy, gumbel,
log_logistic, huber), the exact-quantile ones (laplace, asymmetric_laplace: chunk_select)
and the threshold families (weibull3, gamma3, lognormal3). Their values are kept in a
temporary file (chunks.LocalChunks) during the pass, with a subsample for start values,
and their estimators then make passes of block sums over it, chunk by chunk. Their
fits equal the in-memory ones."""
import math
from dataclasses import dataclass

import numpy as np

from .. import numerics as nm
from .chunkable import AUTO_BYTES, NOT_LINES, streams, why_not  # noqa: F401 (the reader's names)
from .chunks import LocalChunks
from .column import BLANK_LINE, FIRST, NamesOnly, convert, choose_column, no_values, reject_infinite
from ..errors import DataError, UsageError, plain
from .interrupts import pyarrow_csv
from .readers import NA_VALUES, ReadOptions, end_of_first_content_line, split_fields, hex_as_text, is_number, line_count, sniff_delimiter
from ..data import Record
from ..report.result import Drop
from ..support import accepting, outside_error, outside_values
from ..trials import AboveTrials

DEFAULT_CHUNK_ROWS = None  # chunks of CHUNK_BYTES of text, whatever the width of a row
CHUNK_BYTES = 16 << 20  # the text of a chunk by default: memory is bounded by bytes, not rows (a wide file's
#                         2M rows were 80 MB of text and 387 MiB at the peak); as fast as larger chunks
CHUNK_VALUES = 1 << 20  # and at most about this many rows: pyarrow's parse of a run takes about 20 bytes a
#                         row whatever its width, then 8 a value and 8 a copy (16 MB of 2-byte counts were
#                         8M rows, 366 MiB at the peak against 224 for a bare read of the whole file)
PARSE_BLOCK = 1 << 20  # pyarrow parses a chunk in blocks of this size, on all cores
FIRST_BUFFER = 1 << 20  # the block buffer starts this large and grows as the input fills it


@dataclass
class Read:
    """What a streamed read found: the column's report and the merged statistics (for a
    family with chunked_stats: statistics over `chunks`, the values kept in a temporary
    file until close())."""

    column: Record  # name, rows read, rows dropped and why, source, notes; no values
    stats: object
    lo: float
    hi: float
    chunks: object = None

    def close(self):
        if self.chunks is not None:
            self.chunks.close()


def open_text(path, encoding=None):
    """The checked, decompressed input (intake.Input) of a path or '-', if it is lines of
    text."""
    from .intake import open_input

    found = open_input(path, encoding)
    if found.columnar:
        found.close()
        raise UsageError(f"'{found.name}' is Parquet or Feather, not lines of text: it cannot be read in "
                         f"chunks; drop --chunk-size")
    return found


def _blocks(fh, size, length=None):
    """Runs of whole lines of about `size` bytes (the last may lack its newline), as
    memoryviews of one buffer, refilled behind the partial line the last run left: only
    that line is copied, and the buffer's pages are faulted in once, not at every run
    (a fresh 16 MB bytes object per run costs more than the copy). A run is valid until
    the next one is asked for; a line longer than `size` gets a larger buffer (the input
    refuses lines longer than intake.MAX_LINE). The buffer starts at FIRST_BUFFER bytes
    and doubles, up to `size`, while the input fills it: a small input never gets the
    buffer of a large chunk size. Where the input's `length` is known (a file's size), the
    buffer starts as large as it will grow, min(size, length + 1): no buffers of 1, 2, 4
    and 8 MB made and copied on the way (2,000 page faults of a 16 MB chunk's read)."""
    buf, rest = bytearray(min(size, FIRST_BUFFER if length is None else max(length + 1, 1))), b""
    while True:
        if len(rest) >= len(buf):
            buf = bytearray(2 * len(rest))
        view = memoryview(buf)
        view[:len(rest)] = rest
        end = len(rest) + _fill(fh, view[len(rest):])
        while end == len(buf) < size:  # full: grow toward size (a new buffer: the last run may be held)
            bigger = bytearray(min(2 * len(buf), size))
            bigger[:end] = view[:end]
            buf, view = bigger, memoryview(bigger)
            end += _fill(fh, view[end:])
        if end == len(rest):  # end of input
            if rest:
                yield view[:end]
            return
        cut = buf.rfind(b"\n", 0, end)
        rest = bytes(view[:end] if cut < 0 else view[cut + 1:end])
        if cut >= 0:
            yield view[:cut + 1]


def _fill(fh, view):
    """Read into view until it is full or the input ends; the number of bytes read."""
    got = 0
    while got < len(view):
        k = fh.readinto(view[got:])
        if not k:
            break
        got += k
    return got


class Header:
    """The first line: the delimiter, whether it is a header row, the column names."""

    def __init__(self, block, options, name):
        if block.startswith((b"\xff\xfe", b"\xfe\xff")) or options.encoding not in (None, "utf-8", "utf8"):
            raise UsageError(f"'{name}' is not UTF-8: it cannot be read in chunks; drop --chunk-size")
        self.delimiter = options.delimiter or sniff_delimiter(block, options.decimal)
        if self.delimiter == options.decimal:
            raise UsageError(f"the delimiter and the decimal mark are both '{self.delimiter}'; change one")
        fields = split_fields(block, self.delimiter)
        header = options.header
        self.notes = []
        if header is None:
            header = not all(is_number(f, options.decimal) for f in fields)
            if not header:
                self.notes.append("no header row (the first line is all numbers): columns are named 1, 2, ...")
        self.header = header
        self.names = fields if header else [str(i + 1) for i in range(len(fields))]
        self.block = block


def _parse(block, head, names, options, source, text=(), labels=()):
    """The columns `names` of a run of lines, as a pyarrow table (in that order); those
    in `text` read as text, never as numbers; those in `labels` as text too, dictionary
    encoded by the parser (on its threads: the labels are then counted from the codes,
    stream_labels.count_labels, not hashed again one cell at a time)."""
    import pyarrow as pa

    pacsv = pyarrow_csv()

    def read(types):
        return pacsv.read_csv(
            pa.BufferReader(block),
            read_options=pacsv.ReadOptions(column_names=head.names, block_size=PARSE_BLOCK),
            parse_options=pacsv.ParseOptions(delimiter=head.delimiter, ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(
                include_columns=list(names), null_values=list(NA_VALUES) + list(options.na_values),
                strings_can_be_null=True, quoted_strings_can_be_null=True,
                decimal_point=options.decimal, column_types=types))

    try:
        types = {name: pa.string() for name in text}
        types.update({name: pa.dictionary(pa.int32(), pa.string()) for name in labels})
        table = read(types)
        again = hex_as_text(table.schema, block)
        return read(again) if again else table
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        detail = plain(str(exc).splitlines()[0])[:120]
        raise DataError(f"cannot read '{source}' as CSV: {detail}; check the delimiter (--delimiter) "
                        f"and the quoting of that row") from None


def chosen_column(head, first, column, options, source, option="--column", exclude=()):
    """The column to fit, as choose_column picks it in memory: `column`, or the only column,
    or the only numeric one (leaving out `exclude`). With several columns and none named,
    their types are pyarrow's on the first lines (`first`: the first bytes read, header
    included when the file has one); a header wider than GUESS_COLUMNS asks for --column
    at once, as in memory."""
    from ..limits import GUESS_COLUMNS

    names = head.names
    if column is not None or len(names) - len(exclude) <= 1 or len(names) > GUESS_COLUMNS:
        return choose_column(NamesOnly(names), column, option, exclude)
    body = first[end_of_first_content_line(first):] if head.header else first
    body = body[:body.rfind(b"\n") + 1] or body  # whole lines only
    return choose_column(_parse(body, head, names, options, source), None, option, exclude)


def _lines(block, first_line):
    """(line numbers of the non-blank lines, of the blank ones), numbered from first_line."""
    buf = np.frombuffer(block, dtype=np.uint8)
    ends = np.flatnonzero(buf == 10)
    if ends.size == 0 or ends[-1] != buf.size - 1:
        ends = np.append(ends, buf.size)
    starts = np.concatenate(([0], ends[:-1] + 1))
    length = ends - starts
    blank = (length == 0) | ((length == 1) & (buf[np.minimum(starts, buf.size - 1)] == 13))
    numbers = np.arange(first_line, first_line + starts.size)
    return numbers[~blank], numbers[blank]


class _Counts:
    """A table of distinct values and their counts, merged chunk by chunk."""

    def __init__(self):
        self.values, self.counts = np.empty(0), np.empty(0)

    def add(self, x, hi=None):
        v, c = nm.value_counts(x, hi=hi)
        both_v, both_c = np.concatenate((self.values, v)), np.concatenate((self.counts, c))
        self.values, inverse = np.unique(both_v, return_inverse=True)
        self.counts = np.bincount(inverse, weights=both_c).astype(np.float64)


def read_stats(path, fam, column=None, options=None, chunk_rows=DEFAULT_CHUNK_ROWS, strict=False,
               on_bytes=None):
    """Read one column of a CSV file chunk by chunk and merge the family's statistics.
    For a family with chunked_stats (no merge) the values are kept in a
    chunks.LocalChunks (a temporary file, read back chunk_rows at a time) and the
    statistics are made over it: call the Read's close() when done with them.
    on_bytes(k): told how many bytes of the file have been read so far."""
    from .column import refuse_dropped

    options = options or ReadOptions()
    found = open_text(path, options.encoding)
    try:
        if fam.spec.support == "labels":  # categorical: the count of each label
            from .stream_labels import read_labels
            return read_labels(found, found.notes, fam, column, options, chunk_rows, strict, on_bytes)
        return _read(found, found.name, found.notes, fam, column, options, chunk_rows, strict, on_bytes,
                     refuse_dropped)
    except TextLabels as exc:  # bernoulli on two text labels: their counts, from the start again
        if path == "-":
            raise DataError(f"{exc}: bernoulli on text labels reads standard input whole; give --chunk-size 0, "
                            f"or pass the file's name") from None
        from .stream_labels import read_labels
        found.close()
        found = open_text(path, options.encoding)
        return read_labels(found, found.notes, fam, column, options, chunk_rows, strict, on_bytes)
    finally:
        found.close()


def _read(fh, source, notes, fam, column, options, chunk_rows, strict, on_bytes, refuse_dropped):
    counts, chunks = None, None
    if fam.merge is None and fam.chunked_stats is not None:
        bytes_per_chunk(b"", chunk_rows)  # a bad chunk size is refused before a temporary file is made
        chunks = LocalChunks(chunk_rows or CHUNK_BYTES // 8, logs=fam.chunked_logs, moments=fam.chunked_moments)
    elif fam.merge is None:
        counts = _Counts()
    try:
        return _pass(fh, source, notes, fam, column, options, chunk_rows, strict, on_bytes, refuse_dropped,
                     counts, chunks)
    except BaseException:
        if chunks is not None:
            chunks.close()
        raise


class Runs:
    """The runs of whole lines of a text input after its header, each with the number
    of its first line, and the tally of what reading them left out (blank lines, and the
    Drops of each run, by reason). head: the header (Header); done: bytes read so far."""

    def __init__(self, fh, source, options, chunk_rows):
        self.fh, self.source, self.chunk_rows, self.done = fh, source, chunk_rows, 0
        first = fh.read(1 << 20)
        while first and not first.strip():  # blank lines before the header: read on to it
            more = fh.read(1 << 20)
            if not more:
                break
            first += more
        if first.startswith(b"\xef\xbb\xbf"):
            first, self.done = first[3:], 3
        if not first.strip():
            raise DataError(f"'{source}' is empty; it needs a header row and at least one row of values")
        self.first, self.size = first, bytes_per_chunk(first, chunk_rows)
        self.head = Header(first, options, source)
        self.rows_read, self.blank_total, self.blank_first, self.drops = 0, 0, [], {}

    def __iter__(self):
        """(block, its first line number); the caller reads the block, then tells count()."""
        line = 1
        pending = self.head.header  # the header row is still ahead (behind blank lines, maybe)
        for block in _blocks(_Prepend(self.first, self.fh), self.size, getattr(self.fh, "length", None)):
            if pending:  # leading blank lines, then the names
                cut = end_of_first_content_line(bytes(block[:1 << 20]))
                if cut == min(len(block), 1 << 20) < len(block):  # no line end in the first MiB
                    cut = end_of_first_content_line(bytes(block))
                skipped = bytes(block[:cut])
                pending = not skipped.strip()  # only blank lines so far
                line += skipped.count(b"\n")
                self.done += cut
                block = block[cut:]
                if not block:
                    continue
            self.done += len(block)
            self._lines = 0
            yield block, line
            line += self._lines

    def count(self, lines, rows_read, blanks, dropped):
        """A run read: the lines it spans, its rows, the places of its blank lines, its Drops."""
        self._lines = lines
        self.rows_read += rows_read
        self.blank_total += len(blanks)
        self.blank_first += blanks[:FIRST - len(self.blank_first)]
        for d in dropped:
            c, f = self.drops.get(d.reason, (0, ()))
            self.drops[d.reason] = (c + d.count, (f + d.first)[:FIRST])

    def dropped(self):
        """Every Drop of the pass: blank lines first, then each reason."""
        return (([Drop(BLANK_LINE, self.blank_total, tuple(self.blank_first))] if self.blank_total else []) +
                [Drop(r, c, f) for r, (c, f) in self.drops.items()])

    def report(self, name, notes):
        """The Record of the pass's report (no values): rows read, left out, and how."""
        return Record(name, np.empty(0), np.empty(0, dtype=np.int64), self.rows_read + self.blank_total,
                      tuple(self.dropped()), self.source, notes=tuple(notes) + tuple(self.head.notes) + (
                          f"read in chunks of about {self.chunk_rows} rows" if self.chunk_rows else
                          f"read in chunks of about {self.size / 2 ** 20:.3g} MB of text",))


def _pass(fh, source, notes, fam, column, options, chunk_rows, strict, on_bytes, refuse_dropped, counts,
          chunks):
    stats = None
    used = 0
    lo, hi, first_value, spread = np.inf, -np.inf, None, False
    runs = Runs(fh, source, options, chunk_rows)
    head = runs.head
    name = chosen_column(head, runs.first, column, options, source)
    outside = Outside(fam, whole_pass=True)
    for block, line in runs:
        part, count, blanks = read_block(block, line, head, name, options, source,
                                         "drop --chunk-size (or give --chunk-size 0)", ints=counts is not None,
                                         text_labels=fam.spec.support == "binary")
        runs.count(count, part.rows_read, blanks, part.dropped)
        x = part.values
        if x.size:
            low, high = check_values(part, fam, outside)
            if first_value is None:
                first_value = float(x[0])
            spread = spread or high > low or low != first_value
            lo, hi = min(lo, low), max(hi, high)
            used += x.size
            if outside.count:  # the pass now only counts what it will refuse
                pass
            elif counts is not None:
                counts.add(x, high)
            elif chunks is not None:
                chunks.append(x)
            else:
                with np.errstate(all="ignore"):
                    s = fam.stats(x, None)
                stats = s if stats is None else fam.merge(stats, s)
        if on_bytes is not None:
            on_bytes(runs.done)
    report = runs.report(name, notes)
    if strict:
        refuse_dropped(report.label, report.dropped)
    outside.refuse(report.label)
    check_chunk_values(fam, report, used, first_value, spread)
    if counts is not None:
        with np.errstate(all="ignore"):
            stats = fam.stats(counts.values, counts.counts)
    if chunks is not None:
        stats = stats_over(fam, chunks, report, (lo, hi))
    return Read(report, stats, lo, hi, chunks)


def _line(k):
    return f"line {k}"


def read_block(block, start, head, name, options, source, way_out, place=_line, ints=False, text_labels=False):
    """One run of whole lines of a CSV file, its first on line `start`: (the Record of
    its values and of the cells dropped, the lines it spans, the places of its blank
    lines). place(k) names line k; ints: a column of integers stays int64 (counted as it is);
    text_labels: a run whose column pyarrow reads as text is TextLabels (bernoulli's)."""
    table, count, blanks, where = read_lines(block, start, head, [name], options, source, way_out, place)
    col = table.column(0)
    if text_labels:
        refuse_text(col, name, where)
    part = convert(col, name, source, False, [], where=where, rows_read=len(col), options=options,
                    infinite=False, ints=ints)
    return part, count, blanks


class TextLabels(DataError):
    """A bernoulli column of text labels (yes/no), found in a run read as numbers: read
    again by stream_labels, which counts the labels."""


def refuse_text(col, name, where):
    """TextLabels, naming its first cell, for an arrow column of text (not numbers): a
    Python string is never made per cell (a 1e7-row yes/no file took 2 GB that way)."""
    from .column import is_string, to_numpy, column_label
    if not (is_string(col.type) and len(col)):
        return
    import pyarrow as pa
    import pyarrow.compute as pc
    present = np.flatnonzero(to_numpy(pc.cast(col.is_valid(), pa.int8())))
    first = int(present[0]) if present.size else 0
    cell = col.slice(first, 1).to_pylist()[0]
    raise TextLabels(f"{column_label(name)} holds text labels ({where(first)}: '{plain(str(cell).strip(), 40)}')")


def read_lines(block, start, head, names, options, source, way_out, place=_line, text=(), labels=()):
    """The columns `names` of one run of whole lines, its first on line `start` (those in
    `text` read as text, those in `labels` as dictionary-encoded text, _parse): (the
    pyarrow table, the lines it spans, the places of its blank lines, where(p): the
    place of the table's row p)."""
    table = _parse(block, head, names, options, source, text, labels)
    count = line_count(block)
    lines, blanks = None, ()
    if count != table.num_rows:  # blank lines (pyarrow skips them), or line breaks inside quotes
        lines, blanks = _lines(block, start)
        if count - len(blanks) != table.num_rows:
            raise DataError(f"'{source}' has quoted fields that span lines near {place(start)}: it "
                            f"cannot be read in chunks; {way_out}")

    def where(p):
        return place(int(lines[p]) if lines is not None else start + p)

    return table, count, [place(int(b)) for b in blanks], where


def check_values(part, fam, outside=None):
    """(min, max) of a chunk's values, after refusing infinite ones and any outside the
    family's support (both found from the min and max, the masks made only then). The
    values outside are counted in `outside` (an Outside, reported when the pass ends),
    or refused at once when there is none."""
    x = part.values
    low, high = part.extremes if part.extremes is not None else nm.extremes(x)
    if not (math.isfinite(low) and math.isfinite(high)):
        reject_infinite(x, part.positions, part.label, part.locate)
    outside = outside or Outside(fam)
    outside.add(part, x, low, high)
    if not outside.whole_pass:
        outside.refuse(part.label)
    return low, high


class Outside:
    """The values outside a family's support over a pass in chunks: how many, the first
    three, and what every value was like (lo, hi, whether all are whole numbers), so that
    the error says what an in-memory read says: the count and the families that accept
    the data. whole_pass: report when the pass ends (else after the chunk)."""

    def __init__(self, fam, whole_pass=False):
        self.fam, self.whole_pass = fam, whole_pass
        self.count, self.shown = 0, []
        self.lo, self.hi, self.whole = math.inf, -math.inf, fam.spec.support != "real"
        self.above = AboveTrials(fam)  # binomial:N's values above N, refused after those outside

    def add(self, part, x, low, high):
        self.above.add(part, x, high)
        bad = outside_values(self.fam.spec.support, x, low, high, part.whole)
        self.count += len(bad)
        self.shown += [f"{part.where(i)}: {x[i]:.10g}" for i in bad[:3 - len(self.shown)]]
        self.lo, self.hi = min(self.lo, low), max(self.hi, high)
        if self.whole:  # (never needed for a family of all real numbers: none is outside)
            self.whole = part.whole or nm.all_whole(x)

    def refuse(self, label):
        if self.count:
            raise outside_error(self.fam, label, self.count, ", ".join(self.shown),
                                accepting(self.lo, self.hi, self.whole))
        self.above.refuse(label)

    def tally(self):
        """What this pass found, as plain data (a Dask block's, sent to the driver)."""
        return (self.count, self.shown, self.lo, self.hi, self.whole, self.above.count, self.above.shown)

    def absorb(self, tally, rename):
        """Add the tally() of a later part of the pass, its places renamed by rename(text)."""
        count, shown, lo, hi, whole, above, above_shown = tally
        self.count, self.above.count = self.count + count, self.above.count + above
        self.shown += [rename(s) for s in shown[:3 - len(self.shown)]]
        self.above.shown += [rename(s) for s in above_shown[:3 - len(self.above.shown)]]
        self.lo, self.hi, self.whole = min(self.lo, lo), max(self.hi, hi), self.whole and whole


def stats_over(fam, chunks, report, span):
    """The statistics of a score-and-Hessian family over values held in chunks."""
    from ..estimate import _too_extreme
    with np.errstate(all="ignore"):
        try:
            return fam.chunked_stats(chunks)
        except (ArithmeticError, ValueError, np.linalg.LinAlgError) as exc:
            raise _too_extreme(fam, report, span, exc) from exc


def refuse_huge(fam, report, span, way_out):
    """Values beyond 1e+-100 are rescaled exactly in memory; chunked statistics of a
    scale family cannot hold them."""
    big = max(abs(span[0]), abs(span[1]))
    if fam.rescale is not None and not (big == 0.0 or 1e-100 <= big <= 1e100):
        raise DataError(f"{report.label} holds values beyond 1e+-100 (up to {big:.6g}), which "
                        f"chunked statistics cannot hold in double precision; {way_out}")


def check_chunk_values(fam, col, used, first_value, spread):
    """The in-memory fit's checks, on what the chunks found."""
    if used == 0:
        raise no_values(col)
    if used < fam.min_n:
        raise DataError(f"too few observations: {fam.name} needs at least {fam.min_n}, "
                        f"{col.label} has only {used}")
    if fam.needs_spread and not spread:
        raise DataError(f"all {used} values of {col.label} equal {first_value:.10g} (zero variance); "
                        f"{fam.name} needs spread to estimate its scale")


def bytes_per_chunk(block, rows):
    """About `rows` lines' worth of bytes, from the lines of the first block (rows None:
    CHUNK_BYTES, or CHUNK_VALUES lines where those are fewer bytes: short rows)."""
    if rows is not None and rows <= 0:
        raise UsageError(f"--chunk-size must be a positive number of rows (got {rows})")
    per_line = max(len(block) / max(block.count(b"\n"), 1), 1.0)
    if rows is None:
        return int(min(max(CHUNK_VALUES * per_line, 1 << 16), CHUNK_BYTES))
    return int(min(max(rows * per_line, 1 << 16), 1 << 30))


class _Prepend:
    """A file object that first gives back the bytes already read."""

    def __init__(self, first, fh):
        self.first, self.fh = first, fh

    def readinto(self, view):
        if self.first:
            k = min(len(view), len(self.first))
            view[:k], self.first = self.first[:k], self.first[k:]
            return k
        return self.fh.readinto(view)


def fit_file(path, family=None, *, loss=None, column=None, options=None, chunk_rows=DEFAULT_CHUNK_ROWS,
             strict=False, fix=None, confidence=0.95, information="observed", max_iter=200, tol=1e-12,
             on_bytes=None):
    """mlefit.fit of one column of a CSV file ('-' for stdin), read chunk by chunk in
    bounded memory: the same estimates, intervals and report as an in-memory fit, with
    Wald intervals (profile and bootstrap intervals, --robust and --derive need the values
    in memory)."""
    from ..estimate import from_stats, resolve

    fam, loss_label, loss_note = resolve(family, loss, None, confidence, information, max_iter)
    if not streams(fam):
        raise UsageError(why_not(fam))
    read = read_stats(path, fam, column=column, options=options, chunk_rows=chunk_rows, strict=strict,
                      on_bytes=on_bytes)
    try:
        refuse_huge(fam, read.column, (read.lo, read.hi),
                    "give --chunk-size 0 to fit them in memory (rescaled exactly)")
        return from_stats(fam, read.stats, read.column, (read.lo, read.hi), fix=fix, confidence=confidence,
                          information=information, max_iter=max_iter, tol=tol, loss=loss_label,
                          loss_note=loss_note, keep_data=False)
    finally:
        read.close()  # the temporary file of a family fitted in passes over its chunks
