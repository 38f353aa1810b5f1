"""'y ~ .' in regress --formula: every column not otherwise used (issue 18's lasso example,
`mlefit regress wide.csv -y y --formula "y ~ ." ...`), as R's formulas read it, less the
columns given other roles (weights, offset, ...)."""
import json

import numpy as np
import pytest
from click.testing import CliRunner

import mlefit
from mlefit.cli import cli

COLUMNS = [f"x{j}" for j in range(5)]


def _data(seed=8, n=60):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    y = X @ [1.0, -0.5, 0.0, 0.3, 0.0] + rng.normal(size=n)
    return {"y": y, **{c: X[:, j] for j, c in enumerate(COLUMNS)}, "w": rng.integers(1, 4, n).astype(float)}


def _csv(data):
    names = list(data)
    rows = zip(*(data[c] for c in names))
    return ",".join(names) + "\n" + "".join(",".join(f"{v:.17g}" for v in r) + "\n" for r in rows)


def test_dot_is_every_other_column_and_leaves_out_the_weights():
    data = _data()
    dot = mlefit.regress(data, formula="y ~ .", dist="normal", weights="w", prior="coef ~ laplace(0, 0.2)")
    spelled = mlefit.regress(data, formula="y ~ " + " + ".join(COLUMNS), dist="normal", weights="w",
                             prior="coef ~ laplace(0, 0.2)")
    assert dot.estimates == spelled.estimates
    assert list(dot.estimates)[:6] == ["Intercept"] + COLUMNS


def test_dot_minus_a_column_and_from_a_csv_on_stdin_with_the_response_named_too():
    data = _data()
    data.pop("w")
    run = CliRunner().invoke(cli, ["regress", "-", "-y", "y", "--formula", "y ~ . - x4", "-d", "normal", "--json"],
                             input=_csv(data))
    assert run.exit_code == 0, run.output
    d = json.loads(run.output)
    spelled = mlefit.regress(data, formula="y ~ x0 + x1 + x2 + x3", dist="normal")
    assert [c["name"] for c in d["coefficients"]] == ["Intercept", "x0", "x1", "x2", "x3"]
    assert [c["estimate"] for c in d["coefficients"]] == pytest.approx(
        [spelled.estimates[n] for n in ["Intercept", "x0", "x1", "x2", "x3"]], rel=1e-12)


def test_a_model_fitted_with_dot_saves_and_predicts(tmp_path):
    data = _data()
    data.pop("w")
    path = tmp_path / "d.csv"
    path.write_text(_csv(data))
    model = tmp_path / "m.json"
    run = CliRunner().invoke(cli, ["regress", str(path), "-f", "y ~ .", "-d", "normal", "--penalty", "l2:0.1",
                                   "--save", str(model)])
    assert run.exit_code == 0, run.output
    pred = CliRunner().invoke(cli, ["predict", str(model), str(path)])
    assert pred.exit_code == 0, pred.output
    r = mlefit.regress(data, formula="y ~ .", dist="normal", penalty="l2:0.1")
    X = np.column_stack([np.ones(60)] + [data[c] for c in COLUMNS])
    mean = X @ [r.estimates[n] for n in ["Intercept"] + COLUMNS]
    got = np.array([float(v) for v in pred.output.split()[1:]])
    np.testing.assert_allclose(got, mean, rtol=1e-9)


@pytest.mark.parametrize("formula", ["y ~ x0 + .^2", "y ~ x0:.", "y ~ (.)"])
def test_dot_inside_a_term_is_refused(formula):
    with pytest.raises(mlefit.UsageError, match="'.' stands for every other column, as a term of its own"):
        mlefit.regress(_data(), formula=formula, dist="normal")
