"""Every kind of file a user really has: delimiters, decimal commas, encodings, headers,
compression, Parquet and Feather, several files and globs, missing-value options."""
import bz2
import gzip
import lzma

import pytest

import mlefit
from mlefit.errors import DataError, UsageError
from mlefit.io.readers import ReadOptions

from cases import write


def values(path, **kw):
    return mlefit.read_column(path, **kw).values.tolist()


CSV = b"x\n1\n2\n5\n"


@pytest.mark.parametrize("name,pack", [("a.csv.gz", gzip.compress), ("a.csv.bz2", bz2.compress),
                                       ("a.csv.xz", lzma.compress), ("a.csv", lambda b: b),
                                       ("no_extension", gzip.compress)])
def test_compressed_files_by_magic_bytes(tmp_path, name, pack):
    col = mlefit.read_column(write(tmp_path, pack(CSV), name))
    assert col.values.tolist() == [1.0, 2.0, 5.0]


def test_zstd(tmp_path):
    import pyarrow as pa
    path = str(tmp_path / "a.csv.zst")
    with pa.CompressedOutputStream(path, "zstd") as out:
        out.write(CSV)
    assert values(path) == [1.0, 2.0, 5.0]


def test_corrupt_gzip_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="looks gzip-compressed but cannot be decompressed"):
        mlefit.read_column(write(tmp_path, gzip.compress(CSV)[:12], "bad.gz"))


def test_semicolons_with_decimal_commas(tmp_path):
    path = write(tmp_path, "a;b\n1,5;x\n2,5;y\n")
    assert values(path, column="a", decimal=",") == [1.5, 2.5]
    with pytest.raises(DataError, match="these look like decimal commas: add --decimal ,"):
        mlefit.read_column(path, column="a")


def test_explicit_delimiter(tmp_path):
    path = write(tmp_path, "a:b\n1:2\n3:4\n")
    assert values(path, column="b", delimiter=":") == [2.0, 4.0]
    with pytest.raises(UsageError, match="delimiter and the decimal mark are both ','"):
        mlefit.read_column(path, delimiter=",", decimal=",")


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16"])
def test_other_encodings(tmp_path, encoding):
    path = write(tmp_path, "caf\u00e9,x\nna\u00efve,1\nb,2\n".encode(encoding))
    if encoding == "utf-16":  # recognised by its byte-order mark
        assert values(path, column="x") == [1.0, 2.0]
    else:
        assert values(path, column="x", encoding=encoding) == [1.0, 2.0]
        with pytest.raises(DataError, match="--encoding"):
            mlefit.read_column(path, column="x")
    with pytest.raises(UsageError, match="unknown encoding 'klingon'"):
        mlefit.read_column(path, encoding="klingon")


def test_bare_column_of_numbers_has_no_header(tmp_path):
    col = mlefit.read_column(write(tmp_path, "1.5\n2.5\n\n4\n"))
    assert col.name == "1" and col.values.tolist() == [1.5, 2.5, 4.0]
    assert col.rows_read == 4 and col.dropped[0].first == ("line 3",)
    assert any("no header row" in n for n in col.notes)
    r = mlefit.fit(col, "normal")
    assert any("no header row" in n for n in r.notes)


def test_no_header_option_names_columns_by_position(tmp_path):
    path = write(tmp_path, "a,1\nb,2\nc,x\n")
    col = mlefit.read_column(path, column="1", labels=True, header=False)
    assert col.values.tolist() == ["a", "b", "c"]
    with pytest.raises(DataError, match=r"line 3: 'x'"):
        mlefit.read_column(path, column="2", header=False)


def test_parquet_and_feather(tmp_path):
    import pyarrow as pa
    import pyarrow.feather as feather
    import pyarrow.parquet as pq
    table = pa.table({"x": [1.0, None, 3.0, 4.0], "lab": ["a", "b", "a", None]})
    pq.write_table(table, tmp_path / "t.parquet")
    feather.write_feather(table, tmp_path / "t.feather")
    for name in ("t.parquet", "t.feather"):
        col = mlefit.read_column(str(tmp_path / name), "x")
        assert col.values.tolist() == [1.0, 3.0, 4.0]
        assert col.dropped[0].first == ("row 2",)
        labs = mlefit.read_column(str(tmp_path / name), "lab", labels=True)
        assert labs.values.tolist() == ["a", "b", "a"]


def test_several_files_and_globs_read_as_one_data_set(tmp_path):
    write(tmp_path, "x\n1\n2\n", "part1.csv")
    write(tmp_path, "x\n3\nNA\n", "part2.csv")
    col = mlefit.read_column(str(tmp_path / "part*.csv"))
    assert col.values.tolist() == [1.0, 2.0, 3.0]
    assert col.rows_read == 4 and col.dropped[0].first == (f"{tmp_path / 'part2.csv'} line 3",)
    same = mlefit.read_column([str(tmp_path / "part1.csv"), str(tmp_path / "part2.csv")])
    assert same.values.tolist() == col.values.tolist()
    with pytest.raises(UsageError, match="no files match"):
        mlefit.read_column(str(tmp_path / "nothing*.csv"))


def test_na_values_and_strict(tmp_path):
    path = write(tmp_path, "x\n1\n-999\n3\n?\n")
    col = mlefit.read_column(path, na_values=["-999", "?"])
    assert col.values.tolist() == [1.0, 3.0] and col.dropped[0].count == 2
    with pytest.raises(DataError, match=r"has 2 missing values or blank lines \(line 3, line 5\) and --strict"):
        mlefit.read_column(path, na_values=["-999", "?"], strict=True)
    ok = write(tmp_path, "x\n1\n2\n", "ok.csv")
    assert mlefit.read_column(ok, strict=True).values.tolist() == [1.0, 2.0]


def test_read_options_defaults_detect():
    assert ReadOptions() == ReadOptions(None, ".", None, None, ())


def test_cli_input_options(tmp_path):
    import json

    from click.testing import CliRunner

    from mlefit.cli import cli
    path = write(tmp_path, "a;b\n1,5;x\n2,5;y\n-999;z\n")
    result = CliRunner().invoke(cli, ["fit", path, "-d", "normal", "-c", "a", "--decimal", ",",
                                      "--na-values", "-999", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["n"] == 2 and out["n_dropped"] == 1
    result = CliRunner().invoke(cli, ["fit", path, "-d", "normal", "--delimiter", "ab"])
    assert result.exit_code == 2 and "--delimiter must be one ASCII character" in result.stderr
    tsv = write(tmp_path, "1\t2\n3\t4\n", "t.tsv")
    result = CliRunner().invoke(cli, ["fit", tsv, "-d", "normal", "-c", "2", "--no-header",
                                      "--delimiter", "tab", "--json"])
    assert json.loads(result.stdout)["parameters"][0]["estimate"] == 3.0
