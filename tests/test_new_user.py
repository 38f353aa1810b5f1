"""What a new user met (issue 19, 'For a new user'): compare-losses --continuous, the
logistic family on a 0/1 column, bernoulli on two text labels, degenerate mixture
components."""
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import mlefit
from mlefit.cli import cli

MICHELSON = str(Path(__file__).resolve().parent.parent / "sample_data" / "michelson.csv")


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


# ---------------------------------------------------------------- compare-losses --continuous
def test_continuous_ranks_the_densities_alone_on_whole_numbers():
    plain = json.loads(run("compare-losses", MICHELSON, "-t", "speed", "--json").stdout)
    assert plain["rows"][0]["loss"] == "poisson"  # a mass ranks before the densities
    result = run("compare-losses", MICHELSON, "-t", "speed", "--continuous", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert "poisson" not in [r["loss"] for r in rows] and all(r["differential"] for r in rows)
    assert rows[0]["rank"] == 1 and rows[0]["loss"] in ("mse", "gaussian_nll")
    assert [r["held_out_bits"] for r in rows] == sorted(r["held_out_bits"] for r in rows)
    table = run("compare-losses", MICHELSON, "-t", "speed").stdout
    assert "--continuous ranks the losses of a density alone" in table


@pytest.mark.parametrize("args, message", [
    (["--losses", "poisson"], "the poisson loss is a mass's: drop it, or drop --continuous"),
    ([], None),
])
def test_continuous_refuses_a_mass_named_with_it(args, message):
    result = run("compare-losses", MICHELSON, "-t", "speed", "--continuous", *args)
    if message is None:
        assert result.exit_code == 0
    else:
        assert result.exit_code == 2 and message in result.stderr
