"""Checks of the per-row records of the half-line and interval families (exponential,
lognormal, weibull, beta, inverse_gaussian, half_normal, rayleigh, pareto, uniform) that
tests/test_density.py does not make: both tails far out, against mpmath at 400 digits
(scipy's quantiles and tails give out before the records do: invgauss.isf(1e-30) is
5.6e248, and below 1e-308 scipy's betainc is 0); the edges of the support, evaluated
without a warning; identities between families; the pareto alpha's information."""
import math
import warnings

import mpmath as mp
import numpy as np
import pytest

from mlefit import families
from mlefit.likelihood import fit_rows

from cases import CASES

MINE = ("exponential", "lognormal", "weibull", "beta", "inverse_gaussian", "half_normal",
        "rayleigh", "pareto", "uniform")


def _exp_minus(t):
    """(F, S) where S = exp(-t)."""
    return -mp.expm1(-t), mp.exp(-t)


def _inverse_gaussian(y, mu, lam):
    r = mp.sqrt(lam / y)
    a, b, c = r * (y / mu - 1), r * (y / mu + 1), 2 * lam / mu
    far = mp.exp(c) * mp.ncdf(-b)
    return mp.ncdf(a) + far, mp.ncdf(-a) - far


# (F, S) at y, computed in mpmath from each family's definition
REFERENCE = {
    "exponential": lambda y, rate: _exp_minus(rate * y),
    "lognormal": lambda y, m, s: (mp.ncdf((mp.log(y) - m) / s), mp.ncdf((m - mp.log(y)) / s)),
    "weibull": lambda y, k, lam: _exp_minus((y / lam) ** k),
    # S = I_{1-y}(b, a): mpmath's betainc(a, b, y, 1) is I(1) - I(y), which cancels
    "beta": lambda y, a, b: (mp.betainc(a, b, 0, y, regularized=True), mp.betainc(b, a, 0, 1 - y, regularized=True)),
    "inverse_gaussian": _inverse_gaussian,
    "half_normal": lambda y, s: (mp.erf(y / (s * mp.sqrt(2))), mp.erfc(y / (s * mp.sqrt(2)))),
    "rayleigh": lambda y, s: _exp_minus(y * y / (2 * s * s)),
    "pareto": lambda y, xm, alpha: _exp_minus(alpha * mp.log(y / xm)),
    "uniform": lambda y, a, b: ((y - a) / (b - a), (b - y) / (b - a)),
}

# (family, theta, points): lower-tail points first, then upper-tail ones, with F or S
# from 1e-12 down to far below the smallest double (the log holds what the value cannot)
FAR = [
    ("exponential", (1.7,), [1e-30, 1e-300, 5e-324, 40.0, 500.0]),
    ("lognormal", (0.4, 0.8), [1e-5, 1e-40, 1e-150, 1e5, 1e30, 1e150]),
    ("weibull", (1.6, 2.7), [1e-20, 1e-130, 1e-250, 50.0, 1000.0, 1e5]),
    ("beta", (2.2, 3.5), [1e-15, 1e-90, 1e-150, 1 - 1e-9, 1 - 2.0 ** -52]),
    ("beta", (40.0, 30.0), [1e-10, 0.01, 0.99, 1 - 2.0 ** -52]),  # below 1e-308: the series
    ("inverse_gaussian", (2.0, 5.0), [0.01, 0.001, 110.0, 736.0, 1e6, 5.59353592157714e248]),
    ("inverse_gaussian", (1.0, 1e-4), [1e-8, 100.0, 1e4, 0.999e6, 1e8]),  # a small, b - a smaller
    ("inverse_gaussian", (1.0, 1e-8), [1e-3, 0.5, 1.0, 1e6]),
    ("inverse_gaussian", (1.0, 1e8), [0.999, 1.0, 1.001]),  # e^c and Phi(-b) out of range
    ("half_normal", (1.7,), [1e-30, 1e-300, 20.0, 50.0, 1000.0]),
    ("rayleigh", (2.2,), [1e-10, 1e-150, 1e-200, 50.0, 100.0, 1000.0]),  # y^2 underflows at 1e-200
    ("pareto", (1.5, 2.5), [1.5 * (1 + 1e-12), 1.5 * (1 + 1e-15), 1e12, 1e120, 1e300]),
    ("uniform", (-1.0, 3.0), [-1.0 + 1e-12, 0.0, 3.0 - 1e-12]),
    ("uniform", (-1e308, 1e308), [-1e308 + 1e293, 0.0, 1e308 - 1e293]),
]


