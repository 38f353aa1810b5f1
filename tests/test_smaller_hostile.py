"""Issue 20, point 12 (the smaller ones) and issue 19, point 8: each refused or read as
the user meant, with one line naming the problem."""
import os
import tracemalloc

import pytest
from click.testing import CliRunner

import mlefit
from mlefit.cli import cli
from mlefit.errors import DataError, UsageError
from mlefit.io.stream import fit_file


def invoke(*args, data=b""):
    result = CliRunner().invoke(cli, list(args), input=data)
    return result.exit_code, result.stdout, result.stderr.strip()


def test_the_same_file_twice_is_refused(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("x\n1\n2\n3.5\n")
    with pytest.raises(UsageError, match=r"^'.*a.csv' is given twice: its rows would be counted twice; give each "
                                         r"file once$"):
        mlefit.read_column([str(path), str(path)])
    os.symlink(path, tmp_path / "b.csv")
    code, out, err = invoke("fit", str(path), str(tmp_path / "b.csv"), "-d", "normal")
    assert code == 2 and err.endswith("b.csv' are the same file: its rows would be counted twice; give each "
                                      "file once")
    assert invoke("fit", "-", "-", "-d", "normal", data=b"x\n1\n2\n")[2] == (
        "mlefit: error: - (standard input) is given twice: it can be read once; give it once")
    other = tmp_path / "c.csv"
    other.write_text("x\n4\n")
    assert mlefit.read_column([str(path), str(other)]).values.size == 4  # two files are still two


@pytest.mark.parametrize("chunk", ["0", "2"])
@pytest.mark.parametrize("cell", ["1.234", "1.234,5"])
def test_a_point_with_decimal_commas_is_refused(chunk, cell):
    data = f"x\n{cell}\n2,5\n3\n".encode()
    code, out, err = invoke("fit", "-", "-d", "normal", "--decimal", ",", "--chunk-size", chunk, data=data)
    assert code == 1
    assert err == (f"mlefit: error: column 'x' has 1 value with a point although the decimal mark is ',' (line 2: "
                   f"'{cell}'): with decimal commas a point separates thousands (1.234 is 1234), or the file mixes "
                   f"both marks; remove the thousands points, or drop --decimal ,")


def test_decimal_commas_alone_still_read():
    code, out, err = invoke("fit", "-", "-d", "normal", "--decimal", ",", "--json", data=b"x\n1,5\n2,5\n")
    assert code == 0 and '"estimate": 2.0' in out


def test_a_huge_chunk_size_on_a_small_file_takes_little_memory(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("x\n" + "\n".join(str(v) for v in range(1, 200)) + "\n")
    tracemalloc.start()
    try:
        result = fit_file(str(path), "normal", chunk_rows=10**20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.parameters[0].estimate == pytest.approx(100.0)
    assert peak < 32 << 20  # was 1.08 GB: a buffer for 1 GiB of lines


def test_derive_is_split_only_at_top_level_commas():
    from mlefit.cli.options import derive_specs
    assert derive_specs(["log(shape, 2)"]) == ["log(shape, 2)"]
    assert derive_specs(["mean,log(shape),sd", "quantile:0.5"]) == ["mean", "log(shape)", "sd", "quantile:0.5"]
    code, out, err = invoke("fit", "-", "-d", "gamma", "--derive", "log(shape, 2)", data=b"x\n1.2\n2.5\n3.1\n4.2\n")
    assert code == 2 and err.startswith("mlefit: error: log at position 1 is given more than one argument (log "
                                        "takes exactly one) in the expression 'log(shape, 2)'")


@pytest.mark.parametrize("chunk", ["0", "2"])
def test_a_quoted_line_break_in_the_header(chunk):
    data = b'"a\nb",y\n1,2\n3,4\n5,x\n'
    code, out, err = invoke("fit", "-", "-d", "normal", "-c", "y", "--chunk-size", chunk, data=data)
    assert code == 1 and "(line 5: 'x')" in err, err  # the column is found, and lines are counted right
    code, out, err = invoke("fit", "-", "-d", "normal", "-c", "y", "--chunk-size", chunk, "--json",
                            data=b'"a\nb",y\n1,2\n3,4\n5,7\n')
    assert code == 0 and '"rows_read": 3' in out and '"estimate": 4.333' in out


def test_dev_null_under_dask_is_empty():
    pytest.importorskip("distributed")
    code, out, err = invoke("fit", "/dev/null", "-d", "normal", "--engine", "dask")
    assert code == 1 and err == ("mlefit: error: '/dev/null' is empty; it needs a header row and at least one "
                                 "row of values")


@pytest.mark.parametrize("family", ["poisson", "gamma", "weibull", "negative_binomial"])
def test_out_of_support_in_chunks_says_what_in_memory_says(tmp_path, family):
    """Issue 19, point 8: the count and the families that would accept the data."""
    path = tmp_path / "o.csv"
    path.write_text("x\n1\n2.5\n-1\n3\n4\n-2\n7\n0.5\n")
    with pytest.raises(DataError) as memory:
        mlefit.fit(mlefit.read_column(str(path)), family)
    with pytest.raises(DataError) as chunked:
        fit_file(str(path), family, chunk_rows=2)
    assert str(chunked.value) == str(memory.value)
    assert "families that accept this data: normal, laplace, student_t" in str(chunked.value)
    assert str(memory.value).startswith("column 'x' has ")
