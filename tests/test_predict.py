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


def test_an_unseen_whole_number_level_is_named_as_the_table_names_levels(tmp_path):
    rng = np.random.default_rng(1)
    k, x = rng.integers(1, 5, 300), rng.normal(size=300)
    train = tmp_path / "t.csv"
    pd.DataFrame({"y": rng.poisson(np.exp(0.2 + 0.3 * x + 0.1 * k)), "x": x, "k": k}).to_csv(train, index=False)
    path = tmp_path / "m.json"
    assert run("regress", train, "-f", "y ~ x + C(k)", "-d", "poisson", "--save", path).exit_code == 0
    result = run("predict", path, "-", input="x,k\n0.5,2\n0.1,5\n")
    assert result.exit_code == 1
    assert "column 'k' has 1 value the model never saw (line 3: '5'); it knows 1, 2, 3, 4" in result.stderr


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
    from mlefit.regression.model import regress
    fit = regress(INFERT, formula=formula, dist="bernoulli")
    from formulaic import model_matrix
    X = model_matrix(formula.split("~")[1], pd.read_csv(INFERT)).to_numpy()
    beta = np.array([c.estimate for c in fit.coefficients])
    np.testing.assert_allclose(np.array(rows)[:, 0], 1 / (1 + np.exp(-(X @ beta))), rtol=1e-10)


def _softmax_model(tmp_path, n=400, seed=6):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.uniform(-1, 1, n)
    eta = np.column_stack([np.zeros(n), 0.3 + a, -0.5 * a + b])
    p = np.exp(eta) / np.exp(eta).sum(axis=1, keepdims=True)
    y = (rng.random(n)[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    train = tmp_path / "t.csv"
    pd.DataFrame({"kind": np.array(["x", "y", "z"])[y], "a": a, "b": b}).to_csv(train, index=False)
    path = tmp_path / "m.json"
    assert run("regress", train, "-y", "kind", "-x", "a,b", "-d", "categorical", "--save", path).exit_code == 0
    return path, y, np.column_stack([np.ones(n), a, b])


def test_softmax_class_probability_intervals_are_the_delta_method_on_their_logit(tmp_path):
    """Issue 16, point 2: each label's probability with an interval from statsmodels' MNLogit
    covariance and a numeric derivative of logit p_k: the same ends to 1e-6."""
    import statsmodels.api as sm
    from scipy.special import expit, logit
    path, y, X = _softmax_model(tmp_path)
    new = np.array([[1.0, 0.5, 0.2], [1.0, -2.0, 0.9], [1.0, 4.0, -1.0]])
    result = run("predict", path, "-", "--interval", "--confidence", "0.9",
                 input="a,b\n" + "".join(f"{r[1]},{r[2]}\n" for r in new))
    assert result.exit_code == 0, result.output
    header, rows = read_csv(result.stdout)
    rows = np.array(rows)
    assert header == [f"{w}[{k}]" for k in "xyz" for w in ("p", "lower", "upper")]
    m = sm.MNLogit(y, X).fit(disp=0, method="newton", tol=1e-12)
    beta, cov = m.params.T.reshape(-1), m.cov_params()  # statsmodels orders by label, then term: as mlefit

    def prob(b, row, k):
        eta = np.r_[0.0, b.reshape(2, 3) @ row]
        return np.exp(eta[k] - np.log(np.exp(eta).sum()))
    z = 1.6448536269514722
    for i, row in enumerate(new):
        for k in range(3):
            f = lambda b: logit(prob(b, row, k))  # noqa: E731
            h = 1e-6
            g = np.array([(f(beta + h * e) - f(beta - h * e)) / (2 * h) for e in np.eye(6)])
            se = np.sqrt(g @ cov @ g)
            p = prob(beta, row, k)
            got = rows[i, 3 * k:3 * k + 3]
            np.testing.assert_allclose(got, [p, expit(logit(p) - z * se), expit(logit(p) + z * se)], rtol=1e-5)
            assert 0 < got[1] < got[0] < got[2] < 1


def test_softmax_probability_intervals_cover_at_their_level(tmp_path):
    """The logit interval of a class probability covers the true probability about as often as it says
    (seeded refits of fresh samples: 200 of them, a 90% interval)."""
    from mlefit.regression.model import regress
    from mlefit.regression.softmax_predict import probabilities
    rng = np.random.default_rng(11)
    x0 = np.array([[1.0, 0.8]])
    truth = np.exp([0.0, 0.3 + 0.8, -0.4]) / np.exp([0.0, 0.3 + 0.8, -0.4]).sum()
    hits = np.zeros(3)
    for _ in range(200):
        a = rng.normal(size=300)
        eta = np.column_stack([np.zeros(300), 0.3 + a, -0.5 * a])
        p = np.exp(eta) / np.exp(eta).sum(axis=1, keepdims=True)
        y = (rng.random(300)[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
        r = regress({"k": np.array(list("xyz"))[y], "a": a}, "k", ["a"], dist="categorical", confidence=0.9)
        cov = np.array(r.model["covariance"])
        _, lo, hi = probabilities(x0, np.array([c.estimate for c in r.coefficients]), 3, cov, 0.9)
        hits += (lo[0] < truth) & (truth < hi[0])
    assert np.all(np.abs(hits / 200 - 0.9) < 0.06)  # binomial sd at 200: 2.1%


def test_a_probability_near_one_keeps_a_finite_interval_inside_zero_one(tmp_path):
    path, _, _ = _softmax_model(tmp_path)
    result = run("predict", path, "-", "--interval", input="a,b\n60,0\n-60,0\n")
    assert result.exit_code == 0, result.output
    rows = np.array(read_csv(result.stdout)[1])
    assert np.all(np.isfinite(rows)) and np.all((rows >= 0) & (rows <= 1))
    lower, upper = rows[:, 1::3], rows[:, 2::3]
    assert np.all(lower <= rows[:, 0::3]) and np.all(rows[:, 0::3] <= upper)