@pytest.mark.parametrize("name, theta, points", FAR, ids=[f"{f[0]}{f[1]}" for f in FAR])
def test_tails_far_out_equal_mpmath(name, theta, points):
    dens, _ = families.density(name)
    y = np.array(points)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = dens.logcdf(y, *theta), dens.logsf(y, *theta)
    with mp.workdps(400):
        want = [[float(mp.log(p)) for p in REFERENCE[name](mp.mpf(v), *map(mp.mpf, theta))] for v in points]
    for i, v in enumerate(points):
        for side, what in enumerate(("logcdf", "logsf")):
            assert got[side][i] == pytest.approx(want[i][side], rel=1e-13, abs=1e-300), f"{what}({v})"


# (family, theta, below the support, the lower end, inside, above the support or None)
EDGES = [
    ("exponential", (1.7,), -1.0, 0.0, 2.0, None),
    ("lognormal", (0.4, 0.8), -1.0, 0.0, 2.0, None),
    ("weibull", (1.6, 2.7), -1.0, 0.0, 2.0, None),
    ("beta", (2.2, 3.5), -0.5, 0.0, 0.3, 1.5),
    ("inverse_gaussian", (2.0, 5.0), -1.0, 0.0, 2.0, None),
    ("half_normal", (1.7,), -1.0, 0.0, 2.0, None),
    ("rayleigh", (2.2,), -1.0, 0.0, 2.0, None),
    ("pareto", (1.5, 2.5), 1.0, 1.5, 2.0, None),
    ("uniform", (-1.0, 3.0), -2.0, -1.0, 0.5, 4.0),
]


@pytest.mark.parametrize("name, theta, below, low, inside, above", EDGES, ids=[e[0] for e in EDGES])
def test_support_edges_without_warnings(name, theta, below, low, inside, above):
    """Outside the support: log f = -inf, log F = -inf below and 0 above, log S = 0 below
    and -inf above, the derivatives NaN (no warning on the way); at the lower end
    log F = -inf and log S = 0; inside, everything finite."""
    dens, _ = families.density(name)
    y = np.array([below, low, inside] + ([above] if above is not None else []))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        logpdf, logcdf, logsf = dens.logpdf(y, *theta), dens.logcdf(y, *theta), dens.logsf(y, *theta)
        ll, score, hess = dens.derivs(y, *theta)
    assert logpdf[0] == -np.inf and logcdf[0] == -np.inf and logsf[0] == 0.0
    assert logcdf[1] == -np.inf and logsf[1] == 0.0
    assert np.isfinite([logpdf[2], logcdf[2], logsf[2]]).all()
    np.testing.assert_allclose(np.broadcast_to(ll, y.shape), logpdf, rtol=1e-14)
    for j in range(dens.k):
        assert np.isnan(score[j][0]) and np.isfinite(score[j][2])
        assert all(np.isnan(h[0]) and np.isfinite(h[2]) for h in hess[j])
    if above is not None:
        assert logpdf[3] == -np.inf and logcdf[3] == 0.0 and logsf[3] == -np.inf


def _rows(seed=4, n=50):
    return np.random.default_rng(seed).uniform(0.0, 12.0, n)


def test_weibull_of_shape_one_is_the_exponential():
    y, lam = _rows(), np.random.default_rng(5).uniform(0.5, 3.0, 50)
    weibull, exponential = families.density("weibull")[0], families.density("exponential")[0]
    for what in ("logpdf", "logcdf", "logsf"):
        np.testing.assert_allclose(getattr(weibull, what)(y, 1.0, lam), getattr(exponential, what)(y, 1.0 / lam),
                                   rtol=1e-13, err_msg=what)


def test_rayleigh_is_the_weibull_of_shape_two():
    y, sigma = _rows(), np.random.default_rng(6).uniform(0.5, 3.0, 50)
    weibull, rayleigh = families.density("weibull")[0], families.density("rayleigh")[0]
    for what in ("logpdf", "logcdf", "logsf"):
        want = getattr(weibull, what)(y, 2.0, sigma * math.sqrt(2.0))
        np.testing.assert_allclose(getattr(rayleigh, what)(y, sigma), want, rtol=1e-12, err_msg=what)


