"""The numerical building blocks, against closed forms."""
import math

import numpy as np
import pytest

from mlefit import numerics as nm
from mlefit.inference.information import covariance_from_information, numeric_hessian, wald_interval, z_value


def test_mean_and_m2_weighted_equals_repetition():
    x = np.array([1.0, 2.0, 4.0])
    w = np.array([1.0, 3.0, 2.0])
    rep = np.repeat(x, w.astype(int))
    m, v = nm.mean_and_m2(x, w)
    assert m == pytest.approx(rep.mean()) and v == pytest.approx(rep.var())


@pytest.mark.parametrize("x,w,expected", [
    ([3.0, 1.0, 2.0], None, 2.0),
    ([1.0, 2.0, 3.0, 4.0], None, 2.5),
    ([1.0, 2.0, 3.0], [1.0, 1.0, 5.0], 3.0),
    ([1.0, 2.0, 3.0, 4.0], [1.0, 1.0, 1.0, 1.0], 2.5),
])
def test_weighted_median(x, w, expected):
    assert nm.weighted_median(np.array(x), None if w is None else np.array(w)) == expected


def test_value_counts_and_log_factorial():
    v, c = nm.value_counts(np.array([0.0, 3.0, 3.0, 1.0]))
    assert v.tolist() == [0.0, 1.0, 3.0] and c.tolist() == [1.0, 1.0, 2.0]
    assert nm.sum_log_factorial(v, c) == pytest.approx(2 * math.log(6))
    big = np.array([1e12, 1e12, 5.0])
    v, c = nm.value_counts(big)
    assert v.tolist() == [5.0, 1e12] and c.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("x", [[0, 3, 3, 1, 7], [10 ** 12, 10 ** 12, 5], [2 ** 53 + 1, 2 ** 53, 4]])
def test_value_counts_of_integers_equal_those_of_the_same_floats(x):
    """A chunk read from an integer column is counted as int64 (no float copy): the same
    table of float64 values and counts as the floats give, by bincount or, for values too
    large for one, by sorting (where integers past 2^53 round as the floats did)."""
    ints = np.array(x, dtype=np.int64)
    for got, want in zip(nm.value_counts(ints), nm.value_counts(ints.astype(np.float64))):
        assert got.dtype == np.float64 and got.tolist() == want.tolist()


def test_solve_increasing_finds_root():
    root, it, ok = nm.solve_increasing(lambda t: (t ** 3 - 2.0, 3 * t * t), 0.0, 5.0, 4.0,
                                       max_iter=100, tol=1e-14)
    assert ok and root == pytest.approx(2 ** (1 / 3), rel=1e-13)


def test_solve_increasing_stops_on_the_scale_given_not_on_the_root_size():
    """A location root at 1e13 + 0.3 (an ulp there is 2e-3): with the scale of the data
    (here 1) the root is found to an ulp; a stop relative to |x| (1e-12 of 1e13 = 10
    units) could stop anywhere within 10 of it."""
    c = 1e13 + 0.3
    f = (lambda t: (math.atan(t - c), 1.0 / (1.0 + (t - c) ** 2)))  # Newton overshoots far out
    root, it, ok = nm.solve_increasing(f, c - 1e3, c + 1e3, c - 40.0, max_iter=200, tol=1e-12, scale=1.0)
    assert ok and abs(root - c) <= math.ulp(c)


def test_numeric_hessian_of_known_function():
    f = lambda t: math.exp(t[0]) * t[1] ** 3 + math.sin(t[0] * t[1])  # noqa: E731
    a, b = 0.3, 1.7
    exact = np.array([[math.exp(a) * b ** 3 - b * b * math.sin(a * b),
                       3 * math.exp(a) * b * b + math.cos(a * b) - a * b * math.sin(a * b)],
                      [0.0, 6 * math.exp(a) * b - a * a * math.sin(a * b)]])
    exact[1, 0] = exact[0, 1]
    np.testing.assert_allclose(numeric_hessian(f, [a, b]), exact, rtol=1e-8)


def test_intervals_map_back_inside_domain():
    z = z_value(0.95)
    assert z == pytest.approx(1.959963984540054, rel=1e-14)
    lo, hi, how = wald_interval(0.5, 10.0, "positive", z)
    assert 0 < lo < 0.5 < hi and how == "wald, log scale"
    lo, hi, how = wald_interval(0.01, 0.2, "unit", z)
    assert 0 < lo < 0.01 < hi < 1 and how == "wald, logit scale"
    assert wald_interval(1.0, 1.0, "real", z)[:2] == (1.0 - z, 1.0 + z)


def test_covariance_refuses_singular_information():
    assert covariance_from_information(np.array([[1.0, 1.0], [1.0, 1.0]])) is None
    np.testing.assert_allclose(covariance_from_information(np.array([[4.0, 1.0], [1.0, 2.0]])),
                               np.linalg.inv([[4.0, 1.0], [1.0, 2.0]]))


