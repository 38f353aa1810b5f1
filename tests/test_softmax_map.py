"""Priors and penalties on categorical (softmax) regression (issue 18, point 1: coefficients
in regress): each label's coefficients against the reference label, a term's prior on it
for every label, checked against scipy.optimize on the written-out log-posterior and the
lasso's optimality conditions."""

import numpy as np
import pytest
from scipy import optimize, stats
from scipy.special import logsumexp

import mlefit


def _data(seed=5, n=150):
    rng = np.random.default_rng(seed)
    x, z = rng.normal(size=n), rng.normal(size=n)
    eta = np.column_stack([np.zeros(n), 0.3 + 0.9 * x, -0.2 - 0.6 * x + 0.4 * z])
    p = np.exp(eta - logsumexp(eta, axis=1, keepdims=True))
    y = np.array([rng.choice(["a", "b", "c"], p=row) for row in p])
    return {"y": y, "x": x, "z": z}


def _loglik(v, data):
    X = np.column_stack([np.ones(data["x"].size), data["x"], data["z"]])
    eta = np.column_stack([np.zeros(X.shape[0]), X @ v[:3], X @ v[3:]])
    code = np.searchsorted(["a", "b", "c"], data["y"])
    return float(np.sum(eta[np.arange(eta.shape[0]), code] - logsumexp(eta, axis=1)))


NAMES = ["b:Intercept", "b:x", "b:z", "c:Intercept", "c:x", "c:z"]


@pytest.mark.parametrize("priors, log_prior", [
    (["coef ~ normal(0, 0.5)"], lambda v: stats.norm(0, 0.5).logpdf(v[[1, 2, 4, 5]]).sum()),
    (["x ~ student_t(3, 0, 0.2)", "c:z ~ normal(0, 0.1)", "Intercept ~ normal(0, 1)"],
     lambda v: stats.t(3, 0, 0.2).logpdf(v[[1, 4]]).sum() + stats.norm(0, 0.1).logpdf(v[5])
     + stats.norm(0, 1).logpdf(v[[0, 3]]).sum()),
])
def test_softmax_map_equals_scipy_optimize_on_the_written_out_log_posterior(priors, log_prior):
    data = _data()
    r = mlefit.regress(data, "y", ["x", "z"], dist="categorical", prior=priors)
    best = optimize.minimize(lambda v: -(_loglik(v, data) + log_prior(v)), np.zeros(6), method="BFGS",
                             options={"gtol": 1e-10})
    np.testing.assert_allclose([r.estimates[n] for n in NAMES], best.x, atol=1e-6)
    d = r.to_dict()
    assert d["log_posterior"] == pytest.approx(-best.fun, rel=1e-10)
    assert d["loglik"] == pytest.approx(_loglik(np.array([r.estimates[n] for n in NAMES]), data), rel=1e-12)
    ml = mlefit.regress(data, "y", ["x", "z"], dist="categorical")
    assert d["mle"] == pytest.approx(ml.estimates, rel=1e-9)


def test_softmax_lasso_meets_its_optimality_conditions_with_exact_zeros():
    data = _data()
    r = mlefit.regress(data, "y", ["x", "z"], dist="categorical", penalty="l1:0.03")
    n, lam = data["x"].size, 0.03
    v = np.array([r.estimates[k] for k in NAMES])
    grad = optimize.approx_fprime(v, lambda u: _loglik(u, data), 1e-7)
    weight = n * lam  # laplace(0, 1/(n lambda)) on each slope
    for j in (0, 3):
        assert abs(grad[j]) < 1e-4  # intercepts: unpenalised
    slopes = [1, 2, 4, 5]
    zero = [j for j in slopes if v[j] == 0.0]
    assert zero, "some coefficient exactly 0"
    for j in slopes:
        if v[j] != 0.0:
            assert grad[j] == pytest.approx(weight * np.sign(v[j]), abs=1e-4)
        else:
            assert abs(grad[j]) <= weight + 1e-4


def test_softmax_ridge_profile_intervals_and_jeffreys_refused():
    data = _data()
    r = mlefit.regress(data, "y", ["x", "z"], dist="categorical", prior="coef ~ normal(0, 0.5)", interval="profile")
    assert all(c.interval.startswith("profile") for c in r.coefficients)
    with pytest.raises(mlefit.UsageError, match="Firth's logistic regression"):
        mlefit.regress(data, "y", ["x", "z"], dist="categorical", prior="jeffreys")
