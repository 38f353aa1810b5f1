"""Censored student_t at small df: the profile of df (mu and sigma free) where the fitted
sigma is a small fraction of the data's spread. The numeric tail derivatives once stepped
mu by 1e-3 of the spread, wider than sigma itself: the score disagreed with the value,
Newton's direction did not rise, and each profile point took thousands of log-likelihood
evaluations (40 halvings a line search) and then failed."""
import math

import numpy as np
import pytest
import scipy.optimize
import scipy.stats as st

from mlefit.censored import fit as cfit, terms as ct
from mlefit.families.student_t import DENSITY
from mlefit.likelihood import maximize_sum

LO = np.array([1.0, 3.0, -np.inf, 2.0, 1.5, 2.0])
HI = np.array([2.0, np.inf, 4.0, 5.0, 2.5, 3.0])


def _terms():
    x = np.column_stack([LO, HI, np.full(6, -np.inf), np.full(6, np.inf)])
    return cfit.terms_of(x, None)


def _scipy_loglik(mu, sigma, df):
    """The rows' log-likelihood by scipy.stats.t's logcdf/logsf, written out per row."""
    t = st.t(df, mu, sigma)
    out = 0.0
    for a, b in zip(LO, HI):
        if a == -np.inf:
            out += t.logcdf(b)
        elif b == np.inf:
            out += t.logsf(a)
        else:
            fa, fb, sa, sb = t.logcdf(a), t.logcdf(b), t.logsf(a), t.logsf(b)
            out += fb + math.log1p(-math.exp(fa - fb)) if fb <= sa else sa + math.log1p(-math.exp(sb - sa))
    return out


def _scipy_profile(df, start):
    found = scipy.optimize.minimize(lambda p: -_scipy_loglik(p[0], math.exp(p[1]), df), start,
                                    method="Nelder-Mead", options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 5000})
    return -found.fun


@pytest.mark.parametrize("df, start", [(0.23, (2.0, -6.0)), (0.5, (2.0, -2.5)), (1.0, (2.2, -1.2))])
def test_profile_point_at_small_df_converges_to_scipys(monkeypatch, df, start):
    terms = _terms()
    calls = [0]
    real = ct.values

    def counted(*a, **k):
        calls[0] += 1
        return real(*a, **k)
    monkeypatch.setattr(ct, "values", counted)

    def value(theta):
        with np.errstate(all="ignore"):
            return ct.loglik(DENSITY, terms, theta)
    found = maximize_sum(DENSITY, value, lambda t: ct.sums(DENSITY, terms, t), [2.5, 1.0, df], {2: df}, {}, 200)
    assert found.converged, found.message
    assert calls[0] <= 200  # before: 200 iterations, ~7,000 evaluations, and no convergence at df = 0.23
    assert found.loglik == pytest.approx(_scipy_profile(df, start), abs=1e-6)


def test_score_of_tails_agrees_with_the_value_where_sigma_is_small():
    terms = _terms()
    theta = (2.0021, 0.0024, 0.23)  # near the profile's maximum at df = 0.23: sigma 0.002 of the spread
    _, grad, _, _ = ct.sums(DENSITY, terms, theta)
    e = 1e-7

    def value(t):
        with np.errstate(all="ignore"):
            return ct.loglik(DENSITY, terms, t)
    fd_mu = (value((theta[0] + e, *theta[1:])) - value((theta[0] - e, *theta[1:]))) / (2 * e)
    assert grad[0] == pytest.approx(fd_mu, rel=1e-5)  # before: -0.004 against 1.70
