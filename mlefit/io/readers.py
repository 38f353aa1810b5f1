"""Files -> pyarrow tables, with where each row stood.

CSV and TSV (delimiter detected or given, decimal commas, any encoding, with or without
a header row), gzip/bz2/xz/zstd compressed (recognised by their magic bytes, so stdin
works too), Parquet and Feather. Nothing here knows about families."""
import csv
import io
import os
import re
import stat
import sys
from dataclasses import dataclass

import numpy as np

from ..errors import DataError, UsageError, plain
from .interrupts import pyarrow_csv

# Cells read as missing: pyarrow's defaults plus the spellings R, pandas and databases write.
NA_VALUES = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
             "1.#IND", "1.#QNAN", "N/A", "NA", "NULL", "NaN", "n/a", "nan", "null",
             "None", "none", "NAN", "Na", "Null", "na", "\\N")
NUMBER = re.compile(r"^[ \t]*[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|inf|infinity)[ \t]*$",
                    re.IGNORECASE | re.ASCII)
DELIMITERS = ("\t", ",", ";", "|")
HEX = rb"0[xX][0-9a-fA-F]"  # compiled (and kept by re) where a file holds an x



@dataclass(frozen=True)
class ReadOptions:
    """How to read delimited text. None means: detect."""

    delimiter: str | None = None
    decimal: str = "."
    encoding: str | None = None
    header: bool | None = None
    na_values: tuple = ()
    labels_way: str = ", or use --dist categorical for labels"  # what a column of text can do instead


@dataclass(frozen=True)
class Source:
    """The bytes of one input, decompressed, and its name for messages."""

    data: bytes
    name: str
    notes: tuple = ()


@dataclass(frozen=True)
class RawTable:
    """A parsed input: the table, the blank lines skipped, and where each row stood."""

    table: object
    source: str
    blank_lines: tuple = ()
    lines: object = None  # file line of each row when blank lines shifted them
    first_line: int = 2  # file line of row 0 otherwise (1 without a header row)
    unit: str = "line"  # "line" for text files, "row" for Parquet and Feather
    notes: tuple = ()

    def place(self, row):
        if self.unit == "row":
            return f"data row {row + 1}" if self.first_line else f"row {row + 1}"
        line = int(self.lines[row]) if self.lines is not None else row + self.first_line
        return f"line {line}"


# ---------------------------------------------------------------- bytes
def standard_input():
    """The binary stream of standard input (read for the file -), or DataError when
    there is none (closed: mlefit fit - <&-)."""
    if sys.stdin is None:
        raise DataError("standard input is closed: there is nothing to read as -; give a file, or pipe "
                        "the data in")
    return sys.stdin.buffer


