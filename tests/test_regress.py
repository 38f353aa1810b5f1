"""mlefit.regress against statsmodels on seeded designs, the loss identities, and the
errors a design or a response can cause."""
import math

import numpy as np
import pytest
import statsmodels.api as sm

import mlefit
from mlefit.errors import DataError, UsageError
from mlefit.regression.model import regress


def design(n=400, seed=0):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.uniform(-1, 2, n)
    return rng, {"a": a, "b": b}, sm.add_constant(np.column_stack([a, b]))


def check(r, params, bse, llf, rel=1e-6):
    np.testing.assert_allclose([c.estimate for c in r.coefficients], params, rtol=rel, atol=1e-9)
    np.testing.assert_allclose([c.se for c in r.coefficients], bse, rtol=rel)
    assert r.loglik == pytest.approx(llf, rel=1e-8)
    assert r.converged


@pytest.mark.parametrize("link", ["logit", "probit", "cloglog"])
def test_binary_links_equal_statsmodels_glm(link):
    rng, cols, X = design()
    eta = 0.2 + 0.8 * cols["a"] - 0.6 * cols["b"]
    p = {"logit": 1 / (1 + np.exp(-eta)), "probit": __import__("scipy.stats").stats.norm.cdf(eta),
         "cloglog": 1 - np.exp(-np.exp(eta))}[link]
    cols["y"] = (rng.random(p.size) < p).astype(float)
    links = {"logit": sm.families.links.Logit(), "probit": sm.families.links.Probit(),
             "cloglog": sm.families.links.CLogLog()}
    m = sm.GLM(cols["y"], X, family=sm.families.Binomial(link=links[link])).fit(tol=1e-14)
    r = regress(cols, "y", ["a", "b"], dist="bernoulli", link=link)
    # observed information: statsmodels' GLM gives the expected one unless asked
    bse = np.sqrt(np.diag(np.linalg.inv(-m.model.hessian(m.params, observed=True))))
    check(r, m.params, bse, m.llf)
    assert r.loglik_null == pytest.approx(m.llnull, rel=1e-8)
    assert r.deviance == pytest.approx(m.deviance, rel=1e-8)


def test_logistic_equals_statsmodels_logit_and_its_pseudo_r2():
    rng, cols, X = design(seed=1)
    cols["y"] = (rng.random(400) < 1 / (1 + np.exp(-(cols["a"] - cols["b"])))).astype(float)
    m = sm.Logit(cols["y"], X).fit(disp=0, tol=1e-12)
    r = regress(cols, "y", ["a", "b"], dist="bernoulli")
    check(r, m.params, m.bse, m.llf)
    assert r.pseudo_r2 == pytest.approx(m.prsquared, rel=1e-8)
    assert r.lr_statistic == pytest.approx(m.llr, rel=1e-7)
    assert r.lr_p_value == pytest.approx(m.llr_pvalue, rel=1e-6, abs=1e-300)
    assert r.coefficients[1].p_value == pytest.approx(m.pvalues[1], rel=1e-6)


def test_poisson_with_offset_and_exposure_equals_statsmodels():
    rng, cols, X = design(seed=2)
    e = rng.uniform(0.5, 4, 400)
    cols["y"] = rng.poisson(e * np.exp(0.3 + 0.5 * cols["a"] - 0.2 * cols["b"])).astype(float)
    cols["log_e"], cols["e"] = np.log(e), e
    m = sm.GLM(cols["y"], X, family=sm.families.Poisson(), offset=np.log(e)).fit(tol=1e-14)
    r = regress(cols, "y", ["a", "b"], dist="poisson", offset="log_e")
    check(r, m.params, m.bse, m.llf)
    assert r.loglik_null == pytest.approx(m.llnull, rel=1e-8)
    assert r.deviance == pytest.approx(m.deviance, rel=1e-8)
    same = regress(cols, "y", ["a", "b"], dist="poisson", exposure="e")
    assert same.loglik == pytest.approx(r.loglik, rel=1e-12)
    assert r.coefficients[1].exp_estimate == pytest.approx(math.exp(m.params[1]), rel=1e-6)


