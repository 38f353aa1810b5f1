"""Tables off a terminal are not wrapped at all, and on one no word is split (issue 19,
point 11: select's table written to a pipe at 80 columns showed 'zero_inflated_poisso' /
'n'); results print as that same table from Python."""
import io
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

import mlefit
from mlefit.report import tables as render
from mlefit.cli import cli
from mlefit.report.plain import SIMPLE_HEAD, Grid

HORSEKICKS = str(Path(__file__).resolve().parent.parent / "sample_data" / "horsekicks.csv")
SELECT = ["select", HORSEKICKS, "--bootstrap", "0"]


def test_off_a_terminal_nothing_is_wrapped(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    result = CliRunner().invoke(cli, SELECT)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "families ranked by AIC for column 'deaths' of " + HORSEKICKS in lines
    assert any("zero_inflated_poisson with pi = 0" in line for line in lines)
    note = [line for line in lines if line.startswith("not fitted: negative_binomial")]
    assert note and note[0].endswith("use --dist poisson")  # one line, however long


@pytest.mark.parametrize("columns", [80, 60])
def test_on_a_terminal_no_word_is_split(columns):
    result = CliRunner(env={"COLUMNS": str(columns)}).invoke(cli, SELECT)
    assert result.exit_code == 0, result.output
    if columns == 80:  # narrower, some tables are 'header: value' lines, never wrapped
        assert max(len(line) for line in result.stdout.splitlines()) <= columns
    words = result.stdout.split()
    for word in ("zero_inflated_poisson", "negative_binomial", "chi2(0)+chi2(1),", "0.00798718"):
        assert word in words, word


def test_random_tables_keep_every_word_whole(monkeypatch):
    """At any width a headed table is drawn with every word whole (narrowed columns, or
    'header: value' lines when even that cannot fit), by render_plain and by rich alike."""
    rng = random.Random(7)
    for _ in range(200):
        width = rng.randint(20, 120)
        monkeypatch.setenv("COLUMNS", str(width))
        grid = Grid(title="t", box=SIMPLE_HEAD)
        words = []
        for j in range(rng.randint(2, 6)):
            grid.add_column(f"h{j}", justify=rng.choice(["left", "right", "center"]), overflow="fold",
                            no_wrap=rng.random() < 0.2)
        for _ in range(rng.randint(1, 4)):
            row = [" ".join(f"w{len(words) + k}" + "x" * rng.randint(0, 18) for k in range(rng.randint(1, 4)))
                   for _ in grid.columns]
            words += [w for cell in row for w in cell.split()]
            grid.add_row(*row)
        texts = []
        for plain in (True, False):
            out = io.StringIO()
            with monkeypatch.context() as m:
                if not plain:
                    m.setattr(render, "plain_width", lambda file=None: None)
                render.emit([grid], file=out)
            texts.append(out.getvalue())
            shown = out.getvalue().split()
            for w in words:
                assert w in shown or f"h{0}: {w}" in out.getvalue() or any(w in s for s in shown if ":" in s), \
                    (width, w, out.getvalue())
        assert texts[0] == texts[1], width  # render_plain writes what rich writes, fixed widths too


def test_print_a_result_shows_the_cli_table():
    r = mlefit.fit([3, 1, 4, 1, 5, 9, 2, 6], "poisson", derive=["mean"])
    text = str(r)
    assert text.startswith("poisson fit to data\n")
    assert " rate           3.875   0.695971   2.72516 - 5.51001   wald, log scale" in text
    assert "derived quantities" in text and "converged        yes" in text
    assert not any(line != line.rstrip() for line in text.splitlines())
    assert "FitResult(" not in text and "FitResult(" in repr(r)


def test_print_a_regression_and_a_comparison():
    r = mlefit.regress({"y": [0, 0, 1, 1, 0, 1, 1, 0], "x": [1, 2, 3, 4, 2, 5, 1.5, 3]}, "y", ["x"],
                       dist="bernoulli")
    assert str(r).startswith("bernoulli regression (logit link) of 'y'") and "Intercept" in str(r)
    from mlefit.losses import reference
    assert "mse  ->  normal" in str(reference())


def test_help_documents_the_options():
    for fn, words in ((mlefit.fit, ("derive", "interval", "weights", "fix", "print(r)")),
                      (mlefit.regress, ("formula", "link", "positive", "print(r)"))):
        assert all(w in fn.__doc__ for w in words), fn.__name__
        assert "see mlefit." not in fn.__doc__.splitlines()[0]
