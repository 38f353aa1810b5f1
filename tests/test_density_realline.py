"""Checks of the per-row real-line families (laplace, logistic, cauchy, gumbel,
log_logistic, student_t, huber, asymmetric_laplace) beyond the shared contract in
test_density.py: tails past the underflow of the probability, the support, the fixed
shapes given per row, the samplers, and the flat maximum of the laplace likelihood."""
import math
import warnings

import numpy as np
import pytest

from mlefit import families
from mlefit.likelihood import fit_rows

ALL = ["laplace", "logistic", "cauchy", "gumbel", "log_logistic", "student_t", "huber:1.345",
       "asymmetric_laplace:0.3"]
THETA = {"laplace": (-1.0, 0.7), "logistic": (0.5, 1.3), "cauchy": (-2.0, 0.8), "gumbel": (2.0, 1.5),
         "log_logistic": (3.0, 2.0), "student_t": (1.0, 2.0, 4.0), "huber:1.345": (0.7,),
         "asymmetric_laplace:0.3": (1.0, 0.8)}


def test_student_t_tails_in_closed_form_at_df_2():
    """At df = 2, P(T > z) = 1/(s (s + z)), s = sqrt(2 + z^2): on the log scale to the last
    digits, also at z = 1e150, where the probability (1e-300) is near underflow, and at
    z = 1e-9, next to the centre."""
    dens, _ = families.density("student_t")
    for z in (1e-9, 0.3, 3.0, 1e3, 1e100, 1e150):
        r = 2.0 / (z * z)
        want = -2.0 * math.log(z) - 0.5 * math.log1p(r) - math.log1p(math.sqrt(1.0 + r)) if z > 1 else \
            -math.log(math.sqrt(2 + z * z) * (math.sqrt(2 + z * z) + z))
        assert float(dens.logsf(z, 0.0, 1.0, 2.0)) == pytest.approx(want, rel=1e-13)
        assert float(dens.logcdf(-z, 0.0, 1.0, 2.0)) == pytest.approx(want, rel=1e-13)
        assert float(dens.logcdf(z, 0.0, 1.0, 2.0)) == pytest.approx(math.log1p(-math.exp(want)), rel=1e-13)


def test_student_t_beyond_underflow_and_at_the_normal_limit():
    """Where P(T < z) underflows (below 1e-308) the log tail still holds: at df = 1e30 it
    is the normal's, and at df = 1e6 it lies just above the normal's by about z^4/(4 df)."""
    from scipy.special import log_ndtr
    dens, _ = families.density("student_t")
    for z in (-3.0, -50.0, -300.0):
        assert float(dens.logcdf(z, 0.0, 1.0, 1e30)) == pytest.approx(float(log_ndtr(z)), rel=1e-12)
    gap = float(dens.logcdf(-50.0, 0.0, 1.0, 1e6)) - float(log_ndtr(-50.0))
    assert gap == pytest.approx(50.0 ** 4 / 4e6, rel=0.05)
    assert np.isfinite(dens.logsf(1e80, 0.0, 1.0, 4.0)) and dens.logsf(1e80, 0.0, 1.0, 4.0) < -700


def test_student_t_df_per_row_equals_one_df_at_a_time():
    dens, _ = families.density("student_t")
    y = np.linspace(-6.0, 6.0, 7)
    df = np.array([0.5, 1.0, 2.0, 4.0, 4.0, 30.0, 1e30])
    for f in (dens.logpdf, dens.logcdf, dens.logsf):
        np.testing.assert_array_equal(f(y, 0.5, 1.5, df), [float(f(y[i:i + 1], 0.5, 1.5, df[i])[0]) for i in range(7)])
    _, score, hess = dens.derivs(y, 0.5, 1.5, df)
    for i in range(7):
        _, s1, h1 = dens.derivs(y[i:i + 1], 0.5, 1.5, df[i])
        assert [float(s[i]) for s in score] == [float(s[0]) for s in s1]
        assert [[float(v[i]) for v in row] for row in hess] == [[float(v[0]) for v in row] for row in h1]


def test_gumbel_logsf_where_exp_minus_z_underflows():
    dens, _ = families.density("gumbel")
    for z in (30.0, 800.0, 1e6):
        assert float(dens.logsf(2.0 + 1.5 * z, 2.0, 1.5)) == pytest.approx(-z - 0.5 * math.exp(-z), rel=1e-15)
    assert float(dens.logcdf(2.0 - 1.5 * 700.0, 2.0, 1.5)) == pytest.approx(-math.exp(700.0), rel=1e-14)


