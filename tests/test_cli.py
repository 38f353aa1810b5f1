"""The command line, driven through click's CliRunner: every option, stdin, JSON equal to
the library's to_dict(), and each error with its message and exit code."""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import mlefit
from mlefit.cli import cli

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
HORSEKICKS = str(SAMPLE / "horsekicks.csv")
MICHELSON = str(SAMPLE / "michelson.csv")
INFERT = str(SAMPLE / "infert.csv")


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def run_json(*args, input=None):
    result = run(*args, "--json", input=input)
    return result, json.loads(result.stdout)


# ------------------------------------------------------------------ help and version
@pytest.mark.parametrize("args", [["--help"], ["fit", "--help"], ["-h"]])
def test_help(args):
    result = run(*args)
    assert result.exit_code == 0
    assert "Usage:" in result.stdout


def test_fit_help_documents_every_family_and_its_parameters():
    text = run("fit", "--help").stdout
    for sig in ["poisson(rate)", "negative_binomial(size, mu)", "gamma(shape, rate)",
                "weibull(shape, scale)", "beta(a, b)", "lognormal(meanlog, sdlog)",
                "geometric(p)", "categorical(p[label])", "laplace(mu, b)", "normal(mu, sigma)",
                "exponential(rate)", "bernoulli(p)"]:
        assert sig in text


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and mlefit.__version__ in result.stdout


# ------------------------------------------------------------------ fitting
def test_horsekicks_table():
    result = run("fit", HORSEKICKS, "--dist", "poisson")
    assert result.exit_code == 0, result.output
    assert "rate" in result.stdout and "0.61" in result.stdout
    assert "200 read, 200 used, 0 dropped" in result.stdout
    assert "wald, log scale" in result.stdout
    assert result.stderr == ""


def test_json_equals_library_to_dict():
    result, out = run_json("fit", HORSEKICKS, "--dist", "poisson")
    col = mlefit.read_column(HORSEKICKS)
    assert out == mlefit.fit(col, "poisson").to_dict()
    assert out["parameters"][0]["estimate"] == 0.61
    for key in ("schema_version", "family", "column", "n", "n_dropped", "parameters", "confidence",
                "loglik", "bits_per_sample", "aic", "bic", "method", "converged"):
        assert key in out
    assert set(out["parameters"][0]) >= {"name", "estimate", "se", "ci_lower", "ci_upper"}


def test_stdin_equals_file():
    text = Path(HORSEKICKS).read_text()
    _, from_stdin = run_json("fit", "-", "--dist", "poisson", input=text)
    _, from_file = run_json("fit", HORSEKICKS, "--dist", "poisson")
    from_stdin.pop("source"), from_file.pop("source")
    assert from_stdin == from_file


def test_column_option_and_alias():
    result, out = run_json("fit", MICHELSON, "--dist", "gaussian", "--column", "speed")
    assert result.exit_code == 0
    assert out["family"] == "normal" and out["column"] == "speed"
    assert out["parameters"][0]["estimate"] == pytest.approx(852.4, rel=1e-12)


def test_confidence_widens_interval():
    _, a = run_json("fit", MICHELSON, "-d", "gamma", "-c", "speed")
    _, b = run_json("fit", MICHELSON, "-d", "gamma", "-c", "speed", "--confidence", "0.99")
    assert b["confidence"] == 0.99
    for pa, pb in zip(a["parameters"], b["parameters"]):
        assert pb["ci_lower"] < pa["ci_lower"] < pa["ci_upper"] < pb["ci_upper"]


def test_information_expected_vs_observed():
    _, obs = run_json("fit", MICHELSON, "-d", "weibull", "-c", "speed")
    _, exp = run_json("fit", MICHELSON, "-d", "weibull", "-c", "speed", "--information", "expected")
    assert exp["information"] == "expected" and obs["information"] == "observed"
    assert obs["parameters"][0]["estimate"] == exp["parameters"][0]["estimate"]
    assert obs["parameters"][0]["se"] != exp["parameters"][0]["se"]


