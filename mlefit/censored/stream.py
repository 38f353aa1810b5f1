"""A right-censored fit of a file read chunk by chunk (--column T --event E): the rows
are never all in memory, only the statistics the family's own estimator needs, so the
fit equals the in-memory one.

The exponential needs the events d and the total time at risk sum x (its rate is d /
sum x); the weibull its profile equation in the shape, whose power sums sum x^k,
sum x^k log x, ... run over every row's time, with the count, sum and spread of the logs of
the times seen. As the file is read, the helper thread carries those sums as Taylor
moments in the shape about pilot shapes (weibull_taylor), from which the profile equation
is solved with no pass over the times wherever the moments' remainder bound certifies the
sums at the solution; the logs of the times are also kept in a temporary file
(chunks.LocalChunks, as the uncensored streamed weibull keeps its values), and where the
bound does not certify them (a file sorted by time) the sums are taken over it chunk by
chunk. The report
counts the rows of each kind and gives the Kaplan-Meier median (kaplan_meier.Tally: an
integer a row, of which only those below a bound are sorted; tables of the distinct
times past Tally.RAW_ROWS rows). Any other family, censoring or option needs every
row in memory; the plan says which and why. A weibull fit that its shortcut cannot make
exactly (logs that would lose digits) is refused when --chunk-size asked for it, and made
in memory otherwise (NotStreamed)."""
import math
import os
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import replace
from types import SimpleNamespace

import numpy as np

from ..errors import DataError, UsageError

FAMILIES = ("exponential", "weibull")  # the families with right-censored sufficient sums
ONLY = ("event_left", "lower_col", "upper_col", "censored_cells", "lower_limit", "upper_limit",
        "truncate_lower", "truncate_upper", "entry")
WAY_OUT = "drop --chunk-size (or give --chunk-size 0)"
FALLBACK_SAMPLE = 1 << 16  # the times' sample the passes start from where the moments were given up (a
#                            smaller one than the default: it is kept, and thinned, at every chunk)


class NotStreamed(Exception):
    """The streamed fit cannot be exact here (the reason); the in-memory one can."""


def why_not(fam, censor, needs, fix):
    """Why these censored rows cannot be fitted chunk by chunk (the message that refuses
    --chunk-size), or None."""
    given = [k for k in ONLY if censor.get(k) not in (None, False)]
    if given:
        option = "--" + given[0].replace("_col", "").replace("_", "-")
        return (f"only right-censored rows (--column with --event) are fitted in chunks: {option} needs "
                f"every row in memory; drop --chunk-size")
    if fam.spec.base not in FAMILIES:
        return (f"only the exponential and weibull families fit censored rows in chunks (from sums over "
                f"the rows): {fam.name} needs every row in memory; drop --chunk-size")
    if needs or fix:
        return f"{needs or '--fix'} needs every value in memory: drop --chunk-size"
    return None


def plan(files, fam, column, censor, chunk_size, needs, fix, encoding):
    """'memory' or 'chunks' for a censored fit; a UsageError where --chunk-size asked for
    chunks the fit cannot take. Unasked, a file (not standard input) of more than
    AUTO_BYTES of text whose fit can be streamed is read in chunks."""
    if chunk_size == 0:
        return "memory"
    why = why_not(fam, censor, needs, fix)
    if chunk_size is not None:
        if why:
            raise UsageError(why)
        if len(files) != 1:
            raise UsageError("--chunk-size reads one file (or -); drop --chunk-size")
        return "chunks"
    from ..io.plan import chunkable_file
    # standard input only when asked: a fit the shortcut cannot make exactly is then read
    # again, in memory, which a file allows and a pipe does not
    if why or column is None or len(files) != 1 or files[0] == "-" or not chunkable_file(files[0], encoding):
        return "memory"
    return "chunks"


