"""Files as users really have them (found by a second review): Parquet quirks, sentinels,
thousands separators, whitespace, odd headers, nested compression, old line endings."""
import decimal
import gzip
import json
import subprocess
import sys
import zipfile

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import mlefit
from mlefit.cli import cli
from mlefit.errors import DataError, UsageError

from cases import write


def parquet(tmp_path, table, name="t.parquet"):
    path = tmp_path / name
    pq.write_table(table, path)
    return str(path)


def test_nan_in_parquet_floats_is_missing(tmp_path):
    path = parquet(tmp_path, pa.table({"x": [1.0, float("nan"), 3.0, 4.0, 5.0]}))
    col = mlefit.read_column(path)
    assert col.values.tolist() == [1.0, 3.0, 4.0, 5.0] and col.dropped[0].first == ("row 2",)
    with pytest.raises(DataError, match="--strict"):
        mlefit.read_column(path, strict=True)


@pytest.mark.slow
def test_parquet_reads_without_aborting(tmp_path):
    path = parquet(tmp_path, pa.table({"x": [1.5, 2.5, 3.5], "s": ["a", "b", "c"]}))
    for _ in range(6):
        proc = subprocess.run([sys.executable, "-m", "mlefit", "fit", path, "-d", "normal", "-c", "x"],
                              capture_output=True)
        assert proc.returncode == 0, proc.stderr


def test_parquet_column_types(tmp_path):
    table = pa.table({
        "dec": pa.array([decimal.Decimal("1.25"), decimal.Decimal("2.50"), None], pa.decimal128(10, 2)),
        "dic": pa.array(["1.5", "2.5", "3.5"]).dictionary_encode(),
        "f32": pa.array([1.0, 2.0, 4.0], pa.float32()),
        "ints": pa.array([1, None, 3], pa.int64()),
        "flag": pa.array([True, False, True]),
    })
    path = parquet(tmp_path, table)
    assert mlefit.read_column(path, "dec").values.tolist() == [1.25, 2.5]
    assert mlefit.read_column(path, "dic").values.tolist() == [1.5, 2.5, 3.5]
    assert mlefit.read_column(path, "f32").values.tolist() == [1.0, 2.0, 4.0]
    assert mlefit.read_column(path, "ints").values.tolist() == [1.0, 3.0]
    assert mlefit.read_column(path, "flag").values.tolist() == [1.0, 0.0, 1.0]


def test_na_values_by_value_and_in_parquet(tmp_path):
    csv = write(tmp_path, "x\n1\n-999.0\n3\n-999\n")
    assert mlefit.read_column(csv, na_values=["-999"]).values.tolist() == [1.0, 3.0]
    path = parquet(tmp_path, pa.table({"x": [1.0, -999.0, 3.0], "s": ["a", "?", "NA"]}))
    col = mlefit.read_column(path, "x", na_values=["-999"])
    assert col.values.tolist() == [1.0, 3.0] and col.dropped[0].first == ("row 2",)
    labels = mlefit.read_column(path, "s", labels=True, na_values=["?"])
    assert labels.values.tolist() == ["a"]


def test_whitespace_only_cells_and_database_nulls_are_missing(tmp_path):
    col = mlefit.read_column(write(tmp_path, "x\n1\n \n\t\n NA \n\\N\n2\n"))
    assert col.values.tolist() == [1.0, 2.0] and col.dropped[0].count == 4


def test_thousands_separators_and_misplaced_delimiter(tmp_path):
    with pytest.raises(DataError, match="thousands separators .* or decimal commas"):
        mlefit.read_column(write(tmp_path, 'x\n"1,000"\n"2,500"\n'))
    with pytest.raises(DataError, match="is the delimiter a comma"):
        mlefit.read_column(write(tmp_path, "a,b\n1,2\n3,5\n"), delimiter="\t")


def test_decimal_comma_with_one_bad_cell_names_the_bad_cell(tmp_path):
    path = write(tmp_path, "x;y\n1,5;a\n2,5;b\nabc;e\n")
    with pytest.raises(DataError, match=r"has 1 non-numeric value \(line 4: 'abc'\)"):
        mlefit.read_column(path, "x", decimal=",")


