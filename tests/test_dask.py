"""--engine dask: the chunked fit on a local Dask cluster of worker processes gives the
in-memory fit of the same files, with the same report of every row read and dropped."""
import numpy as np
import pytest

import mlefit
from mlefit.io.column import read_column
from mlefit.errors import DataError, UsageError

distributed = pytest.importorskip("distributed")
from mlefit.io.dask_engine import fit_dask  # noqa: E402

from test_stream import same_fit  # noqa: E402


@pytest.fixture(scope="module")
def scheduler():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
    yield cluster.scheduler_address
    cluster.close()


def csv(path, values, header="x", extra=""):
    path.write_text(header + "\n" + "".join(f"{float(v)!r}\n" if not float(v).is_integer() else f"{int(v)}\n"
                                           for v in values) + extra)
    return str(path)


@pytest.mark.parametrize("name, draw", [
    ("gamma", lambda rng, n: rng.gamma(2.3, 1.5, n)),
    ("normal", lambda rng, n: rng.normal(3.0, 2.0, n)),
    ("negative_binomial", lambda rng, n: rng.negative_binomial(2.5, 0.4, n)),
    ("poisson", lambda rng, n: rng.poisson(3.0, n)),
    ("weibull", lambda rng, n: 2.7 * rng.weibull(1.6, n)),  # passes of summed score and Hessian
    ("student_t", lambda rng, n: 1.0 + 2.0 * rng.standard_t(4.0, n)),
    ("laplace", lambda rng, n: np.round(rng.laplace(1.0, 2.0, n), 1)),  # an exact quantile (chunk_select), ties
    ("asymmetric_laplace:0.2", lambda rng, n: np.round(rng.normal(5.0, 2.0, n), 1)),
    ("huber:1.345", lambda rng, n: rng.standard_t(3.0, n)),
    ("normal_mixture:2", lambda rng, n: np.where(rng.random(n) < 0.3, rng.normal(0.0, 1.0, n),  # a table of values
                                                 rng.normal(5.0, 2.0, n))),
])
@pytest.mark.slow
def test_many_files_on_the_cluster_equal_the_in_memory_fit(tmp_path, scheduler, name, draw):
    rng = np.random.default_rng(11)
    files = [csv(tmp_path / f"part{i}.csv", draw(rng, 700 + 50 * i)) for i in range(3)]
    got = fit_dask(files, name, block_bytes=1024, address=scheduler).to_dict()
    want = mlefit.fit(read_column(files), name).to_dict()
    same_fit(got, want)
    assert got["rows_read"] == want["rows_read"] == 2250
    if "laplace" in name:  # the quantile itself, value for value
        assert got["parameters"][0]["estimate"] == want["parameters"][0]["estimate"]


def test_rows_dropped_across_blocks_are_named_by_file_and_line(tmp_path, scheduler):
    rows = [str(v) for v in range(1, 400)]
    rows[10], rows[200] = "", "NA"
    a = tmp_path / "a.csv"
    a.write_text("k\n" + "\n".join(rows) + "\n")
    b = csv(tmp_path / "b.csv", [1, 2, 3], header="k", extra="\n")
    got = fit_dask([str(a), b], "poisson", block_bytes=256, address=scheduler).to_dict()
    want = mlefit.fit(read_column([str(a), b]), "poisson").to_dict()
    same_fit(got, want)
    drops = {d["reason"]: d["first"] for d in got["dropped"]}
    assert drops["blank line"] == [f"{a} line 12", f"{b} line 5"]
    assert drops["missing value (blank, NA, NaN, null, None)"] == [f"{a} line 202"]


def test_parquet_row_groups(tmp_path, scheduler):
    import pyarrow as pa
    import pyarrow.parquet as pq

    x = np.random.default_rng(2).lognormal(0.3, 0.9, 5000)
    x[[7, 4000]] = np.nan
    path = tmp_path / "x.parquet"
    pq.write_table(pa.table({"id": np.arange(5000), "x": x}), path, row_group_size=600)
    got = fit_dask(str(path), "lognormal", column="x", address=scheduler).to_dict()
    want = mlefit.fit(read_column(str(path), column="x"), "lognormal").to_dict()
    same_fit(got, want)
    assert got["dropped"][0]["first"] == ["row 8", "row 4001"]


def test_errors_name_the_place_and_the_way_out(tmp_path, scheduler):
    bad = csv(tmp_path / "bad.csv", [1.0] * 300 + [-4.0] + [2.0] * 10)
    with pytest.raises(DataError, match=r"line 302: -4"):
        fit_dask(bad, "gamma", block_bytes=256, address=scheduler)
    with pytest.raises(UsageError, match="not standard input"):
        fit_dask("-", "gamma", address=scheduler)


def test_the_command_line_engine(tmp_path, scheduler, monkeypatch):
    import json

    from click.testing import CliRunner

    from mlefit.report import progress
    from mlefit.cli import cli

    monkeypatch.setattr(progress, "AFTER", 0.0)  # issue 21, point 10: Dask runs said nothing

    files = [csv(tmp_path / f"w{i}.csv", 2.7 * np.random.default_rng(i).weibull(1.6, 400)) for i in range(2)]
    run = CliRunner().invoke(cli, ["fit", *files, "-d", "weibull", "--engine", "dask", "--scheduler", scheduler,
                                   "--chunk-size", "50", "--json"])
    assert run.exit_code == 0, run.output
    got = json.loads(run.stdout)
    same_fit(got, mlefit.fit(read_column(files), "weibull").to_dict())
    assert any("on Dask" in n for n in got["notes"])
    assert "mlefit: fitting on Dask..." in run.stderr


def test_a_hex_cell_is_refused_on_the_cluster(tmp_path, scheduler):
    path = tmp_path / "h.csv"
    path.write_text("x\n" + "".join(f"{i % 7}\n" for i in range(300)) + "0x1A\n")
    with pytest.raises(DataError, match=r"line 302: '0x1A'\); numbers are read in decimal"):
        fit_dask([str(path)], "poisson", block_bytes=256, address=scheduler)


def test_the_local_cluster_is_two_worker_threads_in_this_process():
    """Without a scheduler, fit_dask starts what its docstring and docs/large-files.md say:
    two single-threaded workers inside this process (threads parse CSV as quickly as
    processes here and start at once; the figures are in benchmarks/RESULTS.md)."""
    from mlefit.io import dask_engine as engine_dask

    client, cluster = engine_dask.connect_client(None)
    try:
        workers = client.scheduler_info()["workers"]
        assert len(workers) == engine_dask.LOCAL_WORKERS == 2
        assert all(a.startswith("inproc://") and w["nthreads"] == 1 for a, w in workers.items())
    finally:
        client.close()
        cluster.close()
    assert "two worker threads in this process" in " ".join(fit_dask.__doc__.split())
