"""render_plain writes a table to a pipe or a file without rich: the bytes must be the
ones rich would write, and it must step aside wherever rich would do something else."""
import io
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from mlefit import render
from mlefit.cli import cli
from mlefit.render_plain import SIMPLE_HEAD, Grid, plain_text, plain_width

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
MICHELSON = str(SAMPLE / "michelson.csv")


def rich_text(items, width):
    """What render.console() prints for `items` at `width` when the output is not a terminal."""
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, highlight=False, markup=False, emoji=False)
    for item in items:
        console.print(item)
    return out.getvalue()


def test_random_tables_match_rich():
    """Seeded random tables (words longer than their column, leading and trailing spaces,
    empty cells, every justify, overflow and no_wrap, with and without box, header and
    title, lines before and after) at widths from 1 to 200: wherever plain_text gives
    text it is rich's, and it gives text for a good share of them."""
    rng = random.Random(20)

    def text():
        if rng.random() < 0.1:
            return ""
        words = [rng.choice(["a", "ab", "1.234", "-", "(SE)", "[red]", "x" * rng.randint(1, 30)])
                 for _ in range(rng.randint(1, 6))]
        s = ("  " if rng.random() < 0.05 else " ").join(words)
        lead = " " * rng.randint(1, 3) if rng.random() < 0.15 else ""
        return lead + s + (" " * rng.randint(1, 3) if rng.random() < 0.15 else "")

    plain = 0
    for _ in range(1500):
        grid = Grid(title=text() if rng.random() < 0.5 else None, box=rng.choice([None, SIMPLE_HEAD]),
                    show_header=rng.random() < 0.7)
        for _ in range(rng.randint(1, 6)):
            grid.add_column(text(), justify=rng.choice(["left", "right", "center"]),
                            overflow=rng.choice(["fold", "ellipsis", "crop"]), no_wrap=rng.random() < 0.2,
                            style=rng.choice([None, "bold"]))
        for _ in range(rng.randint(0, 5)):
            grid.add_row(*[text() for _ in range(rng.randint(0, len(grid.columns)))])
        items = [grid] if rng.random() < 0.7 else [text(), grid, text()]
        width = rng.choice([rng.randint(1, 40), rng.randint(40, 200)])
        got = plain_text(items, width)
        if got is not None:
            plain += 1
            assert got == rich_text(items, width), (width, grid.title, grid.columns, grid.rows)
    assert plain > 400


def test_rich_draws_what_plain_text_cannot():
    long_word = Grid(box=None, show_header=False)
    long_word.add_column(overflow="ellipsis")
    long_word.add_row("a_word_longer_than_the_width")
    assert plain_text([long_word], 10) is None  # rich: 'a_word_lo…'
    assert "\u2026" in rich_text([long_word], 10)
    table = Grid(title="fit")
    table.add_column("name")
    table.add_row("\u03bc")  # not ASCII: cells may be wider than characters
    assert plain_text([table], 80) is None
    table.rows = [["mu"]]
    assert plain_text([table], 80) == rich_text([table], 80)
    assert plain_text(["tab\there"], 80) is None


CASES = [
    [str(SAMPLE / "horsekicks.csv"), "-d", "poisson"],
    [MICHELSON, "-c", "speed", "-d", "normal", "--robust"],
    [MICHELSON, "-c", "speed", "-d", "gamma", "--derive", "mean", "--interval", "all", "--bootstrap", "30"],
    [MICHELSON, "-c", "speed", "-d", "gamma", "--fix", "shape=100"],
    [str(SAMPLE / "infert.csv"), "-c", "education", "-d", "categorical"],
    [str(SAMPLE / "horsekicks_table.csv"), "-c", "deaths", "-w", "corps_years", "-d", "poisson"],
    [str(SAMPLE / "saxony.csv"), "-c", "boys", "--trials", "children", "-w", "families", "-d", "binomial"],
    [MICHELSON, "-c", "speed", "-l", "mae"],
]


@pytest.fixture
def no_forcing(monkeypatch):
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def printed(show, args, width, monkeypatch, plain):
    """What render.<show> writes to a file at `width`: by render_plain (plain=True; rich
    must not be called) or by rich (render_plain switched off)."""
    monkeypatch.setenv("COLUMNS", str(width))
    with monkeypatch.context() as m:
        if plain:
            m.setattr(render, "console", lambda file=None: pytest.fail("rich drew the table"))
        else:
            m.setattr(render, "plain_width", lambda file=None: None)
        out = io.StringIO()
        show(*args, file=out)
    return out.getvalue()


def check(show, args, widths, monkeypatch):
    """render.<show> writes rich's bytes at each width; by itself (no rich) from 80 columns."""
    for width in widths:
        by_rich = printed(show, args, width, monkeypatch, plain=False)
        try:
            by_plain = printed(show, args, width, monkeypatch, plain=True)
        except pytest.fail.Exception:
            assert width < 80, f"rich was needed at {width} columns"
            continue
        assert by_plain == by_rich, width


@pytest.mark.parametrize("args", CASES)
def test_fit_tables_are_the_bytes_rich_writes(args, no_forcing):
    """Real fits (intervals of every kind, derived quantities, weights, notes): at 80 and
    120 columns the plain text is always used; at 60 and 40 (titles and notes wrap, columns
    narrow) it is used where it can be; in every case it is what rich writes."""
    result = CliRunner().invoke(cli, ["fit", *args, "--json"])
    assert result.exit_code == 0, result.output
    check(render.print_fit, (json.loads(result.stdout),), (120, 80, 60, 40), no_forcing)


def test_group_table_is_the_bytes_rich_writes(no_forcing):
    """--by, with a group that could not be fitted."""
    text = "g,x\na,1\na,2\nb,0\nb,3\nb,1\ncccccc,4\ncccccc,2\nlonely,5\n"
    result = CliRunner().invoke(cli, ["fit", "-", "-c", "x", "--by", "g", "-d", "normal", "--json"], input=text)
    d = json.loads(result.stdout)
    rows = d.pop("groups")
    assert any("error" in r for r in rows)
    check(render.print_groups, (d, rows), (120, 80, 60, 40), no_forcing)


class FakeOut:
    def __init__(self, tty, encoding="utf-8"):
        self.tty, self.encoding = tty, encoding

    def isatty(self):
        return self.tty

    def write(self, text):
        pass

    def flush(self):
        pass


@pytest.mark.parametrize("tty", [False, True])
@pytest.mark.parametrize("force_color", [None, "", "1"])
@pytest.mark.parametrize("tty_compatible", [None, "", "0", "1"])
@pytest.mark.parametrize("columns", [None, "57", "x"])
def test_plain_only_where_rich_sees_no_terminal(tty, force_color, tty_compatible, columns, monkeypatch):
    """plain_width decides as rich.console.Console does: plain text exactly when rich
    would not treat the output as a terminal, at the width rich would use."""
    for name, value in (("FORCE_COLOR", force_color), ("TTY_COMPATIBLE", tty_compatible), ("COLUMNS", columns)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    out = FakeOut(tty)
    console = Console(file=out)
    width = plain_width(out)
    if console.is_terminal:
        assert width is None
    else:
        assert width == console.width
    assert plain_width(FakeOut(False, encoding="ascii")) is None  # rich would draw ASCII boxes
