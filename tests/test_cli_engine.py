"""`mlefit fit --chunk-size / --engine`: where the data are read, chosen and refused from
the command line; the chunked fit prints what the in-memory fit prints."""
import json

import numpy as np
import pytest
from click.testing import CliRunner

from mlefit.io import chunkable, plan as read_plan
from mlefit.cli import cli

from test_stream import same_fit


def invoke(args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, env={"NO_COLOR": "1"})


@pytest.fixture
def gamma_file(tmp_path):
    x = np.random.default_rng(8).gamma(2.0, 1.5, 3000)
    path = tmp_path / "g.csv"
    path.write_text("x\n" + "".join(f"{float(v)!r}\n" for v in x) + "\nNA\n")
    return str(path)


def as_json(args, input=None):
    result = invoke(list(args) + ["--json"], input)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("dist", ["gamma", "weibull", "normal"])
def test_chunk_size_prints_the_in_memory_fit(gamma_file, dist):
    chunked = as_json(["fit", gamma_file, "-d", dist, "--chunk-size", "250"])
    whole = as_json(["fit", gamma_file, "-d", dist])
    same_fit(chunked, whole)
    assert "read in chunks of about 250 rows" in chunked["notes"]
    assert chunked["rows_read"] == 3002 and chunked["n_dropped"] == 2


def test_stdin_and_the_table(gamma_file):
    text = open(gamma_file).read()
    chunked = as_json(["fit", "-", "-d", "exponential", "--chunk-size", "100"], input=text)
    assert chunked["source"] == "<stdin>" and chunked["n"] == 3000
    table = invoke(["fit", gamma_file, "-d", "gamma", "--chunk-size", "500"]).stdout
    assert "3002 read, 3000 used, 2 dropped" in table and "read in chunks" in table


def test_large_files_are_read_in_chunks_when_the_fit_allows(gamma_file, monkeypatch):
    monkeypatch.setattr(chunkable, "AUTO_BYTES", 1000)
    assert any("chunks" in n for n in as_json(["fit", gamma_file, "-d", "gamma"])["notes"])
    for extra in (["--interval", "profile"], ["--robust"], ["--derive", "mean"], ["--chunk-size", "0"]):
        d = as_json(["fit", gamma_file, "-d", "gamma"] + extra)
        assert not any("chunks" in n for n in d["notes"]), extra
    for name in ("laplace", "asymmetric_laplace:0.9", "huber:1.345",  # an exact quantile in chunks
                 "normal_mixture:2"):  # its table of distinct values merged chunk by chunk
        d = as_json(["fit", gamma_file, "-d", name])
        assert any("chunks" in n for n in d["notes"]), name
        whole = as_json(["fit", gamma_file, "-d", name, "--chunk-size", "0"])
        assert [p["estimate"] for p in d["parameters"]] == pytest.approx(
            [p["estimate"] for p in whole["parameters"]], rel=1e-14)


@pytest.mark.parametrize("args, message", [
    (["--chunk-size", "100", "--robust"], "--robust needs every value in memory: drop --chunk-size"),
    (["--chunk-size", "100", "--interval", "all"], "--interval all needs every value in memory"),
    (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler goes with --engine dask"),
    (["--engine", "dask", "--gof"], "--gof needs every value in memory; drop --engine dask"),
    (["--engine", "dask", "--chunk-size", "0"], "drop --chunk-size 0"),
])
def test_refusals_are_one_line_usage_errors(gamma_file, args, message):
    base = ["fit", gamma_file] + ([] if "-d" in args else ["-d", "gamma"])
    result = invoke(base + args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.stderr


def test_chunk_size_reads_one_file(gamma_file):
    result = invoke(["fit", gamma_file, gamma_file, "-d", "gamma", "--chunk-size", "100"])
    assert result.exit_code == 2 and "reads one file" in result.stderr


def test_the_progress_says_fitting_once_the_file_is_read():
    """A large file read in chunks: the bar reads "reading in chunks" until every byte is
    read, then "fitting FAMILY" while the passes (or normal_mixture's EM) run; a closed form
    (exponential) keeps its one stage."""
    from mlefit import families

    class Bar:
        def __init__(self):
            self.done, self.stages = 0, []

        def update(self, done):
            self.done = done

        def stage(self, text):
            self.stages.append(text)

    for name, want in (("normal_mixture:2", ["fitting normal_mixture:2"]), ("weibull", ["fitting weibull"]),
                       ("gamma", ["fitting gamma"]), ("exponential", [])):
        bar = Bar()
        on_bytes = read_plan._then_fitting(bar, 1000, families.get(name))
        on_bytes(400)
        assert bar.stages == [] and bar.done == 400
        on_bytes(1000)
        assert bar.stages == want and bar.done == 1000
