"""The right-censored weibull read in chunks from Taylor moments in the shape
(weibull_taylor, issue 17's 1.5x target): the sums at any shape are within the bound
the moments give (checked against the sums taken directly), the fit made from them
without a pass over the times equals the in-memory one, and where the bound does not
certify the sums (a file sorted by time, too few terms) the passes over the times decide,
with the same result."""
import math
import os

import numpy as np
import pytest

from mlefit.io import chunks
from mlefit.censored import weibull_taylor
from mlefit.censored.weibull_taylor import Moments, TERMS
from tests.test_censored_stream import fit_json, same, weibull_rows, write_rows


def direct(z, k, centre):
    w = z - centre
    e = np.exp(k * w)
    return tuple(math.fsum(w ** j * e) for j in range(3))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sums_within_their_bound(seed):
    """Groups of logs at pilots near and far from k: |F_j(k) - the Taylor sums| is within
    the bound (plus rounding), for k above and below each pilot; the bound certifies
    only where it is below EPSILON of the sums."""
    rng = np.random.default_rng(seed)
    z = np.log(2.0 * rng.weibull(1.5, 30000))
    m = Moments()
    for part, (k0, c) in zip(np.array_split(z, 3), [(1.3, 0.5), (1.5, 0.7), (1.52, 0.69)]):
        m.pilot = (k0, c)
        m.groups.append([k0, c, weibull_taylor.chunk_moments(part, c, k0), part.min() - c, part.max() - c,
                         part.size])
    for k in (1.2, 1.45, 1.5, 1.51, 1.6, 2.0):
        for centre in (0.69, 0.2):
            got, bound = m.sums(k, centre)
            want = direct(z, k, centre)
            scale = direct(np.abs(z - centre) + centre, k, centre)  # sums of |w|^j e^{k w}
            for j in range(3):
                assert abs(got[j] - want[j]) <= bound[j] + 1e-13 * scale[j], (k, centre, j)
            if m.certified(k, centre):
                assert all(abs(g - w) <= 1e-13 * s for g, w, s in zip(got, want, scale))
    assert not m.certified(2.0, 0.69) and not m.certified(1.2, 0.69)


def test_bound_for_far_below_the_pilot():
    """k far below a pilot, values spread far below the centre: the factor e^{|d| W} is
    what bounds the remainder."""
    rng = np.random.default_rng(7)
    z = np.log(rng.weibull(0.4, 5000))  # logs over many units below the centre
    m = Moments()
    m.groups.append([0.6, 0.0, weibull_taylor.chunk_moments(z, 0.0, 0.6), z.min(), z.max(), z.size])
    for k in (0.3, 0.45, 0.55, 0.9):
        got, bound = m.sums(k, 0.0)
        want = direct(z, k, 0.0)
        for j in range(3):
            assert abs(got[j] - want[j]) <= bound[j] * (1 + 1e-12) + 1e-12 * abs(want[j]), (k, j)


def count_passes(monkeypatch):
    passes = []
    monkeypatch.setattr(chunks.LocalChunks, "map_each", lambda self, fn, __m=chunks.LocalChunks.map_each:
                        passes.append(1) or __m(self, fn))
    return passes


@pytest.mark.parametrize("chunk, pilot_rows", [(60, None), (700, 3000), (60, 3000), (20000, 3000)])
def test_no_pass_and_the_in_memory_fit(tmp_path, monkeypatch, chunk, pilot_rows):
    """Rows in random order: the fit from the moments (no pass over the times) is the
    in-memory one, for tiny and large chunks, the rows all waiting for the first pilot
    (40000 < PILOT_ROWS) or a few thousand of them (then groups of chunks, each at the fit
    of the rows before it; the first pilot, of about 5000 rows, some 3% from the shape:
    more terms certify it, as PILOT_ROWS does at the default)."""
    if pilot_rows:
        monkeypatch.setattr(weibull_taylor, "PILOT_ROWS", pilot_rows)
        monkeypatch.setattr(weibull_taylor, "TERMS", 14)
    passes = count_passes(monkeypatch)
    t, e = weibull_rows(40000, seed=12)
    path = write_rows(tmp_path / "rc.csv", t, e)
    streamed = fit_json("fit", path, "-c", "t", "--event", "e", "-d", "weibull", "--chunk-size", chunk)
    assert passes == []
    memory = fit_json("fit", path, "-c", "t", "--event", "e", "-d", "weibull", "--chunk-size", 0)
    same(streamed, memory)


