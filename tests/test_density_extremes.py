"""The per-row records at extreme parameters and data (issue 15's numerical limits): shapes
of 1e6 to 1e12, where the direct forms of log f and its derivatives cancel terms near
a log a, and scales and data out to 1e+-300, where squares and products overflow while
log f and its derivatives are finite. References: mpmath at 50 digits, from each family's
definition."""
import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from mlefit import families, gamma_arrays as ga

MPMATH_DPS = 50
EPS = 2.0 ** -52


def _gamma_ref(y, a, r):
    y, a, r = mp.mpf(y), mp.mpf(a), mp.mpf(r)
    return a * mp.log(r) + (a - 1) * mp.log(y) - r * y - mp.loggamma(a)


# ------------------------------------------------------------------ gamma at large shapes
LARGE_SHAPE = dict(log_a=st.floats(math.log(15.0), math.log(1e12)), t=st.floats(-6.0, 6.0),
                   log_r=st.floats(-230.0, 230.0))


@settings(max_examples=60, deadline=None)
@given(**LARGE_SHAPE)
def test_gamma_logpdf_at_large_shapes_equals_mpmath(log_a, t, log_r):
    """y = a exp(t/sqrt(a)) / rate, some t standard deviations from the mean: log f to what
    the rounding of u = rate y / a allows (sqrt(a) eps |t|, 1e-9 at a = 1e12), where
    the direct form lost a log(a) eps (3e-3 at 1e12)."""
    a, rate = math.exp(log_a), math.exp(log_r)
    y = a * math.exp(t / math.sqrt(a)) / rate
    dens, _ = families.density("gamma")
    want = float(_gamma_ref(y, a, rate))
    tol = 1e-14 * (1.0 + abs(math.log(y))) + 8 * EPS * math.sqrt(a) * (1.0 + abs(t))
    assert abs(float(dens.logpdf(np.array([y]), a, rate)[0]) - want) <= tol
    assert abs(float(dens.derivs(np.array([y]), a, rate)[0][0]) - want) <= tol


@settings(max_examples=60, deadline=None)
@given(**LARGE_SHAPE)
def test_gamma_shape_derivatives_at_large_shapes_equal_mpmath(log_a, t, log_r):
    """d/d shape = log(rate y) - psi(a) and, by the mean, log(y/mu) - (y/mu - 1) + log a -
    psi(a) with d2/d shape2 = 1/a - psi'(a): terms near log(a) and 1/a that cancel to
    1e-12 and 1e-25 at a = 1e12 (the direct differences kept no digit of the latter)."""
    from mlefit.families import gamma
    a, rate = math.exp(log_a), math.exp(log_r)
    y = a * math.exp(t / math.sqrt(a)) / rate
    ym, am, rm = mp.mpf(y), mp.mpf(a), mp.mpf(rate)
    want = mp.log(rm * ym) - mp.digamma(am)
    got = float(gamma.derivs(np.array([y]), a, rate)[1][0][0])
    assert abs(got - float(want)) <= 1e-12 * abs(float(want)) + 4 * EPS
    mu = a / rate
    r = ym / mp.mpf(mu)
    want_m = mp.log(r) - (r - 1) + mp.log(am) - mp.digamma(am)
    want_h = 1 / am - mp.polygamma(1, am)
    _, (_, got_m), (_, (_, got_h)) = gamma.mean_derivs(np.array([y]), mu, a)
    # to the rounding of y/mu (eps, moving log r - (r - 1) by eps |r - 1|)
    assert float(got_m[0]) == pytest.approx(float(want_m), rel=1e-9, abs=4 * EPS * float(abs(r - 1)))
    assert float(got_h[0]) == pytest.approx(float(want_h), rel=1e-13)


@pytest.mark.parametrize("a", [1e-300, 1e-8, 0.3, 1.0, 9.999, 10.0, 37.5, 1e6, 1e12, 1e200])
def test_log_minus_digamma_over_arrays_equals_mpmath(a):
    value, deriv = ga.log_minus_digamma(np.array([a, a]))
    am = mp.mpf(a)
    assert value[0] == pytest.approx(float(mp.log(am) - mp.digamma(am)), rel=1e-14)
    assert deriv[0] == pytest.approx(float(1 / am - mp.polygamma(1, am)), rel=1e-13)
    assert ga.log_minus_digamma(a) == (value[1], deriv[1])
    assert np.isnan(ga.log_minus_digamma(np.array([0.0, -1.0]))).all() and np.isnan(ga.log_minus_digamma(0.0)).all()


