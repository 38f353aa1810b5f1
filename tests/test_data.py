"""The reader: delimiters, encodings, line endings, missing values, and the report of
every row left out."""
import numpy as np
import pytest

from click.testing import CliRunner

from mlefit.io import column as data
from mlefit.cli import cli
from mlefit.errors import DataError, UsageError

from cases import write


@pytest.mark.parametrize("text", [
    "a,b\n1,x\n2,y\n3,z\n",
    "a\tb\n1\tx\n2\ty\n3\tz\n",
    "a;b\n1;x\n2;y\n3;z\n",
    "a|b\n1|x\n2|y\n3|z\n",
    "a,b\r\n1,x\r\n2,y\r\n3,z\r\n",
    "\ufeffa,b\n1,x\n2,y\n3,z\n",
    '"a","b"\n"1","x, with comma"\n2,y\n3,z\n',
])
def test_delimiters_line_endings_bom_quotes(tmp_path, text):
    col = data.read_column(write(tmp_path, text))
    assert col.name == "a"
    assert col.values.tolist() == [1.0, 2.0, 3.0]
    assert col.rows_read == 3 and col.dropped == ()


def test_blank_lines_are_reported_with_their_line_numbers(tmp_path):
    col = data.read_column(write(tmp_path, "x\n1\n\n3\nNA\n5\n\n"))
    assert col.values.tolist() == [1.0, 3.0, 5.0]
    assert col.rows_read == 6  # 4 value rows and 2 blank lines: read = used + dropped
    reasons = {d.reason: (d.count, d.first) for d in col.dropped}
    assert reasons[data.BLANK_LINE] == (2, ("line 3", "line 7"))
    assert reasons[data.MISSING] == (1, ("line 5",))


def test_line_numbers_stay_right_after_blank_lines(tmp_path):
    path = write(tmp_path, "x,y\r\n1,2\r\n\r\n\r\n3,4\r\nabc,5\r\n")
    with pytest.raises(DataError, match=r"line 6: 'abc'"):
        data.read_column(path, "x")
    col = data.read_column(write(tmp_path, "x,y\n1,2\n\n\n3,4\n\n\n\n5,6\n"), "x")
    assert [(d.reason, d.count) for d in col.dropped] == [(data.BLANK_LINE, 5)]
    assert col.rows_read == 8 and col.values.size == 3


def test_labels_are_read_as_text_not_numbers(tmp_path):
    col = data.read_column(write(tmp_path, "zip\n02134\n2134\n02134\n1e3\n1000\n"), labels=True)
    assert col.values.tolist() == ["02134", "2134", "02134", "1e3", "1000"]


def test_duplicate_column_names(tmp_path):
    with pytest.raises(UsageError, match=r"the column name 'x' appears 2 times"):
        data.read_column(write(tmp_path, "x,x\n1,2\n"), "x")


def test_pandas_missing_markers_count_as_missing():
    pd = pytest.importorskip("pandas")
    col = data.from_values(pd.Series([1, None, 4], dtype="Int64"))
    assert col.values.tolist() == [1.0, 4.0] and col.dropped[0].first == ("index 1",)
    col = data.from_values(pd.Series(["a", pd.NA, "b"], dtype=object), labels=True)
    assert col.values.tolist() == ["a", "b"]


@pytest.mark.parametrize("na", ["", "NA", "NaN", "nan", "null", "NULL", "None", "N/A", "#N/A"])
def test_missing_value_spellings(tmp_path, na):
    col = data.read_column(write(tmp_path, f"x\n1\n{na}\n2\n"))
    assert col.values.tolist() == [1.0, 2.0] and col.dropped[0].count == 1


def test_case_insensitive_column_name(tmp_path):
    col = data.read_column(write(tmp_path, "Count,b\n1,x\n"), "count")
    assert col.name == "Count"


def test_boolean_column_reads_as_zero_one(tmp_path):
    col = data.read_column(write(tmp_path, "ok\ntrue\nfalse\ntrue\n"))
    assert col.values.tolist() == [1.0, 0.0, 1.0]


def test_labels_keep_strings_and_format_integers(tmp_path):
    col = data.read_column(write(tmp_path, "k\n1\n2\n\n2\n"), labels=True)
    assert col.values.tolist() == ["1", "2", "2"] and col.dropped[0].count == 1


def test_numbers_in_quotes_and_exponents(tmp_path):
    col = data.read_column(write(tmp_path, 'x,y\n"1.5e3",a\n" 2 ",b\n-.5,c\n'), "x")
    assert col.values.tolist() == [1500.0, 2.0, -0.5]


def test_date_column_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match=r"column 'd' holds date32\[day\] values, not numbers"):
        data.read_column(write(tmp_path, "d\n2020-01-01\n2020-01-02\n"))


