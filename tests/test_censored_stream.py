"""Censored rows read chunk by chunk (issue 17, streaming of large files): the streamed
right-censored exponential and weibull fits equal the in-memory ones (estimates, SEs,
log-likelihood to 1e-10; the counts of each kind of row, the rows read and left out, and
the Kaplan-Meier median exactly); the Kaplan-Meier median from chunks equals the one
from all the rows; what cannot be streamed is refused by name."""
import json

import numpy as np
import pytest
from click.testing import CliRunner

from mlefit.io import chunkable
from mlefit.censored import kaplan_meier
from mlefit.cli import cli


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def fit_json(*args):
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def write_rows(path, times, events, extra=""):
    lines = [f"{t:.6g},{e}" for t, e in zip(times, events)]
    path.write_text("t,e\n" + "\n".join(lines) + "\n" + extra)
    return path


def weibull_rows(n, seed=3):
    rng = np.random.default_rng(seed)
    t = 2.0 * rng.weibull(1.5, n)
    c = 3.6 * rng.weibull(1.5, n)
    return np.minimum(t, c), (t <= c).astype(int)


def same(streamed, memory):
    """The streamed fit is the in-memory one: numbers to 1e-10, counts and rows exactly."""
    assert "read in chunks" in streamed["method"] and "read in chunks" not in memory["method"]
    for p, q in zip(streamed["parameters"], memory["parameters"]):
        for field in ("estimate", "se", "ci_lower", "ci_upper"):
            assert p[field] == pytest.approx(q[field], rel=1e-10), (p["name"], field)
    for key in ("loglik", "aic", "bic"):
        assert streamed[key] == pytest.approx(memory[key], rel=1e-10)
    for key in ("n", "rows_read", "rows_used", "n_dropped", "dropped", "column", "source", "family"):
        assert streamed[key] == memory[key], key
    a, b = dict(streamed["censoring"]), dict(memory["censoring"])
    assert a.pop("fitted_median") == pytest.approx(b.pop("fitted_median"), rel=1e-10)
    assert a == b


@pytest.mark.parametrize("family", ["weibull", "exponential"])
def test_streamed_equals_in_memory(tmp_path, family):
    t, e = weibull_rows(5000)
    t[:3], e[:3] = [0.0, -1.5, 2.0], [0, 0, 1]  # censored at 0 and below 0: no time at risk
    path = write_rows(tmp_path / "rc.csv", t, e)
    streamed = fit_json("fit", path, "-c", "t", "--event", "e", "-d", family, "--chunk-size", 700)
    memory = fit_json("fit", path, "-c", "t", "--event", "e", "-d", family, "--chunk-size", 0)
    same(streamed, memory)
    assert streamed["censoring"]["right"] == int(np.sum(e == 0))


@pytest.mark.parametrize("family", ["weibull", "exponential"])
def test_many_runs_equal_in_memory(tmp_path, monkeypatch, family):
    """Enough rows for about ten runs of lines (a run is 64 KiB at least), their sums taken
    by the helper thread while the next is parsed: the fit and the Kaplan-Meier median are
    the in-memory ones (the median from the rows below a subsample's bound, as at 1e7)."""
    monkeypatch.setattr(kaplan_meier, "PREFIX_FROM", 1)
    monkeypatch.setattr(kaplan_meier, "SAMPLE_ROWS", 2000)
    t, e = weibull_rows(100000, seed=6)
    t = np.maximum(np.round(t, 2), 0.01)  # ties across the runs
    path = write_rows(tmp_path / "many.csv", t, e)
    assert path.stat().st_size > 9 * 65536
    streamed = fit_json("fit", path, "-c", "t", "--event", "e", "-d", family, "--chunk-size", 500)
    memory = fit_json("fit", path, "-c", "t", "--event", "e", "-d", family, "--chunk-size", 0)
    same(streamed, memory)
    assert streamed["censoring"]["kaplan_meier_median"] == kaplan_meier._first_half(
        *kaplan_meier.curve(t, e.astype(bool)))


