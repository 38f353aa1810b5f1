"""Fitting a file chunk by chunk (mlefit.io.stream): the same fit as in memory, every row
accounted for across chunk boundaries, merged statistics equal to the whole data's, and
clear errors where a file or family cannot be streamed."""
import gzip
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import mlefit
from mlefit import families
from mlefit.io import stream
from mlefit.io.column import read_column
from mlefit.errors import DataError, UsageError

from cases import CASES

STREAMED = sorted(name for name in CASES if stream.streams(families.get(name)))


def write(path, values, header="x", tail=""):
    text = "\n".join(repr(float(v)) if not float(v).is_integer() else str(int(v)) for v in values)
    path.write_text(f"{header}\n{text}\n{tail}")
    return str(path)


def same_fit(a, b):
    """Two fit dicts equal up to rounding in the last digits (sums taken in another order)."""
    a, b = dict(a), dict(b)
    a["notes"] = [n for n in a["notes"] if "chunks" not in n and "on Dask" not in n]
    b["notes"] = [n for n in b["notes"] if "chunks" not in n]
    for key in a:
        if key == "iterations":  # (the Newton families in chunks start from their sample's fit)
            continue
        if key == "parameters":
            for p, q in zip(a[key], b[key]):
                for field in p:
                    u, v = p[field], q[field]
                    if isinstance(u, float):
                        assert v == pytest.approx(u, rel=1e-11, abs=1e-300), (p["name"], field)
                    else:
                        assert u == v, (p["name"], field)
        elif isinstance(a[key], float):
            assert b[key] == pytest.approx(a[key], rel=1e-11), key
        else:
            assert a[key] == b[key], key


def test_the_streamable_families():
    assert set(STREAMED) >= {"normal", "lognormal", "exponential", "gamma", "beta", "inverse_gaussian",
                             "half_normal", "rayleigh", "pareto", "uniform", "poisson", "geometric",
                             "negative_binomial", "zero_inflated_poisson", "bernoulli",
                             "weibull", "student_t", "logistic", "cauchy", "gumbel", "log_logistic",
                             "normal_mixture:2"}
    for name in ("laplace", "asymmetric_laplace:0.9", "huber:1.5", "binomial:20", "beta_binomial:20",
                 "categorical", "weibull3", "gamma3", "lognormal3"):  # every family now streams
        assert stream.streams(families.get(name))


@pytest.mark.parametrize("name", STREAMED)
def test_chunked_fit_equals_the_in_memory_fit(tmp_path, name):
    sampler, _ = CASES[name]
    x = sampler(np.random.default_rng(7), 2003)
    path = write(tmp_path / "x.csv", x)
    chunked = stream.fit_file(path, name, chunk_rows=97).to_dict()
    whole = mlefit.fit(read_column(path), name).to_dict()
    same_fit(chunked, whole)
    assert chunked["loglik"] >= whole["loglik"] - 1e-9 * abs(whole["loglik"])
    assert any("read in chunks" in n for n in chunked["notes"])


def test_every_row_is_accounted_for_across_chunks(tmp_path):
    rows = ["x"] + [str(v) for v in range(1, 40)]
    rows[5] = ""          # blank line (line 6)
    rows[11] = "NA"       # missing (line 12)
    rows[30] = "  "       # a blank cell, not a blank line: missing (line 32 after the insert)
    rows.insert(20, "")   # another blank line (line 21)
    path = tmp_path / "gaps.csv"
    path.write_text("\n".join(rows) + "\n")
    chunked = stream.fit_file(str(path), "poisson", chunk_rows=4).to_dict()
    whole = mlefit.fit(read_column(str(path)), "poisson").to_dict()
    same_fit(chunked, whole)
    assert chunked["rows_read"] == 40 and chunked["n_dropped"] == 4
    drops = {d["reason"]: d for d in chunked["dropped"]}
    assert drops["blank line"]["first"] == ["line 6", "line 21"]
    assert drops["missing value (blank, NA, NaN, null, None)"]["first"] == ["line 12", "line 32"]