def check_file(path, stdin=True):
    """That `path` names a file, or the UsageError saying what it is instead: missing, a
    directory, or beyond reach (a loop of symbolic links, a name too long). stdin: whether
    - (standard input) is a way out."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        instead = ", or pass - to read standard input" if stdin else ""
        raise UsageError(f"file '{path}' not found; check the path{instead}") from None
    except OSError as exc:
        raise UsageError(f"cannot open '{path}': {exc.strerror or exc}; check the path") from None
    if stat.S_ISDIR(found.st_mode):
        raise UsageError(f"'{path}' is a directory; give the path of a data file")


def read_source(path, encoding=None):
    """The bytes of a file or of stdin ('-'), decompressed when they are compressed, read
    in checked blocks (intake.Input: binary data and overlong lines are refused as they
    come, whatever the input's length)."""
    from .intake import open_input

    found = open_input(path, encoding)
    try:
        return Source(found.read_all(), found.name, found.notes)
    finally:
        found.close()


def not_utf8(name):
    """The message for bytes that are not UTF-8 text."""
    return (f"'{name}' is not UTF-8 text (it holds binary data or another encoding); name the encoding "
            f"with --encoding (e.g. latin-1, cp1252), or export as UTF-8")


def _to_utf8(data, name, encoding):
    """UTF-8 bytes without a BOM. UTF-16 with a BOM is recognised; other encodings must
    be named with --encoding."""
    given = encoding is not None
    if not given and data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        encoding = "utf-32"
    elif not given and data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    if encoding is not None:
        try:
            return _lines(data.decode(encoding).encode("utf-8").lstrip(b"\xef\xbb\xbf"))
        except LookupError:
            raise UsageError(f"unknown encoding '{encoding}'; e.g. utf-8, latin-1, cp1252, utf-16") from None
        except UnicodeError as exc:  # bytes it cannot decode, a codec's own error (punycode), a lone surrogate
            at = f" (byte {exc.start})" if isinstance(exc, UnicodeDecodeError) else ""
            how = ("check the encoding given with --encoding" if given else
                   f"it starts with the {encoding.upper()} byte-order mark: check the file, or name its "
                   f"encoding with --encoding")
            raise DataError(f"'{name}' is not valid {encoding}{at}; {how}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    head = data[:65536]
    if b"\x00" in head or not decodes(head, cut=len(data) > len(head)):
        raise DataError(not_utf8(name))
    return _lines(data)


COUNT_BLOCK = 1 << 18  # bytes compared at a time: the temporary stays in cache


def line_count(data):
    """The lines of bytes-like data: its newlines, and one more for a last line without
    one (1 for empty data, as data.count(b"\\n") + (not data.endswith(b"\\n")) gives).
    numpy counts them over blocks of COUNT_BLOCK bytes, about seven times quicker than
    bytes.count, which has no vectorised count of a single byte."""
    a = np.frombuffer(data, dtype=np.uint8)
    newlines = sum(int(np.count_nonzero(a[i:i + COUNT_BLOCK] == 10)) for i in range(0, a.size, COUNT_BLOCK))
    return newlines + int(a.size == 0 or a[-1] != 10)


def has_blank_line(data):
    """Whether bytes-like data holds b"\n\n" or b"\n\r\n" (a blank line after the
    first): numpy compares blocks of COUNT_BLOCK bytes (two bytes of overlap), about five
    times quicker on a large file than bytes' own search for a two-byte needle."""
    a = np.frombuffer(data, dtype=np.uint8)
    for i in range(0, a.size, COUNT_BLOCK):
        block = a[i:i + COUNT_BLOCK + 2]
        newline = block == 10
        if np.any(newline[:-1] & newline[1:]) or np.any(newline[:-2] & (block[1:-1] == 13) & newline[2:]):
            return True
    return False


def _lines(text):
    """Old Mac files end lines with a lone carriage return: make them newlines."""
    if b"\r" in text[:65536] and b"\n" not in text[:65536] and b"\n" not in text:
        return text.replace(b"\r", b"\n")
    return text


def decodes(head, cut):
    """True when these leading bytes are UTF-8 (allowing a character cut at the end when
    they are only the start of the data)."""
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        return cut and exc.start >= len(head) - 3


# ---------------------------------------------------------------- text
LEADING_BLANK = re.compile(rb"[\r\n]*")


def _first_line(text):
    """The first line that holds anything (blank lines before it skipped, however many)."""
    start = LEADING_BLANK.match(text).end()
    end = text.find(b"\n", start)
    return text[start:end if end >= 0 else len(text)].rstrip(b"\r").decode("utf-8", "replace")


def sniff_delimiter(text, decimal="."):
    """The delimiter that splits the first line most: tab, comma, semicolon or pipe
    (never the decimal mark). Quoted text is ignored. None of them: one column."""
    line = re.sub(r'"[^"]*"', "", _first_line(text))
    counts = {d: line.count(d) for d in DELIMITERS if d != decimal}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ("," if decimal != "," else ";")


def split_fields(text, delimiter):
    """The fields of the first record (a quoted field may hold a line break)."""
    start = LEADING_BLANK.match(text).end()
    record = bytes(text[start:end_of_first_content_line(text)]).rstrip(b"\r\n").decode("utf-8", "replace")
    try:
        return next(csv.reader(io.StringIO(record, newline=""), delimiter=delimiter), [])
    except csv.Error:  # a stray carriage return or quote: split plainly
        return _first_line(text).split(delimiter)


def end_of_first_content_line(block):
    """Bytes up to and including the first record that holds anything (the header): its
    line, and the lines after it while a quoted field is open (a quoted line break); the
    blank lines before it included."""
    pos = 0
    while True:
        nl = block.find(b"\n", pos)
        if nl < 0:
            return len(block)
        if block[pos:nl].strip(b"\r"):
            break
        pos = nl + 1
    while block.count(b'"', pos, nl) % 2:  # inside quotes: the record goes on
        nl = block.find(b"\n", nl + 1)
        if nl < 0:
            return len(block)
    return nl + 1


def is_number(cell, decimal="."):
    """Whether a cell reads as a number with this decimal mark."""
    return bool(NUMBER.match(cell.replace(decimal, ".") if decimal != "." else cell))


def _line_map(text, header):
    """1-based line numbers of the non-blank data lines and of the blank ones after the
    first line of content (or from it, without a header row)."""
    buf = np.frombuffer(text, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10)
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [buf.size]))
    if starts[-1] == buf.size:  # nothing after the final newline
        starts, ends = starts[:-1], ends[:-1]
    length = ends - starts
    first = buf[np.minimum(starts, buf.size - 1)]
    blank = (length == 0) | ((length == 1) & (first == 13))
    numbers = np.arange(1, starts.size + 1)
    top = int(np.flatnonzero(~blank)[0]) + 1
    after = numbers > top if header else numbers >= top
    return numbers[after & ~blank], numbers[after & blank]


