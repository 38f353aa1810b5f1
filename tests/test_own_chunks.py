"""A user's own model fitted from a file read chunk by chunk (issue 22, point 4: streaming
of large files): the exact score and Hessian summed chunk by chunk at each Newton step
(mlefit.own.chunks). Checked against the same model fitted in memory."""
import json

import numpy as np
import pytest
import scipy.stats as st
from click.testing import CliRunner

from mlefit.own import model as own_model
from mlefit.cli import cli
from mlefit.errors import DataError
from mlefit.io.stream import fit_file

WEIBULL = "log(k) - log(lam) + (k-1)*log(x/lam) - (x/lam)^k"
OWN = ["--logpdf", WEIBULL, "--params", "k>0=1, lam>0=50", "--support", "x>0"]


@pytest.fixture
def values(tmp_path):
    x = st.weibull_min(1.7, scale=40.0).rvs(3000, random_state=np.random.default_rng(3))
    path = tmp_path / "x.csv"
    path.write_text("x\n" + "".join(f"{float(v)!r}\n" for v in x))
    return path, x


def model(normalize=False):
    text = "-(x/lam)^k + (k-1)*log(x)" if normalize else WEIBULL
    return own_model.model(logpdf=text, params="k>0=1, lam>0=50", support="x>0", normalize=normalize)


@pytest.mark.parametrize("normalize", [False, True])
def test_chunks_give_the_in_memory_fit(values, normalize):
    path, x = values
    chunked = fit_file(str(path), model(normalize), chunk_rows=700)
    memory = own_model.fit(x, model(normalize))
    for p, q in zip(chunked.parameters, memory.parameters):
        assert p.estimate == pytest.approx(q.estimate, rel=1e-10)
        assert p.se == pytest.approx(q.se, rel=1e-8)
    assert chunked.loglik == pytest.approx(memory.loglik, rel=1e-12)
    assert any("read in chunks of about 700 rows" in n for n in chunked.notes)


def test_cli_chunk_size_with_fix_gives_the_in_memory_fit(values):
    path, x = values
    out = CliRunner().invoke(cli, ["fit", str(path), *OWN, "--chunk-size", "500", "--fix", "k=2", "--json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    ref = own_model.fit(x, model(), fix={"k": 2.0})
    assert d["parameters"][1]["estimate"] == pytest.approx(ref.parameters[1].estimate, rel=1e-10)
    assert d["loglik"] == pytest.approx(ref.loglik, rel=1e-12)


def test_a_value_outside_the_support_is_found_in_the_chunks(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("x\n" + "1.5\n2.5\n" * 50 + "-3\n")
    with pytest.raises(DataError, match=r"1 value outside the support of the model \(x>0\), e.g. -3"):
        fit_file(str(path), model(), chunk_rows=10)


def test_dask_blocks_give_the_in_memory_fit(values):
    pytest.importorskip("distributed")
    from mlefit.io.dask_engine import fit_dask

    path, x = values
    on_dask = fit_dask([str(path)], model(), block_bytes=15000)  # the model rebuilt from its text on the workers
    memory = own_model.fit(x, model())
    for p, q in zip(on_dask.parameters, memory.parameters):
        assert p.estimate == pytest.approx(q.estimate, rel=1e-10)
        assert p.se == pytest.approx(q.se, rel=1e-8)
    assert on_dask.loglik == pytest.approx(memory.loglik, rel=1e-12)
    assert any(n.startswith("read on Dask in") and not n.endswith(" 1 blocks") for n in on_dask.notes)


@pytest.mark.parametrize("args,message", [
    (["--chunk-size", "100", "--interval", "profile"], "--interval profile needs every value in memory"),
    (["--engine", "dask", "--normalize"], "--engine dask cannot be used with --logpdf/--logpmf: with --normalize"),
    (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler goes with --engine dask"),
])
def test_what_needs_memory_or_dask_is_refused(values, args, message):
    path, _ = values
    out = CliRunner().invoke(cli, ["fit", str(path), *OWN, *args])
    assert out.exit_code == 2 and message in out.stderr, out.output
