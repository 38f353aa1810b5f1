"""scalar_search: Brent's root finder and minimiser without scipy.optimize, step for step
scipy's (brentq; minimize_scalar(method="brent") from a two-point bracket): the same
numbers, bit for bit, on functions of many shapes."""
import math

import numpy as np
import pytest
import scipy.optimize

from mlefit.scalar_search import find_root, minimize, minimize_bounded


def _functions(seed, count):
    rng = np.random.default_rng(seed)
    for k in range(count):
        c, s, p = float(rng.normal(0, 3)), float(rng.uniform(0.1, 5)), int(rng.integers(1, 4))
        wiggle = 0.3 * (k % 2)
        yield (lambda x, c=c, s=s, p=p, wiggle=wiggle: (x - c) ** (2 * p) * s + wiggle * math.sin(3 * x) + 0.01 * x,
               lambda x, c=c, s=s, k=k: math.tanh(x - c) * s + 0.1 * (x - c) ** 3 * (k % 3),
               c - float(rng.uniform(0.01, 10)), c + float(rng.uniform(0.01, 10)))


def test_find_root_takes_brentqs_steps():
    for _, g, a, b in _functions(1, 300):
        for xtol, rtol in ((1e-11, 1e-11), (1e-300, 4 * np.finfo(float).eps)):
            assert find_root(g, a, b, xtol, rtol, 200) == scipy.optimize.brentq(g, a, b, xtol=xtol, rtol=rtol,
                                                                                maxiter=200)


def test_minimize_takes_brents_steps_from_the_same_bracket():
    for f, _, _, _ in _functions(2, 300):
        for start, tol in (((-0.1, 0.1), 1e-12), ((-0.5, 0.5), 1.48e-8)):
            ref = scipy.optimize.minimize_scalar(f, bracket=start, method="brent", tol=tol, options={"maxiter": 500})
            assert minimize(f, *start, tol=tol, maxiter=500) == (ref.x, ref.fun)


def test_minimize_bounded_takes_fminbounds_steps():
    for f, _, a, b in _functions(3, 300):
        for xatol in (1e-6, 1e-5 * (b - a)):
            ref = scipy.optimize.minimize_scalar(f, bounds=(a, b), method="bounded", options={"xatol": xatol})
            assert minimize_bounded(f, a, b, xatol) == (ref.x, ref.fun, ref.nfev)
    x, _, _ = minimize_bounded(lambda x: -x, 0.0, 1.0, 1e-8)  # falling to the upper bound
    assert x == pytest.approx(1.0, abs=1e-7)


def test_no_sign_change_and_no_minimum():
    with pytest.raises(ValueError, match="different signs"):
        find_root(lambda x: x * x + 1.0, -1.0, 1.0, 1e-12, 1e-12, 100)
    with pytest.raises(RuntimeError, match="did not converge"):
        find_root(lambda x: x ** 3 - 2.0, 0.0, 10.0, 1e-300, 4e-16, 3)
    x, fx = minimize(lambda x: math.nan, -0.1, 0.1, tol=1e-12, maxiter=50)  # no bracket: NaN, as scipy's
    assert math.isnan(x) and math.isnan(fx)
    x, fx = minimize(lambda x: abs(x - 0.05), 0.05, 0.1, tol=1e-12, maxiter=50)  # a valley at a start point
    assert x == pytest.approx(0.05, abs=1e-9) and fx == pytest.approx(0.0, abs=1e-9)
