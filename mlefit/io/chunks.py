"""Values held outside memory and visited chunk by chunk, and the one view of the data
the families that need every value sum over, in memory or in chunks.

The protocol (Chunks) is deliberately small, so that other engines can hold the values
(a local temporary file here; partitions persisted on a cluster elsewhere):

    n        the number of values;
    lo, hi   their minimum and maximum;
    map_sum(fn)   fn(x) applied to every chunk x (a 1-d float64 ndarray) and the results
                  summed: fn returns a float, an ndarray, or a tuple of those (summed
                  elementwise, and not views of x: the next chunk may be read into x's
                  memory; fn may overwrite x); the order of the chunks is not specified;
    map_each(fn)  the same fn(x) of every chunk, not summed: the list of what it returned
                  (in no specified order), for results that do not add up (the values of
                  a chunk inside a bracket, chunk_select);
    log_sum(fn, ref)   the same with fn(log(x / ref)) (numerics.log_about: to full
                  precision for values clustered near ref): by default the logs are
                  taken at each visit; chunks that hold the logs already (LocalChunks
                  with logs=True) only shift them;
    sample()      an ndarray of at most about SAMPLE_SIZE values spread over the whole
                  data (all of them when there are no more), for start values such as
                  the median and the quartiles.

LocalChunks holds the values in an anonymous temporary file while a file is parsed
(append), then maps them back one chunk at a time (copy-on-write: no copy of the file's
pages; read into a buffer where the file cannot be mapped): memory is bounded by the chunk size
(and the sample), whatever the number of values. With logs=True it holds log(x / c)
instead (c: the least value of the first chunk), for families whose passes need only the logs
(weibull): the logs are taken once, as the file is read, not at every pass.

A family works on InMemory (an array and its weights) or OnChunks (a Chunks) through
the same methods: sum(fn) with fn(x, w) (w None: unit weights), map(f) for a transform
of the values (eager in memory, applied to each chunk on the fly otherwise), sample(),
mean_and_m2() and bounds(). In memory sum(fn) is fn(x, w) itself, so a family's
in-memory results are what they were before the data were wrapped.
"""
import io
import math

import numpy as np

from .. import numerics as nm

SAMPLE_SIZE = 1_000_000
DEFAULT_CHUNK_ROWS = 1_000_000


class Chunks:
    """The protocol: n, lo, hi, map_sum(fn), sample() (see the module's docstring)."""

    n = 0
    lo = math.inf
    hi = -math.inf

    def map_sum(self, fn):
        raise NotImplementedError

    def map_each(self, fn):
        raise NotImplementedError

    def sample(self):
        raise NotImplementedError

    def log_sum(self, fn, ref):
        return self.map_sum(lambda x: fn(nm.log_about(x, ref)))


def total(parts):
    """The elementwise sum of map_sum's per-chunk results (floats, ndarrays or tuples of
    them); floats by math.fsum (correctly rounded, whatever the number of chunks)."""
    first = parts[0]
    if isinstance(first, tuple):
        return tuple(total([p[i] for p in parts]) for i in range(len(first)))
    if isinstance(first, np.ndarray) and first.ndim > 0:
        return np.sum(np.stack(parts), axis=0)
    values = [float(p) for p in parts]
    try:
        return math.fsum(values)
    except (ValueError, OverflowError):  # inf - inf, or an overflow on the way: as plain sums do
        return float(sum(values))


