"""Where `mlefit fit` reads its data: in memory, chunk by chunk (--chunk-size, and
automatically for large files), or on a Dask cluster (--engine dask). The CLI options
are checked here; the work is in stream.py and dask_engine.py."""
import os

from ..errors import UsageError

CHUNK_HELP = ("Fit the file chunk by chunk, this many rows at a time, in memory bounded by the "
              "chunk (0: read it whole). Default: files over 16 MB are read in chunks of about "
              "16 MB of text, or a million rows where rows are short, when the fit allows it.")
ENGINE_HELP = ("Where the fit runs: local (this process), or dask (the files' blocks on a Dask "
               "cluster: --scheduler, or a local cluster; pip install 'mlefit[dask]').")


def in_memory_options(by, weights, per_row, gof, plot, interval, robust, derive, prior=(), positive=None):
    """The first option given that needs every value in memory, or None."""
    needs = [(bool(prior), "--prior"), (by is not None, "--by"), (weights is not None, "--weights"), (per_row, "--trials COLUMN"),
             (gof, "--gof"), (plot is not None, "--plot"), (interval != "wald", f"--interval {interval}"),
             (robust, "--robust"), (bool(derive), "--derive"), (positive is not None, "--positive")]
    return next((name for given, name in needs if given), None)


def chunkable_file(path, encoding):
    """One input (a file, or - for standard input) of UTF-8 lines of text holding more
    than AUTO_BYTES once decompressed: worth reading in chunks. The bytes are peeked at
    (intake.longer_than), not counted from the file's size: a small compressed file can
    hold gigabytes; the reader that follows continues from what was peeked."""
    from .column import expand_paths
    from .intake import longer_than
    from .chunkable import AUTO_BYTES

    if path != "-" and expand_paths([path]) != [path]:  # a glob, read in memory as several files
        return False
    return longer_than(path, AUTO_BYTES, encoding)


def plan(files, fam, chunk_size, engine, needs, encoding=None):
    """'memory', 'chunks' or 'dask' for this fit, or a UsageError saying why not (a file
    left to this plan is read in chunks when it holds more than AUTO_BYTES of text)."""
    from .chunkable import streams, why_not

    if engine == "dask":
        if chunk_size == 0:
            raise UsageError("--engine dask reads in blocks: drop --chunk-size 0")
        if needs:
            raise UsageError(f"--engine dask fits from statistics of the blocks: {needs} needs every "
                             f"value in memory; drop --engine dask")
        if not streams(fam):
            raise UsageError(f"{why_not(fam)}; drop --engine dask")
        return "dask"
    if chunk_size == 0:
        return "memory"
    if chunk_size is not None:  # asked for
        if needs:
            raise UsageError(f"{needs} needs every value in memory: drop --chunk-size")
        if len(files) != 1:
            raise UsageError("--chunk-size reads one file (or -); for many files use --engine dask, "
                             "or drop --chunk-size")
        if not streams(fam):
            raise UsageError(f"{why_not(fam)}; drop --chunk-size")
        return "chunks"
    if needs or len(files) != 1 or not streams(fam) or not chunkable_file(files[0], encoding):
        return "memory"
    return "chunks"


def run(how, files, fam, loss, column, options, strict, settings, chunk_size, scheduler, progress):
    """The fit, read chunk by chunk (how = 'chunks') or on Dask ('dask'); scheduler:
    (--scheduler, --connect-timeout), None where not given."""
    common = dict(loss=loss, column=column, options=options, strict=strict, fix=settings["fix"],
                  confidence=settings["confidence"], information=settings["information"],
                  max_iter=settings["max_iter"])
    family = None if loss else fam
    if how == "dask":
        from .dask_engine import CONNECT_TIMEOUT, check_address, fit_dask
        address, timeout = scheduler
        if address:
            check_address(address)
        blocks = {} if chunk_size is None else {"block_bytes": _bytes_for_rows(files, chunk_size)}
        with progress("fitting on Dask", 0):
            return fit_dask(files, family, address=address or os.environ.get("DASK_SCHEDULER_ADDRESS"),
                            connect_timeout=timeout or CONNECT_TIMEOUT, **blocks, **common)
    from .stream import DEFAULT_CHUNK_ROWS, fit_file

    path = files[0]
    size = os.path.getsize(path) if path != "-" and os.path.isfile(path) else 0
    with progress("reading in chunks", size) as bar:
        on_bytes = None if bar is None else _then_fitting(bar, size, fam)
        return fit_file(path, family, chunk_rows=chunk_size or DEFAULT_CHUNK_ROWS, on_bytes=on_bytes,
                        **common)


def _then_fitting(bar, size, fam):
    """bar.update, and once the whole file is read, the stage "fitting FAMILY" (the passes
    over the chunks, or an EM, follow the read; a closed form needs no word)."""
    def on_bytes(done):
        bar.update(done)
        if size and done >= size and not fam.spec.closed_form:
            bar.stage(f"fitting {fam.spec.name}")
    return on_bytes


def _bytes_for_rows(files, rows):
    """Dask blocks of about `rows` lines, from the first file's first lines."""
    from .column import expand_paths
    from .stream import bytes_per_chunk

    first = expand_paths(list(files))[0]
    with open(first, "rb") as fh:
        return bytes_per_chunk(fh.read(1 << 20), rows)
