"""The per-row count families beyond the shared contract (tests/test_density.py): trials
that differ by row, far tails where the shared test has none (a bounded support, or no
scipy equivalent), tails near 1, the support's edges without warnings, and the generic
estimator with per-row trials against the fast path."""
import math
import warnings

import mpmath
import numpy as np
import pytest
import scipy.stats

import mlefit
from mlefit import families
from mlefit.likelihood import fit_rows

COUNTS = ["bernoulli", "binomial", "geometric", "negative_binomial", "beta_binomial", "zero_inflated_poisson"]


def dens(name):
    return families.density(name)[0]


def _betabinom_log_tail(k, a, b, t, upper):
    """log P(Y > k) or log P(Y <= k) of a beta-binomial, summed term by term at 80 digits."""
    mpmath.mp.dps = 80
    a, b = mpmath.mpf(a), mpmath.mpf(b)
    js = range(k + 1, t + 1) if upper else range(0, k + 1)
    total = mpmath.fsum(mpmath.binomial(t, j) * mpmath.beta(j + a, t - j + b) for j in js)
    return float(mpmath.log(total / mpmath.beta(a, b)))


@pytest.mark.parametrize("name, scipy_of, theta", [
    ("binomial", lambda t, p: scipy.stats.binom(t, p), (0.35,)),
    ("beta_binomial", lambda t, a, b: scipy.stats.betabinom(t, a, b), (2.0, 3.0))])
def test_trials_per_row_equal_scipy_row_by_row(name, scipy_of, theta):
    rng = np.random.default_rng(4)
    t = rng.integers(1, 40, 50).astype(float)
    y = np.floor(rng.uniform(-1.0, 1.05, 50) * t)  # some below 0, some above the trials
    per_row = [th * np.exp(0.2 * rng.uniform(-1, 1, 50)) for th in theta]
    d = dens(name)
    for what, method in (("logpdf", "logpmf"), ("logcdf", "logcdf"), ("logsf", "logsf")):
        got = getattr(d, what)(y, *per_row, t)
        want = [getattr(scipy_of(t[i], *(p[i] for p in per_row)), method)(y[i]) for i in range(y.size)]
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, err_msg=what)


def test_binomial_and_negative_binomial_far_tails_hold_every_digit():
    """P(Y > k) and P(Y <= k) of binomial(1000, 0.3) and negative_binomial(2.5, 4) as
    far as 1e-1200, past where the incomplete beta itself underflows (1e-308)."""
    mpmath.mp.dps = 50
    d = dens("binomial")
    for k in (600, 800, 995, 999):
        exact = mpmath.log(mpmath.betainc(k + 1, 1000 - k, 0, mpmath.mpf(0.3), regularized=True))
        assert d.logsf(float(k), 0.3, 1000.0) == pytest.approx(float(exact), rel=1e-12)
    for k in (0, 60, 150):
        exact = mpmath.log(mpmath.betainc(1000 - k, k + 1, 0, mpmath.mpf(0.7), regularized=True))
        assert d.logcdf(float(k), 0.3, 1000.0) == pytest.approx(float(exact), rel=1e-12)
    assert d.logcdf(0.0, 0.9, 1000.0) == pytest.approx(1000.0 * math.log(0.1), rel=1e-13)
    d = dens("negative_binomial")
    q = mpmath.mpf(4.0) / mpmath.mpf(6.5)
    for k in (150, 1441, 3000):
        exact = mpmath.log(mpmath.betainc(k + 1, 2.5, 0, q, regularized=True))
        assert d.logsf(float(k), 2.5, 4.0) == pytest.approx(float(exact), rel=1e-12)
    # P(Y = 0) = (size/(size+mu))^size, here e^-69315
    assert d.logcdf(0.0, 1e5, 1e5) == pytest.approx(1e5 * math.log(0.5), rel=1e-12)


@pytest.mark.parametrize("a, b, t, k, upper", [
    (2.0, 30.0, 1000, 600, True), (2.0, 30.0, 1000, 999, True), (2.0, 30.0, 1000, 0, False),
    (50.0, 0.5, 400, 0, False), (50.0, 0.5, 400, 100, False), (0.3, 0.4, 60, 30, True)])
def test_beta_binomial_far_tails_hold_every_digit(a, b, t, k, upper):
    d = dens("beta_binomial")
    got = (d.logsf if upper else d.logcdf)(float(k), a, b, float(t))
    assert got == pytest.approx(_betabinom_log_tail(k, a, b, t, upper), rel=1e-11)


def test_beta_binomial_tails_near_one_come_from_the_other_tail():
    """log P(Y <= t-1) = log(1 - P(Y = t)), about -5e-57 here: never 0 or positive."""
    d = dens("beta_binomial")
    mass = math.exp(float(d.logpdf(1000.0, 2.0, 30.0, 1000.0)))
    assert d.logcdf(999.0, 2.0, 30.0, 1000.0) == pytest.approx(-mass, rel=1e-11)
    assert d.logsf(0.0, 50.0, 0.5, 400.0) == pytest.approx(math.log1p(-math.exp(d.logpdf(0.0, 50.0, 0.5, 400.0))),
                                                           rel=1e-13)