class LocalChunks(Chunks):
    """Values kept in an anonymous temporary file (deleted when closed, or when the
    process ends), read back chunk_rows at a time. Fill it with append(x), once per
    parsed chunk; a systematic subsample (every stride-th value, the stride a power of
    two doubled whenever the sample would exceed sample_size, default SAMPLE_SIZE) is
    kept on the way.
    tempfile places the file in $TMPDIR (default /tmp), or in `dir`.
    logs=True: the file holds log(x / centre) (numerics.log_about), centre the least value
    of the first chunk (positive values: the families that take logs); map_sum then hands fn those logs, and log_sum shifts them to any ref
    (log(centre / ref) is exact enough: for values clustered within a factor 2, the
    difference centre - ref is exact). logs="plain": the plain logs (centre 1), where values
    whose logs would lose digits are fitted otherwise (stream_censored)."""

    def __init__(self, chunk_rows=DEFAULT_CHUNK_ROWS, sample_size=None, dir=None, logs=False, moments=False):
        if chunk_rows is None or chunk_rows < 1:
            raise ValueError(f"chunk_rows must be a positive number of values (got {chunk_rows})")
        import tempfile

        self.logs, self.plain = bool(logs), logs == "plain"
        self.centre = 1.0 if self.plain else None
        self.moments, self.shift, self._held = moments, None, []
        self.chunk_rows = int(chunk_rows)
        self.sample_size = max(int(SAMPLE_SIZE if sample_size is None else sample_size), 1)
        self.n, self.lo, self.hi = 0, math.inf, -math.inf
        self._file = tempfile.TemporaryFile(mode="w+b", dir=dir)
        self._kept, self._kept_n, self._stride, self._sample = [], 0, 1, None

    # ---------------------------------------------------------------- filling
    def append(self, x):
        """Add the values of one chunk (any 1-d array of numbers) after those already held;
        returns what is held of them (x, or log(x / centre) with logs=True: not to be
        modified)."""
        x = np.ascontiguousarray(x, dtype=np.float64).reshape(-1)
        if x.size == 0:
            return x
        self._file.seek(0, 2)
        low, high = nm.extremes(x)
        if self.logs:
            if self.centre is None:  # the first chunk's least value: the logs of the rest are log1p's
                self.centre = low
            held = np.log(x) if self.plain else nm.log_about(x, self.centre, high)
        else:
            held = x
        self._file.write(memoryview(held).cast("B"))
        if self.moments:  # the shifted sums of what is held, while it is in memory
            if self.shift is None:
                self.shift = nm.a_value(held)
            self._held.append(nm.shifted_sums(held, None, self.shift))
        first = (-self.n) % self._stride  # the first position in x that is a multiple of the stride
        kept = np.array(x[first::self._stride])  # a copy: the chunk itself is not kept alive
        self.n += x.size
        self.lo, self.hi = min(self.lo, low), max(self.hi, high)
        self._kept.append(kept)
        self._kept_n += kept.size
        self._sample = None
        while self._kept_n > self.sample_size:  # thin: every other kept value is a multiple of 2 stride
            both = np.concatenate(self._kept)[::2].copy()
            self._kept, self._kept_n, self._stride = [both], both.size, 2 * self._stride
        return held

    # ---------------------------------------------------------------- the protocol
    def map_sum(self, fn):
        return total(self.map_each(fn))

    def map_each(self, fn):
        """fn on each chunk (the list of what it gave), mapped copy-on-write from the
        temporary file (mmap ACCESS_COPY: no copy of the file's pages, 15 ms less a pass
        over 1e7 values; fn may still overwrite its chunk, the file keeps its values), or
        read into one buffer where the file cannot be mapped."""
        self._file.flush()
        if self.n == 0:
            raise ValueError("map_sum over no values")
        parts = []
        for start in range(0, self.n, self.chunk_rows):
            size = min(self.chunk_rows, self.n - start)
            m, at = self._map(start, size)
            if m is None:
                return self._read_each(fn)
            try:
                chunk = np.frombuffer(m, dtype=np.float64, count=size, offset=at)
                parts.append(fn(chunk))
                del chunk
            finally:
                try:
                    m.close()
                except BufferError:  # a view of the chunk is still held: the map goes with it
                    pass
        return parts

    def _map(self, start, size):
        """(a copy-on-write map of the values start .. start + size, the offset of the
        first in it), or (None, 0) where the file cannot be mapped."""
        try:
            import mmap

            offset = start * 8
            aligned = offset - offset % mmap.ALLOCATIONGRANULARITY
            return mmap.mmap(self._file.fileno(), offset - aligned + size * 8, access=mmap.ACCESS_COPY,
                             offset=aligned), offset - aligned
        except (ImportError, OSError, ValueError, io.UnsupportedOperation):
            return None, 0

    def _read_each(self, fn):
        """map_each with each chunk read into one buffer (faulted in once)."""
        self._file.flush()
        if self.n == 0:
            raise ValueError("map_sum over no values")
        self._file.seek(0)
        parts, left = [], self.n
        buf = np.empty(min(self.chunk_rows, left), dtype=np.float64)
        while left > 0:
            size = min(self.chunk_rows, left)
            chunk = buf[:size]  # one buffer for every chunk: its pages are faulted in once
            _read_into(self._file, chunk)
            parts.append(fn(chunk))
            del chunk
            left -= size
        return parts

    def log_sum(self, fn, ref):
        if not self.logs:
            return super().log_sum(fn, ref)
        shift = self.log_shift(ref)
        return self.map_sum(lambda z: fn(np.subtract(z, shift, out=z)))

    def log_shift(self, ref):
        """With logs=True, c with log(x / ref) = (the logs held) - c: log(ref / centre);
        else None. (LogsOnChunks subtracts it block by block: shifting a mapped chunk in
        place would copy its pages one fault at a time, a weibull pass a third slower.)"""
        return nm.log_ratio_scalar(ref, self.centre) if self.logs else None

    def held_sums(self):
        """With moments=True: (shift, (sum (v - shift), sum (v - shift)^2, sum v)) over the
        values v held (x, or log(x / centre) with logs=True), summed as they were
        appended (numerics.shifted_sums; the chunks' sums added by math.fsum); else None."""
        if not (self.moments and self._held):
            return None
        return self.shift, total(self._held)

    def sample(self):
        if self._sample is None:
            self._sample = np.concatenate(self._kept) if self._kept else np.empty(0)
            self._kept, self._kept_n = [self._sample], self._sample.size
        return self._sample

    # ---------------------------------------------------------------- lifetime
    @property
    def closed(self):
        return self._file.closed

    def close(self):
        """Delete the temporary file (the sample stays)."""
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def _read_into(fh, array):
    view = memoryview(array).cast("B")
    got = 0
    while got < len(view):
        k = fh.readinto(view[got:])
        if not k:
            raise OSError("the temporary file of the chunked values is shorter than expected")
        got += k