def parse(source, options=ReadOptions(), string_column=None, pick=None):
    """Parse a Source into a RawTable. `string_column` is read as text, never as numbers
    (labels like zip codes keep their leading zeros). pick(names) -> the names of the
    columns to convert (None: all): the others are skipped, never converted."""
    data = source.data
    if data.startswith(b"PAR1"):
        return _columnar(source, "parquet", pick)
    if data.startswith((b"ARROW1", b"FEA1")):
        return _columnar(source, "feather", pick)
    text = _to_utf8(data, source.name, options.encoding)
    if not text[:65536].strip() and not text.strip():  # (no copy of a large file's text)
        raise DataError(f"'{source.name}' is empty; it needs a header row and at least one row of values")
    delimiter = options.delimiter or sniff_delimiter(text, options.decimal)
    if delimiter == options.decimal:
        raise UsageError(f"the delimiter and the decimal mark are both '{delimiter}'; change one")
    fields = split_fields(text, delimiter)
    notes = list(source.notes)
    header = options.header
    if header is None:
        header = not all(is_number(f, options.decimal) for f in fields)
        if not header:
            notes.append("no header row (the first line is all numbers): columns are named 1, 2, ...")
    names = None if header else [str(i + 1) for i in range(len(fields))]
    include = pick(names or fields) if pick is not None else None
    table = _read_csv(text, source.name, delimiter, names, options, string_column, include)
    lines, blank, unit = None, (), "line"
    if text[:1] in (b"\n", b"\r") or has_blank_line(text):
        line_numbers, blank_lines = _line_map(text, header)
        blank = tuple(int(b) for b in blank_lines)
        lines = line_numbers if line_numbers.size == table.num_rows else None
    total = line_count(text)
    spans = text.count(b"\n", LEADING_BLANK.match(text).end(), end_of_first_content_line(text) - 1) if header else 0
    if lines is None and total - len(blank) - (1 + spans if header else 0) - _leading_blank(text) != table.num_rows:
        # quoted fields span lines: line numbers are unknown, so say which data row
        unit, blank = "row", ()
        notes.append("some quoted fields span several lines: places are given as data rows")
    return RawTable(table, source.name, blank, lines, 2 + spans if header else 1, unit, tuple(notes))


def hex_as_text(schema, data):
    """pyarrow reads a cell 0x1A in a column of integers as 26 (no other number in
    hexadecimal, and no float): numbers here are decimal, so when `data` (bytes or a
    buffer) may hold such a cell, the integer columns of `schema` are to be read again as
    text ({name: string}), where a hexadecimal cell is refused, with its line, like any
    other that is not a number; {} otherwise. Only data with an x is searched further."""
    import pyarrow as pa
    import pyarrow.types as pt

    ints = [f.name for f in schema if pt.is_integer(f.type)]
    if not ints:
        return {}
    return {name: pa.string() for name in ints} if _holds_hex(data) else {}


