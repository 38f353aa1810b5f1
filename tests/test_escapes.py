"""Text from the user (file names, column names, group and category labels, --dist
names, globs) reaches the terminal with its control characters escaped: no input can
clear the screen, retitle the window or break a line of mlefit's output. JSON stays
exact (json.dumps escapes them itself)."""
import json
import unicodedata

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from mlefit.cli import cli

# Control characters a CSV header or cell can carry (not the line ends, the quote and the
# delimiters mlefit detects: those are the file's syntax, not its text)
CONTROL = st.sampled_from([chr(c) for c in range(1, 32) if chr(c) not in "\n\r\t"]
                          + ["\x7f", "\x85", "\x9b", "\u202e", "\u2028"])
TEXT = st.lists(st.one_of(CONTROL, st.sampled_from("abc\u00e9 ]0;[2J")), min_size=1, max_size=8).map("".join)


def raw_controls(text):
    """The characters in `text` a terminal would act on (every control but the newline)."""
    return [ch for ch in text if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")]


def run(args):
    result = CliRunner().invoke(cli, args, env={"COLUMNS": "100"})
    return result, result.stdout_bytes.decode("utf-8") + result.stderr_bytes.decode("utf-8")


@settings(max_examples=12)
@given(name=TEXT, label=TEXT, path=TEXT, dist=TEXT)
def test_user_text_is_printed_escaped(tmp_path_factory, name, label, path, dist):
    folder = tmp_path_factory.mktemp("escapes")
    column, group = f"v{name}v", f"g{label}g"
    data = folder / f"d{path}d.csv"
    rows = "".join(f"{x},{group if x % 2 else 'other'},{label if x % 3 else 'lab'}\n" for x in range(1, 13))
    data.write_text(f"{column},g,{column}2\n{rows}", encoding="utf-8")
    for args in (["fit", str(data), "-d", "normal", "-c", column],
                 ["fit", str(data), "-d", "normal", "-c", column, "--by", "g"],
                 ["fit", str(data), "-d", "categorical", "-c", f"{column}2"],
                 ["fit", str(data), "-d", f"n{dist}", "-c", column],
                 ["fit", str(folder / f"x{dist}*"), "-d", "normal"],
                 ["fit", str(data), "-d", "normal", "-c", f"w{name}"],
                 ["compare-losses", str(data), "-t", column, "--losses", "mse,mae"],
                 ["select", str(data), "-c", column, "--families", "normal,laplace", "--bootstrap", "0"]):
        result, shown = run(args)
        assert result.exit_code in (0, 1, 2), (args, shown)
        assert "internal error" not in shown and "Traceback" not in shown, (args, shown)
        assert not raw_controls(shown), (args, shown)


def test_escape_sequences_are_shown_not_sent(tmp_path):
    data = tmp_path / "e\x1b[2J.csv"
    data.write_text("x\x1b]0;pwned\x07,g\n1,a\x1b[2J\n2,a\x1b[2J\n3,b\n4,b\n", encoding="utf-8")
    result, shown = run(["fit", str(data), "-d", "normal", "-c", "x\x1b]0;pwned\x07", "--by", "g"])
    assert "normal fit to column 'x\\x1b]0;pwned\\x07'" in shown and "a\\x1b[2J" in shown
    assert "\x1b" not in shown and "\x07" not in shown
    result, shown = run(["fit", str(data), "-d", "no\x1b[2J"])
    assert shown.strip() == ("mlefit: error: unknown family 'no\\x1b[2J'; 'mlefit families' lists every family "
                             "(or --dist auto to compare those that admit the data)")
    result, _ = run(["fit", str(data), "-d", "normal", "-c", "x\x1b]0;pwned\x07", "--json"])
    assert json.loads(result.stdout)["column"] == "x\x1b]0;pwned\x07"
    result, shown = run(["fit", str(data), "-d", "normal", "-c", "x\x1b]0;pwned\x07",
                         "--plot", str(tmp_path / "p\x1b[2J.png")])
    assert result.exit_code == 0 and "\x1b" not in shown
    assert f"mlefit: wrote {tmp_path}/p\\x1b[2J.png: the data with the fitted normal" in shown