# ---------------------------------------------------------------- what the families sum over
BLOCK = 1 << 16  # values per call of InMemory.sum's fn (512 KiB of float64)


def blockwise(x, fn, block=None, f=None):
    """The sum of fn(f(b), None) over the blocks b of `block` values (BLOCK by default) of
    a chunk x (f None: fn(b, None)): each block's temporaries stay in cache; the blocks'
    results are added in order (math.fsum for floats, total). (Sharing the blocks between
    two threads was measured on the idle 2-core machine: no wall time gained, 0.1-0.7 s
    more CPU at 1e7 values, benchmarks/RESULTS.md.)"""
    block = block or BLOCK
    if x.size <= block:
        return fn(x if f is None else f(x), None)
    return total([fn(x[i:i + block] if f is None else f(x[i:i + block]), None) for i in range(0, x.size, block)])


class InMemory:
    """Values in memory with their weights (None: unit weights)."""

    in_memory = True

    def __init__(self, x, w=None, n=None):
        self.x, self.w = x, w
        self.n = nm.total_weight(w, x.size) if n is None else n

    def sum(self, fn, block=None):
        """fn(x, w): the sums over all the values, taken block by block (`block` values a
        call, BLOCK by default) for large arrays: each block's temporaries stay in cache
        and are reused memory, where whole-array temporaries are fresh pages the kernel
        must fault in (that doubled the time of a pass). A fn making many temporaries
        runs quicker with smaller blocks, whose temporaries all fit in a core's L2 cache
        (512 KiB and up); a fn of few numpy calls on larger ones, where the Python cost of
        a call is spread over more values. The blocks' sums are added by math.fsum."""
        x, w = self.x, self.w
        block = block or BLOCK
        if x.size <= block + block // 4:
            return fn(x, w)
        return total([fn(x[i:i + block], None if w is None else w[i:i + block])
                      for i in range(0, x.size, block)])

    def total(self):
        """The (weighted) sum of the values."""
        return self.sum(lambda x, w: nm.wsum(x, w))

    def map(self, f, increasing=False):
        """The values f(x) (computed now), with the same weights."""
        return InMemory(f(self.x), self.w, self.n)

    def sample(self):
        """(values, weights) to take start values from: here all of them."""
        return self.x, self.w

    def mean_and_m2(self):
        return nm.mean_and_m2(self.x, self.w)

    def bounds(self):
        return float(self.x.min()), float(self.x.max())