def _holds_hex(data):
    """Whether data holds 0x or 0X before a hex digit. Each x is found by memchr (bytes.find)
    and looked at where it stands: numeric data has none, or a few in its header, while the
    regex alone would crawl through every 0; where x is common, the regex after all. A
    memoryview of bytes or a bytearray (a run of lines) is searched where it lies, not
    copied (_span)."""
    data, start, end = _span(data)
    hexadecimal = None
    for x in b"xX":
        at, seen = data.find(x, start + 1, end), 0
        while at != -1:
            hexadecimal = hexadecimal or re.compile(HEX)
            if hexadecimal.match(data, at - 1, end):
                return True
            seen += 1
            if seen > 100:
                return hexadecimal.search(data, start, end) is not None
            at = data.find(x, at + 1, end)
    return False


def _span(data):
    """(bytes or bytearray, start, end) holding the bytes of data at [start:end]: a
    memoryview of one is found in it by the addresses of the two (no copy); any other
    buffer is copied to bytes."""
    if isinstance(data, (bytes, bytearray)):
        return data, 0, len(data)
    base = getattr(data, "obj", None)
    if (isinstance(data, memoryview) and isinstance(base, (bytes, bytearray)) and data.ndim == 1
            and data.itemsize == 1 and data.c_contiguous and len(data)):
        start = _address(data) - _address(base)
        if 0 <= start and start + len(data) <= len(base):
            return base, start, start + len(data)
    data = bytes(data)
    return data, 0, len(data)


def _address(buffer):
    return np.frombuffer(buffer, dtype=np.uint8).__array_interface__["data"][0]


def _leading_blank(text):
    return len(text) - len(text[:4096].lstrip(b"\r\n")) if text[:1] in (b"\n", b"\r") else 0


def _read_csv(text, name, delimiter, names, options, string_column, include=None):
    import pyarrow as pa

    pacsv = pyarrow_csv()

    types = {string_column: pa.string()} if string_column is not None else {}
    chosen = {"include_columns": list(include)} if include else {}

    def read(types):
        return pacsv.read_csv(
            pa.BufferReader(text),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 26),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(
                null_values=list(NA_VALUES) + list(options.na_values), strings_can_be_null=True,
                quoted_strings_can_be_null=True, decimal_point=options.decimal, column_types=types,
                **chosen),
        )
    try:
        table = read(types)
        again = hex_as_text(table.schema, text)
        return read({**again, **types}) if again else table
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        detail = plain(str(exc).splitlines()[0])
        if "invalid UTF8" in detail:
            raise DataError(f"'{name}' is not valid UTF-8 throughout; name its encoding with --encoding "
                            f"(e.g. latin-1, cp1252), or export as UTF-8") from None
        hint = ""
        if "Expected 1 columns" in detail and delimiter == "," and options.decimal == ".":
            hint = "; if those commas are decimal marks, add --decimal ,"
        elif "Expected" in detail:
            hint = "; check the delimiter (--delimiter) and the quoting of that row"
        detail = detail if len(detail) <= 120 else detail[:117] + "..."
        raise DataError(f"cannot read '{name}' as CSV: {detail}{hint}") from None
    except UnicodeDecodeError:  # invalid UTF-8 past the part checked up front
        raise DataError(f"'{name}' is not valid UTF-8 throughout; name its encoding with --encoding "
                        f"(e.g. latin-1, cp1252), or export as UTF-8") from None


def _columnar(source, kind, pick=None):
    import pyarrow as pa

    try:
        if kind == "parquet":
            import pyarrow.parquet as pq
            reader = pq.ParquetFile(pa.BufferReader(source.data))
            columns = pick(reader.schema_arrow.names) if pick is not None else None
            table = reader.read(columns=columns, use_threads=False)
        else:
            import pyarrow.feather as feather
            table = feather.read_table(pa.BufferReader(source.data), use_threads=False)
            if pick is not None and pick(table.column_names):
                table = table.select(pick(table.column_names))
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(f"cannot read '{source.name}' as {kind}: {plain(str(exc).splitlines()[0])[:120]}") from None
    return RawTable(table, source.name, unit="row", first_line=0, notes=source.notes)
