"""Numbers are decimal: pyarrow reads 0x1A in a column of integers as 26, so a hex cell
among decimals changed the fit and nothing said so. Now it is refused with its line,
like -0x1A and 0x1p3 always were, however the file is read."""
import pytest
from click.testing import CliRunner

import mlefit
from mlefit.cli import cli
from mlefit.io.column import read_column
from mlefit.errors import DataError
from mlefit.io.stream import fit_file

HEX_WAY_OUT = "numbers are read in decimal, not hexadecimal: write it in decimal"


@pytest.mark.parametrize("cell", ["0x1A", "0X1a", " 0x1A", "-0x1A", "0x1p3"])
def test_a_hex_cell_is_refused_with_its_line(tmp_path, cell):
    path = tmp_path / "h.csv"
    path.write_text(f"x\n1\n2\n{cell}\n3\n")
    with pytest.raises(DataError) as err:
        mlefit.fit(read_column(str(path)), "normal")
    assert f"column 'x' has 1 non-numeric value (line 4: '{cell.strip()}'); {HEX_WAY_OUT}" in str(err.value)


def test_chunked_read_refuses_a_hex_cell_in_a_later_chunk(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("x\n" + "".join(f"{i % 7}\n" for i in range(500)) + "0x1A\n" + "4\n" * 10)
    with pytest.raises(DataError, match=r"line 502: '0x1A'\); numbers are read in decimal"):
        fit_file(str(path), "poisson", chunk_rows=64)


def test_hex_weights_are_refused(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("x,w\n1,1\n2,0x10\n3,1\n")
    result = CliRunner().invoke(cli, ["fit", str(path), "-d", "normal", "-c", "x", "-w", "w"])
    assert result.exit_code == 1
    assert result.stderr.strip() == ("mlefit: error: column 'w' has 1 non-numeric value (line 3: '0x10'); "
                                     "numbers are read in decimal, not hexadecimal: write it in decimal")


def test_text_with_0x_elsewhere_leaves_integers_as_they_were(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("x,name\n1,0xdead\n2,b\n9007199254740993,c\n")
    col = read_column(str(path), column="x")
    assert list(col.values) == [1.0, 2.0, 9007199254740992.0]


@pytest.mark.parametrize("data, found", [
    (b"x\n1\n2\n", False), (b"x\n1\n0x1A\n", True), (b"x\n0X1a\n", True), (b"x\n10x\n0xg\n", False),
    (b"x,l\n" + b"1,box\n" * 500 + b"0x1A,box\n", True),  # x everywhere: the regex after all
    (b"x,l\n" + b"1,box\n" * 500, False)])
def test_hex_cells_are_found_wherever_x_stands(data, found):
    from mlefit.io.readers import _holds_hex
    assert _holds_hex(data) is found and _holds_hex(memoryview(bytearray(data))) is found


@pytest.mark.parametrize("base, cut, found", [
    (b"0x1A\nx\n1\n0x1B", slice(5, 9), False), (b"0x1A\nx\n1\n0x1B", slice(5, None), True),
    (b"0x1A", slice(1, None), False), (b"0x1", slice(0, 2), False), (b"10x1A\n", slice(1, None), True),
    (b"1,box\n" * 200 + b"0x1A", slice(6, -4), False), (b"1,box\n" * 200 + b"0x1A", slice(6, None), True)])
def test_hex_cells_are_found_only_inside_a_view_of_a_larger_buffer(base, cut, found):
    """A run of lines is a memoryview of a larger buffer: it is searched where it lies,
    the bytes around it never looked at (as bytes(view) would be searched)."""
    from mlefit.io.readers import _holds_hex
    for kind in (bytes, bytearray):
        view = memoryview(kind(base))[cut]
        assert _holds_hex(view) is found is _holds_hex(bytes(view))