def test_quoted_fields_spanning_lines_report_data_rows(tmp_path):
    path = write(tmp_path, 'note,x\n"two\nlines",1\nok,abc\n')
    with pytest.raises(DataError, match=r"data row 2: 'abc'"):
        mlefit.read_column(path, "x")
    col = mlefit.read_column(write(tmp_path, 'note,x\n"two\n\nlines",1\nok,2\n'), "x")
    assert col.rows_read == 2 and col.dropped == ()


def test_old_mac_line_endings(tmp_path):
    with pytest.raises(DataError, match=r"line 5: 'abc'"):
        mlefit.read_column(write(tmp_path, b"x\r1\r\r2\rabc\r"))


def test_several_files_name_the_file_in_every_message(tmp_path):
    a = write(tmp_path, "x\n1\n", "a.csv")
    bad = write(tmp_path, "x\n2\nabc\n", "bad.csv")
    with pytest.raises(DataError, match=r"bad.csv line 3: 'abc'"):
        mlefit.read_column([a, bad])
    wide = write(tmp_path, "p,q\n1,2\n", "wide.csv")
    with pytest.raises(UsageError, match=r"wide.csv: the file has 2 columns"):
        mlefit.read_column([a, wide])
    other = write(tmp_path, "y\n3\n", "other.csv")
    with pytest.raises(UsageError, match="the files give different columns"):
        mlefit.read_column([a, other])
    upper = write(tmp_path, "X\n3\n", "upper.csv")
    assert mlefit.read_column([a, upper], column="x").values.tolist() == [1.0, 3.0]


def test_header_names_match_ignoring_case_and_spaces(tmp_path):
    path = write(tmp_path, "Serving Size ,Größe,x\n1,2,3\n")
    assert mlefit.read_column(path, "serving size").name == "Serving Size "
    assert mlefit.read_column(path, "GRÖSSE").name == "Größe"
    with pytest.raises(UsageError, match=r"the columns are: 'Serving Size ', Größe, x"):
        mlefit.read_column(path, "nope")


def test_formats_with_misleading_errors_before(tmp_path):
    z = tmp_path / "d.zip"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("d.csv", "x\n1\n")
    with pytest.raises(DataError, match="is a zip archive; unzip it"):
        mlefit.read_column(str(z))
    nested = write(tmp_path, gzip.compress(gzip.compress(b"x\n1\n2\n")), "d.csv.gz.gz")
    assert mlefit.read_column(nested).values.tolist() == [1.0, 2.0]
    utf32 = write(tmp_path, "x\n1\n2\n".encode("utf-32"), "d32.csv")
    assert mlefit.read_column(utf32).values.tolist() == [1.0, 2.0]


def test_cli_details(tmp_path):
    result = CliRunner().invoke(cli, ["fit", "-", "-d", "normal", "--delimiter", "é"], input="x\n1\n")
    assert result.exit_code == 2 and "one ASCII character" in result.stderr
    out = json.loads(CliRunner().invoke(cli, ["fit", "-", "-d", "poisson", "--json"], input="x\n1\n2\n").stdout)
    assert out["n"] == 2 and isinstance(out["n"], int)
    long_cell = "z" * 5000
    result = CliRunner().invoke(cli, ["fit", "-", "-d", "normal"], input=f"x\n1\n{long_cell}\n")
    assert result.exit_code == 1 and len(result.stderr) < 400


def test_python_api_big_ints_and_decimals():
    r = mlefit.fit([2**70, 2**70 + 2**20, 2**70 - 2**21], "normal")
    assert r.estimates["mu"] == pytest.approx(float(2**70), rel=1e-12)
    r = mlefit.fit([decimal.Decimal("1.5"), decimal.Decimal("2.5")], "normal")
    assert r.estimates["mu"] == 2.0


def test_compare_losses_stray_text(tmp_path):
    result = CliRunner().invoke(cli, ["compare-losses", "-", "-t", "y", "-p", "p"], input="y,p\n1,0.5\n0,abc\n1,0.7\n")
    assert result.exit_code == 1 and "line 3: 'abc'" in result.stderr