def test_small_information_inverse_in_floats_equals_numpys():
    """covariance_from_information inverts 1 x 1 and 2 x 2 matrices in floats; the
    result is numpy's inverse, and None exactly where Cholesky fails."""
    from mlefit.inference import information as inference
    rng = np.random.default_rng(21)
    for _ in range(500):
        m = rng.normal(size=(2, 2)) * 10.0 ** rng.integers(-4, 5)
        a = m @ m.T + np.eye(2) * 10.0 ** rng.integers(-6, 1)
        c = inference.covariance_from_information(a)
        assert np.allclose(c, np.linalg.inv(a), rtol=1e-9, atol=1e-12 * np.max(np.abs(np.linalg.inv(a))))
        one = inference.covariance_from_information(a[:1, :1])
        assert one.shape == (1, 1) and one[0, 0] == pytest.approx(1.0 / a[0, 0], rel=1e-15)
    for bad in ([[1.0, 2.0], [2.0, 1.0]], [[-1.0, 0.0], [0.0, 1.0]], [[0.0]], [[-2.0]], [[1.0, 1.0], [1.0, 1.0]],
                [[np.inf, 0.0], [0.0, 1.0]], [[np.nan]]):
        assert inference.covariance_from_information(bad) is None


def test_covariance_is_finite_or_none():
    """Positive definite but so small that the inverse overflows: no covariance (callers
    rely on a covariance returned being finite), for 1 x 1, 2 x 2 and the Cholesky path."""
    assert covariance_from_information([[5e-324]]) is None
    assert covariance_from_information([[1e-310, 0.0], [0.0, 1.0]]) is None
    assert covariance_from_information(np.diag([1.0, 1e-310, 2.0])) is None
    np.testing.assert_allclose(covariance_from_information(np.diag([1.0, 4.0, 2.0])), np.diag([1.0, 0.25, 0.5]))


def test_solve_increasing_stops_where_newton_has_converged_on_an_end_of_the_bracket():
    """The Huber score of 1e5 values: Newton is at the root after three evaluations, and its
    last step, below the tolerance, rounds onto the end of the bracket the evaluation just
    moved there (x itself). That point is returned; before, it set off a bisection from the
    far end: 16 evaluations in all, ending at a point further from the root."""
    y = np.random.default_rng(5).normal(10.0, 3.0, 100_001)
    calls = []

    def f(mu):
        calls.append(mu)
        u = y - mu
        return -float(np.clip(u, -1.0, 1.0).sum()), float(np.count_nonzero(np.abs(u) < 1.0))
    lo, hi = float(y.min()), float(y.max())
    root, it, ok = nm.solve_increasing(f, lo, hi, float(np.median(y)), max_iter=200, tol=1e-12, scale=hi - lo)
    assert ok and len(calls) <= 5
    value, slope = f(root)
    assert abs(value) <= 4 * len(y) * 2.0 ** -53 * 13  # zero to the rounding of the sum


@pytest.mark.parametrize("n", [1000, 100_000, 1_000_000])
@pytest.mark.parametrize("centre", [0.5, 1e6])
def test_mean_and_m2_makes_no_temporary_the_size_of_the_data(n, centre):
    """The shifted pass works through this thread's kept buffers (or, about 0, on the values
    themselves): a fresh array-sized temporary per pass cost page faults wherever malloc had
    given its pages back (lognormal at 1e5 in a loop of fits: 0.3 -> 0.8 ms)."""
    import tracemalloc
    x = np.random.default_rng(n).normal(centre, 0.7, n)
    nm.mean_and_m2(x)  # the buffers made once
    tracemalloc.start()
    mean, m2 = nm.mean_and_m2(x)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 64_000, peak
    assert mean == pytest.approx(float(np.mean(x)), rel=1e-14, abs=1e-15)
    assert m2 == pytest.approx(float(np.var(x)), rel=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_shifted_sums_of_a_small_array_are_the_blocks_sums(weighted, monkeypatch):
    """Up to nm.SMALL_TEMPORARY values the differences go to a fresh array instead of the
    kept buffers: the same sums, bit for bit."""
    rng = np.random.default_rng(12)
    x = 1e6 + rng.normal(0.0, 0.7, 5000)
    w = rng.integers(1, 4, x.size).astype(float) if weighted else None
    small = nm.shifted_sums(x, w, float(x[9]))
    monkeypatch.setattr(nm, "SMALL_TEMPORARY", 0)
    assert nm.shifted_sums(x, w, float(x[9])) == small


@pytest.mark.parametrize("n", [0, 7, nm.SMALL_TEMPORARY + 1, 3 * nm.SHIFTED_BLOCK + 5])
def test_all_whole_is_numpys_floor_test_without_a_temporary_the_size_of_the_data(n):
    """all_whole(x) is np.all(np.floor(x) == x) (with NaN allowed where nan_ok), tested in
    blocks through the kept buffer: a fresh floor(x) per fit cost 200 page faults at 1e5
    values wherever malloc had given its pages back."""
    import tracemalloc
    rng = np.random.default_rng(n)
    x = rng.integers(0, 50, n).astype(np.float64)
    nm.all_whole(x)  # the buffers made once
    tracemalloc.start()
    assert nm.all_whole(x) is True
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    if n > nm.SMALL_TEMPORARY:
        assert peak < 8 * n // 4, peak
    for where in {0, n // 2, n - 1} if n else ():
        for bad, nan_ok, expected in ((0.5, False, False), (np.nan, False, False), (np.nan, True, True),
                                      (np.inf, False, True), (-3.0, False, True), (2.0 ** 60 + 0.5, False, True)):
            y = x.copy()
            y[where] = bad
            assert nm.all_whole(y, nan_ok=nan_ok) is expected
            assert expected == bool(np.all((np.floor(y) == y) | (np.isnan(y) if nan_ok else False)))