def test_rows_left_out_and_words_counted_alike(tmp_path):
    """Missing times, missing indicators, blank lines and true/false words: the same rows
    used and left out, named by the same lines, across chunk boundaries."""
    t, e = weibull_rows(3000, seed=5)
    words = np.where(e == 1, "true", "false").astype(object)
    lines = [f"{a:.6g},{b}" for a, b in zip(t, words)]
    lines[10], lines[1500], lines[2999] = ",true", "1.5,", ""
    lines[700] = "NA,false"
    path = tmp_path / "gaps.csv"
    path.write_text("t,e\n" + "\n".join(lines) + "\n\n")
    streamed = fit_json("fit", path, "-c", "t", "--event", "e", "-d", "weibull", "--chunk-size", 400)
    memory = fit_json("fit", path, "-c", "t", "--event", "e", "-d", "weibull", "--chunk-size", 0)
    same(streamed, memory)
    assert streamed["n_dropped"] == 5


def test_large_file_streams_by_default(tmp_path, monkeypatch):
    t, e = weibull_rows(4000, seed=11)
    path = write_rows(tmp_path / "big.csv", t, e)
    monkeypatch.setattr(chunkable, "AUTO_BYTES", 1000)
    auto = fit_json("fit", path, "-c", "t", "--event", "e", "-d", "weibull")
    memory = fit_json("fit", path, "-c", "t", "--event", "e", "-d", "weibull", "--chunk-size", 0)
    same(auto, memory)
    # what needs every row stays in memory, unasked
    derived = fit_json("fit", path, "-c", "t", "--event", "e", "-d", "weibull", "--derive", "median")
    assert "read in chunks" not in derived["method"]


def test_times_whose_logs_lose_digits(tmp_path, monkeypatch):
    """Times clustered far from 1: the weibull shortcut is not exact; unasked, the file is
    fitted in memory; asked for chunks, refused with the reason."""
    rng = np.random.default_rng(2)
    t = 1e12 + rng.uniform(0, 1000, 300)
    e = (rng.uniform(size=300) < 0.7).astype(int)
    path = tmp_path / "far.csv"
    path.write_text("t,e\n" + "\n".join(f"{a:.17g},{b}" for a, b in zip(t, e)) + "\n")
    monkeypatch.setattr(chunkable, "AUTO_BYTES", 1000)
    auto = fit_json("fit", path, "-c", "t", "--event", "e", "-d", "weibull")
    memory = fit_json("fit", path, "-c", "t", "--event", "e", "-d", "weibull", "--chunk-size", 0)
    assert auto == memory
    asked = run("fit", path, "-c", "t", "--event", "e", "-d", "weibull", "--chunk-size", 100)
    assert asked.exit_code == 2
    assert asked.output == ("mlefit: error: the weibull shortcut cannot fit these times exactly in chunks "
                            "(their logs would lose digits, or its Newton did not settle): drop --chunk-size "
                            "to fit them in memory\n")


@pytest.mark.parametrize("args, message", [
    (["-c", "t", "--event", "e", "-d", "gamma"],
     "only the exponential and weibull families fit censored rows in chunks (from sums over the rows): "
     "gamma needs every row in memory; drop --chunk-size"),
    (["-c", "t", "--event-left", "e", "-d", "weibull"],
     "only right-censored rows (--column with --event) are fitted in chunks: --event-left needs every row "
     "in memory; drop --chunk-size"),
    (["-c", "t", "--event", "e", "-d", "weibull", "--truncate-lower", "0.001"],
     "only right-censored rows (--column with --event) are fitted in chunks: --truncate-lower needs every "
     "row in memory; drop --chunk-size"),
    (["-c", "t", "--event", "e", "-d", "weibull", "--derive", "median"],
     "--derive needs every value in memory: drop --chunk-size"),
    (["-c", "t", "--event", "e", "-d", "weibull", "--fix", "shape=1.5"],
     "--fix needs every value in memory: drop --chunk-size"),
])
def test_refused_with_the_reason(tmp_path, args, message):
    t, e = weibull_rows(50)
    path = write_rows(tmp_path / "rc.csv", t, e)
    result = run("fit", path, *args, "--chunk-size", 10)
    assert result.exit_code == 2
    assert result.output == f"mlefit: error: {message}\n"


