"""The Fitted record a fit carries for further inference (profile and bootstrap
intervals, derived quantities, robust errors, plots)."""
import math

import numpy as np
import pytest

import mlefit
from cases import CASES, sample


@pytest.mark.parametrize("name", sorted(CASES))
def test_fitted_reproduces_the_fit(name):
    x, _ = sample(name, n=200, seed=4)
    r = mlefit.fit(x, name)
    f = r.fitted
    assert f.theta == tuple(p.estimate for p in r.parameters)
    assert f.loglik_at(f.theta) == pytest.approx(r.loglik, rel=1e-12, abs=1e-12)
    assert f.names == tuple(p.name for p in r.parameters)
    assert np.array_equal(f.x, x)
    refitted = f.refit(f.x, f.w, f.theta)
    assert np.allclose(refitted, f.theta, rtol=1e-6, atol=1e-9)


def test_fixed_values_stay_fixed_in_refits():
    x, _ = sample("gamma", n=200, seed=5)
    f = mlefit.fit(x, "gamma", fix={"shape": 2.0}).fitted
    assert f.fixed == {0: 2.0} and f.free == (1,) and f.regular == (1,)
    assert math.isnan(f.cov[0, 0]) and f.cov[1, 1] > 0
    assert f.refit(x * 2.0)[0] == 2.0


def test_exact_parameters_are_not_regular():
    x, _ = sample("pareto", n=200, seed=5)
    f = mlefit.fit(x, "pareto").fitted
    assert f.regular == () and f.exact == {0, 1}


def test_extreme_data_have_no_fitted_record():
    assert mlefit.fit([1e200, 2e200, 3e200], "normal").fitted is None
