"""regress with priors, as a user runs it (issue 18 audit): the lasso on a normal regression
with sigma free (it diverged: minus the Hessian in (b, log sigma) is indefinite at the
null model's start), checked by the optimality conditions written out independently;
--response beside a formula naming the same response."""
import math

import numpy as np
import pytest
from scipy import optimize, stats

import mlefit


def _wide(seed=4, n=100, k=12):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, k))
    b = np.zeros(k)
    b[:3] = [1.5, -1.0, 0.5]
    y = X @ b + rng.normal(size=n)
    data = {"y": y, **{f"x{j}": X[:, j] for j in range(k)}}
    return data, X, y


@pytest.mark.parametrize("prior, weight", [("coef ~ laplace(0, 0.2)", 5.0), ("coef ~ laplace(0, 0.05)", 20.0)])
def test_lasso_with_sigma_free_meets_the_optimality_conditions(prior, weight):
    data, X, y = _wide()
    names = [f"x{j}" for j in range(X.shape[1])]
    r = mlefit.regress(data, "y", names, dist="normal", prior=prior)
    assert r.converged
    e = r.estimates
    b0, b = e["Intercept"], np.array([e[n] for n in names])
    sigma = dict((p.name, p.estimate) for p in r.parameters)["sigma"]
    resid = y - b0 - X @ b
    # the smooth part's gradient, written out: d/db of sum log normal(y | b0 + x'b, sigma)
    grad = X.T @ resid / sigma ** 2
    assert abs(resid.sum()) / sigma ** 2 < 1e-7  # the intercept, unpenalised
    assert abs(-len(y) / sigma + resid @ resid / sigma ** 3) < 1e-7  # sigma, no prior
    zero = b == 0.0
    assert zero.any() and not zero.all()  # exact zeros, and not all of them
    np.testing.assert_allclose(grad[~zero], weight * np.sign(b[~zero]), atol=1e-7)
    assert np.all(np.abs(grad[zero]) <= weight + 1e-9)  # inside the kink's subgradient


def test_the_lasso_with_sigma_free_equals_scikit_learn_lasso_at_the_map_sigma():
    sklearn = pytest.importorskip("sklearn.linear_model")
    data, X, y = _wide()
    names = [f"x{j}" for j in range(X.shape[1])]
    r = mlefit.regress(data, "y", names, dist="normal", prior="coef ~ laplace(0, 0.2)")
    sigma = dict((p.name, p.estimate) for p in r.parameters)["sigma"]
    # given sigma, the MAP of b is Lasso(alpha = sigma^2 / (n * 0.2)) (docs/priors.md's table)
    ref = sklearn.Lasso(alpha=sigma ** 2 / (len(y) * 0.2), tol=1e-14, max_iter=100000).fit(X, y)
    np.testing.assert_allclose([r.estimates[n] for n in names], ref.coef_, atol=1e-7)
    assert [r.estimates[n] == 0.0 for n in names] == list(ref.coef_ == 0.0)


def test_response_beside_a_formula_with_the_same_response():
    data, X, y = _wide()
    a = mlefit.regress(data, "y", formula="y ~ x0 + x1", dist="normal")
    b = mlefit.regress(data, formula="y ~ x0 + x1", dist="normal")
    assert a.estimates == b.estimates
    with pytest.raises(mlefit.UsageError, match="--response 'x2' is not the formula's response 'y'"):
        mlefit.regress(data, "x2", formula="y ~ x0 + x1", dist="normal")


def test_map_regression_shows_the_mle_of_every_coefficient_beside_it():
    data, X, y = _wide()
    names = ["x0", "x1", "x2"]
    ml = mlefit.regress(data, "y", names, dist="normal")
    r = mlefit.regress(data, "y", names, dist="normal", prior="coef ~ normal(0, 0.1)")
    d = r.to_dict()
    assert d["mle"] == pytest.approx(ml.estimates, rel=1e-9)
    assert set(d["mle"]) == set(r.estimates)
    assert all(abs(r.estimates[n]) < abs(d["mle"][n]) for n in names)  # the shrinkage, coefficient by coefficient
    assert "MLE" in str(r) and "(the estimates above are the MAP)" in str(r)
    assert mlefit.regress(data, "y", names, dist="normal").to_dict()["mle"] is None  # no prior, no MLE beside