def test_zero_inflated_poisson_far_tail_is_the_poissons():
    """P(Y > k) = (1 - pi) P(poisson > k), at 1e-30, 1e-200 and beyond scipy's sf."""
    d = dens("zero_inflated_poisson")
    for k in (30.0, 150.0, 200.0):
        want = math.log1p(-0.3) + float(scipy.stats.poisson(2.5).logsf(k))
        assert d.logsf(k, 0.3, 2.5) == pytest.approx(want, rel=1e-10)
    # the lower tail is never below pi, and pi = 0 is the poisson
    assert d.logcdf(0.0, 1e-300, 800.0) == pytest.approx(math.log(1e-300), rel=1e-12)
    assert d.logcdf(3.0, 0.0, 2.5) == pytest.approx(float(scipy.stats.poisson(2.5).logcdf(3.0)), rel=1e-12)


THETA = {"bernoulli": (0.3,), "binomial": (0.3, 12.0), "geometric": (0.3,), "negative_binomial": (2.5, 4.0),
         "beta_binomial": (2.0, 3.0, 12.0), "zero_inflated_poisson": (0.3, 2.5)}


@pytest.mark.parametrize("name", COUNTS)
def test_off_the_support_is_mass_zero_without_warnings(name):
    d = dens(name)
    y = np.array([-3.0, -0.5, 0.5, 2.5, 13.0, 1e300, np.inf])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lp = d.logpdf(y, *THETA[name])
        cdf, sf = d.logcdf(y, *THETA[name]), d.logsf(y, *THETA[name])
    bounded = name in ("bernoulli", "binomial", "beta_binomial")
    assert np.all(lp[:4] == -np.inf) and np.all(lp[4:] == -np.inf) == bounded
    assert np.all(cdf[:2] == -np.inf) and np.all(sf[:2] == 0.0)
    # the tail at a non-integer is the tail at its floor
    np.testing.assert_array_equal(cdf[2:4], d.logcdf(np.array([0.0, 2.0]), *THETA[name]))
    if bounded:
        assert np.all(cdf[4:] == 0.0) and np.all(sf[4:] == -np.inf)


@pytest.mark.parametrize("name", COUNTS)
def test_masses_sum_to_one(name):
    d = dens(name)
    y = np.arange(0.0, 200.0)
    assert float(np.sum(np.exp(d.logpdf(y, *THETA[name])))) == pytest.approx(1.0, abs=1e-13)


@pytest.mark.parametrize("name", ["binomial", "beta_binomial"])
def test_generic_path_with_trials_per_row_equals_fast_path(name):
    rng = np.random.default_rng(7)
    t = rng.integers(5, 30, 400).astype(float)
    y = rng.binomial(t.astype(int), rng.beta(2.0, 3.0, t.size)).astype(float)
    fast = mlefit.fit(y, name, trials=t)
    generic = fit_rows(dens(name), y, shapes=(t,))
    assert generic.converged, generic.message
    assert generic.loglik == pytest.approx(fast.loglik, rel=1e-10)
    np.testing.assert_allclose(generic.theta, [p.estimate for p in fast.parameters], rtol=1e-8)
    se = np.sqrt(np.diag(np.linalg.inv(generic.information)))
    np.testing.assert_allclose(se, [p.se for p in fast.parameters], rtol=1e-6)
    if name == "binomial":
        assert generic.theta[0] == pytest.approx(y.sum() / t.sum(), rel=1e-12)


@pytest.mark.parametrize("name", COUNTS)
def test_start_weights_are_repeated_rows(name):
    d = dens(name)
    rng = np.random.default_rng(5)
    y = np.concatenate([[0.0, 0.0, 1.0, 2.0, 9.0], rng.integers(0, 12, 40).astype(float)])
    if name == "bernoulli":
        y = np.minimum(y, 1.0)
    shapes = (12.0,) if name in ("binomial", "beta_binomial") else ()
    w = rng.integers(1, 4, y.size)
    np.testing.assert_allclose(d.start(y, w.astype(float), *shapes), d.start(np.repeat(y, w), None, *shapes),
                               rtol=1e-12)


def test_negative_binomial_huge_counts_and_sizes_keep_their_digits():
    """At size 1e12 the log-mass is the poisson's; at y = mu = 1e15 it is mpmath's (scipy's
    nbinom.logpmf says -30.84 there, 4 units off)."""
    d = dens("negative_binomial")
    y = np.array([0.0, 3.0, 40.0])
    np.testing.assert_allclose(d.logpdf(y, 1e12, 3.0), scipy.stats.poisson(3.0).logpmf(y), rtol=1e-10)
    mpmath.mp.dps = 60
    r, big = mpmath.mpf(2.5), mpmath.mpf(10) ** 15
    exact = (mpmath.loggamma(big + r) - mpmath.loggamma(r) - mpmath.loggamma(big + 1)
             + r * mpmath.log(r / (r + big)) + big * mpmath.log(big / (r + big)))
    assert d.logpdf(1e15, 2.5, 1e15) == pytest.approx(float(exact), rel=1e-12)