def test_tab_separated_stdin_with_missing_values():
    text = "id\tcount\na\t1\nb\t\nc\t3\nd\tNA\ne\t2\n"
    result, out = run_json("fit", "-", "-d", "poisson", "-c", "count", input=text)
    assert result.exit_code == 0
    assert out["rows_read"] == 5 and out["n"] == 3 and out["n_dropped"] == 2
    assert out["dropped"][0]["first"] == ["line 3", "line 5"]
    table = run("fit", "-", "-d", "poisson", "-c", "count", input=text).stdout
    assert "5 read, 3 used, 2 dropped" in table and "line 3, line 5" in table


def test_categorical_string_labels():
    result, out = run_json("fit", INFERT, "-d", "categorical", "-c", "education")
    assert result.exit_code == 0
    names = [p["name"] for p in out["parameters"]]
    assert names == ["p[0-5yrs]", "p[12+ yrs]", "p[6-11yrs]"]
    assert sum(p["estimate"] for p in out["parameters"]) == pytest.approx(1.0)
    assert out["n_parameters"] == 2


def test_bernoulli_boundary_gets_exact_interval_and_note():
    result, out = run_json("fit", "-", "-d", "bernoulli", input="y\n0\n0\n0\n0\n")
    assert result.exit_code == 0
    p = out["parameters"][0]
    assert p["estimate"] == 0.0 and p["se"] is None and p["interval"] == "exact"
    assert p["ci_lower"] == 0.0 and p["ci_upper"] == pytest.approx(1 - 0.025 ** 0.25)
    assert "boundary" in p["note"] or "Clopper" in p["note"]
    assert "NaN" not in result.stdout


def test_continuous_bits_marked_differential():
    _, out = run_json("fit", MICHELSON, "-d", "normal", "-c", "speed")
    assert out["bits_differential"] is True
    assert "differential" in run("fit", MICHELSON, "-d", "normal", "-c", "speed").stdout


def test_non_convergence_exits_1_with_valid_json():
    result = run("fit", MICHELSON, "-d", "gamma", "-c", "speed", "--max-iter", "1", "--json")
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["converged"] is False and out["iterations"] == 1
    assert "did not converge" in result.stderr


def test_non_convergence_table_mode():
    result = run("fit", MICHELSON, "-d", "weibull", "-c", "speed", "--max-iter", "1")
    assert result.exit_code == 1 and "did not converge" in result.stderr and result.stdout == ""


# ------------------------------------------------------------------ errors
ERRORS = [
    (["fit", "no-such-file.csv", "-d", "poisson"], 2, "file 'no-such-file.csv' not found"),
    (["fit", HORSEKICKS, "-d", "poison"], 2, "unknown family 'poison'; did you mean 'poisson'?"),
    (["fit", HORSEKICKS, "-d", "poisson", "-c", "death"], 2,
     "no column 'death'; the columns are: corps_year, deaths"),
    (["fit", MICHELSON, "-d", "normal"], 2,
     "the file has 3 columns (experiment, run, speed); choose one with --column NAME"),
    (["fit", HORSEKICKS, "-d", "poisson", "--confidence", "1.5"], 2, "1.5 is not in the range 0<x<1"),
    (["fit", HORSEKICKS, "-d", "negative_binomial", "--information", "expected"], 2,
     "no closed-form expected information"),
    (["fit", HORSEKICKS], 2, "give either --dist NAME or --loss NAME"),
    (["fit", SAMPLE, "-d", "poisson"], 2, "is a directory"),
]


