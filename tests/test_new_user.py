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


# ---------------------------------------------------------------- logistic on 0/1, -d logit
def test_a_density_on_0_1_outcomes_says_what_was_fitted():
    r = mlefit.fit([0, 1, 1, 0, 1, 1, 0, 1], "logistic")
    note = [n for n in r.notes if n.startswith("every value is 0 or 1")]
    assert note and "not logistic regression" in note[0] and "--dist bernoulli" in note[0] \
        and "mlefit regress -d bernoulli" in note[0]
    assert any("--dist bernoulli" in n for n in mlefit.fit([0, 1, 1, 0], "normal").notes)
    assert not any("0 or 1" in n for n in mlefit.fit([0, 1, 1, 0.5], "logistic").notes)
    assert not any("0 or 1" in n for n in mlefit.fit([0, 1, 1, 0], "bernoulli").notes)


@pytest.mark.parametrize("name", ["logit", "probit", "logistic_regression"])
def test_a_regression_asked_for_as_a_family_points_to_bernoulli_and_regress(name):
    result = run("fit", "-", "-d", name, input="y\n0\n1\n1\n")
    assert result.exit_code == 2
    assert f"'{name}' names a regression (a link), not a family" in result.stderr
    assert "--dist bernoulli" in result.stderr and "mlefit regress -d bernoulli" in result.stderr


# ---------------------------------------------------------------- bernoulli on two text labels
def test_bernoulli_takes_two_text_labels_and_says_which_is_1(tmp_path):
    path = tmp_path / "yn.csv"
    path.write_text("ans\nyes\nno\nyes\nyes\nno\n")
    d = json.loads(run("fit", path, "-d", "bernoulli", "--json").stdout)
    assert d["parameters"][0]["estimate"] == pytest.approx(0.6, rel=1e-12)  # 3 of 5 are 'yes'
    assert "column 'ans' is 1 for 'yes' and 0 for 'no' (the second in sorted order" in " ".join(d["notes"])
    d = json.loads(run("fit", path, "-d", "bernoulli", "--positive", "no", "--json").stdout)
    assert d["parameters"][0]["estimate"] == pytest.approx(0.4, rel=1e-12)
    assert "is 1 for 'no' and 0 for 'yes' (given by --positive)" in " ".join(d["notes"])
    r = mlefit.fit(["TRUE", "FALSE", "TRUE", None], "bernoulli")
    assert r.estimates["p"] == pytest.approx(2 / 3) and r.n_dropped == 1
    assert mlefit.fit(np.array([1, 0, 1]), "bernoulli").notes == ()  # numbers stay numbers


def test_bernoulli_text_labels_with_weights_and_by(tmp_path):
    """Two text labels worked in a plain fit only: --weights and --by said 'non-numeric
    values'. With --by, one mapping holds for every group (a group may hold one label)."""
    path = tmp_path / "yn.csv"
    path.write_text("y,w,g\nyes,1,a\nno,2,a\nyes,1,b\nyes,3,b\nno,1,a\n")
    d = json.loads(run("fit", path, "-c", "y", "-d", "bernoulli", "-w", "w", "--json").stdout)
    assert d["parameters"][0]["estimate"] == pytest.approx(5 / 8, rel=1e-12)
    assert "is 1 for 'yes' and 0 for 'no'" in " ".join(d["notes"])
    out = run("fit", path, "-c", "y", "-d", "bernoulli", "--by", "g", "--positive", "no", "--format", "ndjson")
    groups = {r["group"]: r for r in map(json.loads, out.stdout.splitlines())}
    assert groups["a"]["parameters"][0]["estimate"] == pytest.approx(2 / 3, rel=1e-12)
    assert groups["b"]["parameters"][0]["estimate"] == 0.0  # only 'yes' there: still 0 for 'no'
    assert all("is 1 for 'no' and 0 for 'yes' (given by --positive)" in " ".join(r["notes"]) for r in groups.values())
    table = run("fit", path, "-c", "y", "-d", "bernoulli", "--by", "g").stdout
    assert "note: column 'y' is 1 for 'yes' and 0 for 'no'" in table


@pytest.mark.parametrize("args, data, code, message", [
    (["--positive", "maybe"], "a\nyes\nno\n", 2, "--positive 'maybe' is not a label of column 'a' ('no', 'yes')"),
    ([], "a\nx\ny\nz\n", 1, "column 'a' has 3 labels ('x', 'y', 'z'); bernoulli needs two (or 0/1)"),
])
def test_bernoulli_labels_refused_with_the_way_out(args, data, code, message):
    result = run("fit", "-", "-d", "bernoulli", *args, input=data)
    assert result.exit_code == code and message in result.stderr


# ---------------------------------------------------------------- degenerate mixture components
def test_a_degenerate_mixture_component_is_flagged_with_a_word_on_aic():
    x = np.random.default_rng(5).normal(50, 10, 100)  # one normal group
    r = mlefit.fit(x, "normal_mixture:2")
    w, sigma = r.estimates["w[1]"], r.estimates["sigma[1]"]
    assert w * 100 < 20 and sigma < 0.25 * x.std()  # a spike on ~13 points, as the audit saw
    assert r.aic < mlefit.fit(x, "normal").aic  # and it wins on AIC
    note = [n for n in r.notes if n.startswith("degenerate component")]
    assert note and f"about {w * 100:.3g} of 100 points" in note[0]
    assert "not evidence of 2 groups" in note[0] and "bootstrap likelihood-ratio test" in note[0]
    d = mlefit.select(x, ["normal", "normal_mixture:2"], bootstrap=0)
    assert any(n.startswith("normal_mixture:2: degenerate component") for n in d["notes"])


def test_two_real_groups_are_not_flagged():
    rng = np.random.default_rng(1)
    x = np.r_[rng.normal(0, 1, 150), rng.normal(6, 1, 150)]
    assert not any("degenerate" in n for n in mlefit.fit(x, "normal_mixture:2").notes)
