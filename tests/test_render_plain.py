"""render_plain writes a table to a pipe or a file without rich. What it promises: the
same cells as rich draws on a terminal (every word of every cell, in order), never a word
split, columns aligned and as wide as their longest cell, narrowed (at spaces) only when
the table is wider than the width; rich draws where the output is a terminal. Not rich's
exact layout: no private rich module is copied, so a rich release cannot break it."""
import io
import json
import random
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from mlefit.report import tables as render
from mlefit.cli import cli
from mlefit.report.plain import SIMPLE_HEAD, Grid, cells, plain_text, plain_width

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
MICHELSON = str(SAMPLE / "michelson.csv")
RULE = "\u2500"


def rich_text(items, width):
    """What rich prints for `items` at `width` when the output is not a terminal (its
    public Console, as render.console() makes it)."""
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, highlight=False, markup=False, emoji=False)
    for item in items:
        console.print(item)
    return out.getvalue()


def words(text):
    """The words of a text, in reading order, rules left out."""
    return [w for w in text.split() if set(w) != {RULE}]


def item_words(items):
    out = []
    for item in items:
        if isinstance(item, Grid):
            out += (item.title or "").split()
            for row in ([[c["header"] for c in item.columns]] if item.show_header else []) + item.rows:
                out += " ".join(row).split()
        else:
            out += item.split()
    return out


def spacing(grid):
    """The cells between and around a grid's columns: two spaces between columns, three
    and one at each edge with a box."""
    n = len(grid.columns)
    return 2 * (n - 1) + (2 + (n - 1) if grid.box else 0)


def natural_width(grid):
    """The width of `grid` with no cell wrapped: its longest cells and the spacing."""
    rows = ([[c["header"] for c in grid.columns]] if grid.show_header else []) + grid.rows
    return sum(max(cells(r[i].rstrip()) for r in rows) for i in range(len(grid.columns))) + spacing(grid)


def random_grid(rng):
    vocabulary = ["a", "ab", "1.234", "-", "(SE)", "[red]", "\u03bc", "\u65e5\u672c", "e\u0301t\u00e9"]

    def text():
        if rng.random() < 0.1:
            return ""
        return " ".join(rng.choice(vocabulary + ["x" * rng.randint(1, 30)]) for _ in range(rng.randint(1, 6)))

    grid = Grid(title=text() if rng.random() < 0.5 else None, box=rng.choice([None, SIMPLE_HEAD]),
                show_header=rng.random() < 0.7)
    for _ in range(rng.randint(1, 6)):
        grid.add_column(text(), justify=rng.choice(["left", "right", "center"]),
                        overflow=rng.choice(["fold", "ellipsis"]), no_wrap=rng.random() < 0.2)
    for _ in range(rng.randint(1, 5)):
        grid.add_row(*[text() for _ in range(rng.randint(0, len(grid.columns)))])
    return grid, text


def test_random_tables_keep_every_word_whole_and_in_order():
    """Seeded random tables (wide and combining characters, words longer than any
    width, empty cells, every justify and no_wrap, with and without box, header and
    title, lines before and after) at widths from 1 to 200: the words are the cells'
    words, none split and in order row by row where no cell wraps; the table is
    rectangular; it keeps to the width where its words allow, and at or beyond its
    natural width it is laid out as at any greater width, one line per row."""
    rng = random.Random(20)
    for _ in range(1500):
        grid, text = random_grid(rng)
        items = [grid] if rng.random() < 0.7 else [text(), grid, text()]
        width = rng.choice([rng.randint(1, 40), rng.randint(40, 200)])
        got = plain_text(items, width)
        assert got is not None
        assert Counter(words(got)) == Counter(item_words(items)), (width, grid.columns, grid.rows)
        table = plain_text([grid], width).splitlines()
        longest_title_word = max((cells(w) for w in (grid.title or "").split()), default=0)
        if longest_title_word <= cells(table[-1]):
            assert len({cells(line) for line in table}) == 1, (width, table)  # rectangular
        wide = plain_text([grid], 10_000)
        if natural_width(grid) <= width:
            assert plain_text([grid], width) == wide
        if natural_width(grid) <= width or width >= 10_000:
            assert words(wide) == item_words([grid])  # row by row, cells in order
        least = sum(max([cells(w) for r in grid.rows + [[c["header"] for c in grid.columns]] if i < len(r)
                         for w in (r[i].split() if not c["no_wrap"] else [r[i].rstrip()])] + [1])
                    for i, c in enumerate(grid.columns)) + spacing(grid)
        if least <= width and longest_title_word <= width:
            assert max(cells(line) for line in table) <= width, (width, table)


