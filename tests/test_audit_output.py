"""Issue 19, points 6 and 7: --format json prints the JSON error object as --json does
(the error edge looked for the literal --json), and a note on a moment that does not
exist is said once, not twice."""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import mlefit
from mlefit.cli import cli

MICHELSON = str(Path(__file__).resolve().parent.parent / "sample_data" / "michelson.csv")


@pytest.mark.parametrize("fmt", [["--format", "json"], ["--format=json"], ["--format", "ndjson"], ["--json"]])
def test_json_formats_print_the_error_object(fmt):
    result = CliRunner().invoke(cli, ["fit", "-", "-d", "normal", *fmt], input="x\n1\nabc\n")
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["type"] == "data_error" and "non-numeric value (line 3: 'abc')" in error["message"]
    if "ndjson" in fmt:  # one record per line, the error's too
        assert result.stdout.count("\n") == 1


def test_the_table_format_prints_no_json_on_error():
    result = CliRunner().invoke(cli, ["fit", "-", "-d", "normal", "--format", "table"], input="x\n1\nabc\n")
    assert result.exit_code == 1 and result.stdout == ""


@pytest.mark.parametrize("family,fix,what", [("cauchy", None, "mean"), ("student_t", {"df": "1.5"}, "var")])
def test_a_missing_moment_is_noted_once(family, fix, what):
    col = mlefit.read_column(MICHELSON, column="speed")
    d = mlefit.fit(col, family, fix=fix, derive=[what]).to_dict()
    note = d["derived"][0]["note"]
    assert note and note.count("does not exist") == 1, note


def test_help_and_messages_from_the_audit(tmp_path):
    """Issue 19, point 10: no literal %% in fit --help; select's help does not speak of
    --dist auto; 'gamma,weibull' points to --families; 1 column, not 1 columns; --json
    with another --format is refused."""
    runner = CliRunner()
    assert "%%" not in runner.invoke(cli, ["fit", "--help"]).output
    select_help = runner.invoke(cli, ["select", "--help"]).output
    assert "With --dist auto" not in select_help and "--interval bootstrap" not in select_help
    result = runner.invoke(cli, ["fit", MICHELSON, "-c", "speed", "-d", "gamma,weibull"])
    assert result.exit_code == 2 and "use --dist auto --families gamma,weibull" in result.stderr
    one = tmp_path / "one.csv"
    one.write_text("a\n1\n2\n")
    result = runner.invoke(cli, ["fit", str(one), "-w", "a", "-d", "normal"])
    assert "the file has 1 column (a)" in result.stderr
    result = runner.invoke(cli, ["fit", MICHELSON, "-c", "speed", "-d", "gamma", "--json", "--format", "table"])
    assert result.exit_code == 2 and "--json and --format table ask for two outputs" in result.stderr