def test_negative_binomial_equals_statsmodels_nb2():
    rng, cols, X = design(seed=3)
    mu = np.exp(1.0 + 0.4 * cols["a"] - 0.3 * cols["b"])
    cols["y"] = rng.negative_binomial(2.0, 2.0 / (2.0 + mu)).astype(float)
    m = sm.NegativeBinomial(cols["y"], X, loglike_method="nb2").fit(disp=0, method="newton", tol=1e-12, maxiter=100)
    r = regress(cols, "y", ["a", "b"], dist="negative_binomial")
    check(r, m.params[:3], m.bse[:3], m.llf)
    size = r.parameters[0]
    assert size.name == "size"
    assert size.estimate == pytest.approx(1.0 / m.params[3], rel=1e-6)
    assert size.se == pytest.approx(m.bse[3] / m.params[3] ** 2, rel=1e-5)  # the delta method from alpha


def test_binomial_with_trials_column_equals_statsmodels():
    rng, cols, X = design(seed=4)
    t = rng.integers(1, 20, 400).astype(float)
    cols["y"] = rng.binomial(t.astype(int), 1 / (1 + np.exp(-(0.5 * cols["a"] - cols["b"])))).astype(float)
    cols["t"] = t
    m = sm.GLM(np.column_stack([cols["y"], t - cols["y"]]), X, family=sm.families.Binomial()).fit(tol=1e-14)
    r = regress(cols, "y", ["a", "b"], dist="binomial", trials="t")
    bse = np.sqrt(np.diag(np.linalg.inv(-m.model.hessian(m.params, observed=True))))
    check(r, m.params, bse, m.llf)


def test_normal_is_least_squares_with_the_mle_sigma():
    rng, cols, X = design(seed=5)
    cols["y"] = 1.0 + 2.0 * cols["a"] - 3.0 * cols["b"] + rng.normal(0, 1.5, 400)
    ols = sm.OLS(cols["y"], X).fit()
    r = regress(cols, "y", ["a", "b"], loss="mse")
    assert r.family == "normal"
    sigma = math.sqrt(ols.ssr / 400)
    check(r, ols.params, np.sqrt(np.diag(sigma ** 2 * np.linalg.inv(X.T @ X))), ols.llf)
    assert r.parameters[0].estimate == pytest.approx(sigma, rel=1e-9)
    assert r.deviance == pytest.approx(ols.ssr, rel=1e-9)


def test_loss_bce_is_the_bernoulli_fit_and_bits_are_its_bce():
    rng, cols, X = design(seed=6)
    cols["y"] = (rng.random(400) < 0.4 + 0.1 * (cols["a"] > 0)).astype(float)
    a = regress(cols, "y", ["a", "b"], loss="bce")
    b = regress(cols, "y", ["a", "b"], dist="bernoulli")
    assert a.estimates == b.estimates and a.loglik == b.loglik
    beta = np.array([c.estimate for c in b.coefficients])
    p = 1 / (1 + np.exp(-(X @ beta)))
    bce = -np.mean(cols["y"] * np.log(p) + (1 - cols["y"]) * np.log1p(-p))
    assert b.bits_per_sample * math.log(2) == pytest.approx(bce, rel=1e-12)


def test_integer_weights_are_repeated_rows():
    rng, cols, X = design(seed=7)
    cols["y"] = rng.poisson(np.exp(0.2 * cols["a"])).astype(float)
    cols["w"] = rng.integers(1, 4, 400).astype(float)
    r = regress(cols, "y", ["a", "b"], dist="poisson", weights="w")
    k = cols["w"].astype(int)
    rep = {c: np.repeat(cols[c], k) for c in ("y", "a", "b")}
    s = regress(rep, "y", ["a", "b"], dist="poisson")
    np.testing.assert_allclose([c.estimate for c in r.coefficients], [c.estimate for c in s.coefficients], rtol=1e-9)
    assert r.loglik == pytest.approx(s.loglik, rel=1e-12)


def test_two_label_response_says_which_label_is_one():
    rng, cols, X = design(seed=8)
    y = rng.random(400) < 1 / (1 + np.exp(-cols["a"]))
    cols["y"] = np.where(y, "yes", "no")
    r = regress(cols, "y", ["a"], dist="bernoulli")
    assert any("1 for 'yes'" in n for n in r.notes)
    flipped = regress(cols, "y", ["a"], dist="bernoulli", positive="no")
    assert flipped.coefficients[1].estimate == pytest.approx(-r.coefficients[1].estimate, rel=1e-9)


