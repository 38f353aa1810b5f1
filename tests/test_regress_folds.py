"""regress --folds K: held-out bits per sample by k-fold cross-validation (issue 18, point 4).
Each reference fits the training rows with statsmodels or scikit-learn and scores the
held-out rows with scipy.stats, on the folds of mlefit's own splitter (mlefit.folds, the
split compare-losses cuts)."""
import json
import math

import numpy as np
import pytest
import scipy.stats as st
from click.testing import CliRunner

import mlefit
from mlefit import compare
from mlefit.cli import cli
from mlefit.folds import indices

LN2 = math.log(2.0)


def _data(seed=3, n=83):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    return {"a": a, "b": b,
            "yn": 1.0 + 2.0 * a - b + rng.normal(size=n),
            "yb": (rng.random(n) < 1 / (1 + np.exp(-(0.3 + a - 0.5 * b)))).astype(float),
            "yp": rng.poisson(np.exp(0.2 + 0.5 * a - 0.3 * b)).astype(float)}


def _reference(data, response, folds, seed, fit_and_score):
    """Mean over every row of -log2 f(y_i | the fit without fold(i)), and its standard error."""
    X = np.column_stack([np.ones(data["a"].size), data["a"], data["b"]])
    y = data[response]
    bits = np.empty(y.size)
    for test in indices(y.size, folds, seed):
        train = np.setdiff1d(np.arange(y.size), test)
        bits[test] = -fit_and_score(X[train], y[train], X[test], y[test]) / LN2
    return bits.mean(), bits.std(ddof=1) / math.sqrt(y.size)


def _normal(Xt, yt, Xh, yh):
    sm = pytest.importorskip("statsmodels.api")
    ols = sm.OLS(yt, Xt).fit()
    sigma = math.sqrt(np.mean(ols.resid ** 2))  # the MLE, not the unbiased s
    return st.norm(Xh @ ols.params, sigma).logpdf(yh)


def _logit(Xt, yt, Xh, yh):
    sm = pytest.importorskip("statsmodels.api")
    beta = sm.Logit(yt, Xt).fit(disp=0, method="newton", tol=1e-12, maxiter=100).params
    return st.bernoulli(1 / (1 + np.exp(-(Xh @ beta)))).logpmf(yh)


def _poisson(Xt, yt, Xh, yh):
    sm = pytest.importorskip("statsmodels.api")
    beta = sm.GLM(yt, Xt, family=sm.families.Poisson()).fit(tol=1e-12).params
    return st.poisson(np.exp(Xh @ beta)).logpmf(yh)


@pytest.mark.parametrize("response, dist, score", [("yn", "normal", _normal), ("yb", "bernoulli", _logit),
                                                   ("yp", "poisson", _poisson)])
@pytest.mark.parametrize("folds, seed", [(5, 0), (7, 11)])
def test_held_out_bits_equal_statsmodels_fits_scored_by_scipy(response, dist, score, folds, seed):
    data = _data()
    r = mlefit.regress(data, response, ["a", "b"], dist=dist, folds=folds, seed=seed)
    want, se = _reference(data, response, folds, seed, score)
    h = r.to_dict()["held_out"]
    assert h["bits_per_sample"] == pytest.approx(want, abs=1e-6)
    assert h["se"] == pytest.approx(se, abs=1e-6)
    assert (h["folds"], h["seed"], h["rows_scored"], len(h["per_fold"])) == (folds, seed, data["a"].size, folds)
    assert h["in_sample_bits_per_sample"] == r.bits_per_sample
    sizes = [f["rows"] for f in h["per_fold"]]
    assert sum(f["rows"] * f["bits_per_sample"] for f in h["per_fold"]) / sum(sizes) == pytest.approx(want, abs=1e-9)