@pytest.mark.parametrize("tail, family", [("7.5,2\n", "weibull"), ("0,1\n", "weibull"), ("-2,1\n", "exponential")])
def test_bad_rows_refused_as_in_memory(tmp_path, tail, family):
    t, e = weibull_rows(300)
    path = write_rows(tmp_path / "bad.csv", t, e, tail)
    streamed = run("fit", path, "-c", "t", "--event", "e", "-d", family, "--chunk-size", 50)
    memory = run("fit", path, "-c", "t", "--event", "e", "-d", family, "--chunk-size", 0)
    assert streamed.exit_code == memory.exit_code == 1
    assert streamed.output == memory.output


def test_every_row_censored_refused_as_in_memory(tmp_path):
    path = write_rows(tmp_path / "none.csv", [1.0, 2.0, 3.0], [0, 0, 0])
    streamed = run("fit", path, "-c", "t", "--event", "e", "-d", "weibull", "--chunk-size", 2)
    memory = run("fit", path, "-c", "t", "--event", "e", "-d", "weibull", "--chunk-size", 0)
    assert streamed.exit_code == memory.exit_code == 1
    assert streamed.output == memory.output


@pytest.mark.parametrize("seed", range(6))
def test_tally_median_is_kaplan_meier(seed):
    """The median from chunk tables equals kaplan_meier.median of all rows: ties, events
    at 0, rows censored at or below 0, merges of the tables."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 40000))
    t = np.round(rng.weibull(1.3, n) * 3, int(rng.integers(0, 4)))
    e = rng.uniform(size=n) < rng.uniform(0.05, 1.0)
    t[rng.uniform(size=n) < 0.02] = -0.0
    low = (rng.uniform(size=n) < 0.02) & ~e
    t[low] = -rng.uniform(0, 2, low.sum())
    tally = kaplan_meier.Tally()
    step = int(rng.integers(1, 5000))
    for a in range(0, n, step):
        tally.add(t[a:a + step], e[a:a + step])
        if rng.uniform() < 0.3:
            tally._merge()
    assert tally.median() == kaplan_meier.median(t, e)


def test_standard_input_streams_when_asked(tmp_path, monkeypatch):
    t, e = weibull_rows(2000, seed=8)
    text = "t,e\n" + "\n".join(f"{a:.6g},{b}" for a, b in zip(t, e)) + "\n"
    monkeypatch.setattr(chunkable, "AUTO_BYTES", 1000)
    unasked = CliRunner().invoke(cli, ["fit", "-", "-c", "t", "--event", "e", "-d", "weibull", "--json"], input=text)
    asked = CliRunner().invoke(cli, ["fit", "-", "-c", "t", "--event", "e", "-d", "weibull", "--json",
                                     "--chunk-size", "300"], input=text)
    same(json.loads(asked.stdout), json.loads(unasked.stdout))


def test_a_failure_in_the_helper_thread_is_raised_and_the_chunks_closed(tmp_path, monkeypatch):
    """The runs' sums are taken by a helper thread: what fails there fails the fit, and the
    temporary file of the times is closed."""
    from mlefit.io import chunks
    from mlefit.censored import stream as stream_censored

    t, e = weibull_rows(40000, seed=4)  # runs are 64 KiB at least: about 6 of them
    path = write_rows(tmp_path / "rc.csv", t, e)
    made = []
    monkeypatch.setattr(chunks.LocalChunks, "__init__", lambda self, *a, __init=chunks.LocalChunks.__init__, **k:
                        made.append(self) or __init(self, *a, **k))
    calls = []

    def add(self, times, events, nonnegative=False):
        calls.append(len(times))
        if len(calls) == 3:
            raise RuntimeError("boom")
    monkeypatch.setattr(kaplan_meier.Tally, "add", add)
    with pytest.raises(RuntimeError, match="boom"):
        stream_censored.fit_file(str(path), "weibull", column="t", event="e", chunk_rows=500)
    assert len(made) == 1 and made[0].closed
    assert len(calls) == 3  # no run is summed after the failure
