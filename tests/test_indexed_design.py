"""A many-level factor held as level indices (mlefit.regression.indexed_design, indexed_fit): the fit
equals the one with dense dummy columns (estimates, SEs, log-likelihood), statsmodels'
GLM on the dummies, and never allocates an n x levels array."""
import json
import tracemalloc

import numpy as np
import pytest
from click.testing import CliRunner

import mlefit
from mlefit.regression import indexed_design
from mlefit.cli import cli
from mlefit.errors import DataError, UsageError


def data(family, n=1500, levels=40, seed=0):
    rng = np.random.default_rng(seed)
    g = rng.integers(0, levels, n)
    x1, x2 = rng.normal(size=n), rng.uniform(-1, 1, n)
    eff = rng.normal(scale=0.5, size=levels)
    eta = 0.3 + 0.2 * x1 - 0.3 * x2 + eff[g]
    trials = rng.integers(1, 6, n).astype(float)
    y = {"poisson": lambda: rng.poisson(np.exp(eta)),
         "negative_binomial": lambda: rng.negative_binomial(3, 3 / (3 + np.exp(eta))),
         "bernoulli": lambda: rng.random(n) < 1 / (1 + np.exp(-eta)),
         "binomial": lambda: rng.binomial(trials.astype(int), 1 / (1 + np.exp(-eta))),
         "normal": lambda: eta + rng.normal(size=n),
         "gamma": lambda: rng.gamma(2.0, np.exp(eta) / 2.0)}[family]()
    return {"y": np.asarray(y, dtype=float), "x1": x1, "x2": x2, "t": trials,
            "g": np.array([f"g{v:03d}" for v in g], dtype=object), "w": rng.integers(0, 3, n).astype(float),
            "e": rng.uniform(0.5, 2.0, n), "cl": rng.integers(0, 30, n).astype(float)}


def both(monkeypatch, cols, formula="y ~ x1 + x2 + C(g)", **kw):
    """(dense-dummy fit, level-index fit) of the same model."""
    monkeypatch.setattr(indexed_design, "INDEX_FROM", 10 ** 9)
    dense = mlefit.regress(cols, formula=formula, **kw)
    monkeypatch.setattr(indexed_design, "INDEX_FROM", 10)
    indexed = mlefit.regress(cols, formula=formula, **kw)
    assert indexed.factors and not dense.factors
    return dense, indexed


def same(dense, indexed, rel=1e-8):
    d = {c.name: c for c in dense.coefficients}
    assert sorted(d) == sorted(c.name for c in indexed.coefficients)
    for c in indexed.coefficients:
        assert c.estimate == pytest.approx(d[c.name].estimate, rel=rel, abs=1e-10)
        assert c.se == pytest.approx(d[c.name].se, rel=rel)
    for a, b in zip(dense.parameters, indexed.parameters):
        assert (a.name, b.estimate, b.se) == (b.name, pytest.approx(a.estimate, rel=rel), pytest.approx(a.se, rel=rel))
    assert indexed.loglik == pytest.approx(dense.loglik, rel=1e-10)
    if dense.loglik_null is None:  # no intercept: no null model (pytest 9.2's approx refuses None)
        assert indexed.loglik_null is None
    else:
        assert indexed.loglik_null == pytest.approx(dense.loglik_null, rel=1e-10)
    assert (indexed.deviance is None) == (dense.deviance is None)  # huber, laplace: no deviance (pytest 9: no approx(None))
    if dense.deviance is not None:
        assert indexed.deviance == pytest.approx(dense.deviance, rel=1e-8)
    assert indexed.converged


@pytest.mark.parametrize("family", ["poisson", "negative_binomial", "bernoulli", "binomial", "normal", "gamma"])
def test_level_indices_equal_dense_dummies(monkeypatch, family):
    kw = {"trials": "t"} if family == "binomial" else {}
    same(*both(monkeypatch, data(family), dist=family, **kw))


@pytest.mark.parametrize("family,kw", [("poisson", {"robust": True}), ("poisson", {"cluster": "cl"}),
                                       ("negative_binomial", {"robust": True}), ("normal", {"cluster": "cl"}),
                                       ("poisson", {"weights": "w", "exposure": "e"}),
                                       ("negative_binomial", {"information": "expected"}),
                                       ("negative_binomial", {"information": "expected", "robust": True}),
                                       ("binomial", {"trials": "t", "link": "probit", "information": "expected",
                                                     "cluster": "cl"}),
                                       ("poisson", {"intercept": False}),
                                       ("binomial", {"trials": "t", "link": "probit", "weights": "w"})])
