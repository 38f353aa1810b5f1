"""likelihood.summed_by_value: sum_i w_i fn(y_i) over whole-number responses taken once
per distinct value (the poisson regression's log y! constant and its saturated terms),
equal to the sum over every row to rounding, and over every row where the values are not
counts."""
import math

import numpy as np
import pytest
from scipy.special import gammaln, xlogy

from mlefit import likelihood
from mlefit.likelihood import summed_by_value


def _direct(fn, y, w):
    with np.errstate(all="ignore"):
        terms = fn(y)
        ww = np.ones(y.size) if w is None else w
        return math.fsum(np.where(ww == 0, 0.0, ww * terms))


@pytest.mark.parametrize("kind", ["counts", "weighted", "zero weights on inf", "halves", "negative", "large", "nan"])
def test_summed_by_value_equals_the_sum_over_rows(monkeypatch, kind):
    monkeypatch.setattr(likelihood, "TALLIED", 64)  # values up to 64 summed by value
    rng = np.random.default_rng(len(kind))
    n = 5000
    y = rng.poisson(3.0, size=n).astype(float)
    w = None
    fn = lambda v: -gammaln(v + 1.0)  # noqa: E731
    if kind == "weighted":
        w = rng.integers(0, 4, size=n).astype(float)
    if kind == "zero weights on inf":  # a term of -inf on rows of weight 0 adds nothing
        w = (y != 2).astype(float)
        fn = lambda v: np.where(v == 2, -np.inf, xlogy(v, v) - v)  # noqa: E731
    if kind == "halves":
        y[7] = 2.5
    if kind == "negative":
        y[3] = -1.0
        fn = lambda v: np.abs(v) ** 0.5  # noqa: E731
    if kind == "large":
        y[11] = 64.0
    if kind == "nan":
        y[5] = np.nan
    got = summed_by_value(fn, y, w)
    want = _direct(fn, y, w)
    if kind == "nan":
        assert math.isnan(got)
    else:
        assert got == pytest.approx(want, rel=1e-13)


def test_few_rows_are_summed_directly():
    y = np.array([0.0, 1.0, 1.0, 4.0])
    assert summed_by_value(lambda v: -gammaln(v + 1.0), y, None) == pytest.approx(-math.log(24.0), rel=1e-15)
