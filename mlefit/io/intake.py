"""An input's bytes, read in bounded blocks and checked as they come.

A file or standard input ('-') is opened once, decompressed on the fly (gzip, bz2, xz,
zstd, recognised by their magic bytes, a compressed file inside a compressed file at most
twice over), and read BLOCK bytes at a time. Before more is read, each block of text is
checked: a NUL byte means binary data, not text (UTF-16 and UTF-32, where NUL bytes are
part of the characters, are exempt), and no line may run longer than MAX_LINE bytes. So
an endless input (/dev/zero, /dev/urandom), a decompression bomb of binary data or a
file that is one enormous line is refused after a few blocks, in bounded memory, with
one line naming it; Parquet and Feather data (binary by nature) are not checked.

What the readers decide from the size (whether to read in chunks) is decided on the
decompressed bytes: Input.longer_than peeks at most that many of them, and the reader
that comes next continues from what was peeked (standard input cannot be read twice)."""
import bz2
import codecs
import gzip
import io
import lzma
import os
import re
import stat
import sys

from ..errors import DataError

BLOCK = 1 << 20  # bytes read and checked at a time
MAX_LINE = 16 << 20  # the longest line read: a longer one is refused (docs/bad-input.md)
COLUMNAR = (b"PAR1", b"ARROW1", b"FEA1")  # Parquet, Feather: binary by nature, never cut into lines
ZIP = b"PK\x03\x04"
_WIDE = (b"\xff\xfe", b"\xfe\xff")  # UTF-16 and UTF-32 byte-order marks start with these
_LINE_END = re.compile(rb"[\r\n]")


def _unzstd(fh):
    import pyarrow as pa
    return pa.CompressedInputStream(pa.PythonFile(fh, mode="r"), "zstd")


MAGIC = ((b"\x1f\x8b", "gzip", lambda fh: gzip.GzipFile(fileobj=fh)), (b"BZh", "bz2", bz2.BZ2File),
          (b"\xfd7zXZ\x00", "xz", lzma.LZMAFile), (b"\x28\xb5\x2f\xfd", "zstd", _unzstd))


def _mib(n):
    return f"{n / (1 << 20):g} MiB"


class _Stream(io.RawIOBase):
    """A readable stream over `fh` (which closing it closes), as decompressors take."""

    fh = None

    def readable(self):
        return True

    def close(self):
        if not self.closed and self.fh is not None:
            self.fh.close()
        super().close()


class _Raw(_Stream):
    """The undecompressed bytes: a failing read is a DataError naming the input (which a
    decompressor lets through as it is)."""

    def __init__(self, fh, name):
        super().__init__()
        self.fh, self.name = fh, name

    def read(self, size=-1):
        try:
            return self.fh.read(size)
        except OSError as exc:
            where = "standard input" if self.name == "<stdin>" else f"'{self.name}'"
            raise DataError(f"cannot read {where}: {exc.strerror or exc}") from None


class _Layer(_Stream):
    """One decompressor over the layer below; a failure is a DataError saying so."""

    def __init__(self, below, kind, opener, name):
        super().__init__()
        self.kind, self.name, self.below = kind, name, below
        self.fh = self._guarded(opener, below)

    def read(self, size=-1):
        return bytes(self._guarded(self.fh.read, size))

    def _guarded(self, call, arg):
        try:
            return call(arg)
        except DataError:
            raise
        except Exception as exc:  # corrupt data raises many types (EOFError, zlib.error, OSError, ...)
            raise DataError(f"'{self.name}' looks {self.kind}-compressed but cannot be decompressed "
                            f"({type(exc).__name__}); check the file") from None

    def close(self):
        if not self.closed:
            self.below.close()
        super().close()


class _Prefixed(_Stream):
    """A stream that first gives back the bytes already taken from it."""

    def __init__(self, head, fh):
        super().__init__()
        self.head, self.fh = head, fh

    def read(self, size=-1):
        if not self.head:
            return self.fh.read(size)
        out = self.head if size < 0 else self.head[:size]
        self.head = self.head[len(out):]
        if size < 0 or len(out) < size:  # a whole block, not the few bytes peeked
            out += self.fh.read(-1 if size < 0 else size - len(out))
        return out