def test_missing_rows_are_dropped_and_counted_by_column():
    rng, cols, X = design(seed=9)
    cols["y"] = rng.normal(size=400)
    cols["a"][[3, 10]] = np.nan
    cols["y"][5] = np.nan
    r = regress(cols, "y", ["a", "b"], dist="normal")
    assert r.n == 397 and r.rows_read == 400
    assert {d.reason: d.count for d in r.dropped} == {"missing value in column 'y'": 1,  # the response named too
                                                      "missing value in column 'a'": 2}


def test_separation_is_refused_naming_the_covariate():
    x = np.arange(20.0)
    data = {"y": (x > 9).astype(float), "x": x, "z": np.sin(x)}
    with pytest.raises(DataError, match=r"^complete separation: x separates the outcomes"):
        regress(data, "y", ["x", "z"], dist="bernoulli")
    data["x"][10] = 9.0  # x = 9 now has a 0 and a 1: separated but for a tie, quasi-complete
    with pytest.raises(DataError, match="quasi-complete separation"):
        regress(data, "y", ["x"], dist="bernoulli")


def test_rank_deficiency_names_the_aliased_columns():
    rng, cols, X = design(seed=10)
    cols["c"] = 2 * cols["a"] - cols["b"]
    cols["y"] = rng.normal(size=400)
    with pytest.raises(DataError, match=r"rank deficient: \w+ is a linear combination of"):
        regress(cols, "y", ["a", "b", "c"], dist="normal")


@pytest.mark.parametrize("dist,value,match", [
    ("bernoulli", 2.0, "bernoulli needs 0 or 1"),
    ("poisson", 1.5, "poisson needs counts"),
    ("poisson", -1.0, "poisson needs counts"),
])
def test_bad_responses(dist, value, match):
    rng, cols, X = design(seed=11)
    cols["y"] = rng.integers(0, 2, 400).astype(float)
    cols["y"][7] = value
    with pytest.raises(DataError, match=match) as err:
        regress(cols, "y", ["a"], dist=dist)
    assert "index 7" in str(err.value)


def test_usage_errors():
    _, cols, _ = design()
    cols["y"] = np.zeros(400)
    with pytest.raises(UsageError, match="takes the links logit, probit, cloglog"):
        regress(cols, "y", ["a"], dist="bernoulli", link="log")
    with pytest.raises(UsageError, match="not one of them yet"):
        regress(cols, "y", ["a"], dist="cauchy")
    with pytest.raises(UsageError, match="not both"):
        regress(cols, "y", ["a"], dist="normal", loss="mse")


def test_public_api():
    rng, cols, X = design(seed=12)
    cols["y"] = rng.poisson(2.0, 400).astype(float)
    r = mlefit.regress(cols, "y", ["a"], dist="poisson")
    d = r.to_dict()
    assert d["model"] == "regression" and d["coefficients"][0]["name"] == "Intercept"
    assert set(d["coefficients"][1]) >= {"name", "estimate", "se", "z", "p_value", "ci_lower", "ci_upper"}


# ------------------------------------------------------------------ formulas
def test_formula_with_categories_interactions_and_transforms_equals_statsmodels():
    import pandas as pd
    import statsmodels.formula.api as smf
    from pathlib import Path
    infert = str(Path(__file__).resolve().parent.parent / "sample_data" / "infert.csv")
    df = pd.read_csv(infert)
    m = smf.logit("case ~ spontaneous + induced + C(education) + np.log(age) + age:parity", df).fit(disp=0, tol=1e-12)
    r = regress(infert, formula="case ~ spontaneous + induced + C(education) + log(age) + age:parity",
                dist="bernoulli")
    assert [c.name for c in r.coefficients] == ["Intercept", "spontaneous", "induced", "C(education)[T.12+ yrs]",
                                                "C(education)[T.6-11yrs]", "log(age)", "age:parity"]
    order = [c.name.replace("log(", "np.log(") for c in r.coefficients]  # patsy orders categories first
    check(r, m.params[order].to_numpy(), m.bse[order].to_numpy(), m.llf)


def test_formula_without_intercept_and_a_text_column_as_categories():
    rng, cols, X = design(seed=13)
    cols["g"] = np.array(["a", "b", "c"])[rng.integers(0, 3, 400)]
    cols["y"] = rng.poisson(np.exp(0.5 * (cols["g"] == "b") + 0.2 * cols["a"])).astype(float)
    r = regress(cols, formula="y ~ g + a - 1", dist="poisson")
    assert [c.name for c in r.coefficients] == ["g[a]", "g[b]", "g[c]", "a"]  # full dummy coding
    dummies = np.column_stack([cols["g"] == v for v in "abc"] + [cols["a"]]).astype(float)
    m = sm.GLM(cols["y"], dummies, family=sm.families.Poisson()).fit(tol=1e-14)
    check(r, m.params, m.bse, m.llf)
    assert r.loglik_null is None  # no intercept: no intercept-only model to test against