def test_a_table_narrowed_wraps_at_spaces_and_aligns_its_columns():
    """The exact layout promised: the header over a rule, columns one space apart,
    right-justified numbers, a wrapped cell continued under itself; nothing split."""
    grid = Grid(title="gamma fit")
    grid.add_column("name")
    grid.add_column("estimate", justify="right")
    grid.add_column("note", overflow="fold")
    grid.add_row("zero_inflated_poisson", "0.123456", "the profile interval reaches the edge")
    grid.add_row("pi", "12", "")
    assert plain_text([grid], 60) == (
        "gamma fit                                                   \n"
        "                                                            \n"
        " name                    estimate   note                    \n"
        " ────────────────────────────────────────────────────────── \n"
        " zero_inflated_poisson   0.123456   the profile interval    \n"
        "                                    reaches the edge        \n"
        " pi                            12                           \n"
        "                                                            \n")
    at_30 = [line.rstrip() for line in plain_text([grid], 30).splitlines()]
    assert at_30[4:9] == [" zero_inflated_poisson   0.123456   the", "                                    profile",
                          "                                    interval", "                                    reaches",
                          "                                    the edge"]  # wider than 30: nothing split


def test_wide_characters_take_two_cells():
    grid = Grid(box=None, show_header=False)
    grid.add_column()
    grid.add_column(justify="right")
    grid.add_row("\u65e5\u672c", "1")
    grid.add_row("abc", "22")
    assert plain_text([grid], 80) == "\u65e5\u672c   1\nabc   22\n"


def test_rich_draws_what_plain_text_cannot():
    table = Grid(title="fit")
    table.add_column("name")
    table.add_row("tab\there")  # not printable: rich's escaping and cell widths
    assert plain_text([table], 80) is None
    assert plain_text(["tab\there"], 80) is None
    assert plain_text([Grid(title="fit", title_justify="center")], 80) is None


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
    must not be called) or by rich, as on a terminal (plain_width says so)."""
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
    """render.<show> to a file, by itself (no rich), has the words rich draws on a
    terminal, in the same order where neither wraps; no line beyond the width at 80
    columns and more; only 'header: value' lines below the width the table needs."""
    wide_by_rich = printed(show, args, 1000, monkeypatch, plain=False)
    for width in widths:
        by_plain = printed(show, args, width, monkeypatch, plain=True)
        if width >= 1000:
            assert words(by_plain) == words(wide_by_rich)
        if not re.search(r"^\s+\S+: ", by_plain, re.M):  # not the narrow form (render.narrow)
            assert Counter(words(by_plain)) == Counter(words(wide_by_rich)), width
        if width >= 80:
            assert max(map(cells, by_plain.splitlines())) <= width, width


@pytest.mark.parametrize("args", CASES)
def test_fit_tables_have_the_words_rich_draws(args, no_forcing):
    """Real fits (intervals of every kind, derived quantities, weights, notes) at 1000,
    120, 80, 60 and 40 columns."""
    result = CliRunner().invoke(cli, ["fit", *args, "--json"])
    assert result.exit_code == 0, result.output
    check(render.print_fit, (json.loads(result.stdout),), (1000, 120, 80, 60, 40), no_forcing)


def test_group_table_has_the_words_rich_draws(no_forcing):
    """--by, with a group that could not be fitted."""
    text = "g,x\na,1\na,2\nb,0\nb,3\nb,1\ncccccc,4\ncccccc,2\nlonely,5\n"
    result = CliRunner().invoke(cli, ["fit", "-", "-c", "x", "--by", "g", "-d", "normal", "--json"], input=text)
    d = json.loads(result.stdout)
    rows = d.pop("groups")
    assert any("error" in r for r in rows)
    check(render.print_groups, (d, rows), (1000, 120, 80, 60, 40), no_forcing)


class FakeOut(io.StringIO):
    def __init__(self, tty, encoding="utf-8"):
        super().__init__()
        self.tty, self._encoding = tty, encoding

    @property
    def encoding(self):
        return self._encoding

    def isatty(self):
        return self.tty


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


def test_rich_draws_on_a_terminal(no_forcing):
    """To a terminal the table is rich's (render.console), not render_plain's."""
    result = CliRunner().invoke(cli, ["fit", str(SAMPLE / "horsekicks.csv"), "-d", "poisson", "--json"])
    drawn = []
    real = render.console

    def console(file=None):
        drawn.append(file)
        return real(file)

    no_forcing.setattr(render, "console", console)
    no_forcing.setenv("COLUMNS", "80")
    out = FakeOut(True)
    render.print_fit(json.loads(result.stdout), file=out)
    assert drawn and "rate" in out.getvalue()
    drawn.clear()
    render.print_fit(json.loads(result.stdout), file=FakeOut(False))
    assert not drawn


def test_iteration_counts_are_singular_or_plural():
    """'converged yes in 1 iteration', '... in 3 iterations' (it said '1 iterations')."""
    import re
    import subprocess
    import sys

    from mlefit.report.tables import iterations

    assert (iterations(1), iterations(3)) == ("1 iteration", "3 iterations")
    out = subprocess.run([sys.executable, "-m", "mlefit", "fit", "sample_data/rossi.csv", "-c", "week", "--event",
                          "arrest", "-d", "weibull", "--chunk-size", "100"], capture_output=True, text=True,
                         cwd=__file__.rsplit("/tests/", 1)[0], check=True).stdout
    n, s = re.search(r"converged +yes in (\d+) iteration(s?)\b", out).groups()
    assert (s == "s") == (n != "1")