def test_no_mle_beside_the_map_under_separation_says_why():
    data = {"y": [0, 0, 0, 0, 0, 1, 1, 1, 1, 1], "dose": list(range(1, 11))}
    r = mlefit.regress(data, "y", ["dose"], dist="bernoulli", prior="jeffreys")
    assert r.to_dict()["mle"] is None
    assert any(n.startswith("no MLE beside the MAP: complete separation") for n in r.notes)


def test_no_mle_beside_a_lasso_with_more_coefficients_than_rows():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(8, 12))
    data = {"y": X[:, 0] + rng.normal(size=8), **{f"x{j}": X[:, j] for j in range(12)}}
    r = mlefit.regress(data, "y", [f"x{j}" for j in range(12)], dist="normal", fix={"sigma": 1.0},
                       prior="coef ~ laplace(0, 0.2)")
    assert r.converged and r.to_dict()["mle"] is None
    assert any(n.startswith("no MLE beside the MAP") for n in r.notes)


def test_a_prior_on_only_some_slopes_still_needs_more_rows_than_coefficients():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(8, 12))
    data = {"y": X[:, 0] + rng.normal(size=8), **{f"x{j}": X[:, j] for j in range(12)}}
    with pytest.raises(mlefit.DataError, match="8 rows for 13 coefficients: the model needs more rows than "
                                               "coefficients \\(or a proper prior on every slope"):
        mlefit.regress(data, "y", [f"x{j}" for j in range(12)], dist="normal", prior="x0 ~ normal(0, 1)")


def test_ridge_takes_collinear_covariates_and_splits_them_evenly():
    rng = np.random.default_rng(6)
    x = rng.normal(size=50)
    y = (rng.random(50) < 1 / (1 + np.exp(-x))).astype(float)
    data = {"y": y, "a": x, "b": x}  # b copies a: the MLE is not identified, the ridge MAP is
    with pytest.raises(mlefit.DataError, match="rank deficient"):
        mlefit.regress(data, "y", ["a", "b"], dist="bernoulli")
    r = mlefit.regress(data, "y", ["a", "b"], dist="bernoulli", prior="coef ~ normal(0, 1)")
    one = mlefit.regress({"y": y, "a": x}, "y", ["a"], dist="bernoulli", prior="coef ~ normal(0, 1)")
    assert r.estimates["a"] == pytest.approx(r.estimates["b"], rel=1e-9)
    # a + b enters as 2a with a normal(0, 1) on each: the same as one coefficient c = 2a with prior normal(0, sqrt 2)
    two = mlefit.regress({"y": y, "a": x}, "y", ["a"], dist="bernoulli", prior="coef ~ normal(0, sqrt(2))")
    assert 2 * r.estimates["a"] == pytest.approx(two.estimates["a"], rel=1e-8)
    assert one.estimates["a"] != pytest.approx(two.estimates["a"])
    assert r.to_dict()["mle"] is None


def test_a_prior_on_normal_sigma_has_its_closed_form_and_leaves_the_coefficients():
    data = {"a": [1.0, 2, 3, 4, 5, 6], "b": [2.0, 1, 5, 3, 2, 4]}
    r = mlefit.regress(data, "b", ["a"], dist="normal", prior="sigma ~ half_normal(1)")
    ml = mlefit.regress(data, "b", ["a"], dist="normal")
    rss = 6 * ml.estimates["sigma"] ** 2
    # d/dsigma of -n log sigma - rss/(2 sigma^2) - sigma^2/2 = 0: sigma^4 + n sigma^2 - rss = 0
    s2 = (-6 + math.sqrt(36 + 4 * rss)) / 2
    assert r.estimates["sigma"] == pytest.approx(math.sqrt(s2), rel=1e-10)
    assert r.estimates["a"] == pytest.approx(ml.estimates["a"], rel=1e-10)  # a flat prior on the coefficients
    assert r.log_prior == pytest.approx(stats.halfnorm().logpdf(r.estimates["sigma"]), rel=1e-12)
    assert r.parameters[0].interval.startswith("laplace")
    assert r.to_dict()["prior"][0]["parameter"] == "sigma"