@pytest.mark.parametrize("formula,match", [
    ("y ~ {__import__('os').system('echo no')}", "is not allowed in a formula"),
    ("y ~ open(a)", "'open\\(' is not an allowed call"),
    ("y ~ a.__class__", "is not allowed in a formula"),
    ("y ~ __import__", "is not a column name"),
    ("y ~ a ~ b", "one '~'"),
    ("log(y) ~ a", "left of '~' must be the response"),
    ("y ~ ", "nothing to the right"),
])
def test_formulas_outside_the_grammar_are_refused_before_formulaic(formula, match):
    _, cols, _ = design()
    cols["y"] = np.ones(400)
    with pytest.raises(UsageError, match=match):
        regress(cols, formula=formula, dist="poisson")


def test_a_text_covariate_points_to_the_formula():
    rng, cols, _ = design()
    cols["g"] = np.array(["u", "v"])[rng.integers(0, 2, 400)]
    cols["y"] = np.ones(400)
    with pytest.raises(DataError, match=r"covariate 'g' is text .* use --formula 'y ~ C\(g\)'"):
        regress(cols, "y", ["g"], dist="poisson")


def test_student_t_regression_equals_an_independent_optimum():
    """Robust regression: the t log-likelihood with a mean moving with a covariate,
    maximised here by scipy's BFGS on scipy.stats.t.logpdf, from another start."""
    import scipy.optimize
    import scipy.stats
    rng = np.random.default_rng(5)
    a = rng.normal(size=400)
    y = 1 + 2 * a + 0.5 * rng.standard_t(3, 400)
    r = regress({"y": y, "a": a}, "y", ["a"], dist="student_t")

    def nll(v):
        return -scipy.stats.t.logpdf(y, np.exp(v[3]), loc=v[0] + v[1] * a, scale=np.exp(v[2])).sum()
    best = scipy.optimize.minimize(nll, [0.0, 1.0, 0.0, 1.0], method="BFGS", options={"gtol": 1e-10})
    assert r.loglik >= -best.fun - 1e-9
    np.testing.assert_allclose([c.estimate for c in r.coefficients], best.x[:2], rtol=1e-6)
    np.testing.assert_allclose([p.estimate for p in r.parameters], np.exp(best.x[2:]), rtol=1e-5)
    assert [p.name for p in r.parameters] == ["sigma", "df"]


@pytest.mark.parametrize("link", ["log", "inverse"])
def test_gamma_regression_equals_statsmodels_glm_at_the_mle_shape(link):
    """The gamma GLM's coefficients (statsmodels fits them by IRLS; they do not depend on
    the shape), its log-likelihood and observed-information SEs with the scale fixed at
    1/shape, mlefit's MLE of the shape; and R's deviance."""
    rng, cols, X = design(seed=14)
    mu = np.exp(1 + 0.5 * cols["a"] - 0.3 * cols["b"]) if link == "log" else 1 / (0.5 + 0.1 * cols["a"] ** 2 + 0.1 * cols["b"])
    cols["y"] = rng.gamma(2.5, mu / 2.5)
    r = regress(cols, "y", ["a", "b"], dist="gamma", link=link)
    shape = r.parameters[0].estimate
    links = {"log": sm.families.links.Log(), "inverse": sm.families.links.InversePower()}
    m = sm.GLM(cols["y"], X, family=sm.families.Gamma(links[link])).fit(scale=1 / shape, tol=1e-14)
    bse = np.sqrt(np.diag(np.linalg.inv(-m.model.hessian(m.params, scale=1 / shape, observed=True))))
    np.testing.assert_allclose([c.estimate for c in r.coefficients], m.params, rtol=1e-6)
    np.testing.assert_allclose([c.se for c in r.coefficients], bse, rtol=1e-4)  # the shape's covariance is in ours
    assert r.loglik == pytest.approx(m.llf, rel=1e-8)
    assert r.deviance == pytest.approx(m.deviance, rel=1e-8)
    # the shape maximises the likelihood given the coefficients
    import scipy.optimize
    import scipy.stats
    fitted = m.fittedvalues
    best = scipy.optimize.minimize_scalar(lambda a: -scipy.stats.gamma.logpdf(cols["y"], a, scale=fitted / a).sum(),
                                          bounds=(0.1, 50), method="bounded", options={"xatol": 1e-10})
    assert shape == pytest.approx(best.x, rel=1e-6)