def test_a_bad_value_is_named_by_its_line(tmp_path):
    path = write(tmp_path / "neg.csv", [1.0] * 50 + [-2.5] + [1.0] * 50)
    with pytest.raises(DataError, match=r"line 52: -2\.5.*outside the support of gamma|outside the "
                                        r"support of gamma.*line 52: -2\.5"):
        stream.fit_file(path, "gamma", chunk_rows=10)
    text = tmp_path / "text.csv"
    text.write_text("x\n" + "1\n" * 30 + "abc\n" + "2\n" * 5)
    with pytest.raises(DataError, match="line 32: 'abc'"):
        stream.fit_file(str(text), "poisson", chunk_rows=8)


def test_several_columns_convert_only_the_chosen_one(tmp_path):
    rng = np.random.default_rng(3)
    y = rng.gamma(2.0, 1.5, 500)
    path = tmp_path / "two.csv"
    path.write_text("id,label,y\n" + "".join(f"{i},a{i},{float(v)!r}\n" for i, v in enumerate(y)))
    chunked = stream.fit_file(str(path), "gamma", column="y", chunk_rows=50).to_dict()
    same_fit(chunked, mlefit.fit(read_column(str(path), column="y"), "gamma").to_dict())
    with pytest.raises(UsageError, match="choose one with --column"):
        stream.fit_file(str(path), "gamma")


def test_gzip_and_no_header(tmp_path):
    x = np.random.default_rng(4).exponential(2.0, 300)
    path = tmp_path / "x.csv.gz"
    path.write_bytes(gzip.compress(("\n".join(repr(float(v)) for v in x) + "\n").encode()))
    chunked = stream.fit_file(str(path), "exponential", chunk_rows=20).to_dict()
    same_fit(chunked, mlefit.fit(read_column(str(path)), "exponential").to_dict())
    assert chunked["rows_read"] == 300 and chunked["column"] == "1"


def test_what_cannot_be_streamed_says_so(tmp_path):
    path = write(tmp_path / "x.csv", np.random.default_rng(5).normal(size=50))
    quoted = tmp_path / "q.csv"
    quoted.write_text('x,note\n1,"a\nb"\n2,c\n')
    with pytest.raises(DataError, match="quoted fields that span lines"):
        stream.fit_file(str(quoted), "poisson", column="x")
    with pytest.raises(UsageError, match="positive number of rows"):
        stream.fit_file(path, "normal", chunk_rows=0)
    huge = write(tmp_path / "huge.csv", [1e200, 2e200, 3e200])
    with pytest.raises(DataError, match="beyond 1e"):
        stream.fit_file(huge, "normal")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.01, 1e4, allow_nan=False), min_size=4, max_size=60),
       st.integers(1, 5), st.sampled_from(["normal", "lognormal", "gamma", "inverse_gaussian", "pareto",
                                            "uniform", "exponential", "rayleigh"]))
def test_merged_statistics_equal_the_whole_datas(values, parts, name):
    fam = families.get(name)
    x = np.array(values)
    whole = fam.stats(x, None)
    merged = None
    for chunk in np.array_split(x, parts):
        if chunk.size:
            s = fam.stats(chunk, None)
            merged = s if merged is None else fam.merge(merged, s)
    for key, value in vars(whole).items():
        got = getattr(merged, key)
        scale = max(abs(value), 1e-12 * whole.n * (abs(getattr(whole, "mean", 1.0)) or 1.0))
        assert math.isclose(got, value, rel_tol=1e-9, abs_tol=1e-9 * scale), (key, got, value)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=60),
       newline_at_end=st.booleans(), size=st.integers(1, 50), held=st.integers(0, 10 ** 4),
       length=st.one_of(st.none(), st.integers(0, 3000)))