def test_gamma_rate_score_beyond_the_product_range():
    """rate y = 1e400 overflows: d/d rate = a/rate - y = -1e200 is still finite."""
    from mlefit.families import gamma
    _, (_, d_rate), _ = gamma.derivs(np.array([1e200]), 2.0, 1e200)
    assert float(d_rate[0]) == pytest.approx(-1e200, rel=1e-15)


# ------------------------------------------------------------------ counts of 1e12 and more
@settings(max_examples=60, deadline=None)
@given(log_y=st.floats(math.log(15.0), math.log(1e15)), t=st.floats(-6.0, 6.0), pi=st.sampled_from([0.0, 0.3]))
def test_poisson_logpdf_at_large_counts_equals_mpmath(log_y, t, pi):
    """log P(y) near the mean of a rate up to 1e15 (and the zero-inflated poisson's, which
    is built on it): the direct y log(rate) - rate - lgamma(y + 1) cancels terms near y log y
    (at 1e15 it was off by 1.4); Stirling's form keeps what the rounding of rate/y allows."""
    y = float(round(math.exp(log_y)))
    rate = y * math.exp(t / math.sqrt(y))
    ym, rm = mp.mpf(y), mp.mpf(rate)
    want = float(ym * mp.log(rm) - rm - mp.loggamma(ym + 1) + mp.log1p(-mp.mpf(pi)))
    tol = 1e-14 * (1.0 + abs(math.log(y))) + 8 * EPS * math.sqrt(y) * (1.0 + abs(t))
    if pi:
        got = families.density("zero_inflated_poisson")[0].logpdf(np.array([y]), pi, rate)
    else:
        got = families.density("poisson")[0].logpdf(np.array([y]), rate)
    assert abs(float(got[0]) - want) <= tol


@settings(max_examples=60, deadline=None)
@given(log_t=st.floats(math.log(30.0), math.log(1e15)), p=st.floats(0.01, 0.99), z=st.floats(-5.0, 5.0))
def test_binomial_logpdf_at_large_trials_equals_mpmath(log_t, p, z):
    """log P(y) for up to 1e15 trials, y within a few standard deviations of t p."""
    trials = float(round(math.exp(log_t)))
    y = float(min(max(round(trials * p + z * math.sqrt(trials * p * (1 - p))), 0.0), trials))
    tm, ym, pm = mp.mpf(trials), mp.mpf(y), mp.mpf(p)
    want = float(mp.loggamma(tm + 1) - mp.loggamma(ym + 1) - mp.loggamma(tm - ym + 1)
                 + ym * mp.log(pm) + (tm - ym) * mp.log1p(-pm))
    dens, _ = families.density("binomial:10")
    got = float(dens.logpdf(np.array([y]), p, trials)[0])
    tol = 1e-13 * (1.0 + abs(math.log(trials))) + 16 * EPS * math.sqrt(trials) * (1.0 + abs(z))
    assert abs(got - want) <= tol


def test_count_hessians_at_a_zero_count_and_a_tiny_rate():
    """-y/rate^2 at y = 0 and rate = 1e-300 is 0, not 0/0."""
    (h,), = families.density("poisson")[0].derivs(np.array([0.0, 2.0]), 1e-300)[2]
    assert h[0] == 0.0 and h[1] == -np.inf
    zip_h = families.density("zero_inflated_poisson")[0].derivs(np.array([0.0, 2.0]), 0.3, 1e-300)[2][1][1]
    assert np.isfinite(zip_h[0])


@pytest.mark.parametrize("trials, y", [(1e6, 2.0), (1e6 - 1, 999996.0), (2322.0, 12.0), (1e4, 0.0), (1e12, 5.0), (12.0, 4.0)])
def test_log_choose_beside_a_large_shape_equals_mpmath(trials, y):
    """log C(t, y) with few successes (or failures) among many trials, where scipy's betaln
    lost up to 7e-10 (betaln(1e6, 3))."""
    from mlefit.families.counts_common import log_choose
    want = mp.log(mp.binomial(mp.mpf(trials), mp.mpf(y)))
    assert float(log_choose(np.array([trials]), np.array([y]))[0]) == pytest.approx(float(want), rel=4e-15, abs=4e-15)
