"""`mlefit regress` from the command line: published R results, JSON equal to the
library's to_dict(), stdin, and each error with its one line and exit code."""
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import mlefit
from mlefit.cli import cli

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
INFERT = str(SAMPLE / "infert.csv")


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def test_help():
    result = run("regress", "--help")
    assert result.exit_code == 0
    assert "--response" in result.output and "--covariates" in result.output


def test_infert_logistic_regression_equals_r():
    """R's documented example (?infert, datasets): glm(case ~ spontaneous + induced,
    family = binomial(), data = infert) prints the coefficients -1.7079 (SE 0.2677),
    1.1972 (0.2116), 0.4181 (0.2056); null deviance 316.17 on 247 df, residual deviance
    279.61 on 245 df, AIC 285.61."""
    result = run("regress", INFERT, "-y", "case", "-x", "spontaneous,induced", "-d", "bernoulli", "--json")
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    est = [c["estimate"] for c in d["coefficients"]]
    se = [c["se"] for c in d["coefficients"]]
    np.testing.assert_allclose(est, [-1.7079, 1.1972, 0.4181], atol=5e-5)
    np.testing.assert_allclose(se, [0.2677, 0.2116, 0.2056], atol=5e-5)
    assert d["deviance"] == pytest.approx(279.61, abs=5e-3)
    assert -2 * d["loglik_null"] == pytest.approx(316.17, abs=5e-3)
    assert d["aic"] == pytest.approx(285.61, abs=5e-3)
    assert d == mlefit.regress(INFERT, "case", ["spontaneous", "induced"], dist="bernoulli").to_dict()


DOBSON = "counts,outcome2,outcome3,treatment2,treatment3\n" + "\n".join(
    f"{c},{int(i % 3 == 1)},{int(i % 3 == 2)},{int(i // 3 == 1)},{int(i // 3 == 2)}"
    for i, c in enumerate([18, 17, 15, 20, 10, 20, 25, 13, 12])) + "\n"


def test_dobson_poisson_regression_from_stdin_equals_r():
    """R's ?glm example (Dobson 1990, randomized controlled trial): glm(counts ~ outcome +
    treatment, family = poisson()) gives 3.045 (SE 0.1709), -0.4543 (0.2022), -0.2930
    (0.1927), 0 (0.2000), 0 (0.2000); residual deviance 5.1291 on 4 df, AIC 56.76."""
    result = run("regress", "-", "-y", "counts", "-x", "outcome2,outcome3,treatment2,treatment3",
                 "--dist", "poisson", "--json", input=DOBSON)
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    np.testing.assert_allclose([c["estimate"] for c in d["coefficients"]], [3.045, -0.4543, -0.2930, 0, 0],
                               atol=5e-4)
    np.testing.assert_allclose([c["se"] for c in d["coefficients"]], [0.1709, 0.2022, 0.1927, 0.2, 0.2], atol=5e-5)
    assert d["deviance"] == pytest.approx(5.1291, abs=5e-5)
    assert d["aic"] == pytest.approx(56.76, abs=5e-3)
    assert d["source"] == "<stdin>"


def test_table_output_names_every_coefficient():
    result = run("regress", INFERT, "-y", "case", "-x", "spontaneous,induced", "--loss", "bce")
    assert result.exit_code == 0
    for text in ("Intercept", "spontaneous", "induced", "odds ratio", "null log-likelihood",
                 "loss bce", "248 read, 248 used, 0 dropped"):
        assert text in result.output


@pytest.mark.parametrize("args,code,message", [
    (["-y", "case", "-x", "education", "-d", "bernoulli"], 1, "covariate 'education' is text"),
    (["-y", "case", "-x", "nope", "-d", "bernoulli"], 2, "nope"),
    (["-y", "case", "-x", "age", "-d", "bernoulli", "--link", "log"], 2, "takes the links logit, probit, cloglog"),
    (["-y", "age", "-x", "parity", "-d", "bernoulli"], 1, "bernoulli needs 0 or 1"),
    (["-y", "case", "-x", "age"], 2, "give a family"),
    (["-y", "case", "-x", "age", "-d", "cauchy"], 2, "not one of them yet"),
    (["-y", "case", "-x", "age", "-d", "gamma"], 1, "gamma needs values > 0"),
    (["-y", "case", "-x", "age,age", "-d", "bernoulli"], 2, "named twice"),
])
def test_errors_are_one_line_with_their_exit_code(args, code, message):
    result = run("regress", INFERT, *args)
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mlefit: error: ") and message in lines[0]
    assert "Traceback" not in result.output


def test_separation_exits_1_naming_the_covariate(tmp_path):
    path = tmp_path / "sep.csv"
    path.write_text("y,dose,z\n" + "\n".join(f"{int(d > 4)},{d},{(d * 7) % 5}" for d in range(10)) + "\n")
    result = run("regress", path, "-y", "y", "-x", "dose,z", "-d", "bernoulli")
    assert result.exit_code == 1
    assert "complete separation: dose separates the outcomes" in result.stderr


def test_one_free_parameter_is_singular(tmp_path):
    """The summary said '(1 free parameters)' for an intercept-only regression."""
    from click.testing import CliRunner

    from mlefit.cli import cli
    path = tmp_path / "y.csv"
    path.write_text("y,x\n1,0\n3,1\n2,0\n5,1\n4,2\n")
    out = CliRunner().invoke(cli, ["regress", str(path), "-y", "y", "-x", "x", "--no-intercept", "-d", "poisson"])
    assert out.exit_code == 0, out.output
    assert "(1 free parameter)" in out.output