def fit_file(path, family, *, column, event, options=None, chunk_rows=None, strict=False, confidence=0.95,
             information="observed", max_iter=200, on_bytes=None):
    """The censored fit (censored_fit.fit's result, Wald intervals) of the rows of one CSV
    file, time `column` and indicator `event`, read chunk by chunk. NotStreamed where only
    the in-memory fit can be exact."""
    from .fit import censored_family, density_of, fitted_median
    from ..estimate import from_stats, resolve
    from ..io.readers import ReadOptions
    from ..io.stream import open_text

    fam = resolve(family, None, None, confidence, information, max_iter)[0]
    if information == "expected":
        raise UsageError("censored fits use the observed information (the expected one depends on the "
                         "censoring mechanism); drop --information expected")
    dens, shapes = density_of(fam)
    options = options or ReadOptions()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlefit-sums") as helper:
        def read(on_bytes, again):
            found = open_text(path, options.encoding)
            try:
                return _read(found, found.name, found.notes, fam, column, event, options, chunk_rows, strict,
                             on_bytes, helper, again, rereadable=path != "-" and os.path.isfile(path))
            finally:
                found.close()
        got = read(on_bytes, None)
        try:
            solution = _at_hand(fam, got, max_iter)
            if solution is None and got.chunks is not None and got.skipped and _logs_of(got) is not None:
                # not certified, and the temporary file holds only the first chunks: the times again, all kept
                got.chunks.close()
                got = read(None, got)
            if solution is not None or got.chunks is None:  # the estimate is at hand: the median on both threads
                median = got.tally.median(helper)
            else:  # the median beside the weibull's passes over the times
                median = helper.submit(got.tally.median)
                solution = _estimate(fam, got, max_iter)
                median = median.result()
        except BaseException:
            if got.chunks is not None:
                got.chunks.close()
            raise
    try:
        if solution is None:
            raise NotStreamed(f"the {fam.name} shortcut cannot fit these times exactly in chunks "
                              f"(their logs would lose digits, or its Newton did not settle)")
        method = f"{solution.method} (right-censored rows, read in chunks)"
        sfam = replace(censored_family(fam, dens, shapes), check=None,
                       estimate=lambda s, controls: replace(solution, method=method))
        result = from_stats(sfam, SimpleNamespace(n=float(got.rows)), got.report, (got.lo, got.hi),
                            confidence=confidence, information=information, max_iter=max_iter, keep_data=False)
    finally:
        if got.chunks is not None:
            got.chunks.close()
    theta = tuple(p.estimate for p in result.parameters)
    counts = {"exact": got.seen, "left": 0, "right": got.rows - got.seen, "interval": 0, "truncated": 0,
              "kaplan_meier_median": median,
              "fitted_median": fitted_median(dens, theta, shapes, np.array([got.lo, got.hi]))}
    return replace(result, censoring=counts)


def _at_hand(fam, got, max_iter):
    """The estimate where it needs no pass over the times: the exponential's, and the
    weibull's from the Taylor moments where they are certified at its solution
    (weibull_taylor); else None."""
    from ..families.exponential import right_censored_sums
    from ..families.base import Controls

    if fam.spec.name == "exponential":
        return right_censored_sums(float(got.seen), math.fsum(got.exposure))
    logs = _logs_of(got)
    if got.moments is None or logs is None:
        return None
    top, hi, sd = logs
    with np.errstate(all="ignore"):
        try:
            sol = got.moments.estimate(float(got.seen), math.fsum(got.sumlog), sd, top, hi, got.chunks.log_shift(hi),
                                       Controls(max_iter=int(max_iter), tol=1e-12))
        except (ArithmeticError, ValueError):
            return None
    if sol is None or not all(math.isfinite(t) and t > 0 for t in sol.theta):
        return None
    return sol


def _estimate(fam, got, max_iter):
    """The weibull's estimate by passes over the times kept (None: not exact in chunks)."""
    from ..families.base import Controls
    from ..io.chunks import LogsOnChunks
    from ..families.weibull import weibull_censored_estimate

    logs = _logs_of(got)
    if logs is None:
        return None
    top, hi, sd = logs
    with np.errstate(all="ignore"):
        try:
            sol = weibull_censored_estimate(float(got.seen), math.fsum(got.sumlog), sd,
                                            LogsOnChunks(got.chunks, hi), top, hi,
                                            Controls(max_iter=int(max_iter), tol=1e-12), t0=_start(got))
        except (ArithmeticError, ValueError):
            return None
    if not sol.converged or not all(math.isfinite(t) and t > 0 for t in sol.theta):
        return None
    return sol


