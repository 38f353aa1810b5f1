"""The generic likelihood path at its limits (issue 15, point 4's follow-ups): a
zero-weight row outside the support adds nothing (0 x log 0 is 0, not NaN)."""
import numpy as np
import pytest

from mlefit import families
from mlefit.likelihood import fit_rows, loglik, sums


@pytest.mark.parametrize("name,bad,theta", [("poisson", -1.0, (2.0,)), ("exponential", -3.0, (1.5,)),
                                            ("beta", 1.5, (2.0, 3.0))])
def test_a_zero_weight_row_outside_the_support_adds_nothing(name, bad, theta):
    dens, _ = families.density(name)
    y = np.array([0.2, 0.4, 0.7]) if name == "beta" else np.array([0.0, 1.0, 4.0, 2.0])
    w = np.arange(1.0, y.size + 1)
    with_row, zero = np.append(y, bad), np.append(w, 0.0)
    assert loglik(dens, with_row, theta, zero) == pytest.approx(loglik(dens, y, theta, w), rel=1e-15)
    got, want = sums(dens, with_row, theta, zero), sums(dens, y, theta, w)
    for a, b in zip(got[:3], want[:3]):
        np.testing.assert_allclose(a, b, rtol=1e-15)
    assert fit_rows(dens, with_row, w=zero).theta == pytest.approx(fit_rows(dens, y, w=w).theta, rel=1e-12)