def test_ridge_held_out_bits_equal_scikit_learns_logisticregression_at_the_converted_c():
    LogisticRegression = pytest.importorskip("sklearn.linear_model").LogisticRegression
    data, lam = _data(), 0.05

    def ridge(Xt, yt, Xh, yh):  # glmnet's lambda on the training rows' mean NLL: C = 1/(n_train lambda)
        ref = LogisticRegression(C=1.0 / (yt.size * lam), solver="newton-cholesky", tol=1e-12,
                                 max_iter=1000).fit(Xt[:, 1:], yt)
        return st.bernoulli(ref.predict_proba(Xh[:, 1:])[:, 1]).logpmf(yh)

    r = mlefit.regress(data, "yb", ["a", "b"], dist="bernoulli", penalty=f"l2:{lam}", folds=5, seed=2)
    want, se = _reference(data, "yb", 5, 2, ridge)
    assert r.held_out["bits_per_sample"] == pytest.approx(want, abs=1e-6)
    assert r.held_out["se"] == pytest.approx(se, abs=1e-6)


def test_a_flat_prior_gives_the_mles_held_out_bits():
    """A uniform prior on normal's sigma (coefficients take none: a uniform's edges are kinks)
    makes a MAP fit whose maximum, on every training set, is the MLE."""
    data = _data()
    ml = mlefit.regress(data, "yn", ["a", "b"], dist="normal", folds=4)
    flat = mlefit.regress(data, "yn", ["a", "b"], dist="normal", prior="sigma ~ uniform(0, 1000)", folds=4)
    assert flat.to_dict()["map"] and flat.aic != flat.aic
    assert flat.held_out["bits_per_sample"] == pytest.approx(ml.held_out["bits_per_sample"], rel=1e-9)
    assert [f["bits_per_sample"] for f in flat.held_out["per_fold"]] == \
        pytest.approx([f["bits_per_sample"] for f in ml.held_out["per_fold"]], rel=1e-9)


def test_an_intercept_only_regression_has_compare_losses_held_out_bits():
    """The same split as compare-losses: its constant prediction is the intercept-only model."""
    y = _data()["yn"]
    r = mlefit.regress({"y": y, "a": np.zeros(y.size)}, "y", [], dist="normal", folds=6, seed=4)
    assert r.held_out["bits_per_sample"] == pytest.approx(compare.held_out_bits(y, "normal", 6, 4), rel=1e-10)


def test_a_censored_regression_is_scored_by_its_censored_terms():
    """weibull AFT with right-censored rows: each held-out row's log f (event) or log S
    (censored) under the fit of the other folds, scored here by scipy."""
    rng = np.random.default_rng(5)
    n = 60
    x = rng.normal(size=n)
    t = st.weibull_min(1.5, scale=np.exp(1.0 + 0.5 * x)).rvs(random_state=rng)
    c = rng.uniform(0.5, 6.0, n)
    data = {"t": np.minimum(t, c), "e": (t <= c).astype(float), "x": x}
    r = mlefit.regress(data, "t", ["x"], dist="weibull", censoring={"event": "e"}, folds=4, seed=1)
    bits = np.empty(n)
    for test in indices(n, 4, 1):
        train = np.setdiff1d(np.arange(n), test)
        f = mlefit.regress({k: v[train] for k, v in data.items()}, "t", ["x"], dist="weibull", censoring={"event": "e"})
        scale = np.exp(f.estimates["Intercept"] + f.estimates["x"] * x[test])
        d = st.weibull_min(f.estimates["shape"], scale=scale)
        tt, ee = data["t"][test], data["e"][test]
        bits[test] = -np.where(ee == 1, d.logpdf(tt), d.logsf(tt)) / LN2
    assert r.held_out["bits_per_sample"] == pytest.approx(bits.mean(), abs=1e-6)


