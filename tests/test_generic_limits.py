"""The generic likelihood path at its limits (issue 15, point 4's follow-ups): a
zero-weight row outside the support adds nothing (0 x log 0 is 0, not NaN); a maximum on
the edge of the parameter space (a ZIP's pi = 0, a binomial's p = 0) is put on the edge
and gets the fast path's boundary verdict."""
import numpy as np
import pytest

import mlefit
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


# ------------------------------------------------------------------ a maximum on the edge of the space
def _no_excess_zeros():
    y = np.random.default_rng(0).poisson(3.0, 200).astype(float)
    y[y == 0] = 1.0  # fewer zeros than the poisson's share: the ZIP's pi = 0
    return y


def test_generic_path_puts_an_edge_maximum_on_the_edge():
    """pi = 0 (not 1.9e-15 'converged'), with rate the poisson's mean and the fast path's
    log-likelihood; p = 0 and p = 1 exactly for all-zero and all-one bernoulli/binomial rows."""
    y = _no_excess_zeros()
    fast = mlefit.fit(y, "zero_inflated_poisson")
    got = fit_rows(families.density("zero_inflated_poisson")[0], y)
    assert got.theta[0] == 0.0 and got.edges == {0: 0.0} and "edge of the parameter space" in got.method
    assert got.theta[1] == pytest.approx(y.mean(), rel=1e-12) and got.free == (1,)
    assert got.loglik == pytest.approx(fast.loglik, rel=1e-13) and got.converged
    bern, binom = families.density("bernoulli")[0], families.density("binomial")[0]
    for rows, edge in ((np.zeros(10), 0.0), (np.ones(10), 1.0)):
        one = fit_rows(bern, rows)
        assert one.theta == (edge,) and one.edges == {0: edge} and one.loglik == 0.0
    trials = np.full(6, 4.0)
    assert fit_rows(binom, np.zeros(6), shapes=(trials,)).theta == (0.0,)
    assert fit_rows(binom, trials, shapes=(trials,)).theta == (1.0,)


def test_an_interior_maximum_near_the_edge_stays_inside():
    bern = families.density("bernoulli")[0]
    one = fit_rows(bern, np.r_[np.zeros(10), 1.0])
    assert one.edges == {} and one.theta[0] == pytest.approx(1 / 11, rel=1e-12)
    y = _no_excess_zeros()
    y[:30] = 0.0  # more zeros than the poisson's share: pi inside
    got = fit_rows(families.density("zero_inflated_poisson")[0], y)
    fast = mlefit.fit(y, "zero_inflated_poisson")
    assert got.edges == {} and got.theta[0] == pytest.approx(fast.estimates["pi"], rel=1e-8) and got.theta[0] > 0.01


def test_generic_path_gives_the_fast_paths_boundary_verdict():
    """Censored rows take the generic path; an uninformative row (0, inf) adds log 1 = 0,
    so the fit is the plain one: pi = 0 with the fast path's one-sided profile interval,
    and rate's standard error given pi = 0."""
    from mlefit.censored import rows as censoring
    y = _no_excess_zeros()
    fast = mlefit.fit(y, "zero_inflated_poisson")
    generic = mlefit.fit(censoring.from_bounds(np.append(y, 0.0), np.append(y, np.inf)), "zero_inflated_poisson")
    (fp, fr), (gp, gr) = fast.parameters, generic.parameters
    assert "edge of the parameter space" in generic.method
    assert gp.estimate == fp.estimate == 0.0 and gp.interval == fp.interval == "profile likelihood"
    assert gp.ci_lower == 0.0 and gp.ci_upper == pytest.approx(fp.ci_upper, rel=1e-9)
    assert "one-sided profile likelihood interval" in gp.note
    assert gr.estimate == pytest.approx(fr.estimate, rel=1e-12) and gr.se == pytest.approx(fr.se, rel=1e-9)
    assert generic.loglik == pytest.approx(fast.loglik, rel=1e-13)


# ------------------------------------------------------------------ a gamma of shape 1e6 to 1e12
@pytest.mark.parametrize("shape", [1e6, 1e9, 1e12])
@pytest.mark.parametrize("seed", range(3))
def test_generic_gamma_at_large_shapes_equals_fast_path(shape, seed):
    """Shape and rate are correlated to 1 - 1/(2 shape): the generic path must take its
    log f and score without the cancellation of the direct forms (log f in Stirling's
    form, d/d shape = log u + log a - psi(a), d/d rate = (a/rate)(1 - u) with the same
    u = rate y / a), and must not call a step along that ridge rounding noise."""
    y = np.random.default_rng(seed).gamma(shape, 2.0 / shape, 2000)
    fast = mlefit.fit(y, "gamma")
    got = fit_rows(families.density("gamma")[0], y)
    assert got.converged, got.message
    np.testing.assert_allclose(got.theta, [p.estimate for p in fast.parameters], rtol=1e-8)
    assert got.loglik == pytest.approx(fast.loglik, rel=1e-12)


def test_newton_goes_on_along_a_narrow_ridge():
    """A quadratic whose Hessian has condition number 8e9 (the gamma's at shape 1e9), from a
    start 1e-7 along the ridge: a unit in the last place of one coordinate moves the other's
    optimum by about as much (cov_kj / cov_jj), not by the condition number times that."""
    from mlefit.maximize import EPS, Point, newton
    a, n = 1e9, 2000.0
    hess = -n * np.array([[a + 0.5, -a], [-a, a]])
    top = np.array([20.7, 20.0])

    def objective(eta):
        d = eta - top
        g = hess @ d
        return Point(float(0.5 * d @ g), g, hess, EPS * n * np.ones(2) * 1e-6, None)

    found = newton(objective, lambda eta: objective(eta).value, top + 1e-7)
    assert found.converged
    np.testing.assert_allclose(found.eta, top, rtol=0, atol=1e-12)