def _file_size(fh):
    """The size in bytes of the regular file open as fh, else None (a pipe, a terminal)."""
    try:
        st = os.fstat(fh.fileno())
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None


def _read_exactly(fh, size):
    out = b""
    while len(out) < size:
        more = fh.read(size - len(out))
        if not more:
            break
        out += more
    return out


class Input:
    """One input, decompressed, read in checked blocks: `name` for messages, `notes`
    ("decompressed (gzip)"), `columnar` (Parquet or Feather: not text). read(size),
    readinto(view) and read_all() give the bytes from the start, through what
    longer_than has already taken. encoding: the one given with --encoding (a UTF-16
    or UTF-32 one exempts NUL bytes)."""

    def __init__(self, fh, name, encoding=None):
        self.name, self._fh = name, _Raw(fh, name)
        self._raw = self._fh
        notes = []
        head = _read_exactly(self._fh, 8)
        if head.startswith(ZIP):
            raise DataError(f"'{name}' is a zip archive; unzip it and give the file inside")
        for _ in range(3):
            found = next(((k, o) for magic, k, o in MAGIC if head.startswith(magic)), None)
            if found is None:
                break
            kind, opener = found
            self._fh = _Layer(_Prefixed(head, self._fh), kind, opener, name)
            notes.append(f"decompressed ({kind})")
            head = _read_exactly(self._fh, 8)
        self._fh = _Prefixed(head, self._fh)
        self.notes = tuple(notes)
        # the input's length in bytes where its size says it: a regular file, not decompressed
        self.length = None if notes else _file_size(fh)
        self.columnar = head.startswith(COLUMNAR)
        self._nul = not self.columnar and not head.startswith(_WIDE) and not _wide(encoding)
        self._utf8, self._encoding = self._nul and not encoding, encoding
        # lines of UTF-8 text, which the chunked reader can cut at newlines
        self.chunkable = self._nul and (encoding or "utf-8").lower().replace("_", "-") in ("utf-8", "utf8")
        self._lines = not self.columnar
        self._buffer, self._at, self._done = bytearray(), 0, False  # peeked bytes, read so far
        self._pos = 0  # where the reads are in _buffer (the bytes before it were read)
        self._run = 0  # bytes since the last line end

    # ---------------------------------------------------------------- checked blocks
    def _block(self, size=BLOCK):
        """The next block of at most `size` bytes (b"" at the end), checked."""
        if self._done:
            return b""
        block = self._fh.read(size)
        if not block:
            self._done = True
            return b""
        self._check(block)
        self._at += len(block)
        return block

    def _check(self, data, start=0, end=None):
        """Check the block data[start:end] (read from byte self._at of the input), in place:
        no slice of it is copied."""
        from .readers import decodes, not_utf8

        end = len(data) if end is None else end
        nul = data.find(b"\x00", start, end) if self._nul else -1
        if nul >= 0:
            if self._utf8:
                raise DataError(not_utf8(self.name))
            raise DataError(f"'{self.name}' holds a NUL byte (byte {self._at + nul - start}): it is binary data, "
                            f"not {self._encoding} text; check the file")
        if self._utf8 and self._at == 0 and not decodes(data[start:min(end, start + 65536)], cut=True):
            raise DataError(not_utf8(self.name))
        if not self._lines:
            return
        first = _LINE_END.search(data, start, end)
        head = (end if first is None else first.start()) - start  # the bytes before the block's first line end
        self._run += head
        if self._run > MAX_LINE:
            at = self._at + head - self._run
            raise DataError(f"'{self.name}' has a line longer than {_mib(MAX_LINE)} (from byte {at}): "
                            f"it is not a table of values with one row per line; check the file "
                            f"(mlefit reads lines of up to {_mib(MAX_LINE)})")
        if first is not None:
            self._run = end - 1 - max(data.rfind(b"\n", start, end), data.rfind(b"\r", start, end))

    # ---------------------------------------------------------------- reading
    def longer_than(self, size):
        """Whether the decompressed input holds more than `size` bytes: a regular file read
        as it is says so by its size; anything else (standard input, a compressed file) is
        peeked at, at most size + 1 bytes, kept for the reads that follow. (Peeking at a
        file of 80 MB buffered its first 16 MB, 4,000 page faults and a copy, for an
        answer its size gives.)"""
        if self.length is not None:
            return self.length > size
        return self._fill(size + 1) > size

    def _fill(self, size):
        """Buffer at least `size` unread bytes if the input has them; how many are buffered."""
        while len(self._buffer) - self._pos < size:
            block = self._block()
            if not block:
                break
            self._buffer += block
        return len(self._buffer) - self._pos

    def _take(self, size):
        """Up to `size` buffered bytes, as a view (valid until the next read), consumed."""
        view = memoryview(self._buffer)[self._pos:self._pos + size]
        self._pos += len(view)
        if self._pos == len(self._buffer):  # every peeked byte read: the view keeps them alive
            self._buffer, self._pos = bytearray(), 0
        return view

    def read(self, size=-1):
        if size < 0:
            return self.read_all()
        if self._pos < len(self._buffer):
            return bytes(self._take(size))
        return self._block(min(size, BLOCK)) if size else b""

    def readinto(self, view):
        if self._pos < len(self._buffer):
            data = self._take(len(view))
        else:
            data = self._block(min(len(view), BLOCK)) if len(view) else b""
        view[:len(data)] = data
        return len(data)

    def read_all(self):
        """Every byte still to read (a decompression bomb of text stops at the first
        binary block or overlong line; valid text is read whole)."""
        if self.length is not None and not self._done and self._pos == len(self._buffer):
            return self._rest_of_file()
        out = io.BytesIO()
        out.write(memoryview(self._buffer)[self._pos:])
        self._buffer, self._pos = bytearray(), 0
        while block := self._block():
            out.write(block)
        return out.getvalue()

    def _rest_of_file(self):
        """The rest of a plain file (its length known, nothing peeked left unread) in one
        read from where the reads are, checked block by block in place, as _block checks
        them: no blocks gathered into a growing buffer and copied out (a file of 2 MB took
        twice the time and 250 more page faults of a bare read, one of 80 MB 20 ms more)."""
        raw = self._raw.fh
        try:
            raw.seek(self._at)  # the head Input read first is read again: its copy is dropped
        except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
            self.length = None  # not seekable after all: the blocks, as for any input
            return self.read_all()
        want = max(self.length - self._at, 0)
        data = self._raw.read(want)  # one buffer of that size, read into (read(-1) makes it a byte larger and
        more = self._raw.read(-1) if len(data) == want else b""  # shrinks it with a copy); a file grown since
        if more:  # it was opened: the rest too
            data += more
        self._done = True
        for start in range(0, len(data), BLOCK):
            end = min(start + BLOCK, len(data))
            self._check(data, start, end)
            self._at += end - start
        return data

    def close(self):
        self._fh.close()