def test_pareto_alpha_information_equals_the_fast_path():
    """With xm held at the minimum, the information for alpha is the fast path's n/alpha^2
    (the fast path reports no standard error, only exact intervals, so
    test_generic_path_equals_fast_path cannot compare them)."""
    y = 1.5 * (1.0 + np.random.default_rng(0).pareto(2.5, 301))
    w = np.random.default_rng(1).integers(1, 4, y.size).astype(float)
    generic = fit_rows(families.density("pareto")[0], y, w=w)
    fast = families.get("pareto")
    stats = fast.stats(y, w)
    assert generic.free == (1,)
    assert generic.theta[0] == float(np.min(y))
    np.testing.assert_allclose(generic.information, fast.observed_information(stats, generic.theta)[1:, 1:], rtol=1e-12)
    assert generic.loglik == pytest.approx(fast.loglik(stats, generic.theta), rel=1e-12)


@pytest.mark.parametrize("name", MINE)
def test_samples_follow_the_family(name):
    """The sampler draws from the record's own law: the mean of log F(y) over draws is -1
    (F(Y) is uniform, so -log F(Y) is a unit exponential), within 5 standard errors."""
    dens, _ = families.density(name)
    theta = CASES[name][1]
    y = dens.sample(np.random.default_rng(7), 4000, *theta)
    assert np.mean(-dens.logcdf(y, *theta)) == pytest.approx(1.0, abs=5.0 / math.sqrt(y.size))


@pytest.mark.parametrize("a, b", [(200.0, 300.0), (1e4, 2e4), (1e6, 3e6), (1e6 * math.pi, 3e6 * math.e), (25.0, 3.0),
                                  (1e3, 0.7), (0.7, 1e3), (12.0, 9.0)])
def test_beta_large_shapes_equal_mpmath(a, b):
    """Where a + b is large, (a - 1) log y, (b - 1) log(1 - y) and log B(a, b) are each
    far larger than log f (scipy's beta.logpdf loses 9 digits at (1e6, 3e6)): log f and
    the score keep their digits, at the mode, in the body and near 0 and 1."""
    dens, _ = families.density("beta")
    m = a / (a + b)
    sd = math.sqrt(m * (1 - m) / (a + b))
    y = np.clip(np.array([m - 3 * sd, m, m + 2 * sd, 1e-3, 0.999, 1e-200, 1 - 2.0 ** -52]), 1e-300, 1 - 2.0 ** -53)
    ll, score, _ = dens.derivs(y, a, b)
    np.testing.assert_array_equal(dens.logpdf(y, a, b), ll)
    with mp.workdps(50):
        for i, v in enumerate(y):
            yy, aa, bb = mp.mpf(v), mp.mpf(a), mp.mpf(b)
            want = (aa - 1) * mp.log(yy) + (bb - 1) * mp.log1p(-yy) - mp.log(mp.beta(aa, bb))
            assert ll[i] == pytest.approx(float(want), rel=2e-13, abs=2e-14), f"log f({v})"
            for j, (log_side, shape) in enumerate(((mp.log(yy), aa), (mp.log1p(-yy), bb))):
                want = log_side - mp.digamma(shape) + mp.digamma(aa + bb)
                scale = abs(float(log_side)) + abs(float(mp.digamma(shape)))
                assert score[j][i] == pytest.approx(float(want), abs=1e-13 * scale), f"score {j} at {v}"


@pytest.mark.parametrize("seed, n", [(0, 15), (4, 2000), (5, 2000)])
def test_beta_generic_path_converges_at_large_shapes(seed, n):
    """beta(200, 300): with log f from the direct form, its rounding (some 1e-13 a row)
    hid the rise the line search looked for and Newton stalled; now it converges to the
    fast path's estimate."""
    import mlefit
    y = np.random.default_rng(seed).beta(200.0, 300.0, n)
    generic = fit_rows(families.density("beta")[0], y)
    fast = mlefit.fit(y, "beta")
    assert generic.converged, generic.message
    np.testing.assert_allclose(generic.theta, [p.estimate for p in fast.parameters], rtol=1e-8)
    assert generic.loglik == pytest.approx(fast.loglik, rel=1e-12)


@pytest.mark.parametrize("seed", [0, 3])
def test_inverse_gaussian_generic_path_at_1e100(seed):
    """mu = 1e100, lambda = 1e102: the Hessian in mu is lambda (2 mu - 3 y)/mu^4, and mu^4
    overflows; taken without forming a power of mu, the generic path converges to the
    fast path's estimate."""
    import mlefit
    y = np.random.default_rng(seed).wald(1e100, 1e102, 3000)
    generic = fit_rows(families.density("inverse_gaussian")[0], y)
    fast = mlefit.fit(y, "inverse_gaussian")
    assert generic.converged, generic.message
    np.testing.assert_allclose(generic.theta, [p.estimate for p in fast.parameters], rtol=1e-8)
    assert generic.loglik == pytest.approx(fast.loglik, rel=1e-12)