def test_a_level_only_one_fold_has_fails_that_fold_by_name():
    data = {"y": [0.5, 1.2, 0.1, 1.7, 1.1, 0.3, 1.9, 0.2, 1.4], "x": [1.0, 2, 3, 2, 5, 1, 2, 4, 3],
            "g": list("aaaabbbbc")}
    r = mlefit.regress(data, formula="y ~ x + C(g)", dist="normal", folds=3)
    h = r.held_out
    failed = [f for f in h["per_fold"] if "error" in f]
    assert len(failed) == 1 and "'C(g)[T.c]' is 0 in every training row" in failed[0]["error"]
    assert h["rows_scored"] == 9 - failed[0]["rows"]
    assert f"over the other folds' {h['rows_scored']} of 9 rows" in h["note"]
    assert f"fold {failed[0]['fold']} of 3" in h["note"]


def test_a_separated_training_set_fails_its_fold_and_a_prior_keeps_it():
    data = {"y": [0.0, 0, 0, 1, 0, 1, 1, 1], "x": [1.0, 2, 3, 4, 5, 6, 7, 8]}
    r = mlefit.regress(data, "y", ["x"], dist="bernoulli", folds=4)
    failed = [f for f in r.held_out["per_fold"] if "error" in f]
    assert failed and all("separation" in f["error"] for f in failed)
    assert r.held_out["rows_scored"] == 8 - sum(f["rows"] for f in failed)
    firth = mlefit.regress(data, "y", ["x"], dist="bernoulli", prior="jeffreys", folds=4)
    assert firth.held_out["rows_scored"] == 8 and "note" not in firth.held_out


