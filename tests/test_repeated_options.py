"""A single-valued option given twice with different values is a usage error (issue 19,
point 10): click alone keeps the last one, so `-d normal -d gamma` fitted gamma silently."""
import pytest
from click.testing import CliRunner

from mlefit.cli import cli
from mlefit.cli.once import conflict

DATA = "x\n1.5\n2.5\n3.5\n"


def run(*args):
    return CliRunner().invoke(cli, list(args), input=DATA)


@pytest.mark.parametrize("args, message", [
    (["fit", "-", "-d", "normal", "-d", "gamma"], "--dist is given twice with different values ('normal' and 'gamma')"),
    (["fit", "-", "--dist=normal", "-dgamma"], "--dist is given twice with different values ('normal' and 'gamma')"),
    (["fit", "-", "-d", "normal", "-c", "x", "--column", "y"], "--column is given twice with different values ('x' and 'y')"),
    (["select", "-", "--criterion", "aic", "--criterion", "bic"], "--criterion is given twice"),
    (["likelihood", "-", "-d", "gamma", "--plot", "a.png", "--plot", "b.png"], "--plot is given twice"),
    (["compare-losses", "-", "--header", "--no-header"], "--header and --no-header contradict each other"),
])
def test_conflicting_repeats_are_refused(args, message):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.stderr


def test_the_same_value_twice_and_repeatable_options_are_fine():
    result = run("fit", "-", "-d", "normal", "--dist", "normal", "--json", "--json",
                 "--derive", "mean", "--derive", "sd")
    assert result.exit_code == 0, result.output
    assert '"family": "normal"' in result.stdout


def test_words_after_a_double_dash_and_option_values_are_not_options():
    params = cli.commands["fit"].params
    assert conflict(params, ["-", "-d", "normal", "--", "-d"]) is None
    assert conflict(params, ["-", "-c", "-d", "-d", "normal"]) is None  # -c's value is the word '-d'
    assert "given twice" in conflict(params, ["-", "-c", "-d", "-d", "normal", "-d", "gamma"])