def test_more_rows_than_the_first_pilot_takes(tmp_path, monkeypatch):
    """At the default PILOT_ROWS and TERMS, 150000 rows in runs of about 5000: the first
    pilot from the first 65536 rows, later groups from the running fit; no pass, the
    in-memory fit."""
    passes = count_passes(monkeypatch)
    t, e = weibull_rows(150000, seed=15)
    path = write_rows(tmp_path / "rc.csv", t, e)
    streamed = fit_json("fit", path, "-c", "t", "--event", "e", "-d", "weibull", "--chunk-size", 5000)
    assert passes == []
    memory = fit_json("fit", path, "-c", "t", "--event", "e", "-d", "weibull", "--chunk-size", 0)
    same(streamed, memory)


@pytest.mark.parametrize("order", [1, -1])
def test_sorted_by_time_falls_back_to_the_passes(tmp_path, monkeypatch, order):
    """Rows sorted by time (either way): the running fit moves far from the early pilots,
    the moments are given up and the passes over the times give the in-memory fit."""
    monkeypatch.setattr(weibull_taylor, "PILOT_ROWS", 3000)
    passes = count_passes(monkeypatch)
    t, e = weibull_rows(40000, seed=13)
    at = np.argsort(order * t, kind="stable")
    path = write_rows(tmp_path / "sorted.csv", t[at], e[at])
    streamed = fit_json("fit", path, "-c", "t", "--event", "e", "-d", "weibull", "--chunk-size", 2000)
    assert passes
    memory = fit_json("fit", path, "-c", "t", "--event", "e", "-d", "weibull", "--chunk-size", 0)
    same(streamed, memory)


@pytest.mark.parametrize("terms, epsilon", [(2, weibull_taylor.EPSILON), (TERMS, 0.0)])
def test_uncertified_sums_fall_back_to_the_passes(tmp_path, monkeypatch, terms, epsilon):
    """Two terms (sums off by about d^2) or a bound asked to be 0: not certified, so the
    passes decide; the fit is still the in-memory one (with two terms and no check, the
    Taylor sums would move the estimates by far more than 1e-10)."""
    monkeypatch.setattr(weibull_taylor, "TERMS", terms)
    monkeypatch.setattr(weibull_taylor, "PILOT_ROWS", 3000)
    monkeypatch.setattr(weibull_taylor, "EPSILON", epsilon)
    passes = count_passes(monkeypatch)
    t, e = weibull_rows(40000, seed=14)
    path = write_rows(tmp_path / "rc.csv", t, e)
    streamed = fit_json("fit", path, "-c", "t", "--event", "e", "-d", "weibull", "--chunk-size", 3000)
    assert passes
    memory = fit_json("fit", path, "-c", "t", "--event", "e", "-d", "weibull", "--chunk-size", 0)
    same(streamed, memory)


def settle_early(monkeypatch):
    """Small pilots, refits at every run of about 6000 rows, a pilot kept while the fit
    stays within 5% of it (more terms certify them): the moments settle after a few
    runs, and the times of the later runs are not kept."""
    monkeypatch.setattr(weibull_taylor, "PILOT_ROWS", 3000)
    monkeypatch.setattr(weibull_taylor, "DRIFT", 0.05)
    monkeypatch.setattr(weibull_taylor, "REFIT_ROWS", 4000)
    monkeypatch.setattr(weibull_taylor, "TERMS", 14)


def spy(monkeypatch, owner, name):
    calls = []
    monkeypatch.setattr(owner, name, lambda *a, __f=getattr(owner, name), **k: calls.append(1) or __f(*a, **k))
    return calls


def test_settled_moments_keep_no_more_times(tmp_path, monkeypatch):
    """Once the moments have settled, the runs' times no longer go to the temporary file;
    the fit is still the in-memory one, with no pass."""
    from mlefit.censored import stream as stream_censored

    settle_early(monkeypatch)
    appended, summed = spy(monkeypatch, chunks.LocalChunks, "append"), spy(monkeypatch, stream_censored, "_sums")
    passes = count_passes(monkeypatch)
    t, e = weibull_rows(60000, seed=16)
    path = write_rows(tmp_path / "rc.csv", t, e)
    streamed = fit_json("fit", path, "-c", "t", "--event", "e", "-d", "weibull", "--chunk-size", 1000)
    assert passes == [] and 0 < len(appended) < len(summed) - 3
    memory = fit_json("fit", path, "-c", "t", "--event", "e", "-d", "weibull", "--chunk-size", 0)
    same(streamed, memory)