# ------------------------------------------------------------------ robust errors
def test_sandwich_errors_equal_statsmodels_hc0_for_canonical_and_other_links():
    rng, cols, X = design(seed=15)
    cols["y"] = rng.poisson(np.exp(0.3 + 0.5 * cols["a"]) * rng.gamma(2, 0.5, 400)).astype(float)
    m = sm.GLM(cols["y"], X, family=sm.families.Poisson()).fit(cov_type="HC0", tol=1e-14)
    r = regress(cols, "y", ["a", "b"], dist="poisson", robust=True)
    np.testing.assert_allclose([c.se for c in r.coefficients], m.bse, rtol=1e-6)
    assert r.coefficients[1].interval == "wald, sandwich"
    # negative binomial: the coefficients' block does not depend on how size is parameterised
    nb = sm.NegativeBinomial(cols["y"], X, loglike_method="nb2").fit(disp=0, method="newton", tol=1e-12,
                                                                      cov_type="HC0")
    r = regress(cols, "y", ["a", "b"], dist="negative_binomial", robust=True)
    np.testing.assert_allclose([c.se for c in r.coefficients], nb.bse[:3], rtol=1e-5)


def test_cluster_robust_errors_equal_statsmodels():
    rng, cols, X = design(seed=16)
    g = rng.integers(0, 30, 400)
    cols["g"] = np.array([f"site{i}" for i in g])  # text labels are fine for clusters
    cols["y"] = (rng.random(400) < 1 / (1 + np.exp(-(0.2 + cols["a"] + rng.normal(size=30)[g])))).astype(float)
    m = sm.GLM(cols["y"], X, family=sm.families.Binomial()).fit(
        cov_type="cluster", cov_kwds={"groups": g, "use_correction": False}, tol=1e-14)
    r = regress(cols, "y", ["a", "b"], dist="bernoulli", cluster="g")
    np.testing.assert_allclose([c.se for c in r.coefficients], m.bse * np.sqrt(30 / 29), rtol=1e-6)
    assert r.coefficients[0].interval == "wald, cluster-robust (30 clusters of 'g')"
    with pytest.raises(DataError, match="one cluster"):
        regress(dict(cols, g=np.zeros(400)), "y", ["a"], dist="bernoulli", cluster="g")