def _logs_of(got):
    """(log max x, max x, the sd of the seen rows' logs), or None where plain logs lose
    digits (then only the in-memory fit is exact) or do not vary."""
    from .. import numerics as nm

    hi = float(got.hi)  # the greatest time at risk (above 0: else no fit in chunks)
    top, sd = math.log(hi), math.sqrt(got.logs[2])
    return None if nm.logs_lose_digits(top, sd) or not sd > 0 else (top, hi, sd)


def _start(got):
    """log k to start the passes from: the moments' fit of every row (uncertified, but
    near), else None (the fit to the sample of the times)."""
    m = got.moments
    return None if m is None or m.given_up or m.last_fit is None else math.log(m.last_fit)


def _read(fh, source, notes, fam, column, event, options, chunk_rows, strict, on_bytes, helper, again=None,
          rereadable=False):
    """One pass over the runs of lines: rows read and left out, the rows of each kind,
    the family's sums, the Kaplan-Meier table. A run's sums are taken by the helper
    thread (one worker: in the order of the runs) while the next run is parsed; numpy
    and pyarrow release the GIL in their loops, so on two cores they overlap. A file that
    can be read again (rereadable: a regular file, not standard input or a pipe): the weibull's times stop going to the temporary
    file once its Taylor moments have settled on their pilot (got.skipped: the file is
    partial). again: what a first read whose file was partial got (this read keeps every
    time, takes no moments, and keeps the first read's for where the passes start)."""
    from .fit import every_right_censored, impossible
    from ..io.chunks import LocalChunks
    from ..io.column import NamesOnly, choose_column, column_label, refuse_dropped
    from .kaplan_meier import Tally
    from .weibull_taylor import Moments
    from ..io.stream import CHUNK_BYTES, Runs, bytes_per_chunk, chosen_column

    bytes_per_chunk(b"", chunk_rows)  # a bad chunk size is refused before a temporary file is made
    runs = Runs(fh, source, options, chunk_rows)
    names = NamesOnly(runs.head.names)
    if event is None:
        raise UsageError("a censored fit read in chunks needs --event")
    e_name = choose_column(names, event, "--event")
    name = chosen_column(runs.head, runs.first, column, options, source, exclude=[e_name])
    if name == e_name:
        raise UsageError(f"the same column is named twice among {name}, {e_name}")
    weibull = fam.spec.name != "exponential"
    got = SimpleNamespace(rows=0, seen=0, lo=math.inf, hi=-math.inf, exposure=[], sumlog=[], logs=(0, 0.0, 0.0),
                          tally=Tally(presort=True), bad=0, shown=[], report=None,
                          moments=None if not weibull else again.moments if again is not None else Moments(),
                          chunks=LocalChunks(chunk_rows or CHUNK_BYTES // 8, logs="plain", sample_size=FALLBACK_SAMPLE)
                          if weibull else None, may_skip=rereadable and again is None, skipped=False,
                          taylor=again is None)
    pending = None
    try:
        for block, line in runs:
            sums = _run(block, line, runs, name, e_name, event, options, source, fam, got)
            if pending is not None:
                pending.result()
            pending = None if sums is None else helper.submit(sums)
            if on_bytes is not None:
                on_bytes(runs.done)
        if pending is not None:
            pending.result()
            pending = None
        got.report = runs.report(name, notes)
        if strict:
            refuse_dropped("the data", got.report.dropped)
        label = column_label(name)
        if got.bad:
            raise impossible(got.bad, ", ".join(got.shown), label, fam.name, fam.spec.support_text)
        if got.rows == 0:
            raise DataError(f"{label} has no rows to fit; check the file and the columns")
        if got.seen == 0:
            raise every_right_censored(fam.name)
        if weibull and got.chunks.n == 0:
            raise NotStreamed("no time at risk above 0")
    except BaseException:
        if pending is not None:
            wait([pending])  # the helper is done with the chunks before they are closed
        if got.chunks is not None:
            got.chunks.close()
        raise
    return got


def _run(block, line, runs, name, e_name, event, options, source, fam, got):
    """One run of lines read and counted (got); what takes its sums (None: nothing to sum)."""
    from .. import numerics as nm
    from .rows import _indicator
    from ..io.frame import converted, missing_rows, text_columns
    from ..io.stream import read_lines
    from ..support import outside

    cols = [name, e_name]
    table, count, blanks, where = read_lines(block, line, runs.head, cols, options, source, WAY_OUT)
    text = text_columns(table, cols, [], options, on_text=lambda c, cell: None)  # words (true/false) stay text
    kept, dropped, filtered = missing_rows(table, cols, [name, event], options,
                                           {1: f"missing value in column '{event}'"}, (), where)
    runs.count(count, table.num_rows, blanks, dropped)
    place = (lambda p: where(int(kept[p])))
    spans = {}
    e = _events_of_integers(filtered.column(e_name), options)
    conv = [name] if e is not None else cols
    values = converted(filtered, conv, conv, text, source, options, place, kept.size, spans=spans)
    t = values[name]
    if not t.size:
        return None
    if e is None:
        e = _indicator(values[e_name], t.size, "--event", place)
    low, high = spans[name] or nm.extremes(t)
    if low <= 0:  # else no value seen lies outside a positive support
        bad = np.flatnonzero(outside(fam.spec.support, t[e]))
        if bad.size:
            at = np.flatnonzero(e)[bad]
            got.shown += [f"{place(i)}: {t[i]:.10g}" for i in at[:3 - len(got.shown)]]
            got.bad += int(bad.size)
    if got.bad:  # the pass now only counts what it will refuse
        return None
    got.rows += t.size
    got.seen += int(np.count_nonzero(e))
    got.lo, got.hi = min(got.lo, low), max(got.hi, high)
    return lambda: _sums(t, e, low, got)


def _events_of_integers(col, options):
    """The indicators of an event column of integers, every cell present and 0 or 1, read
    from its buffers as booleans (no copy as numbers, no check for infinite values); None
    otherwise (another type, a missing cell, or a value _indicator is to name)."""
    from ..io.column import surely_present

    if str(col.type) not in _INTEGERS or not surely_present(col, options):
        return None
    e = np.empty(len(col), dtype=bool)
    at = 0
    for ch in col.chunks:
        n = len(ch)
        if not n:
            continue
        v = np.frombuffer(ch.buffers()[1], dtype=ch.type.to_pandas_dtype())[ch.offset:ch.offset + n]
        if v.min() < 0 or v.max() > 1:
            return None
        np.equal(v, 1, out=e[at:at + n])
        at += n
    return e


_INTEGERS = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")


def _sums(t, e, low, got):
    """A run's rows added to the Kaplan-Meier table and the family's sums."""
    from .. import numerics as nm

    got.tally.add(t, e, low >= 0)
    at_risk = t if low > 0 else t[t > 0]  # a time at risk of 0 (or below) adds nothing
    if got.chunks is None:
        got.exposure.append(float(np.sum(at_risk)))
        return
    if got.may_skip and got.moments is not None and got.moments.settled:
        got.skipped = True
        z = np.log(at_risk)
    else:
        z = got.chunks.append(at_risk)  # the plain logs (LocalChunks(logs="plain"))
    logs = z.compress(e if low > 0 else e[t > 0])  # the seen rows' logs (compress: about twice as quick as z[e])
    if logs.size:
        got.sumlog.append(float(np.sum(logs)))
        got.logs = _chan(got.logs, (logs.size, *nm.mean_and_m2(logs)))
    if got.taylor and got.moments is not None and z.size:
        def so_far(this):  # (rows seen, the sum and sd of their logs), and this chunk's
            n, mean, m2 = got.logs
            return n, n * mean, math.sqrt(m2), (logs if this and logs.size else None)
        try:
            with np.errstate(all="ignore"):
                got.moments.add(z, *nm.extremes(z), so_far)
        except (ArithmeticError, ValueError):
            got.moments = None  # the passes over the times decide


def _chan(a, b):
    """(n, mean, m2) of two parts together (Chan's update; m2 with divisor n)."""
    na, ma, qa = a
    nb, mb, qb = b
    n = na + nb
    delta = mb - ma
    mean = ma + delta * nb / n
    return n, mean, (na * qa + nb * qb + delta * delta * na * nb / n) / n
