"""student_t's start quantiles (t_start_quantiles): the table's constants are scipy's t
quantiles at its nodes, the interpolation between them is within 1e-13 of scipy's anywhere
in df from 0.3 to 1e3, and student_t's start from them is the one from scipy's quantiles."""
import math

import numpy as np
import pytest
from scipy.stats import t

from mlefit import numerics as nm
from mlefit.families import locscale as ls
from mlefit.families import student_t
from mlefit.families import t_start_quantiles as tsq


def test_the_constants_are_scipys_quantiles_at_the_nodes():
    dfs = np.array(tsq.node_dfs())
    assert dfs.size == len(tsq.Q95) == len(tsq.Q75) == tsq.SEGMENTS * tsq.DEGREE + 1
    assert np.all(np.diff(dfs) > 0) and dfs[0] == pytest.approx(0.3, rel=1e-15) and dfs[-1] == pytest.approx(1e3, rel=1e-15)
    np.testing.assert_allclose(tsq.Q95, t.ppf(0.95, dfs), rtol=1e-14, atol=0)
    np.testing.assert_allclose(tsq.Q75, t.ppf(0.75, dfs), rtol=1e-14, atol=0)


def test_the_interpolation_equals_scipy_between_the_nodes():
    v = np.concatenate([np.linspace(tsq.LO, tsq.HI, 4001), np.log(tsq.node_dfs()),
                        np.log(np.random.default_rng(3).uniform(0.3, 1e3, 500))])
    got = np.exp(np.array([tsq.log_quantiles(float(x)) for x in v]))
    df = np.exp(v)
    np.testing.assert_allclose(got[:, 0], t.ppf(0.95, df), rtol=1e-13, atol=0)
    np.testing.assert_allclose(got[:, 1], t.ppf(0.75, df), rtol=1e-13, atol=0)


def scipy_start(y):
    """student_t's third start (median, MAD and df from the 90%/50% quantile ratio of |y|),
    solved by the same bisection on scipy's quantiles."""
    y, w = y.sample()
    a = np.abs(y)
    mad, top = nm.weighted_median(a, w), ls.quantiles(a, w, [0.9])[0]
    v = nm.solve_increasing(lambda v: (top / mad - t.ppf(0.95, math.exp(v)) / t.ppf(0.75, math.exp(v)), 0.0),
                            math.log(0.3), math.log(1e3), 0.0, max_iter=60, tol=1e-3)[0]
    return 0.0, math.log(mad / t.ppf(0.75, math.exp(v))), 1.0 / math.exp(v)


@pytest.mark.parametrize("df", [0.5, 1.0, 3.0, 30.0, math.inf])
@pytest.mark.parametrize("n", [20, 100, 5000])
def test_the_start_equals_the_one_from_scipys_quantiles(df, n):
    rng = np.random.default_rng(n)
    x = 4.0 + 3.0 * (rng.standard_normal(n) if df == math.inf else rng.standard_t(df, n))
    s = student_t._stats(x, None)
    y = ls.standardised(s)
    starts = student_t._starts(s, y)
    np.testing.assert_allclose(starts[-2], scipy_start(y), rtol=1e-12, atol=1e-13)  # (log sigma: absolute near 0)


def test_quantile_75_equals_scipy_from_the_table_to_the_normal_limit():
    """The table up to df = 1e3, the Cornish-Fisher expansion beyond (row_start's df,
    4 + 6/kurtosis, is any number above 4)."""
    from scipy.special import stdtrit
    dfs = np.concatenate([[0.3, 4.0, 30.0, 999.999, 1e3, 1e3 * (1 + 1e-15), 1001.0, 1e30],
                          np.exp(np.random.default_rng(8).uniform(math.log(4.0), math.log(1e15), 400))])
    got = np.array([tsq.quantile_75(float(df)) for df in dfs])
    np.testing.assert_allclose(got, stdtrit(dfs, 0.75), rtol=1e-13, atol=0)


@pytest.mark.parametrize("df", [2.5, 6.0, 1e6])
def test_the_row_start_takes_no_scipy_and_equals_the_one_from_scipys_quantile(df):
    """row_start (the generic path's start) divides the MAD by t_0.75(df) from the table,
    as the fast path does: scipy.special's stdtrit gave the same start, to an ulp, at the
    cost of importing scipy.special (0.2-0.5 s)."""
    import subprocess
    import sys
    from scipy.special import stdtrit
    y = 1.0 + 2.0 * np.random.default_rng(4).standard_t(df, 2000)
    mu, sigma, got_df = student_t.row_start(y, None)
    mad = nm.weighted_median(np.abs(y - mu), None)
    assert sigma == pytest.approx(mad / float(stdtrit(got_df, 0.75)), rel=1e-13)
    code = ("import sys, numpy as np; from mlefit.families import student_t; "
            "student_t.row_start(np.random.default_rng(4).standard_t(3.0, 500), None); "
            "print('scipy.special' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=str(__import__("pathlib").Path(student_t.__file__).parents[2]))
    assert out.stdout.strip() == "False"