def test_sandwich_weights_offsets_and_expected_information_equal_dense(monkeypatch, family, kw):
    same(*both(monkeypatch, data(family, seed=3), dist=family, **kw))


def test_every_level_without_intercept_equals_dense(monkeypatch):
    dense, indexed = both(monkeypatch, data("poisson", seed=4), "y ~ C(g)", dist="poisson", intercept=False)
    same(dense, indexed)
    assert indexed.coefficients[0].name == "C(g)[g000]"


@pytest.mark.slow
def test_statsmodels_glm_on_a_many_level_poisson():
    """Past INDEX_FROM levels by default: statsmodels' GLM on the dummy columns agrees."""
    import statsmodels.api as sm
    cols = data("poisson", n=3000, levels=150, seed=5)
    r = mlefit.regress(cols, formula="y ~ x1 + x2 + C(g)", dist="poisson")
    assert r.factors[0]["levels"] == 150
    levels = sorted(set(cols["g"]))
    dummies = (cols["g"][:, None] == np.array(levels[1:], dtype=object)[None, :]).astype(float)
    X = np.column_stack([np.ones(3000), cols["x1"], cols["x2"], dummies])
    m = sm.GLM(cols["y"], X, family=sm.families.Poisson()).fit(tol=1e-14)
    np.testing.assert_allclose([c.estimate for c in r.coefficients], m.params, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose([c.se for c in r.coefficients], m.bse, rtol=1e-6)
    assert r.loglik == pytest.approx(m.llf, rel=1e-10)
    assert [c.name for c in r.coefficients][3] == f"C(g)[T.{levels[1]}]"


def test_no_n_by_levels_array():
    """20,000 rows x 5,000 levels: dummies would take 800 MB; the design holds the dense
    block and one index per row, and the whole fit's Python allocations stay far below."""
    rng = np.random.default_rng(6)
    n, levels = 20000, 5000
    g = rng.integers(0, levels, n)
    cols = {"y": rng.poisson(np.exp(0.5 + rng.normal(scale=0.3, size=levels)[g])).astype(float) + (g % 7 == 0),
            "x": rng.normal(size=n), "g": g.astype(float)}
    cols["y"][:levels] = 1.0  # no level of zero counts only
    cols["g"][:levels] = np.arange(levels)
    tracemalloc.start()
    r = mlefit.regress(cols, formula="y ~ x + C(g)", dist="poisson")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert r.converged and len(r.coefficients) == 2 + levels - 1
    assert peak < 80e6  # the dummies alone: 800 MB
    from mlefit.regression.rows import design
    from mlefit.io.frame import frame_of
    table = frame_of(cols, ["y", "x", "g"])
    X, names, _ = design(table, ["x", "g"], True, "x + C(g)")
    assert X.dense.shape == (n, 2) and X.codes.shape == (n,) and X.shape == (n, 2 + levels - 1)


def test_interactions_and_few_levels_stay_dense():
    cols = {"x": np.arange(300.0), "g": np.arange(300.0) % 150, "h": np.arange(300.0) % 5}
    assert indexed_design.split("x + C(g) + x:C(g)", cols) is None
    assert indexed_design.split("x + C(h)", cols) is None
    assert indexed_design.split("C(g) - 1", cols) is None  # the formula's own removal: dense
    assert indexed_design.split("x + C(g) + C(h)", cols) == ("x + C(h)", "C(g)", "g")


def test_save_and_predict_equal_the_dense_model(monkeypatch, tmp_path):
    cols = data("poisson", seed=7)
    fits = {}
    for key, limit in (("dense", 10 ** 9), ("indexed", 10)):
        monkeypatch.setattr(indexed_design, "INDEX_FROM", limit)
        fits[key] = mlefit.regress(cols, formula="y ~ x1 + C(g)", dist="poisson", exposure="e")
    from mlefit.regression.predict import model_dict, predict
    new = {k: cols[k][:50] for k in ("x1", "g", "e")}
    out = {k: predict(model_dict(r), new, interval=True) for k, r in fits.items()}
    for i in (1, 2, 3):
        np.testing.assert_allclose(out["indexed"][i], out["dense"][i], rtol=1e-8)
    bad = dict(new, g=np.array(["g001"] * 49 + ["nope"], dtype=object))
    with pytest.raises(DataError, match="column 'g' has 1 value the model never saw"):
        predict(model_dict(fits["indexed"]), bad)


def test_cli_table_shows_the_factor_on_one_line_and_json_every_level(tmp_path):
    cols = data("poisson", n=2000, levels=120, seed=8)
    path = tmp_path / "d.csv"
    path.write_text("y,x1,g\n" + "".join(f"{int(a)},{b:.6f},{c}\n" for a, b, c in zip(cols["y"], cols["x1"],
                                                                                     cols["g"])))
    run = CliRunner().invoke(cli, ["regress", str(path), "-f", "y ~ x1 + C(g)", "-d", "poisson"])
    assert run.exit_code == 0, run.output
    assert "C(g)[T." not in run.output
    assert "C(g): 120 levels, reference 'g000', 119 coefficients: from" in " ".join(run.output.split())
    run = CliRunner().invoke(cli, ["regress", str(path), "-f", "y ~ x1 + C(g)", "-d", "poisson", "--json"])
    d = json.loads(run.output)
    assert len(d["coefficients"]) == 121
    assert d["indexed_factors"] == [{"term": "C(g)", "variable": "g", "levels": 120, "coefficients": 119,
                                     "reference": "g000"}]


def test_refusals(monkeypatch):
    monkeypatch.setattr(indexed_design, "INDEX_FROM", 10)
    cols = data("poisson", seed=9)
    zero = dict(cols, y=np.where(cols["g"] == "g004", 0.0, cols["y"]))
    with pytest.raises(DataError, match=r"1 level of C\(g\) \('g004'\) has only zero counts: its coefficient's "
                                        r"maximum likelihood estimate is -inf"):
        mlefit.regress(zero, formula="y ~ x1 + C(g)", dist="poisson")
    with pytest.raises(UsageError, match="--interval profile does not go with C\\(g\\)'s 40 levels"):
        mlefit.regress(cols, formula="y ~ x1 + C(g)", dist="poisson", interval="profile")
    group = dict(cols, z=np.array([float(v[1:]) ** 2 for v in cols["g"]]))
    with pytest.raises(DataError, match=r"z is a linear combination of (Intercept, )?the levels of C\(g\)"):
        mlefit.regress(group, formula="y ~ x1 + z + C(g)", dist="poisson")
    ones = dict(cols, y=np.where(cols["g"] == "g007", 1.0, (cols["y"] > 1).astype(float)))
    with pytest.raises(DataError, match=r"\('g007'\) has only responses of 1: .* is \+inf"):
        mlefit.regress(ones, formula="y ~ x1 + C(g)", dist="bernoulli")


def test_levels_without_a_finite_estimate_are_named(monkeypatch):
    monkeypatch.setattr(indexed_design, "INDEX_FROM", 10)
    cols = data("poisson", seed=10)
    w = np.where(cols["g"] == "g003", 0.0, 1.0)
    with pytest.raises(DataError, match=r"^1 level of C\(g\) \('g003'\) has no row of positive weight: nothing "
                                        r"estimates its coefficient; drop the level's rows or give them weight$"):
        mlefit.regress(dict(cols, w=w), formula="y ~ x1 + C(g)", dist="poisson", weights="w")
    with pytest.raises(DataError, match=r"^the reference level 'g000' of C\(g\) has only zero counts: the "
                                        r"intercept's maximum likelihood estimate is not finite"):
        mlefit.regress(dict(cols, y=np.where(cols["g"] == "g000", 0.0, cols["y"])), formula="y ~ x1 + C(g)",
                       dist="poisson")
    b = data("binomial", seed=10)
    full = np.where(np.isin(b["g"], ["g005", "g006"]), b["t"], b["y"])
    with pytest.raises(DataError, match=r"^2 levels of C\(g\) \('g005', 'g006'\) have every trial a success: their "
                                        r"coefficients' maximum likelihood estimate is \+inf"):
        mlefit.regress(dict(b, y=full), formula="y ~ x1 + C(g)", dist="binomial", trials="t")


def test_separation_is_found_over_level_indices(monkeypatch):
    """A covariate that separates on its own, and one that separates within the levels
    (each level's own threshold): named, no fit with a runaway coefficient."""
    monkeypatch.setattr(indexed_design, "INDEX_FROM", 10)
    rng = np.random.default_rng(11)
    level = np.arange(600) % 30
    cols = {"x": rng.normal(size=600), "x2": rng.normal(size=600),
            "g": np.array([f"g{v:02d}" for v in level], dtype=object)}
    with pytest.raises(DataError, match=r"^separation: x separates the outcomes, so the maximum likelihood"):
        mlefit.regress(dict(cols, y=(cols["x"] > 0).astype(float)), formula="y ~ x + x2 + C(g)", dist="bernoulli")
    within = (cols["x"] > np.linspace(-1, 1, 30)[level]).astype(float)
    with pytest.raises(DataError, match=r"^separation: x, the levels of C\(g\) separate the outcomes"):
        mlefit.regress(dict(cols, y=within), formula="y ~ x + x2 + C(g)", dist="bernoulli")


def test_every_other_column_holds_a_text_factor_as_indices(monkeypatch):
    """'y ~ .' expands to a group of added columns: a many-level text column among them
    is held as indices, as in 'y ~ x1 + x2 + g'."""
    cols = data("poisson", seed=12)
    cols = {k: cols[k] for k in ("y", "x1", "x2", "g")}
    monkeypatch.setattr(indexed_design, "INDEX_FROM", 10)
    rest = mlefit.regress(cols, formula="y ~ .", dist="poisson")
    named = mlefit.regress(cols, formula="y ~ x1 + x2 + g", dist="poisson")
    assert rest.factors == named.factors and rest.factors[0]["term"] == "g"
    assert rest.estimates == pytest.approx(named.estimates, rel=1e-12)


def test_a_bare_text_factor_equals_its_dummies(monkeypatch):
    same(*both(monkeypatch, data("bernoulli", seed=13), "y ~ x1 + g", dist="bernoulli"))


@pytest.mark.parametrize("family,kw", [("poisson", {"penalty": "l2:0.01"}), ("bernoulli", {"penalty": "l2:0.01"}),
                                       ("negative_binomial", {"prior": "coef ~ normal(0, 2)"}),
                                       ("normal", {"prior": ["coef ~ normal(0, 1)", "sigma ~ half_normal(3)"]}),
                                       ("poisson", {"prior": "x1 ~ normal(0, 0.1)"})])
def test_map_with_normal_priors_equals_dense(monkeypatch, family, kw):
    dense, indexed = both(monkeypatch, data(family, seed=21), dist=family, **kw)
    same(dense, indexed)
    assert indexed.log_prior == pytest.approx(dense.log_prior, rel=1e-10)
    assert indexed.mle == pytest.approx(dense.mle, rel=1e-8, abs=1e-10)


def test_ridge_keeps_a_level_of_zero_counts_finite_and_laplace_is_refused(monkeypatch):
    cols = data("poisson", seed=22)
    cols["y"] = np.where(cols["g"] == "g004", 0.0, cols["y"])
    dense, indexed = both(monkeypatch, cols, dist="poisson", penalty="l2:0.01")
    same(dense, indexed)
    assert indexed.mle is None and "no MLE beside the MAP: 1 level of C(g) ('g004') has only zero counts" in \
        " ".join(indexed.notes)
    with pytest.raises(UsageError, match=r"laplace priors \(lasso, --penalty l1 or elasticnet\) do not go with"):
        mlefit.regress(cols, formula="y ~ x1 + C(g)", dist="poisson", penalty="l1:0.01")


def test_map_table_keeps_the_levels_mle_to_json(monkeypatch):
    monkeypatch.setattr(indexed_design, "INDEX_FROM", 10)
    r = mlefit.regress(data("poisson", seed=23), formula="y ~ x1 + C(g)", dist="poisson", penalty="l2:0.01")
    text = " ".join(str(r).split())
    assert "C(g)[T." not in text and "C(g)'s levels with --json (the estimates above are the MAP)" in text
    assert len(r.to_dict()["mle"]) == len(r.coefficients)


@pytest.mark.parametrize("dist", ["huber:1.345", "huber:3"])
def test_a_family_with_a_fixed_shape_over_level_indices_equals_dense(monkeypatch, dist):
    """Issue 15, point 2: the levels' checks read the trials from the rows' record, not from
    the density's first trailing argument: huber's delta is no number of trials (it had
    raised an internal TypeError)."""
    same(*both(monkeypatch, data("normal", seed=5), dist=dist))
