"""The rank test of a design of many rows from runs of its rows (regression_rows._independent_by_rows):
where it says the columns are independent, the test on all of X'X passes too (a bound,
never a guess); aliased designs still get their message."""
import numpy as np
import pytest

from mlefit.regression import rows as rr
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


@pytest.mark.parametrize("scale", [1e-170, 1e-158, 1e150])
def test_a_covariate_beyond_1e100_is_named_not_called_zero_or_left_to_newton(scale):
    """Values whose squares leave float64's range: X'X underflows (a column of 1e-170s looked
    'zero in every row') or overflows; the column is named with the way out."""
    import mlefit
    from mlefit.errors import DataError

    rng = np.random.default_rng(1)
    z, x = rng.normal(size=2000), rng.normal(size=2000)
    y = (rng.random(2000) < 0.5).astype(float)
    with pytest.raises(DataError, match=r"^covariate z \(largest absolute value .*\) beyond 1e\+-100: its coefficient "
                                        r"would leave the range of floating point; rescale it"):
        mlefit.regress({"y": y, "z": z * scale, "x": x}, "y", ["z", "x"], dist="bernoulli")


def test_columns_of_tiny_but_representable_squares_are_ranked_on_their_scaled_gram():
    """Columns near 1e-99 (squares near 1e-198, below X'X's comfortable range): ranked on the
    columns scaled by their largest value, so an exact multiple is still found."""
    from mlefit.errors import DataError
    from mlefit.regression.rows import _check_rank

    rng = np.random.default_rng(2)
    z = rng.normal(size=500) * 1e-99
    X = np.column_stack([np.ones(500), z, 3 * z])
    with pytest.raises(DataError, match="aliased"):
        _check_rank(X, ["Intercept", "a", "b"])
    _check_rank(np.column_stack([np.ones(500), z, rng.normal(size=500) * 1e-99]), ["Intercept", "a", "b"])


@pytest.mark.parametrize("dist", ["normal", "gamma", "student_t", "laplace"])
@pytest.mark.parametrize("scale", [1e200, 1e-200])
def test_a_response_beyond_1e100_is_refused_with_the_way_out(dist, scale):
    """Its squares or y / mu leave float64's range: it had been called 'given exactly by the
    covariates', or 'did not converge'; lognormal (a model of log y) fits it."""
    import mlefit
    from mlefit.errors import DataError

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=500), rng.gamma(2.0, 1.0, 500)
    with pytest.raises(DataError, match=rf"^the largest absolute value of the response 'y' is .* beyond 1e\+-100 "
                                        rf"the {dist} regression's sums leave the range of floating point; rescale it"):
        mlefit.regress({"y": y * scale, "x": x}, "y", ["x"], dist=dist)
    one = mlefit.regress({"y": y, "x": x}, "y", ["x"], dist="lognormal").to_dict()["coefficients"]
    far = mlefit.regress({"y": y * scale, "x": x}, "y", ["x"], dist="lognormal").to_dict()["coefficients"]
    assert far[0]["estimate"] == pytest.approx(one[0]["estimate"] + np.log(scale), rel=1e-9)
    assert far[1]["estimate"] == pytest.approx(one[1]["estimate"], rel=1e-7, abs=1e-12)