@pytest.mark.parametrize("name", ["logistic", "cauchy", "laplace", "huber:1.345"])
def test_symmetric_tails_mirror(name):
    """For a symmetric family, log F(mu - d) = log S(mu + d), far into both tails."""
    dens, shapes = families.density(name)
    theta = THETA[name]
    d = np.array([0.0, 0.1, 1.0, 10.0, 300.0, 1e5])
    mu, scale = theta[0], (theta[1] if len(theta) > 1 else 1.0)
    np.testing.assert_allclose(dens.logcdf(mu - scale * d, *theta, *shapes), dens.logsf(mu + scale * d, *theta, *shapes),
                               rtol=1e-14)
    assert np.all(np.isfinite(dens.logcdf(mu - scale * d, *theta, *shapes)))


@pytest.mark.parametrize("name", ALL)
def test_infinite_values_without_warnings(name):
    """y = -inf and +inf: density 0, F = 0 and 1, S = 1 and 0; log_logistic also at and
    below 0 (outside its support); no warning on the way."""
    dens, shapes = families.density(name)
    y = np.array([-np.inf, np.inf] + ([0.0, -1.0] if name == "log_logistic" else []))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.all(dens.logpdf(y, *THETA[name], *shapes) == -np.inf)
        np.testing.assert_array_equal(dens.logcdf(y, *THETA[name], *shapes), [-np.inf, 0.0] + [-np.inf] * (y.size - 2))
        np.testing.assert_array_equal(dens.logsf(y, *THETA[name], *shapes), [0.0, -np.inf] + [0.0] * (y.size - 2))


@pytest.mark.parametrize("name, shape_values", [("huber", [0.3, 1.345, 4.0]), ("asymmetric_laplace", [0.1, 0.5, 0.9])])
def test_a_fixed_shape_per_row(name, shape_values):
    """A shape given per row (delta, tau) is each row's own: the same as one shape at a time."""
    dens, _ = families.density(name)
    theta = THETA["huber:1.345"] if name == "huber" else THETA["asymmetric_laplace:0.3"]
    y = np.array([-3.0, 0.9, 5.0])
    s = np.array(shape_values)
    for f in (dens.logpdf, dens.logcdf, dens.logsf):
        want = [float(f(y[i:i + 1], *theta, s[i])[0]) for i in range(3)]
        np.testing.assert_allclose(f(y, *theta, s), want, rtol=1e-15)


@pytest.mark.parametrize("name", ["huber:0.5", "huber:1.345", "asymmetric_laplace:0.2", "asymmetric_laplace:0.7"])
def test_samplers_follow_the_distribution_function(name):
    """The samplers written here (no scipy one for huber): a Kolmogorov-Smirnov test of
    20,000 seeded draws against exp(logcdf)."""
    import scipy.stats
    dens, shapes = families.density(name)
    theta = THETA["huber:1.345"] if name.startswith("huber") else THETA["asymmetric_laplace:0.3"]
    draws = dens.sample(np.random.default_rng(5), 20000, *theta, *shapes)
    assert scipy.stats.kstest(draws, lambda v: np.exp(dens.logcdf(v, *theta, *shapes))).pvalue > 1e-3


def test_laplace_flat_maximum_with_an_even_total_weight():
    """With an even total weight every mu between the two middle values maximises the
    laplace likelihood: the weighted fit and the fit of the repeated rows reach the same
    log-likelihood, and each mu lies in that interval (test_density.py's weights test
    compares the two mu, which may differ there)."""
    dens, _ = families.density("laplace")
    y = np.random.default_rng(2).laplace(-1.0, 0.7, 80)
    w = np.random.default_rng(3).integers(1, 4, y.size).astype(float)
    assert w.sum() % 2 == 0
    rows = np.sort(np.repeat(y, w.astype(int)))
    lo, hi = rows[rows.size // 2 - 1], rows[rows.size // 2]
    a, b = fit_rows(dens, y, w=w), fit_rows(dens, rows)
    assert a.loglik == pytest.approx(b.loglik, rel=1e-12)
    for fit in (a, b):
        assert lo <= fit.theta[0] <= hi
        assert fit.theta[1] == pytest.approx(np.mean(np.abs(rows - fit.theta[0])), rel=1e-7)


@pytest.mark.parametrize("check, extra", [("test_logpdf_per_row_equals_scipy", ()),
                                          ("test_tails_per_row_equal_scipy", ("logcdf",)),
                                          ("test_tails_per_row_equal_scipy", ("logsf",)),
                                          ("test_score_and_hessian_equal_numeric_derivatives", ()),
                                          ("test_generic_path_equals_fast_path", ()),
                                          ("test_weights_are_repeated_rows", ())])
def test_huber_contract_with_its_own_sampler(check, extra, monkeypatch):
    """test_density.py draws its huber rows with families.get('huber:1.345').draw, which
    raises TypeError (the huber Family has no sampler and no scipy equivalent); its
    contract checks, run here on rows from the per-row record's exact sampler."""
    import test_density
    dens, shapes = families.density("huber:1.345")
    monkeypatch.setitem(test_density.CASES, "huber:1.345",
                        (lambda rng, n: dens.sample(rng, n, 0.7, *shapes), (0.7,)))
    getattr(test_density, check)("huber:1.345", *extra)
