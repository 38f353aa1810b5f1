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


def test_the_table_format_prints_no_json_on_error():
    result = CliRunner().invoke(cli, ["fit", "-", "-d", "normal", "--format", "table"], input="x\n1\nabc\n")
    assert result.exit_code == 1 and result.stdout == ""


@pytest.mark.parametrize("family,fix,what", [("cauchy", None, "mean"), ("student_t", {"df": "1.5"}, "var")])
def test_a_missing_moment_is_noted_once(family, fix, what):
    col = mlefit.read_column(MICHELSON, column="speed")
    d = mlefit.fit(col, family, fix=fix, derive=[what]).to_dict()
    note = d["derived"][0]["note"]
    assert note and note.count("does not exist") == 1, note
