"""Narrow terminals: a table too wide for the width is printed as 'header: value' lines,
so no column (the estimate above all) is ever dropped (issue 20, point 10: COLUMNS=30
showed only the interval column, COLUMNS=10 three digits)."""
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlefit.cli import cli

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def run(columns, *args):
    return CliRunner(env={"COLUMNS": str(columns)}).invoke(cli, [str(a) for a in args])


@pytest.mark.parametrize("columns", [10, 30, 45])
def test_a_fit_on_a_narrow_terminal_shows_every_field(columns):
    result = run(columns, "fit", SAMPLE / "horsekicks.csv", "-d", "poisson")
    assert result.exit_code == 0
    for text in ("rate", "estimate: 0.61", "SE: 0.0552268", "95% interval: 0.510817 - 0.72844"):
        assert text in result.stdout.replace("\n ", " ").replace("-\n", "- ") or text in result.stdout


def test_a_regression_on_a_narrow_terminal_names_every_coefficient():
    result = run(40, "regress", SAMPLE / "infert.csv", "-y", "case", "-x", "spontaneous,induced", "-d", "bernoulli")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    for name, estimate in (("Intercept", "-1.7079"), ("spontaneous", "1.1972"), ("induced", "0.41813")):
        at = lines.index(name)
        assert lines[at + 1] == f"  estimate: {estimate}"


def test_at_80_columns_the_table_is_kept():
    result = run(80, "fit", SAMPLE / "horsekicks.csv", "-d", "poisson")
    assert " parameter   estimate" in result.stdout and "estimate:" not in result.stdout