def test_the_table_and_json_carry_the_held_out_bits(tmp_path):
    path = tmp_path / "d.csv"
    data = _data()
    path.write_text("yb,a,b\n" + "".join(f"{u},{float(v)!r},{float(w)!r}\n" for u, v, w in zip(data["yb"], data["a"], data["b"])))
    out = CliRunner().invoke(cli, ["regress", str(path), "-y", "yb", "-x", "a,b", "-d", "bernoulli",
                                   "--penalty", "l2:0.05", "--folds", "5", "--seed", "2", "--json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert d["held_out"]["folds"] == 5 and d["held_out"]["seed"] == 2 and d["aic"] is None
    table = CliRunner().invoke(cli, ["regress", str(path), "-y", "yb", "-x", "a,b", "-d", "bernoulli",
                                     "--penalty", "l2:0.05", "--folds", "5", "--seed", "2"])
    text = " ".join(table.stdout.split())
    assert f"held-out bits {d['held_out']['bits_per_sample']:.6g}" in text
    assert "5-fold cross-validation, seed 2" in text


def test_without_folds_there_is_no_held_out_key():
    assert "held_out" not in mlefit.regress(_data(), "yn", ["a"], dist="normal").to_dict()


@pytest.mark.parametrize("dist, response, extra", [
    ("poisson", "yc", {"exposure": "e"}), ("negative_binomial", "yc", {"offset": "e"}),
    ("binomial", "yk", {"trials": "tr"}), ("gamma", "yg", {}), ("student_t", "yg", {}),
    ("categorical", "lab", {}), ("poisson", "yc", {"weights": "w"}), ("lognormal", "yg", {})])
def test_each_rows_score_sums_to_the_fits_log_likelihood(dist, response, extra):
    """The held-out score of a row is the fit's own per-row term: at the fit to every row,
    the rows' (weighted) scores add up to its log-likelihood, for every kind of family."""
    from mlefit.regression import model as regression, cv as regression_cv, rows as regression_rows
    from mlefit.regression.linear_model import REGRESSED
    rng = np.random.default_rng(2)
    n = 80
    a, e, tr = rng.normal(size=n), rng.uniform(1, 3, n), rng.integers(1, 6, n).astype(float)
    data = {"a": a, "e": e, "tr": tr, "w": rng.integers(1, 4, n).astype(float),
            "yc": rng.poisson(e * np.exp(0.3 * a)).astype(float), "yk": rng.binomial(tr.astype(int), 0.4).astype(float),
            "yg": rng.gamma(2, np.exp(0.2 * a) / 2), "lab": np.array(list("pqr"))[rng.integers(0, 3, n)]}
    r = mlefit.regress(data, response, ["a"], dist=dist, **extra)
    how = REGRESSED[dist]
    d = regression_rows.prepare(data, dist, response, ["a"], None, True,
                                censoring=regression._censoring(dist, None), **extra)
    dens = None if dist == "categorical" else how.density(dist)
    fit = regression._fit_rows(dens, d, dist, how.target, how.link, 0, {}, 100)
    ll = regression_cv.row_logliks(fit, d, dist, dens, how.target, how.link, {})
    assert float(np.sum(ll if d.w is None else d.w * ll)) == pytest.approx(r.loglik, rel=1e-12)


# ---------------------------------------------------------------- compare-losses --covariates
def _csv(tmp_path, data, names):
    path = tmp_path / "d.csv"
    path.write_text(",".join(names) + "\n" + "".join(",".join(repr(float(data[c][i])) for c in names) + "\n"
                                                      for i in range(len(data[names[0]]))))
    return str(path)


def _compare(args):
    out = CliRunner().invoke(cli, ["compare-losses"] + args + ["--json"])
    assert out.exit_code == 0, out.output
    return {r["loss"]: r for r in json.loads(out.stdout)["rows"]}, json.loads(out.stdout)


def test_compare_losses_with_covariates_fits_each_loss_as_its_regression(tmp_path):
    data = _data()
    path = _csv(tmp_path, data, ["yb", "a", "b"])
    rows, d = _compare([path, "--target", "yb", "-x", "a,b", "--folds", "5", "--seed", "0"])
    assert d["mode"] == "with_covariates"
    assert rows["bce"]["held_out_bits"] == pytest.approx(_reference(data, "yb", 5, 0, _logit)[0], abs=1e-6)
    assert rows["poisson"]["held_out_bits"] == pytest.approx(_reference(data, "yb", 5, 0, _poisson)[0], abs=1e-6)
    assert rows["mse"]["held_out_bits"] == pytest.approx(_reference(data, "yb", 5, 0, _normal)[0], abs=1e-6)
    assert (rows["bce"]["family"], rows["poisson"]["family"], rows["mse"]["family"]) == ("bernoulli", "poisson", "normal")
    assert rows["bce"]["rank"] == 1  # the mass with the fewest held-out bits, densities after
    assert d["summary"]["not_regressed"] == []  # mae, huber and pinball are regressions too
    assert (rows["mae"]["family"], rows["huber:1"]["family"], rows["pinball:0.5"]["family"]) == \
        ("laplace", "huber:1", "asymmetric_laplace:0.5")


def _quantile(q):
    def fit_and_score(Xt, yt, Xh, yh):
        from mlefit.regression.quantile import solve
        from mlefit.families.robust import check_loss
        sm = pytest.importorskip("statsmodels.api")
        ref = sm.QuantReg(yt, Xt).fit(q=q, p_tol=1e-10, max_iter=20000).params
        rows = np.argsort(np.abs(yt - Xt @ ref))[:Xt.shape[1]]  # the vertex statsmodels' IRLS approaches
        beta = np.linalg.solve(Xt[rows], yt[rows])
        assert np.allclose(beta, solve(yt, Xt, q)[0], rtol=1e-6, atol=1e-9)
        sigma = np.mean(check_loss(yt - Xt @ beta, q))
        kappa = math.sqrt(q / (1 - q))
        return st.laplace_asymmetric(kappa, loc=Xh @ beta, scale=sigma / math.sqrt(q * (1 - q))).logpdf(yh)
    return fit_and_score


def _huber(Xt, yt, Xh, yh):
    from scipy.optimize import minimize
    from mlefit.families.huber import logpdf
    from mlefit.families.robust import huber_loss

    def loss(b):
        u = yt - Xt @ b
        return np.sum(huber_loss(u, 1.0)), -Xt.T @ np.clip(u, -1.0, 1.0)
    beta = minimize(loss, np.zeros(Xt.shape[1]), jac=True, method="BFGS", options={"gtol": 1e-12}).x
    return logpdf(yh, Xh @ beta, 1.0)


def test_compare_losses_fits_mae_pinball_and_huber_as_their_regressions(tmp_path):
    data = _data()
    path = _csv(tmp_path, data, ["yn", "a", "b"])
    rows, _ = _compare([path, "--target", "yn", "-x", "a,b", "--losses", "mae,pinball:0.9,huber", "--seed", "1"])
    assert rows["mae"]["held_out_bits"] == pytest.approx(_reference(data, "yn", 5, 1, _quantile(0.5))[0], abs=1e-6)
    assert rows["pinball:0.9"]["held_out_bits"] == pytest.approx(_reference(data, "yn", 5, 1, _quantile(0.9))[0],
                                                                  abs=1e-6)
    assert rows["huber:1"]["held_out_bits"] == pytest.approx(_reference(data, "yn", 5, 1, _huber)[0], abs=1e-6)


def test_compare_losses_passes_the_penalty_to_every_model(tmp_path):
    LogisticRegression = pytest.importorskip("sklearn.linear_model").LogisticRegression
    data, lam = _data(), 0.05
    path = _csv(tmp_path, data, ["yb", "a", "b"])

    def ridge(Xt, yt, Xh, yh):
        ref = LogisticRegression(C=1.0 / (yt.size * lam), solver="newton-cholesky", tol=1e-12,
                                 max_iter=1000).fit(Xt[:, 1:], yt)
        return st.bernoulli(ref.predict_proba(Xh[:, 1:])[:, 1]).logpmf(yh)

    rows, d = _compare([path, "-f", "yb ~ a + b", "--losses", "bce,poisson", "--penalty", f"l2:{lam}", "--seed", "2"])
    assert rows["bce"]["held_out_bits"] == pytest.approx(_reference(data, "yb", 5, 2, ridge)[0], abs=1e-6)
    assert rows["bce"]["map"] and rows["poisson"]["map"] and d["summary"]["penalty"] == f"l2:{lam}"


def test_an_intercept_only_formula_gives_the_constant_predictions_held_out_bits(tmp_path):
    """The same folds as compare-losses without covariates, whose constant prediction is
    each family's intercept-only regression."""
    data = _data()
    path = _csv(tmp_path, data, ["yp", "a"])
    const, _ = _compare([path, "--target", "yp", "--losses", "mse,poisson", "--folds", "6", "--seed", "3"])
    model, _ = _compare([path, "-f", "yp ~ 1", "--losses", "mse,poisson", "--folds", "6", "--seed", "3"])
    for loss in ("mse", "poisson"):
        assert model[loss]["held_out_bits"] == pytest.approx(const[loss]["held_out_bits"], rel=1e-9)


def test_a_loss_whose_fold_fails_is_shown_and_not_ranked(tmp_path):
    data = {"y": [0.0, 0, 0, 1, 0, 1, 1, 1], "x": [1.0, 2, 3, 4, 5, 6, 7, 8]}
    path = _csv(tmp_path, data, ["y", "x"])
    rows, _ = _compare([path, "--target", "y", "-x", "x", "--losses", "bce,mse", "--folds", "4"])
    assert "rank" not in rows["bce"] and "separation" in rows["bce"]["note"]
    assert rows["mse"]["rank"] == 1
    table = CliRunner().invoke(cli, ["compare-losses", path, "--target", "y", "-x", "x", "--losses", "bce,mse",
                                     "--folds", "4"])
    assert "not ranked (its bits are over other rows)" in " ".join(table.stdout.split())


def test_a_label_no_training_row_has_fails_its_fold_by_name():
    data = {"y": list("abababcab"), "x": [1.0, 2, 3, 4, 5, 6, 7, 8, 9]}
    r = mlefit.regress(data, "y", ["x"], dist="categorical", folds=3)
    failed = [f for f in r.held_out["per_fold"] if "error" in f]
    assert len(failed) == 1 and failed[0]["error"] == "the label 'c' has no training row"
    assert r.held_out["rows_scored"] == 6