# ------------------------------------------------------------------ softmax
def softmax_data(seed=0, n=500):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    eta = np.column_stack([np.zeros(n), 0.5 + a, -0.3 + b - a])
    p = np.exp(eta) / np.exp(eta).sum(axis=1, keepdims=True)
    y = (rng.random(n)[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    return y, {"a": a, "b": b, "y": np.array(["setosa", "versicolor", "virginica"])[y]}


def test_softmax_regression_equals_statsmodels_mnlogit():
    y, cols = softmax_data()
    m = sm.MNLogit(y, sm.add_constant(np.column_stack([cols["a"], cols["b"]]))).fit(disp=0, method="newton", tol=1e-12)
    r = regress(cols, "y", ["a", "b"], dist="categorical")
    assert [c.name for c in r.coefficients][:3] == ["versicolor:Intercept", "versicolor:a", "versicolor:b"]
    check(r, np.asarray(m.params).T.reshape(-1), np.asarray(m.bse).T.reshape(-1), m.llf)
    assert r.pseudo_r2 == pytest.approx(m.prsquared, rel=1e-7)
    assert r.deviance == pytest.approx(-2 * m.llf, rel=1e-12)
    assert any("reference 'setosa'" in note for note in r.notes)
    same = regress(cols, "y", ["a", "b"], loss="cross_entropy")
    assert same.family == "categorical" and same.loglik == r.loglik


def test_two_class_softmax_is_the_logistic_regression():
    rng, cols, X = design(seed=17)
    cols["y"] = np.where(rng.random(400) < 1 / (1 + np.exp(-(0.3 + cols["a"]))), "yes", "no")
    soft = regress(cols, "y", ["a", "b"], dist="categorical")
    logit = regress(cols, "y", ["a", "b"], dist="bernoulli")
    np.testing.assert_allclose([c.estimate for c in soft.coefficients], [c.estimate for c in logit.coefficients],
                               rtol=1e-9)
    np.testing.assert_allclose([c.se for c in soft.coefficients], [c.se for c in logit.coefficients], rtol=1e-7)
    assert soft.loglik == pytest.approx(logit.loglik, rel=1e-12)


def test_fixed_other_parameter_is_held_and_not_counted():
    import scipy.optimize
    import scipy.stats
    rng = np.random.default_rng(6)
    a = rng.normal(size=300)
    y = 1 + 2 * a + 0.5 * rng.standard_t(4, 300)
    r = regress({"y": y, "a": a}, "y", ["a"], dist="student_t", fix={"df": "4"})

    def nll(v):
        return -scipy.stats.t.logpdf(y, 4.0, loc=v[0] + v[1] * a, scale=np.exp(v[2])).sum()
    best = scipy.optimize.minimize(nll, [0.0, 1.0, 0.0], method="BFGS", options={"gtol": 1e-10})
    np.testing.assert_allclose([c.estimate for c in r.coefficients], best.x[:2], rtol=1e-6)
    assert [(p.name, p.interval) for p in r.parameters] == [("sigma", "wald, log scale"), ("df", "fixed")]
    assert r.n_parameters == 3 and r.aic == pytest.approx(6 - 2 * r.loglik)
    for fix, match in [({"mu": "1"}, "cannot fix 'mu'"), ({"df": "-1"}, "must be a finite number > 0"),
                       ({"df": "x"}, "must be a number")]:
        with pytest.raises(UsageError, match=match):
            regress({"y": y, "a": a}, "y", ["a"], dist="student_t", fix=fix)


# ------------------------------------------------------------------ numerically hard designs
@pytest.mark.parametrize("level", [1e4, 1e6, 1e9, 1e12])
def test_large_responses_converge_to_least_squares(level):
    """y = level + 2x + noise: Newton stops at the rounding of the log-likelihood, where
    the old rule waited for a rise nothing could show ('did not converge' at the optimum)."""
    rng, cols, X = design(seed=18)
    cols["y"] = level + 2 * cols["a"] + rng.normal(size=400)
    r = regress(cols, "y", ["a", "b"], dist="normal")
    ols = sm.OLS(cols["y"], X).fit()
    assert r.converged
    np.testing.assert_allclose([c.estimate for c in r.coefficients], ols.params, rtol=1e-9, atol=1e-7 * level ** 0.5)


@pytest.mark.parametrize("seed", range(6))
def test_large_counts_converge(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=300)
    y = rng.poisson(1e4 * np.exp(0.1 * x)).astype(float)
    r = regress({"y": y, "x": x}, "y", ["x"], dist="poisson")
    m = sm.GLM(y, sm.add_constant(x), family=sm.families.Poisson()).fit(tol=1e-14)
    assert r.converged
    np.testing.assert_allclose([c.estimate for c in r.coefficients], m.params, rtol=1e-9)


def test_a_covariate_in_tiny_units_is_fitted():
    rng = np.random.default_rng(19)
    x = rng.normal(size=300) * 1e-8
    y = 1 + 2e8 * x + rng.normal(size=300)
    r = regress({"y": y, "x": x}, "y", ["x"], dist="normal")
    ols = sm.OLS(y, sm.add_constant(x)).fit()
    np.testing.assert_allclose([c.estimate for c in r.coefficients], ols.params, rtol=1e-9)


def test_softmax_lr_test_counts_the_slopes_of_every_label():
    y, cols = softmax_data(seed=3)
    m = sm.MNLogit(y, sm.add_constant(np.column_stack([cols["a"], cols["b"]]))).fit(disp=0, method="newton", tol=1e-12)
    r = regress(cols, "y", ["a", "b"], dist="categorical")
    assert r.lr_df == m.df_model == 4
    assert r.lr_statistic == pytest.approx(m.llr, rel=1e-7)


def test_negative_binomial_deviance_with_zero_counts_equals_statsmodels():
    rng, cols, X = design(seed=20)
    mu = np.exp(0.2 + 0.4 * cols["a"])
    cols["y"] = rng.negative_binomial(1.5, 1.5 / (1.5 + mu)).astype(float)
    assert (cols["y"] == 0).any()
    r = regress(cols, "y", ["a", "b"], dist="negative_binomial")
    size = r.parameters[0].estimate
    m = sm.GLM(cols["y"], X, family=sm.families.NegativeBinomial(alpha=1 / size)).fit(tol=1e-14)
    assert r.deviance == pytest.approx(m.deviance, rel=1e-7)


# ------------------------------------------------------------------ refusals found in review
def test_formula_grammar_allows_grouping_and_refuses_a_single_name_power():
    rng, cols, X = design(seed=21)
    cols["c"] = rng.normal(size=400)
    cols["y"] = rng.poisson(np.exp(0.3 * cols["a"])).astype(float)
    r = regress(cols, formula="y ~ (a + b)^2 + c:(a + b)", dist="poisson")
    assert [c.name for c in r.coefficients] == ["Intercept", "a", "b", "a:b", "c:a", "c:b"]
    with pytest.raises(UsageError, match=r"for its square use poly\(a, 2\)"):
        regress(cols, formula="y ~ a^2", dist="poisson")
    alone = regress(cols, formula="y ~ 1", dist="poisson")
    assert [c.name for c in alone.coefficients] == ["Intercept"]
    assert alone.coefficients[0].estimate == pytest.approx(np.log(np.mean(cols["y"])), rel=1e-10)


def test_one_column_in_two_roles_and_clashes():
    rng, cols, X = design(seed=22)
    cols["g"] = rng.integers(0, 20, 400).astype(float)
    cols["y"] = rng.poisson(np.exp(0.01 * cols["g"])).astype(float)
    r = regress(cols, "y", ["a", "g"], dist="poisson", cluster="g")  # a covariate that is also the cluster
    assert r.coefficients[2].interval.startswith("wald, cluster-robust (20 clusters")
    for kwargs, match in [(dict(covariates=["a", "a"]), "named twice"), (dict(covariates=["y"]), "cannot explain itself"),
                          (dict(covariates=["a"], weights="y"), "--weights names the response"),
                          (dict(covariates=["Intercept"]), "take the intercept's name")]:
        data = dict(cols, Intercept=np.ones(400))
        with pytest.raises(UsageError, match=match):
            regress(data, "y", dist="poisson", **kwargs)


def test_text_in_a_numeric_role_and_zero_weights_are_one_line_errors():
    rng, cols, X = design(seed=23)
    cols["y"] = rng.poisson(2.0, 400).astype(float)
    cols["t"] = np.array(["u", "v"])[rng.integers(0, 2, 400)]
    for key in ("weights", "offset", "exposure"):
        with pytest.raises(DataError, match=f"the --{key} column 't' is text"):
            regress(cols, "y", ["a"], dist="poisson", **{key: "t"})
    with pytest.raises(DataError, match="all 0"):
        regress(dict(cols, w=np.zeros(400)), "y", ["a"], dist="poisson", weights="w")


@pytest.mark.parametrize("dist,y,match", [
    ("poisson", np.zeros(50), "every count is 0"),
    ("bernoulli", np.ones(50), "every response is 1"),
    ("bernoulli", np.zeros(50), "every response is 0"),
])
def test_a_response_at_the_edge_has_no_estimate(dist, y, match):
    x = np.linspace(0, 1, 50)
    with pytest.raises(DataError, match=match):
        regress({"y": y, "x": x}, "y", ["x"], dist=dist)


def test_no_overdispersion_points_to_poisson():
    rng = np.random.default_rng(24)
    x = rng.normal(size=300)
    y = rng.binomial(10, 0.4, 300).astype(float)  # variance below the mean
    with pytest.raises(DataError, match="not overdispersed.*use --dist poisson"):
        regress({"y": y, "x": x}, "y", ["x"], dist="negative_binomial")


def test_an_exact_linear_response_is_named():
    x = np.arange(20.0)
    with pytest.raises(DataError, match="give the response exactly"):
        regress({"y": 3 + 2 * x, "x": x}, "y", ["x"], dist="normal")


def test_separation_hidden_by_zero_weights_is_found():
    x = np.arange(20.0)
    y = (x > 9).astype(float)
    y[[0, 19]] = [1.0, 0.0]  # two rows that break the separation, weighted out
    w = np.ones(20)
    w[[0, 19]] = 0.0
    with pytest.raises(DataError, match="separation: x separates"):
        regress({"y": y, "x": x, "w": w}, "y", ["x"], dist="bernoulli", weights="w")


# ------------------------------------------------------------------ profile intervals
def test_profile_interval_ends_are_where_the_profile_falls_by_chi2_over_2():
    """At each end of a coefficient's profile interval, the log-likelihood maximised over
    the other coefficients (statsmodels' GLM with that coefficient as an offset: an
    independent fit) lies chi2_1(0.95)/2 below the maximum."""
    import pandas as pd
    import scipy.stats
    from pathlib import Path
    infert = pd.read_csv(Path(__file__).resolve().parent.parent / "sample_data" / "infert.csv")
    cols = {c: infert[c].to_numpy(dtype=float) for c in ("case", "spontaneous", "induced")}
    r = regress(cols, "case", ["spontaneous", "induced"], dist="bernoulli", interval="profile")
    X = sm.add_constant(np.column_stack([cols["spontaneous"], cols["induced"]]))
    drop = scipy.stats.chi2.ppf(0.95, 1) / 2
    for j, c in enumerate(r.coefficients):
        assert c.interval == "profile likelihood"
        for end in (c.ci_lower, c.ci_upper):
            rest = np.delete(X, j, axis=1)
            m = sm.GLM(cols["case"], rest, family=sm.families.Binomial(), offset=end * X[:, j]).fit(tol=1e-14)
            assert r.loglik - m.llf == pytest.approx(drop, abs=1e-6)
        assert c.exp_ci_lower == pytest.approx(np.exp(c.ci_lower), rel=1e-12)


def test_profile_interval_of_a_parameter_at_its_limit_is_open():
    rng = np.random.default_rng(25)
    x = rng.normal(size=200)
    y = 1 + x + rng.normal(size=200)  # normal errors: student_t's df runs to its normal limit
    r = regress({"y": y, "x": x}, "y", ["x"], dist="student_t", interval="profile")
    df = r.parameters[1]
    assert df.name == "df" and df.ci_upper is None and df.ci_lower is not None and df.ci_lower > 1
    assert any("open interval end" in n for n in r.notes)
    with pytest.raises(UsageError, match="does not go with --robust"):
        regress({"y": y, "x": x}, "y", ["x"], dist="normal", interval="profile", robust=True)


@pytest.mark.parametrize("dist,link", [("bernoulli", "probit"), ("bernoulli", "cloglog"), ("poisson", "identity"),
                                       ("gamma", "log"), ("normal", "log")])
def test_expected_information_equals_statsmodels_glm_default(dist, link):
    """statsmodels' GLM reports SEs from the expected information (IRLS); --information
    expected gives the same, with the dispersion at its MLE for gamma and normal."""
    import scipy.stats
    rng, cols, X = design(seed=26)
    eta = 0.2 + 0.5 * cols["a"] - 0.3 * cols["b"]
    if dist == "bernoulli":
        p = scipy.stats.norm.cdf(eta) if link == "probit" else 1 - np.exp(-np.exp(eta))
        cols["y"] = (rng.random(400) < p).astype(float)
        family = sm.families.Binomial({"probit": sm.families.links.Probit(), "cloglog": sm.families.links.CLogLog()}[link])
    elif dist == "poisson":
        cols["y"] = rng.poisson(3 + cols["a"] + cols["b"] ** 2).astype(float)
        family = sm.families.Poisson(sm.families.links.Identity())
    elif dist == "gamma":
        cols["y"] = rng.gamma(2.5, np.exp(eta) / 2.5)
        family = sm.families.Gamma(sm.families.links.Log())
    else:
        cols["y"] = np.exp(1 + 0.3 * cols["a"]) + rng.normal(0, 0.5, 400)
        family = sm.families.Gaussian(sm.families.links.Log())
    r = regress(cols, "y", ["a", "b"], dist=dist, link=link, information="expected")
    scale = 1.0
    if dist == "gamma":
        scale = 1 / r.parameters[0].estimate
    elif dist == "normal":
        scale = r.parameters[0].estimate ** 2
    beta = [c.estimate for c in r.coefficients]
    alone = sm.GLM(cols["y"], X, family=family).fit(scale=scale, tol=1e-14)
    assert r.loglik >= alone.llf - 1e-9  # statsmodels' IRLS stops short on poisson's identity link
    m = sm.GLM(cols["y"], X, family=family).fit(start_params=beta, scale=scale, tol=1e-14)
    np.testing.assert_allclose(beta, m.params, rtol=1e-6)
    np.testing.assert_allclose([c.se for c in r.coefficients], m.bse, rtol=1e-6)
    assert any("expected (Fisher) information" in n for n in r.notes)