def test_blocks_are_whole_lines_and_give_back_every_byte(lines, newline_at_end, size, held, length):
    """stream._blocks hands out runs of whole lines as views of one refilled buffer, after
    the bytes already read (_Prepend): copied out as they come, they are the input, each
    run but the last ends a line, and none is empty; line_count counts like bytes.count.
    The input's length, where one is given, sizes the first buffer only: right or wrong,
    the runs are the same."""
    import io
    from mlefit.io.readers import line_count
    data = b"\n".join(lines) + (b"\n" if newline_at_end and lines else b"")
    k = min(held, len(data))
    runs = [bytes(b) for b in stream._blocks(stream._Prepend(data[:k], io.BufferedReader(io.BytesIO(data[k:]))), size,
                                             length)]
    assert b"".join(runs) == data
    assert all(r.endswith(b"\n") for r in runs[:-1]) and all(runs)
    for r in runs + [data]:
        assert line_count(r) == r.count(b"\n") + (not r.endswith(b"\n"))



def test_blocks_of_a_file_of_known_length_make_one_buffer(tmp_path):
    """A file's runs are read into one buffer as large as they need (min(chunk, file)),
    not into buffers of 1, 2, 4, ... MB each copied into the next (a 16 MB chunk's read
    made 31 MB of buffers and 2,000 more page faults); standard input, whose length is
    unknown, still starts small."""
    import tracemalloc
    from mlefit.io.intake import open_input
    size = 8 << 20
    path = tmp_path / "x.csv"
    line = b"1234.5678\n"
    path.write_bytes(line * ((size + (3 << 20)) // len(line)))
    found = open_input(str(path))
    assert found.length == path.stat().st_size
    tracemalloc.start()
    total = sum(len(b) for b in stream._blocks(found, size, found.length))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    found.close()
    assert total == path.stat().st_size and peak < 1.4 * size, peak / size


def test_line_count_over_many_blocks():
    from mlefit.io.readers import COUNT_BLOCK, line_count
    rng = np.random.default_rng(4)
    data = bytes(rng.choice(np.frombuffer(b"ab,\n\r", np.uint8), 3 * COUNT_BLOCK + 17))
    for d in (data, data + b"\n", b"", b"\n", memoryview(data)[5:]):
        assert line_count(d) == bytes(d).count(b"\n") + (not bytes(d).endswith(b"\n"))


@settings(max_examples=300, deadline=None)
@given(data=st.lists(st.sampled_from([b"\n", b"\r", b"a", b","]), max_size=80).map(b"".join))
def test_has_blank_line_is_the_bytes_search(data):
    from mlefit.io.readers import has_blank_line
    assert has_blank_line(data) == (b"\n\n" in data or b"\n\r\n" in data)


@pytest.mark.parametrize("at", [0, 1, 2, 3])
def test_has_blank_line_across_the_blocks(at):
    """A blank line whose bytes straddle a block's end (or the data's) is found."""
    from mlefit.io.readers import COUNT_BLOCK, has_blank_line
    for needle in (b"\n\n", b"\n\r\n"):
        for cut in (COUNT_BLOCK, 2 * COUNT_BLOCK, 3 * COUNT_BLOCK + 5):
            data = bytearray(b"a" * (3 * COUNT_BLOCK + 5 + len(needle)))
            data[cut - at:cut - at + len(needle)] = needle
            assert has_blank_line(bytes(data)) and has_blank_line(memoryview(bytes(data)))
    assert not has_blank_line(b"a\nb\r\n" * COUNT_BLOCK) and not has_blank_line(b"")


@pytest.mark.parametrize("blank", [b"\n" * 100_000, b"\r\n" * 1_100_000])
def test_blank_lines_before_the_header_however_many(tmp_path, blank):
    """Past the first 64 KiB (and the first MiB read in chunks) of blank lines, the
    header is still found: the chunked fit equals the in-memory one, line numbers too."""
    path = tmp_path / "b.csv"
    path.write_bytes(blank + b"x\n1\n2.5\n3\n")
    whole = mlefit.fit(read_column(str(path)), "normal")
    chunked = stream.fit_file(str(path), "normal", chunk_rows=2)
    assert chunked.estimates == pytest.approx(whole.estimates, rel=1e-14) and chunked.n == 3
    path.write_bytes(blank + b"x\n1\nabc\n3\n")
    newlines = blank.count(b"\n")
    where = f"line {newlines + 3}"
    for fit in (lambda: mlefit.fit(read_column(str(path)), "normal"),
                lambda: stream.fit_file(str(path), "normal", chunk_rows=2)):
        with pytest.raises(DataError, match=where):
            fit()


def test_default_chunks_are_bytes_of_text_not_rows(tmp_path, monkeypatch):
    """Without --chunk-size a chunk is CHUNK_BYTES of text however wide the rows: a file of
    five columns is cut as finely by bytes as a file of one (2M rows of it were 80 MB)."""
    monkeypatch.setattr(stream, "CHUNK_BYTES", 1 << 16)
    rng = np.random.default_rng(2)
    x = rng.gamma(2.0, 3.0, 20_000)
    wide = tmp_path / "wide.csv"
    wide.write_text("a,b,c,d,x\n" + "".join(f"{v:.6f},{v:.6f},{v:.6f},{v:.6f},{v:.6f}\n" for v in x))
    sizes = []
    blocks = stream._blocks
    monkeypatch.setattr(stream, "_blocks", lambda fh, size, *rest: sizes.append(size) or blocks(fh, size, *rest))
    fit = stream.fit_file(str(wide), "gamma", column="x")
    assert sizes == [1 << 16] and "read in chunks of about 0.0625 MB of text" in fit.notes
    whole = mlefit.fit(np.array([float(f"{v:.6f}") for v in x]), "gamma")
    assert list(fit.estimates.values()) == pytest.approx(list(whole.estimates.values()), rel=1e-12)


COUNT_FAMILIES = ("poisson", "geometric", "negative_binomial", "zero_inflated_poisson")


@pytest.mark.parametrize("name", COUNT_FAMILIES)
def test_short_rows_are_cut_by_rows_and_counted_as_integers(tmp_path, monkeypatch, name):
    """Without --chunk-size a chunk of short rows holds at most about CHUNK_VALUES rows, not
    CHUNK_BYTES of text (16 MB of 2-byte counts were 8M rows, 366 MiB at the peak); the
    counts of an integer column are tabled as int64 chunk by chunk. The fit, with missing
    cells and blank lines across the cuts, equals the in-memory one to the last bit."""
    monkeypatch.setattr(stream, "CHUNK_VALUES", 1000)  # 2-byte rows: the 64 KiB floor of a chunk
    rng = np.random.default_rng(5)
    k = rng.negative_binomial(3.0, 3.0 / 7.0, 100_000)
    lines = [str(v) for v in k]
    for i in range(7, len(lines), 9_000):
        lines[i] = "NA" if i % 2 else ""
    path = tmp_path / "k.csv"
    path.write_text("k\n" + "\n".join(lines) + "\n")
    sizes, kinds = [], set()
    blocks, add = stream._blocks, stream._Counts.add
    monkeypatch.setattr(stream, "_blocks", lambda fh, size, *rest: sizes.append(size) or blocks(fh, size, *rest))
    monkeypatch.setattr(stream._Counts, "add", lambda self, x, hi=None: kinds.add(x.dtype.name) or add(self, x, hi))
    chunked = stream.fit_file(str(path), name).to_dict()
    assert sizes == [1 << 16] and kinds == {"int64"}
    assert "read in chunks of about 0.0625 MB of text" in chunked["notes"]
    whole = mlefit.fit(read_column(str(path)), name).to_dict()
    chunked["notes"] = [n for n in chunked["notes"] if "chunks" not in n]
    assert chunked == whole


@pytest.mark.parametrize("scale", [1.0, 1e6])
def test_log_logistic_streams_on_the_logs_its_chunks_hold(tmp_path, scale):
    """Issue 21: log_logistic's chunks hold log x once (chunked_logs), not log x taken at
    every pass; values clustered far from 1 (scale 1e6, spread 1e-3 relative) take the
    logs about their centre. Either way the streamed fit is the in-memory one."""
    y = np.random.default_rng(11).logistic(0.0, 1e-3 if scale > 1 else 0.4, 3001)
    path = write(tmp_path / "x.csv", scale * np.exp(y))
    chunked = stream.fit_file(path, "log_logistic", chunk_rows=500).to_dict()
    whole = mlefit.fit(read_column(path), "log_logistic").to_dict()
    same_fit(chunked, whole)
    assert families.get("log_logistic").chunked_logs


def _cli_json(args):
    from click.testing import CliRunner
    from mlefit.cli import cli

    r = CliRunner().invoke(cli, args)
    return r.exit_code, (json.loads(r.output) if r.exit_code == 0 else r.output)


@pytest.mark.parametrize("dist,extra", [("gamma", []), ("weibull", []), ("poisson", []), ("categorical", [])])
def test_the_only_numeric_column_is_chosen_in_chunks_as_in_memory(tmp_path, dist, extra):
    """A file with a text column and one numeric column: in memory the numeric one is
    fitted without --column; read in chunks (any file over 16 MB is) it is too, where
    before the chunked reader asked for --column."""
    rng = np.random.default_rng(3)
    k = rng.poisson(4.0, 500) + 1
    path = tmp_path / "two.csv"
    path.write_text("id,x\n" + "".join(f"r{i},{v}\n" for i, v in enumerate(k)))
    code_mem, mem = _cli_json(["fit", str(path), "-d", dist, "--json", "--chunk-size", "0"] + extra)
    code_chunk, chunked = _cli_json(["fit", str(path), "-d", dist, "--json", "--chunk-size", "50"] + extra)
    assert code_mem == code_chunk == 0, (mem, chunked)
    assert chunked["column"] == mem["column"] == "x"
    assert [p["estimate"] for p in chunked["parameters"]] == pytest.approx([p["estimate"] for p in mem["parameters"]],
                                                                           rel=1e-12)


def test_two_numeric_columns_ask_for_column_in_chunks_as_in_memory(tmp_path):
    path = tmp_path / "three.csv"
    path.write_text("id,a,b\n" + "".join(f"r{i},{i + 1},{2 * i + 1}\n" for i in range(300)))
    for size in ("0", "40"):
        code, out = _cli_json(["fit", str(path), "-d", "gamma", "--chunk-size", size])
        assert code == 2 and "the file has 3 columns (id, a, b); choose one with --column NAME" in out


def test_censored_chunks_choose_the_only_numeric_time_column(tmp_path):
    rng = np.random.default_rng(4)
    t = np.round(rng.weibull(1.5, 400) * 10, 4)
    e = (rng.random(400) < 0.7).astype(int)
    path = tmp_path / "surv.csv"
    path.write_text("id,t,event\n" + "".join(f"u{i},{a},{b}\n" for i, (a, b) in enumerate(zip(t, e))))
    runs = [_cli_json(["fit", str(path), "-d", "weibull", "--event", "event", "--json", "--chunk-size", s])
            for s in ("0", "60")]
    assert runs[0][0] == runs[1][0] == 0, runs
    assert runs[0][1]["column"] == runs[1][1]["column"] == "t"
    assert ([p["estimate"] for p in runs[1][1]["parameters"]] ==
            pytest.approx([p["estimate"] for p in runs[0][1]["parameters"]], rel=1e-9))
