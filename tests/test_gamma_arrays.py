"""gamma_arrays.py (numpy only) against mpmath at 40 digits, and never further from it
than scipy.special's forms it replaces in the negative_binomial fit."""
import math

import mpmath
import numpy as np
import pytest
from scipy.special import betaln, digamma, polygamma

from mlefit import gamma_arrays as ga

MPMATH_DPS = 40  # each test's precision (conftest: set before the test, undone after it)
U = 2.0 ** -53
SIZES = [1e-8, 1e-3, 0.3, 1.0, 2.5, 7.7, 9.999999, 10.0, 12.0, 1e3, 1e6, 1e9]  # both sides of v + r = 10
COUNTS = np.array([0.0, 1, 2, 3, 5, 8, 9, 10, 17, 100, 1000, 1e5, 1e7])


@pytest.mark.parametrize("r", SIZES)
def test_digamma_rise_matches_mpmath_better_than_scipy(r):
    """psi(v + r) - psi(r) and psi'(v + r) - psi'(r) to a few ulp (scipy's differences lose
    up to 1e-7, relative, for large r), and exactly 0 at v = 0."""
    rise, rise_deriv = ga.digamma_rise(COUNTS, r)
    assert rise[0] == 0.0 and rise_deriv[0] == 0.0
    for v, got, got_d in zip(COUNTS[1:].tolist(), rise[1:].tolist(), rise_deriv[1:].tolist()):
        x = v + mpmath.mpf(r)
        true = mpmath.digamma(x) - mpmath.digamma(r)
        true_d = mpmath.polygamma(1, x) - mpmath.polygamma(1, r)
        old = float(digamma(v + r) - digamma(r))
        old_d = float(polygamma(1, v + r) - polygamma(1, r))
        assert abs(got - true) <= max(4 * U * abs(true), abs(old - true)), v
        assert abs(got_d - true_d) <= max(4 * U * abs(true_d), abs(old_d - true_d)), v


def test_log_beta_over_arrays_matches_mpmath_at_least_as_well_as_betaln():
    shapes = [1e-300, 1e-8, 0.01, 0.5, 1.0, 2.5, 7.0, 9.9, 10.0, 14.9, 15.0, 100.0, 1e4, 1e8]
    others = [1.0, 2.0, 3.0, 5.0, 9.0, 10.0, 11.0, 14.99, 15.0, 16.0, 50.0, 1000.0, 1e6]
    a, b = np.meshgrid(shapes, others)
    got = ga.log_beta(a.ravel(), b.ravel())
    for x, y, g in zip(a.ravel().tolist(), b.ravel().tolist(), got.tolist()):
        true = mpmath.log(mpmath.beta(x, y))
        old = float(betaln(x, y))
        assert abs(g - true) <= max(8 * U * max(1.0, abs(true)), abs(old - true)), (x, y)


def test_log_beta_of_a_few_values_by_value_matches_mpmath_and_the_array_forms():
    """Up to BY_VALUE_UP_TO values are taken one by one in floats (negative_binomial's
    log B(r, v + 1) over its table of distinct counts): as close to mpmath as the forms
    over arrays, within 2 ulp of them, NaN where they give NaN."""
    shapes = [1e-300, 1e-8, 0.01, 0.5, 1.0, 2.5, 7.0, 9.9, 10.0, 14.9, 15.0, 100.0, 1e4, 1e8]
    others = [1.0, 2.0, 3.0, 5.0, 9.0, 10.0, 11.0, 14.99, 15.0, 16.0, 50.0, 1000.0, 1e6]
    assert len(shapes) <= ga.BY_VALUE_UP_TO < len(shapes) * len(others)
    whole = ga.log_beta(*np.meshgrid(shapes, others))  # over arrays
    for y, row in zip(others, whole.tolist()):
        got = ga.log_beta(np.array(shapes), y)  # by value
        for x, g, w in zip(shapes, got.tolist(), row):
            true = mpmath.log(mpmath.beta(x, y))
            assert abs(g - true) <= max(8 * U * max(1.0, abs(true)), abs(float(betaln(x, y)) - true)), (x, y)
            assert abs(g - w) <= 4 * U * abs(w), (x, y)
    odd = ga.log_beta(np.array([np.nan, 2.0, np.inf]), np.array([1.0, np.nan, 3.0]))
    assert np.isnan(odd).all()


def test_lgamma_and_stirling_remainder_follow_math():
    x = np.array([0.25, 1.0, 3.5, 14.99, 15.0, 40.0, 1e6])
    assert ga.lgamma(x).tolist() == [math.lgamma(v) for v in x.tolist()]
    for v, mu in zip(x.tolist(), ga.stirling_remainder(x).tolist()):
        true = mpmath.loggamma(v) - ((v - 0.5) * mpmath.log(v) - v + mpmath.log(2 * mpmath.pi) / 2)
        assert abs(mu - true) <= 1e-15 * max(1.0, abs(true)) + 4 * U * abs(math.lgamma(v)), v