@pytest.mark.parametrize("args,code,message", ERRORS)
def test_usage_errors(args, code, message):
    result = run(*args)
    assert result.exit_code == code
    assert message in result.stderr
    assert result.stderr.startswith("mlefit: error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


STDIN_ERRORS = [
    ("x\n1\n2\nabc\n4\n", "normal", 1, "column 'x' has 1 non-numeric value (line 4: 'abc')"),
    ("x\n1\n2.5\n-1\n4\n", "poisson", 1,
     "column 'x' has 2 values outside the support of poisson (non-negative integers 0, 1, 2, ...): "
     "line 3: 2.5, line 4: -1; families that accept this data: normal, laplace"),
    ("x\n3\n3\n3\n", "normal", 1, "all 3 values of column 'x' equal 3 (zero variance)"),
    ("x\n3\n", "gamma", 1, "too few observations: gamma needs at least 2, column 'x' has only 1"),
    ("x\n\nNA\n", "gamma", 1, "column 'x' has no values to fit (2 rows read, all left out: 1 blank line, "
                              "1 missing value"),
    ("x\n", "poisson", 1, "column 'x' has no values to fit"),
    ("", "poisson", 1, "'<stdin>' is empty"),
    ("x\n0\n1\n2\n0\n", "gamma", 1, "outside the support of gamma (real numbers > 0): line 2: 0, line 5: 0"),
    ("x\n1\ninf\n", "normal", 1, "column 'x' has 1 infinite value (line 3: inf)"),
    ("x\n1\n2\n1\n", "negative_binomial", 1, "does not exceed the mean"),
    ("a,b\n1,2\n3,4,5\n", "normal", 1, "cannot read '<stdin>' as CSV: CSV parse error: Expected 2 columns, got 3"),
]


@pytest.mark.parametrize("text,dist,code,message", STDIN_ERRORS)
def test_data_errors(text, dist, code, message):
    result = run("fit", "-", "-d", dist, input=text)
    assert result.exit_code == code, result.output
    assert message in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


def test_json_error_object_on_stdout():
    result = run("fit", "-", "-d", "normal", "--json", input="x\n1\nabc\n")
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["error"]["type"] == "data_error" and "non-numeric" in out["error"]["message"]


@pytest.mark.parametrize("where", ["group", "command"])
def test_debug_shows_traceback(where):
    args = ["fit", "-", "-d", "normal"]
    args = ["--debug", *args] if where == "group" else [*args, "--debug"]
    result = run(*args, input="x\n1\nabc\n")
    assert result.exit_code != 0
    assert isinstance(result.exception, mlefit.DataError)


def test_labels_that_look_like_markup_print_verbatim():
    result = run("fit", "-", "-d", "categorical", input="colour\nred\nblue\n[red]\n/usr\n[/bin]\n")
    assert result.exit_code == 0, result.output
    for label in ("p[red]", "p[blue]", "p[[red]]", "p[/usr]", "p[[/bin]]"):
        assert label in result.stdout


@pytest.mark.parametrize("args", [["fit", HORSEKICKS, "--json"],
                                  ["fit", HORSEKICKS, "-d", "poisson", "--information", "bogus", "--json"]])
def test_json_mode_gets_json_even_for_usage_errors(args):
    result = run(*args)
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["type"] == "usage_error"


def test_near_poisson_negative_binomial_reports_an_unbounded_interval():
    import numpy as np
    for seed in range(10_000):  # the first seeded Poisson sample that is barely overdispersed
        x = np.random.default_rng(seed).poisson(3.0, 1000)
        if 0 < x.var() - x.mean() < 0.005:
            break
    text = "k\n" + "\n".join(map(str, x)) + "\n"
    result, out = run_json("fit", "-", "-d", "negative_binomial", input=text)
    assert result.exit_code == 0, result.output
    size = out["parameters"][0]
    assert size["note"] and size["ci_lower"] > 0
    assert "NaN" not in result.stdout and "Infinity" not in result.stdout


def test_unreadable_file_is_a_data_error(monkeypatch, tmp_path):
    import mlefit.io.intake

    path = tmp_path / "locked.csv"
    path.write_text("x\n1\n")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(mlefit.io.intake, "open", refuse, raising=False)
    result = run("fit", path, "-d", "poisson")
    assert result.exit_code == 1
    assert f"cannot read '{path}': Permission denied; check its permissions" in result.stderr


def test_families_command_lists_every_family_with_its_mappings():
    result = run("families")
    assert result.exit_code == 0
    for text in ("negative_binomial(size, mu)", "nbinom(n=size, p=size/(size+mu))", "dgamma(x, shape, rate)",
                 "expon(scale=1/rate)", "asymmetric_laplace:TAU(mu, sigma)", "aliases"):
        assert text in result.stdout
    out = json.loads(run("families", "--json").stdout)
    names = [f["name"] for f in out["families"]]
    assert names == mlefit.family_names()
    gamma = next(f for f in out["families"] if f["name"] == "gamma")
    assert [p["name"] for p in gamma["parameters"]] == ["shape", "rate"] and gamma["closed_form"] is False
