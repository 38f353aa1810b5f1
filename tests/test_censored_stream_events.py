"""The event column of a censored fit read in chunks, where it parses as integers: its
indicators are read from the column's buffers (stream_censored._events_of_integers), the
same as _indicator's from the numbers, and any other column (or a value that is not 0
or 1, or a missing cell) takes _indicator's way, refused or counted as in memory."""
import numpy as np
import pyarrow as pa
import pytest
from click.testing import CliRunner

from mlefit.censored.rows import _indicator
from mlefit.cli import cli
from mlefit.io.readers import ReadOptions
from mlefit.censored.stream import _events_of_integers


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.mark.parametrize("kind", [pa.int8(), pa.int64(), pa.uint16()])
def test_integer_events_read_from_buffers_equal_the_indicator(kind):
    rng = np.random.default_rng(5)
    parts = [rng.integers(0, 2, n) for n in (7, 0, 300, 41)]
    col = pa.chunked_array([pa.array(p, type=kind) for p in parts]).slice(3)  # chunks with an offset
    got = _events_of_integers(col, ReadOptions())
    want = _indicator(np.concatenate(parts)[3:].astype(float), len(col), "--event", None)
    assert got.dtype == bool and np.array_equal(got, want)


@pytest.mark.parametrize("col, options", [
    (pa.chunked_array([pa.array([0, 1, 2])]), ReadOptions()),  # not 0 or 1: _indicator names it
    (pa.chunked_array([pa.array([0, -1, 1])]), ReadOptions()),
    (pa.chunked_array([pa.array([0, None, 1])]), ReadOptions()),  # a missing cell
    (pa.chunked_array([pa.array([0.0, 1.0])]), ReadOptions()),  # not integers
    (pa.chunked_array([pa.array(["yes", "no"])]), ReadOptions()),
    (pa.chunked_array([pa.array([0, 1])]), ReadOptions(na_values=("9",)))])  # a numeric missing marker
def test_other_event_columns_are_left_to_the_indicator(col, options):
    assert _events_of_integers(col, options) is None


@pytest.mark.parametrize("tail", ["4.5,-1\n", "4.5,3\n", "4.5,\n", "4.5,1.0\n", "4.5,yes\n"])
@pytest.mark.parametrize("family", ["exponential", "weibull"])
def test_odd_event_cells_in_a_later_run_read_as_in_memory(tmp_path, tail, family):
    rng = np.random.default_rng(2)
    t, e = rng.weibull(1.5, 400) + 0.1, rng.integers(0, 2, 400)
    path = tmp_path / "rc.csv"
    path.write_text("t,e\n" + "".join(f"{a:.6g},{b}\n" for a, b in zip(t, e)) + tail)
    streamed = run("fit", path, "-c", "t", "--event", "e", "-d", family, "--chunk-size", 60, "--json")
    memory = run("fit", path, "-c", "t", "--event", "e", "-d", family, "--chunk-size", 0, "--json")
    assert streamed.exit_code == memory.exit_code
    if memory.exit_code:
        assert streamed.output == memory.output
    else:
        assert "read in chunks" in streamed.output
        import json
        a, b = json.loads(streamed.stdout), json.loads(memory.stdout)
        assert a["censoring"]["right"] == b["censoring"]["right"] and a["n_dropped"] == b["n_dropped"]
        assert a["parameters"][0]["estimate"] == pytest.approx(b["parameters"][0]["estimate"], rel=1e-10)