def test_priors_on_coefficients_and_negative_binomial_size_equal_scipy_optimize():
    rng = np.random.default_rng(11)
    x = rng.normal(size=60)
    y = rng.negative_binomial(3, 3 / (3 + np.exp(0.5 + 0.4 * x)))
    data = {"y": y.astype(float), "x": x}
    r = mlefit.regress(data, "y", ["x"], dist="negative_binomial",
                       prior=["coef ~ normal(0, 0.2)", "log(size) ~ normal(1, 0.5)"])

    def minus(v):
        b0, b1, size = v[0], v[1], math.exp(v[2])
        mu = np.exp(b0 + b1 * x)
        ll = stats.nbinom(size, size / (size + mu)).logpmf(y).sum()
        # log(size) ~ normal(1, 0.5): the density of size is lognormal(1, 0.5)
        return -(ll + stats.norm(0, 0.2).logpdf(b1) + stats.lognorm(0.5, scale=math.e).logpdf(size))

    start = [r.estimates["Intercept"], r.estimates["x"], math.log(r.estimates["size"])]
    best = optimize.minimize(minus, np.array(start) + 0.05, method="BFGS", options={"gtol": 1e-10})
    got = [r.estimates["Intercept"], r.estimates["x"], r.estimates["size"]]
    assert got == pytest.approx([best.x[0], best.x[1], math.exp(best.x[2])], rel=1e-6)
    assert r.to_dict()["log_posterior"] == pytest.approx(-best.fun, rel=1e-10)


def test_a_prior_on_the_predicted_parameter_or_a_fixed_one_is_refused():
    data = {"a": [1.0, 2, 3, 4, 5, 6], "b": [2.0, 1, 5, 3, 2, 4]}
    with pytest.raises(mlefit.UsageError, match="mu is what the covariates predict"):
        mlefit.regress(data, "b", ["a"], dist="normal", prior="mu ~ normal(0, 1)")
    with pytest.raises(mlefit.UsageError, match="sigma is fixed"):
        mlefit.regress(data, "b", ["a"], dist="normal", fix={"sigma": 1.0}, prior="sigma ~ half_normal(1)")


def test_a_penalty_goes_with_a_prior_on_sigma_and_equals_the_same_priors_written_out():
    data = {"a": [1.0, 2, 3, 4, 5, 6], "b": [2.0, 1, 5, 3, 2, 4]}
    pen = mlefit.regress(data, "b", ["a"], dist="normal", penalty="l2:0.1", prior="sigma ~ half_normal(1)")
    sd = 1 / math.sqrt(6 * 0.1)  # l2:LAMBDA on n rows is normal(0, 1/sqrt(n LAMBDA))
    written = mlefit.regress(data, "b", ["a"], dist="normal", prior=[f"coef ~ normal(0, {sd!r})",
                                                                      "sigma ~ half_normal(1)"])
    for k in ("Intercept", "a", "sigma"):
        assert pen.estimates[k] == pytest.approx(written.estimates[k], rel=1e-10)
    assert pen.log_posterior == pytest.approx(written.log_posterior, rel=1e-12)
    assert "prior                sigma ~ half_normal(1)" in str(pen)
    with pytest.raises(mlefit.UsageError, match="jeffreys is a prior on every coefficient"):
        mlefit.regress({"y": [0, 1, 0, 1, 1, 0], "a": [1.0, 2, 3, 4, 5, 6]}, "y", ["a"], dist="bernoulli",
                       prior="jeffreys", penalty="l2:0.1")
