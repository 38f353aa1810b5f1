"""Defects a review of `mlefit regress` found (issue 16, 18), each checked against an
independent reference: statsmodels for a negative binomial at a fixed size, scipy for
a MAP where every response is 0."""
import json
import subprocess
import sys

import numpy as np
import pytest

import mlefit
from mlefit.errors import DataError, UsageError


def _nb_data(n=400, seed=3):
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    mu = np.exp(1.0 + 0.3 * x1 - 0.2 * x2)
    y = rng.negative_binomial(2.0, 2.0 / (2.0 + mu)).astype(float)
    return {"y": y, "x1": x1, "x2": x2}


def test_negative_binomial_at_a_fixed_size_is_statsmodels_glm_at_that_alpha():
    """--fix size=2 is the GLM with alpha = 1/2: its deviance took the size from the
    estimated parameters, where a fixed one is not, and crashed."""
    sm = pytest.importorskip("statsmodels.api")
    d = _nb_data()
    r = mlefit.regress(d, "y", ["x1", "x2"], dist="negative_binomial", fix={"size": 2})
    X = sm.add_constant(np.column_stack([d["x1"], d["x2"]]))
    ref = sm.GLM(d["y"], X, family=sm.families.NegativeBinomial(alpha=0.5)).fit(tol=1e-12)
    np.testing.assert_allclose([c.estimate for c in r.coefficients], ref.params, rtol=1e-7)
    assert r.deviance == pytest.approx(ref.deviance, rel=1e-9)
    assert r.loglik == pytest.approx(ref.llf, rel=1e-10)
    expected = mlefit.regress(d, "y", ["x1", "x2"], dist="negative_binomial", fix={"size": 2},
                              information="expected")
    np.testing.assert_allclose([c.se for c in expected.coefficients], ref.bse, rtol=1e-6)
    for more in ({"folds": 3}, {"prior": ["coef ~ normal(0, 1)"]}):
        assert mlefit.regress(d, "y", ["x1", "x2"], dist="negative_binomial", fix={"size": 2}, **more).deviance > 0


def _all_zero(n=60, seed=4):
    rng = np.random.default_rng(seed)
    return {"y": np.zeros(n), "x": rng.normal(size=n)}


def test_every_response_0_with_a_proper_prior_on_every_coefficient_has_a_finite_map():
    from scipy.optimize import minimize
    from scipy.special import log_expit
    d = _all_zero()
    r = mlefit.regress(d, "y", ["x"], dist="bernoulli", prior=["Intercept ~ normal(0, 2)", "coef ~ normal(0, 1)"])

    def minus_log_posterior(b):
        eta = b[0] + b[1] * d["x"]
        return -(np.sum(log_expit(-eta)) - 0.5 * (b[0] / 2.0) ** 2 - 0.5 * b[1] ** 2)
    ref = minimize(minus_log_posterior, [0.0, 0.0], method="BFGS", options={"gtol": 1e-10})
    np.testing.assert_allclose([c.estimate for c in r.coefficients], ref.x, rtol=1e-6, atol=1e-8)
    firth = mlefit.regress(d, "y", ["x"], dist="bernoulli", prior=["jeffreys"])
    assert all(np.isfinite(c.estimate) for c in firth.coefficients)


def test_every_response_0_with_a_prior_on_the_slopes_only_is_refused():
    with pytest.raises(DataError, match=r"every response is 0 .* --prior jeffreys gives a finite MAP"):
        mlefit.regress(_all_zero(), "y", ["x"], dist="bernoulli", prior=["coef ~ normal(0, 1)"])


def test_a_prior_on_coefficients_of_the_wrong_support_suggests_what_coefficients_take():
    d = _nb_data()
    with pytest.raises(UsageError) as err:
        mlefit.regress(d, "y", ["x1"], dist="poisson", prior=["coef ~ beta(2, 2)"])
    assert "use normal (ridge), laplace (lasso), student_t or cauchy" in str(err.value)
    assert "uniform" not in str(err.value)