def test_a_partial_file_of_times_is_read_again(tmp_path, monkeypatch):
    """Settled moments that do not certify at the end (forced here): the temporary file
    holds only the first runs' times, so the file is read again, every time kept, and the
    passes give the in-memory fit (the counts and the Kaplan-Meier median too)."""
    from mlefit.censored import stream as stream_censored

    settle_early(monkeypatch)
    monkeypatch.setattr(Moments, "estimate", lambda self, *a, **k: None)
    reads, passes = spy(monkeypatch, stream_censored, "_read"), count_passes(monkeypatch)
    t, e = weibull_rows(60000, seed=16)
    path = write_rows(tmp_path / "rc.csv", t, e)
    streamed = fit_json("fit", path, "-c", "t", "--event", "e", "-d", "weibull", "--chunk-size", 1000)
    assert len(reads) == 2 and passes
    memory = fit_json("fit", path, "-c", "t", "--event", "e", "-d", "weibull", "--chunk-size", 0)
    same(streamed, memory)


def test_standard_input_keeps_every_time(tmp_path, monkeypatch):
    """Standard input cannot be read again: every time is kept, and moments that do not
    certify fall back to the passes over them."""
    import json

    from click.testing import CliRunner
    from mlefit.censored import stream as stream_censored
    from mlefit.cli import cli

    settle_early(monkeypatch)
    monkeypatch.setattr(Moments, "estimate", lambda self, *a, **k: None)
    reads, passes = spy(monkeypatch, stream_censored, "_read"), count_passes(monkeypatch)
    t, e = weibull_rows(60000, seed=16)
    path = write_rows(tmp_path / "rc.csv", t, e)
    fits = [CliRunner().invoke(cli, ["fit", "-", "-c", "t", "--event", "e", "-d", "weibull", "--json",
                                     "--chunk-size", size], input=path.read_text()) for size in ("1000", "0")]
    assert all(f.exit_code == 0 for f in fits), fits[0].output
    assert len(reads) == 1 and passes
    same(*[json.loads(f.stdout) for f in fits])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_keeps_every_time(tmp_path, monkeypatch):
    """A pipe given by name (a FIFO, or a process substitution <(zcat f.gz)) cannot be
    read again either: every time is kept, so moments that do not certify fall back to
    the passes, and the fit is the in-memory one (a second read found it empty, or waited
    forever on a FIFO with no writer)."""
    import threading
    import time

    from mlefit.censored import stream as stream_censored

    settle_early(monkeypatch)
    monkeypatch.setattr(Moments, "estimate", lambda self, *a, **k: None)
    reads, passes = spy(monkeypatch, stream_censored, "_read"), count_passes(monkeypatch)
    t, e = weibull_rows(60000, seed=16)
    path = write_rows(tmp_path / "rc.csv", t, e)
    fifo = tmp_path / "rc.fifo"
    os.mkfifo(fifo)
    def write():
        fifo.write_bytes(path.read_bytes())
        for _ in range(300):  # a second read of the pipe would wait forever: give it an end (no hang)
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:  # no reader
                pass
            time.sleep(0.02)
    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    streamed = fit_json("fit", fifo, "-c", "t", "--event", "e", "-d", "weibull", "--chunk-size", 1000)
    assert len(reads) == 1 and passes
    memory = fit_json("fit", path, "-c", "t", "--event", "e", "-d", "weibull", "--chunk-size", 0)
    same(streamed, dict(memory, source=streamed["source"]))


def test_moments_failing_after_the_file_was_left_partial(tmp_path, monkeypatch):
    """The moments fail (an arithmetic error) after the times stopped going to the
    temporary file: they are dropped, and the file is read again with every time kept
    (not skipped again), so the passes give the in-memory fit."""
    from mlefit.censored import stream as stream_censored

    settle_early(monkeypatch)
    made = []

    def failing(z, c, k0, __f=weibull_taylor.chunk_moments):
        made.append(1)
        if len(made) == 9:
            raise FloatingPointError("overflow")
        return __f(z, c, k0)
    monkeypatch.setattr(weibull_taylor, "chunk_moments", failing)
    reads, passes = spy(monkeypatch, stream_censored, "_read"), count_passes(monkeypatch)
    summed, kept = spy(monkeypatch, stream_censored, "_sums"), {}
    monkeypatch.setattr(chunks.LocalChunks, "append", lambda self, x, __f=chunks.LocalChunks.append:
                        kept.setdefault(id(self), []).append(1) or __f(self, x))
    t, e = weibull_rows(60000, seed=16)
    path = write_rows(tmp_path / "rc.csv", t, e)
    streamed = fit_json("fit", path, "-c", "t", "--event", "e", "-d", "weibull", "--chunk-size", 1000)
    assert len(reads) == 2 and passes and len(made) == 9
    runs = len(summed) // 2
    first, second = (len(v) for v in kept.values())
    assert first < runs and second == runs  # the second read kept every one of its runs' times
    memory = fit_json("fit", path, "-c", "t", "--event", "e", "-d", "weibull", "--chunk-size", 0)
    same(streamed, memory)