def test_header_only_file_has_no_rows(tmp_path):
    col = data.read_column(write(tmp_path, "x\n"))
    assert col.values.size == 0 and col.rows_read == 0


def test_non_numeric_message_names_first_three(tmp_path):
    with pytest.raises(DataError) as err:
        data.read_column(write(tmp_path, "x\n1\na\nb\nc\nd\n"))
    assert "4 non-numeric values (line 3: 'a', line 4: 'b', line 5: 'c')" in str(err.value)


def test_ambiguous_default_column(tmp_path):
    with pytest.raises(UsageError, match=r"the file has 2 columns \(a, b\)"):
        data.read_column(write(tmp_path, "a,b\n1,2\n"))


def test_only_numeric_column_is_the_default(tmp_path):
    assert data.read_column(write(tmp_path, "name,v\nx,1\ny,2\n")).name == "v"


def test_from_values_rejects_2d():
    with pytest.raises(UsageError, match="one-dimensional"):
        data.from_values(np.ones((3, 2)))


def test_from_values_non_numeric_strings():
    with pytest.raises(DataError, match=r"index 1: 'b'"):
        data.from_values([1, "b", 3])


def test_binary_file_is_refused_without_echoing_it(tmp_path):
    path = write(tmp_path, bytes(range(256)) * 4)
    with pytest.raises(DataError, match="is not UTF-8 text") as err:
        data.read_column(path)
    assert "\x00" not in str(err.value)


def test_latin1_file_is_refused_with_the_way_out(tmp_path):
    with pytest.raises(DataError, match="name the encoding with --encoding"):
        data.read_column(write(tmp_path, "name,x\ncaf\xe9,1\n".encode("latin-1")))


# ------------------------------------------------------------------ integer columns are known whole
def test_an_integer_column_is_read_as_whole_numbers_and_a_float_one_is_not(tmp_path):
    ints = data.read_column(write(tmp_path, "k\n3\n\n0\nNA\n12\n"))
    assert ints.whole and ints.values.dtype == np.float64 and ints.values.tolist() == [3.0, 0.0, 12.0]
    assert not data.read_column(write(tmp_path, "k\n3\n0.5\n")).whole
    assert not data.read_column(write(tmp_path, "k\n3.0\n4.0\n")).whole  # floats: checked value by value


@pytest.mark.parametrize("text,family,ok", [
    ("k\n0\n1\n1\n", "bernoulli", True), ("k\n0\n2\n1\n", "bernoulli", False),
    ("k\n0\n3\n7\n", "poisson", True), ("k\n0\n-3\n7\n", "poisson", False),
    ("k\n0\n3.5\n7\n", "poisson", False), ("k\n0\n3.0\n7\n", "poisson", True)])
def test_support_of_integer_and_float_columns(tmp_path, text, family, ok):
    path = write(tmp_path, text)
    for chunked in (False, True):  # in memory, and read in chunks (stream.check_values)
        run = CliRunner().invoke(cli, ["fit", path, "-d", family, "--json"] + (["--chunk-size", "2"] if chunked else []))
        assert (run.exit_code == 0) == ok, run.output
        if not ok:
            assert "outside the support" in run.output


def test_float_column_keeps_its_extremes_only_when_nothing_is_left_out(tmp_path):
    """A clean float column carries its (min, max) from the pass that looks for NaN, so
    the fit does not take them again; any missing value, NaN, numeric --na-values
    marker or infinite value leaves no extremes behind (or is refused)."""
    from mlefit.io.readers import ReadOptions
    clean = data.read_column(write(tmp_path, "x\n2.5\n-1.25\n7\n"))
    assert clean.extremes == (-1.25, 7.0) and not clean.dropped
    blank = data.read_column(write(tmp_path, "x\n2.5\n\n7\n", "b.csv"))  # a blank line is no value
    assert blank.extremes == (2.5, 7.0) and blank.dropped[0].reason == "blank line"
    na = data.read_column(write(tmp_path, "x\n2.5\nNA\n-3\n", "n.csv"))
    assert na.extremes is None and na.values.tolist() == [2.5, -3.0]
    marker = data.read_column(write(tmp_path, "x\n2.5\n-999.0\n7\n", "m.csv"), options=ReadOptions(na_values=("-999",)))
    assert marker.extremes is None and marker.values.tolist() == [2.5, 7.0]
    with pytest.raises(DataError, match="infinite"):
        data.read_column(write(tmp_path, "x\n2.5\ninf\n7\n", "i.csv"))
    import mlefit
    assert mlefit.fit(clean, "normal").estimates["mu"] == pytest.approx((2.5 - 1.25 + 7) / 3)
