"""`regress --save` and `mlefit predict`: predictions and their intervals against
statsmodels, the design reproduced on new rows (levels, transforms), and the errors."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from click.testing import CliRunner

from mlefit.cli import cli

INFERT = str(Path(__file__).resolve().parent.parent / "sample_data" / "infert.csv")
FORMULA = "case ~ spontaneous + induced + C(education) + center(age)"


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def read_csv(text):
    lines = text.strip().splitlines()
    return lines[0].split(","), [[float(v) if v else np.nan for v in line.split(",")] for line in lines[1:]]


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "m.json"
    result = run("regress", INFERT, "-f", FORMULA, "-d", "bernoulli", "--save", path)
    assert result.exit_code == 0, result.output
    assert f"wrote the model to {path}" in result.stderr
    return path


def test_saved_model_holds_the_fit_and_its_design(model):
    saved = json.loads(model.read_text())
    assert saved["kind"] == "mlefit regression model" and saved["family"] == "bernoulli"
    spec = saved["model_spec"]
    assert spec["design"]["categories"] == {"education": ["0-5yrs", "12+ yrs", "6-11yrs"]}
    assert spec["design"]["transform_state"]["center(age)"]["center"] == pytest.approx(
        pd.read_csv(INFERT)["age"].mean(), rel=1e-12)
    assert len(spec["covariance"]) == len(saved["coefficients"])


def test_predictions_and_intervals_equal_statsmodels(model, tmp_path):
    df = pd.read_csv(INFERT)
    new = df.sample(30, random_state=1)[["spontaneous", "induced", "education", "age"]]
    path = tmp_path / "new.csv"
    new.to_csv(path, index=False)
    result = run("predict", model, path, "--interval")
    assert result.exit_code == 0, result.output
    header, rows = read_csv(result.stdout)
    assert header == ["mean", "lower", "upper"]
    m = smf.logit(FORMULA, df).fit(disp=0, tol=1e-12)  # patsy's center() keeps the training mean
    frame = m.get_prediction(new).summary_frame(alpha=0.05)
    got = np.array(rows)
    np.testing.assert_allclose(got[:, 0], frame["predicted"], rtol=1e-6)
    np.testing.assert_allclose(got[:, 1], frame["ci_lower"], rtol=1e-5)
    np.testing.assert_allclose(got[:, 2], frame["ci_upper"], rtol=1e-5)


def test_a_row_missing_a_covariate_gets_empty_cells_in_place(model):
    result = run("predict", model, "-", input="spontaneous,induced,education,age\n0,0,0-5yrs,30\n1,,6-11yrs,40\n2,1,12+ yrs,25\n")
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "mean" and lines[2] == "" and len(lines) == 4
    assert "1 row with a missing value in column 'induced' (line 3): no prediction" in result.stderr


@pytest.mark.parametrize("stdin,message", [
    ("spontaneous,induced,education,age\n0,0,college,30\n",
     "column 'education' has 1 value the model never saw (line 2: 'college'); it knows 0-5yrs, 12+ yrs, 6-11yrs"),
    ("spontaneous,induced,age\n0,0,30\n", "education"),
])
def test_prediction_errors(model, stdin, message):
    result = run("predict", model, "-", input=stdin)
    assert result.exit_code in (1, 2)
    assert message in result.stderr and "Traceback" not in result.output


def test_not_a_model(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"a": 1}')
    result = run("predict", bad, INFERT)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"mlefit: error: '{bad}' is not a saved mlefit model; write one with 'mlefit regress ... --save FILE'"
    result = run("predict", tmp_path / "none.json", INFERT)
    assert result.exit_code == 2 and "not found" in result.stderr


def test_poisson_with_exposure_predicts_the_expected_count(tmp_path):
    rng = np.random.default_rng(3)
    x, e = rng.normal(size=300), rng.uniform(1, 5, 300)
    y = rng.poisson(e * np.exp(0.2 + 0.4 * x))
    train = tmp_path / "t.csv"
    pd.DataFrame({"y": y, "x": x, "e": e}).to_csv(train, index=False)
    path = tmp_path / "m.json"
    assert run("regress", train, "-y", "y", "-x", "x", "-d", "poisson", "--exposure", "e", "--save", path).exit_code == 0
    result = run("predict", path, "-", input="x,e\n0.5,2\n")
    coef = {c["name"]: c["estimate"] for c in json.loads(path.read_text())["coefficients"]}
    assert float(result.stdout.splitlines()[1]) == pytest.approx(2 * np.exp(coef["Intercept"] + 0.5 * coef["x"]), rel=1e-12)


def test_softmax_predicts_each_labels_probability(tmp_path):
    import statsmodels.api as sm
    rng = np.random.default_rng(4)
    a = rng.normal(size=300)
    eta = np.column_stack([np.zeros(300), 0.5 + a, -a])
    p = np.exp(eta) / np.exp(eta).sum(axis=1, keepdims=True)
    y = (rng.random(300)[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    train = tmp_path / "t.csv"
    pd.DataFrame({"kind": np.array(["x", "y", "z"])[y], "a": a}).to_csv(train, index=False)
    path = tmp_path / "m.json"
    assert run("regress", train, "-y", "kind", "-x", "a", "-d", "categorical", "--save", path).exit_code == 0
    result = run("predict", path, "-", input="a\n0.5\n-1\n")
    header, rows = read_csv(result.stdout)
    assert header == ["p[x]", "p[y]", "p[z]"]
    m = sm.MNLogit(y, sm.add_constant(a)).fit(disp=0, method="newton", tol=1e-12)
    np.testing.assert_allclose(rows, m.predict(sm.add_constant(np.array([0.5, -1.0]), has_constant="add")), rtol=1e-6)


@pytest.mark.parametrize("edit,message", [
    (lambda m: m.pop("link"), "unknown link None"),
    (lambda m: m["coefficients"][0].update(estimate="x"), "'coefficients' must list"),
    (lambda m: m["model_spec"].update(covariance=[[1.0]]), "must be a 6 x 6 matrix"),
    (lambda m: m["model_spec"].pop("design"), "'model_spec.design' must say"),
    (lambda m: m["model_spec"]["design"].update(kind="magic"), "must be 'columns' or 'formula'"),
])
def test_an_edited_model_file_is_refused_by_what_is_wrong(model, edit, message):
    saved = json.loads(model.read_text())
    edit(saved)
    model.write_text(json.dumps(saved))
    result = run("predict", model, INFERT)
    assert result.exit_code == 1 and message in result.stderr and "internal error" not in result.stderr


def test_poly_and_scale_are_reproduced_on_new_rows(tmp_path):
    path = tmp_path / "p.json"
    formula = "case ~ scale(age) + poly(parity, 2)"
    assert run("regress", INFERT, "-f", formula, "-d", "bernoulli", "--save", path).exit_code == 0
    result = run("predict", path, INFERT)
    assert result.exit_code == 0, result.output
    _, rows = read_csv(result.stdout)
    from mlefit.regression import regress
    fit = regress(INFERT, formula=formula, dist="bernoulli")
    from formulaic import model_matrix
    X = model_matrix(formula.split("~")[1], pd.read_csv(INFERT)).to_numpy()
    beta = np.array([c.estimate for c in fit.coefficients])
    np.testing.assert_allclose(np.array(rows)[:, 0], 1 / (1 + np.exp(-(X @ beta))), rtol=1e-10)
