"""Numerical edge cases: tightly clustered data, huge counts, extreme magnitudes,
degenerate samples. Each gets the right answer or a clear mlefit error, never a crash,
a NaN in the output, or a warning."""
import json
import math
import warnings

import mpmath
import numpy as np
import pytest

import mlefit
from mlefit.errors import MlefitError

MPMATH_DPS = 50  # each test's precision (conftest: set before the test, undone after it)


def exact_gamma_loglik(x, a, rate):
    a, rate = mpmath.mpf(a), mpmath.mpf(rate)
    return float(sum(a * mpmath.log(rate) + (a - 1) * mpmath.log(mpmath.mpf(float(v)))
                     - rate * mpmath.mpf(float(v)) - mpmath.loggamma(a) for v in x))


@pytest.mark.parametrize("cv", [0.02, 1e-4, 1e-6, 1e-8])
def test_gamma_on_tightly_clustered_data_converges_and_is_exact(cv):
    for seed in range(5):
        x = np.abs(1 + cv * np.random.default_rng(seed).standard_normal(100))
        r = mlefit.fit(x, "gamma")
        assert r.converged
        a, rate = r.estimates["shape"], r.estimates["rate"]
        assert a == pytest.approx(x.mean() ** 2 / x.var(), rel=0.05)  # shape ~ mean^2 / var
        assert r.loglik == pytest.approx(exact_gamma_loglik(x, a, rate), abs=1e-9)
        # the standard errors come from a well-conditioned form: var(shape) ~ 2 a^2 / n
        assert r.parameters[0].se == pytest.approx(a * math.sqrt(2 / x.size), rel=0.05)


def test_gamma_at_mean_1e9_with_spread_1e_3_matches_the_normal_limit():
    x = 1e9 + np.random.default_rng(1).normal(0, 1e-3, 1000)
    assert mlefit.fit(x, "gamma").loglik == pytest.approx(mlefit.fit(x, "normal").loglik, abs=1e-6)


def test_poisson_and_negative_binomial_loglik_for_huge_counts():
    x = [1e12, 1e12 + 2e6, 1e12 - 1e6]
    r = mlefit.fit(x, "poisson")
    lam = mpmath.mpf(r.estimates["rate"])
    exact = sum(mpmath.mpf(v) * mpmath.log(lam) - lam - mpmath.loggamma(mpmath.mpf(v) + 1) for v in x)
    assert r.loglik == pytest.approx(float(exact), abs=1e-6)
    y = [1e12, 3e12, 2e12, 5e12]
    r = mlefit.fit(y, "negative_binomial")
    size, mu = (mpmath.mpf(t) for t in r.estimates.values())
    exact = sum(mpmath.loggamma(v + size) - mpmath.loggamma(size) - mpmath.loggamma(v + 1)
                + size * mpmath.log(size / (size + mu)) + v * mpmath.log(mu / (size + mu))
                for v in map(mpmath.mpf, y))
    assert r.loglik == pytest.approx(float(exact), abs=1e-6)


@pytest.mark.parametrize("name,mult", [("normal", (1, 1)), ("laplace", (1, 1)), ("exponential", (-1,)),
                                       ("gamma", (0, -1)), ("weibull", (0, 1))])
@pytest.mark.parametrize("power", [-1000, 1000])
def test_extreme_magnitudes_are_exact_rescalings(name, mult, power):
    """Data times 2^power (exact) give estimates times 2^(m power) and the log-likelihood
    shifted by -n power log 2: what infinite precision would give."""
    x = np.random.default_rng(3).gamma(3.0, 1.0, 50)
    base, far = mlefit.fit(x, name), mlefit.fit(np.ldexp(x, power), name)
    for p, q, m in zip(base.parameters, far.parameters, mult):
        assert q.estimate == pytest.approx(math.ldexp(p.estimate, m * power), rel=1e-12)
        assert q.se == pytest.approx(math.ldexp(p.se, m * power), rel=1e-9)
        assert q.ci_upper == pytest.approx(math.ldexp(p.ci_upper, m * power), rel=1e-9)
    assert far.loglik == pytest.approx(base.loglik - x.size * power * math.log(2), rel=1e-12)


EDGE_DATA = {
    "one value": [3.5],
    "two values": [1.0, 2.0],
    "all equal": [2.0, 2.0, 2.0],
    "last-bit spread": [3.0, 3.0000000000000004, 3.0],
    "tiny": [1e-300, 2e-300, 5e-300],
    "huge": [1e308, 1.7e308],
    "one huge count": [1e300],
    "both ends": [1e-300, 1e300],
    "subnormal": [1e-320, 3e-320],
    "zeros": [0.0, 0.0, 0.0],
    "zero and ones": [0.0, 1.0, 1.0],
    "unit edges": [1e-16, 1 - 1e-16, 0.5],
    "big counts": [0.0, 1e9, 3.0],
    "overdispersed": [0.0] * 50 + [1000.0],
    "mean 1e9 spread 1e-3": list(1e9 + np.random.default_rng(0).normal(0, 1e-3, 20)),
}


@pytest.mark.parametrize("data", list(EDGE_DATA), ids=list(EDGE_DATA))
@pytest.mark.parametrize("name", mlefit.family_names())
def test_edge_data_gives_a_finite_result_or_a_clear_error(name, data):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            r = mlefit.fit(EDGE_DATA[data], name)
        except MlefitError as exc:
            assert str(exc) and "\n" not in str(exc)
            return
    d = r.to_dict()
    json.dumps(d, allow_nan=False)
    assert all(math.isfinite(p["estimate"]) for p in d["parameters"])
    assert math.isfinite(d["loglik"]) and math.isfinite(d["aic"])
    for p in d["parameters"]:
        if p["ci_lower"] is not None and p["ci_upper"] is not None:
            assert p["ci_lower"] <= p["estimate"] <= p["ci_upper"]


def test_exponential_needs_no_spread_but_refuses_all_zeros():
    assert mlefit.fit([5.0], "exponential").estimates == {"rate": 0.2}
    assert mlefit.fit([2, 2, 2], "exponential").estimates == {"rate": 0.5}
    with pytest.raises(mlefit.DataError, match="rate MLE .* is infinite"):
        mlefit.fit([0, 0, 0], "exponential")


def test_numpy_scalars_are_accepted_as_options():
    r = mlefit.fit([1.0, 2.0, 4.0], "gamma", confidence=np.float32(0.9), max_iter=np.int64(50))
    assert r.confidence == pytest.approx(0.9)
    with pytest.raises(mlefit.UsageError):
        mlefit.fit([1.0, 2.0], "normal", confidence=True)


def test_a_family_covariance_that_cannot_be_inverted_is_reported_not_a_crash():
    """A family's own covariance returns None where its inverse fails (normal_mixture):
    the fit says so, with no standard errors, rather than fail."""
    from dataclasses import replace
    from mlefit import families
    fam = families.get("normal_mixture:2")
    broken = replace(fam, covariance=lambda s, t: None)
    x = np.concatenate([np.random.default_rng(2).normal(0, 1, 300), np.random.default_rng(3).normal(6, 1, 300)])
    r = mlefit.fit(x, broken)
    assert all(p.se is None for p in r.parameters if p.interval != "exact")
    assert any("cannot be inverted" in n for n in r.notes)