def _wide(encoding):
    if not encoding:
        return False
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False
    return name.startswith(("utf-16", "utf-32"))


# ---------------------------------------------------------------- opening
_peeked = {}  # path -> (standard input then, encoding, Input): what a size decision peeked at, for the next reader


def open_input(path, encoding=None):
    """The Input of a file or of '-' (standard input): the one longer_than() peeked at
    when there is one, else newly opened."""
    from .readers import check_file, standard_input

    stdin, given, kept = _peeked.pop(path, (None, None, None))
    if kept is not None and stdin is (sys.stdin if path == "-" else None) and given == encoding:
        return kept
    if kept is not None:  # peeked for another read (another standard input, another encoding)
        kept.close()
    if path == "-":
        return Input(_Unclosed(standard_input()), "<stdin>", encoding)
    check_file(path)
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise DataError(f"cannot read '{path}': {exc.strerror or exc}; check its permissions") from None
    try:
        return Input(fh, path, encoding)
    except BaseException:
        fh.close()
        raise


def longer_than(path, size, encoding=None):
    """Whether the input (decompressed) is lines of UTF-8 text longer than `size` bytes;
    the Input is kept for the next open_input(path). False for Parquet, Feather and other
    encodings, which are read whole."""
    found = open_input(path, encoding)
    try:
        longer = found.chunkable and found.longer_than(size)
    except BaseException:
        found.close()
        raise
    _peeked[path] = (sys.stdin if path == "-" else None, encoding, found)
    return longer


class _Unclosed:
    """Standard input, which closing an Input leaves open."""

    def __init__(self, fh):
        self.fh = fh

    def read(self, size=-1):
        return self.fh.read(size)

    def close(self):
        pass