class OnChunks:
    """The values of a Chunks, through an optional transform f applied to each chunk
    as it is visited; unit weights."""

    in_memory = False

    def __init__(self, chunks, f=None, bounds=None):
        self.chunks, self.f = chunks, f
        self.n = float(chunks.n)
        self._bounds = (float(chunks.lo), float(chunks.hi)) if f is None and bounds is None else bounds

    def sum(self, fn, block=None):
        """fn(x, None) on every chunk (x transformed by f), summed; each chunk's sum is
        taken block by block (blockwise: f and fn on a block at a time, their temporaries
        in cache)."""
        f = self.f
        return self.chunks.map_sum(lambda x: blockwise(x, fn, block, f))

    def map(self, f, increasing=False):
        """The values f(x), computed chunk by chunk at each visit; with `increasing` (f
        non-decreasing) their bounds are f of the bounds."""
        g = self.f
        return OnChunks(self.chunks, f if g is None else (lambda x: f(g(x))), self._mapped_bounds(f, increasing))

    def _mapped_bounds(self, f, increasing):
        """The bounds of f(values) for f non-decreasing (`increasing`), else None."""
        if not increasing or self._bounds is None:
            return None
        lo, hi = f(np.array(self._bounds))
        return float(lo), float(hi)

    def sample(self):
        s = self.chunks.sample()
        return (s if self.f is None else self.f(s)), None

    def _held(self):
        """(shift, shifted sums) of these values as the chunks summed them when they were
        appended (LocalChunks(moments=True)): for untransformed values; else None."""
        held = getattr(self.chunks, "held_sums", None)
        return held() if held is not None and self.f is None else None

    def total(self):
        """The sum of the values: from the sums the chunks kept, else a pass."""
        held = self._held()
        return held[1][2] if held is not None else self.sum(lambda x, w: nm.wsum(x, w))

    def mean_and_m2(self):
        """nm.mean_and_m2: one pass about a value of the sample (a second about the mean
        where that one is not within its error bound), else the mean, then the
        compensated squares about it. The first pass's sums are those the chunks kept
        where they kept them (_held: no pass)."""
        n = self.n
        sample = self.sample()[0]
        held = self._held()
        if held is not None or sample.size:
            def sums(a):
                if held is not None and a == held[0]:
                    return held[1]
                return self.sum(lambda x, w: nm.shifted_sums(x, w, a))
            got = nm.moments_by_shifts(sums, n, held[0] if held is not None else nm.a_value(sample))
            if got is not None:
                return got
        mean = self.sum(lambda x, w: nm.wsum(x, w)) / n

        def about(x, w):
            d = x - mean
            return nm.wsum(d, w), nm.wsum(d * d, w)
        s1, ss = self.sum(about)
        return mean + s1 / n, max((ss - s1 * s1 / n) / n, 0.0)

    def bounds(self):
        if self._bounds is None:
            raise ValueError("the bounds of transformed chunked values are not known")
        return self._bounds



class LogsOnChunks(OnChunks):
    """The values log(x / ref) of a Chunks (through Chunks.log_sum: chunks that hold the
    logs already only shift them), through an optional transform g of those logs applied
    as they are visited (map); unit weights."""

    def __init__(self, chunks, ref, g=None, bounds=None):
        if bounds is None:
            bounds = tuple(float(v) for v in nm.log_about(np.array([chunks.lo, chunks.hi]), ref))
        super().__init__(chunks, None, bounds=bounds)
        self.ref, self.g = ref, g

    def sum(self, fn, block=None):
        g = self.g
        log_shift = getattr(self.chunks, "log_shift", None)
        shift = None if log_shift is None else log_shift(self.ref)
        if shift is None:
            return self.chunks.log_sum(lambda y: blockwise(y, fn, block, g), self.ref)
        t = (lambda z: z - shift) if g is None else (lambda z: g(z - shift))  # a block at a time
        return self.chunks.map_sum(lambda z: blockwise(z, fn, block, t))

    def _held(self):
        """The kept shifted sums of log(x / centre) (LocalChunks(logs=True, moments=True)),
        as sums of y = log(x / ref) = log(x / centre) - c: the same differences about the
        shift less c, and the sum less n c; None where not kept, or transformed (g)."""
        chunks = self.chunks
        held = getattr(chunks, "held_sums", None)
        held = held() if held is not None and self.g is None and getattr(chunks, "logs", False) else None
        if held is None:
            return None
        c = nm.log_ratio_scalar(self.ref, chunks.centre)
        shift, (s, q, r) = held
        return shift - c, (s, q, r - self.n * c)

    def map(self, f, increasing=False):
        """The values f(log(x / ref)) (after this one's transform), computed chunk by chunk."""
        g = self.g
        return LogsOnChunks(self.chunks, self.ref, f if g is None else (lambda y: f(g(y))),
                            self._mapped_bounds(f, increasing))

    def bounds(self):
        if self._bounds is None:
            raise ValueError("the bounds of transformed chunked values are not known")
        return self._bounds

    def sample(self):
        y = nm.log_about(self.chunks.sample(), self.ref)
        return (y if self.g is None else self.g(y)), None
