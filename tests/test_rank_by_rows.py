"""The rank test of a design of many rows from runs of its rows (regression_rows._independent_by_rows):
where it says the columns are independent, the test on all of X'X passes too (a bound,
never a guess); aliased designs still get their message."""
import numpy as np
import pytest

from mlefit import regression_rows as rr
from mlefit.errors import DataError


def _full_test_passes(X):
    try:
        rr._check_rank(X, [f"x{j}" for j in range(X.shape[1])], gram=X.T @ X)
    except DataError:
        return False
    return True


@pytest.mark.parametrize("scale", [1.0, 1e-3, 1e-5, 1e-6, 1e-7, 1e-8, 0.0])
@pytest.mark.parametrize("where", ["everywhere", "outside the subsample"])
def test_independent_by_rows_only_where_every_row_says_so(scale, where):
    rng = np.random.default_rng(int(scale * 1e9) % 1000 + len(where))
    n = 6000
    X = np.column_stack([np.ones(n), rng.normal(size=(n, 3))])
    near = X[:, 1] + X[:, 2] + scale * rng.normal(size=n)
    if where != "everywhere":  # aliased on the rows the test reads (16 runs of 31), not on the others
        taken = np.zeros(n, dtype=bool)
        for i in np.linspace(0, n - 31, 16).astype(np.intp):
            taken[i:i + 31] = True
        near = np.where(taken, X[:, 1] + X[:, 2], X[:, 1] + X[:, 2] + 0.5 * rng.normal(size=n))
    X = np.asfortranarray(np.column_stack([X, near]))
    proved = rr._independent_by_rows(X, rows=500)
    if proved:
        assert _full_test_passes(X)
    if scale >= 1e-3 and where == "everywhere":
        assert proved  # a design far from aliased is decided without X'X
    if where != "everywhere" or scale == 0.0:
        assert not proved  # the subsample is aliased: undecided, X'X decides


def test_an_aliased_design_of_many_rows_is_named():
    rng = np.random.default_rng(2)
    n = 600_000
    X = np.column_stack([np.ones(n), rng.normal(size=(n, 2))])
    X = np.asfortranarray(np.column_stack([X, X[:, 1] - 2 * X[:, 2]]))
    assert not rr._independent_by_rows(X)
    with pytest.raises(DataError, match="x3 is a linear combination of x1, x2"):
        rr._check_rank(X, ["Intercept", "x1", "x2", "x3"])


def test_a_design_of_many_rows_is_passed_without_its_gram():
    rng = np.random.default_rng(4)
    X = np.asfortranarray(np.column_stack([np.ones(600_000), rng.normal(size=(600_000, 3))]))
    assert rr._independent_by_rows(X)
    rr._check_rank(X, ["Intercept", "a", "b", "c"])
