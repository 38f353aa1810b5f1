"""Robust (sandwich) standard errors and TIC: mlefit.inference.sandwich.

References: closed forms derived by hand below (each checked by an independent numeric
computation or by statsmodels' HC0 covariance), and analytic per-observation scores."""
import math
import warnings
from dataclasses import replace

import numpy as np
import pytest
from scipy.special import digamma

import mlefit
from mlefit.errors import DataError, UsageError
from mlefit.inference.sandwich import Robust, robust, scores
from tests.cases import NUMERIC, sample


def fitted(x, family, **options):
    return mlefit.fit(x, family, **options).fitted


# ---------------------------------------------------------------- scores
def _analytic_scores(name, x, theta):
    if name == "normal":
        m, s = theta
        return np.column_stack([(x - m) / s ** 2, ((x - m) ** 2 - s ** 2) / s ** 3])
    if name == "poisson":
        return (x / theta[0] - 1.0)[:, None]
    if name == "gamma":  # shape a, rate b: log f = a log b - lgamma(a) + (a-1) log x - b x
        a, b = theta
        return np.column_stack([math.log(b) - digamma(a) + np.log(x), a / b - x])
    raise KeyError(name)


@pytest.mark.parametrize("name", ["normal", "poisson", "gamma"])
def test_scores_match_analytic(name):
    x, _ = sample(name, 400, 5)
    f = fitted(x, name)
    got = scores(f)
    assert got.shape == (x.size, len(f.regular))
    exact = _analytic_scores(name, x, f.theta)
    # relative to each parameter's score scale: scores of rows at the estimate are ~0
    np.testing.assert_allclose(got, exact, rtol=1e-6, atol=1e-9 * np.abs(exact).max())
    np.testing.assert_allclose(got.sum(axis=0), 0.0, atol=1e-6 * np.abs(exact).sum())  # at the MLE


def test_scores_of_a_mean_at_zero():
    """A real parameter at 0 has no relative scale: the step comes from the information."""
    x = np.random.default_rng(1).normal(0.0, 3.0, 200)
    x = x - x.mean()
    f = fitted(x, "normal")
    assert abs(f.theta[0]) < 1e-12
    np.testing.assert_allclose(scores(f)[:, 0], (x - f.theta[0]) / f.theta[1] ** 2, rtol=1e-7, atol=1e-12)


def test_scores_per_row_trials():
    rng = np.random.default_rng(3)
    t = rng.integers(1, 20, 200)
    x = rng.binomial(t, 0.3).astype(float)
    f = fitted(x, "binomial", trials=t)
    p = f.theta[0]
    # the analytic per-row scores, the trials given to the per-row record as data (issue 15, point 2)
    np.testing.assert_allclose(scores(f)[:, 0], (x - t * p) / (p * (1 - p)), rtol=1e-13, atol=1e-12)
    # V = sum (x - t p)^2 / (sum t)^2 (H = T / (p (1 - p)), s = (x - t p) / (p (1 - p)))
    assert robust(f).se[0] == pytest.approx(math.sqrt(np.sum((x - t * p) ** 2)) / t.sum(), rel=1e-13)


# ---------------------------------------------------------------- poisson
def test_poisson_closed_form_and_statsmodels():
    import statsmodels.api as sm
    x = np.random.default_rng(7).negative_binomial(3, 0.4, 500).astype(float)
    f = fitted(x, "poisson")
    r = robust(f)
    n, rate = x.size, f.theta[0]
    # s_i = x_i / rate - 1, H = sum x / rate^2 = n / rate: V = sum (x - xbar)^2 / n^2
    assert r.cov[0, 0] == pytest.approx(np.sum((x - x.mean()) ** 2) / n ** 2, rel=1e-7)
    glm = sm.GLM(x, np.ones((n, 1)), family=sm.families.Poisson()).fit(cov_type="HC0")
    assert math.exp(glm.params[0]) == pytest.approx(rate, rel=1e-9)
    assert r.se[0] == pytest.approx(rate * glm.bse[0], rel=1e-6)  # delta method: d rate / d b = rate


# ---------------------------------------------------------------- normal
def _complex_step_sandwich(x, m, s):
    """An independent sandwich for the normal: per-observation scores by complex-step
    differentiation of a hand-written log density, H by central differences of their
    sum (the score is linear/cubic in the parameters: no truncation to speak of)."""
    def logpdf(mu, sigma):
        return -np.log(sigma) - 0.5 * np.log(2 * np.pi) - (x - mu) ** 2 / (2 * sigma ** 2)

    def score(mu, sigma, h=1e-30):
        return np.column_stack([logpdf(mu + 1j * h, sigma).imag / h, logpdf(mu, sigma + 1j * h).imag / h])

    sc = score(m, s)
    jay = sc.T @ sc
    d = 1e-5
    aitch = -np.column_stack([(score(m + d, s).sum(0) - score(m - d, s).sum(0)) / (2 * d),
                              (score(m, s + d).sum(0) - score(m, s - d).sum(0)) / (2 * d)])
    inv = np.linalg.inv(0.5 * (aitch + aitch.T))
    return inv @ jay @ inv


def test_normal_closed_forms():
    import statsmodels.api as sm
    x = np.random.default_rng(11).gamma(2.0, 1.5, 400)  # skewed: the sigma sandwich differs
    f = fitted(x, "normal")
    r = robust(f)
    n, (m, s) = x.size, f.theta
    s2 = s * s
    # mu: J = sum (x-m)^2 / s^4 = n / s^2 = H, so V = s2 / n, the model's own variance
    assert r.cov[0, 0] == pytest.approx(s2 / n, rel=1e-7)
    assert r.cov[0, 0] == pytest.approx(f.cov[0, 0], rel=1e-7)
    # sigma: s_i = ((x-m)^2 - s2) / s^3, H = 2n / s2: V = sum((x-m)^2 - s2)^2 / (4 s2 n^2)
    closed = np.sum(((x - m) ** 2 - s2) ** 2) / (4 * s2 * n ** 2)
    assert r.cov[1, 1] == pytest.approx(closed, rel=1e-7)
    independent = _complex_step_sandwich(x, m, s)
    np.testing.assert_allclose(independent, r.cov, rtol=1e-6, atol=1e-9 * closed)
    assert closed == pytest.approx(independent[1, 1], rel=1e-6)
    ols = sm.OLS(x, np.ones((n, 1))).fit(cov_type="HC0")
    assert r.se[0] == pytest.approx(ols.bse[0], rel=1e-7)
    # skewed data: the robust sigma SE is well above the model's (sqrt(s2 / (2n)))
    assert r.se[1] > 1.2 * math.sqrt(f.cov[1, 1])


# ---------------------------------------------------------------- weights
@pytest.mark.parametrize("name", ["poisson", "gamma", "normal_mixture:2"])
def test_integer_weight_is_repeated_rows(name):
    x, _ = sample(name, 120, 4)
    k = np.random.default_rng(9).integers(1, 4, x.size)
    a = robust(fitted(x, name, weights=k))
    b = robust(fitted(np.repeat(x, k), name))
    np.testing.assert_allclose([s for s in a.se if s is not None], [s for s in b.se if s is not None],
                               rtol=1e-6)
    assert a.tic == pytest.approx(b.tic, rel=1e-9)


def test_weights_count_in_the_outer_product():
    """Doubling every weight halves the sandwich variance (J and H both double)."""
    x, _ = sample("gamma", 150, 6)
    one, two = robust(fitted(x, "gamma")), robust(fitted(x, "gamma", weights=np.full(x.size, 2.0)))
    np.testing.assert_allclose(two.cov, one.cov / 2.0, rtol=1e-7)


# ---------------------------------------------------------------- TIC
def test_tic_near_aic_when_the_family_is_right():
    x = np.random.default_rng(12).gamma(2.5, 1.0, 5000)
    res = mlefit.fit(x, "gamma")
    r = robust(res)
    assert abs(r.tic - res.aic) < 2.0
    assert not r.notes


def test_tic_far_from_aic_and_a_note_when_overdispersed():
    x = np.random.default_rng(13).negative_binomial(0.5, 0.5 / 5.5, 2000).astype(float)  # mean 5, var 55
    res = mlefit.fit(x, "poisson")
    r = robust(res)
    # trace(J H^-1) = sum (x - xbar)^2 / sum x: about var / mean = 11
    trace = np.sum((x - x.mean()) ** 2) / x.sum()
    assert r.tic == pytest.approx(-2 * res.loglik + 2 * trace, rel=1e-9)
    assert r.tic - res.aic > 10
    ratio = r.se[0] / res.parameters[0].se
    assert ratio > 3
    assert len(r.notes) == 1 and "rate" in r.notes[0] and "overdispersion" in r.notes[0]
    assert f"{ratio:.3g}" in r.notes[0]


def test_underdispersion_note():
    x = np.random.default_rng(14).binomial(20, 0.9, 500).astype(float)  # var / mean = 0.1
    r = robust(fitted(x, "poisson"))
    assert len(r.notes) == 1 and "underdispersion" in r.notes[0]


# ---------------------------------------------------------------- fixed and exact
def test_fixed_parameter_gets_none():
    x = np.random.default_rng(15).normal(0.3, 1.2, 300)
    f = fitted(x, "normal", fix={"mu": 0.0})
    r = robust(f)
    assert r.se[0] is None and np.isnan(r.cov[0]).all()
    n, s2 = x.size, f.theta[1] ** 2
    # given mu = 0: sigma^2 = mean(x^2), the same closed form about 0
    jay = np.sum((x ** 2 - s2) ** 2) / s2 ** 3
    assert r.se[1] ** 2 == pytest.approx(jay * s2 ** 2 / (4 * n ** 2), rel=1e-7)
    # TIC counts the free parameter only: trace = J / H with H = 2n / s2
    assert r.tic == pytest.approx(-2 * f.loglik + 2 * jay * s2 / (2 * n), rel=1e-9)


def test_pareto_alpha_given_the_bound():
    x, _ = sample("pareto", 400, 3)
    res = mlefit.fit(x, "pareto")
    f, r = res.fitted, robust(res)
    xm, alpha = f.theta
    assert r.se[0] is None and "xm" in r.notes[0]
    # alpha given xm: s_i = 1/alpha - log(x/xm), H = n / alpha^2
    s = 1.0 / alpha - np.log(x / xm)
    n = x.size
    assert r.se[1] ** 2 == pytest.approx(np.sum(s ** 2) * alpha ** 4 / n ** 2, rel=1e-7)
    # xm counts as one parameter in TIC, as in AIC
    assert r.tic == pytest.approx(-2 * f.loglik + 2 * (np.sum(s ** 2) * alpha ** 2 / n + 1), rel=1e-9)


def test_uniform_has_no_robust_errors():
    res = mlefit.fit(sample("uniform", 100, 1)[0], "uniform")
    r = robust(res)
    assert r.se == (None, None) and r.cov is None
    assert r.tic == pytest.approx(res.aic)


def test_boundary_estimates_get_none():
    rng = np.random.default_rng(0)
    x = rng.poisson(2.0, 300).astype(float)
    x = np.r_[x[x > 0], 0.0]  # too few zeros: pi = 0
    f = fitted(x, "zero_inflated_poisson")
    assert f.exact == {0}
    r = robust(f)
    assert r.se[0] is None and r.se[1] > 0
    x = np.random.default_rng(0).uniform(-1, 1, 100)  # light tails: df at infinity
    f = fitted(x, "student_t")
    assert f.exact == {2}
    r = robust(f)
    assert r.se[2] is None and r.se[0] > 0 and r.se[1] > 0
    assert r.tic == pytest.approx(-2 * f.loglik + 2 * (np.trace(
        np.linalg.solve(f.family.observed_information(f.stats, f.theta)[:2, :2],
                        _cross(scores(f)))) + 1), rel=1e-6)


def _cross(s):
    return s.T @ s


# ---------------------------------------------------------------- every family
@pytest.mark.parametrize("name", NUMERIC)
def test_every_family(name):
    x, _ = sample(name, 300, 2)
    res = mlefit.fit(x, name)
    f = res.fitted
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = robust(res)
    assert isinstance(r, Robust)
    covered = set(f.regular) | ({1} if name == "pareto" else set())
    for i, se in enumerate(r.se):
        if i in covered:
            assert isinstance(se, float) and math.isfinite(se) and se > 0, (name, i, se)
            # the family is right: robust and model errors agree roughly
            model = res.parameters[i].se
            if model is not None:
                assert 0.6 < se / model < 1.6, (name, i, se, model)
        else:
            assert se is None
    assert isinstance(r.tic, float) and abs(r.tic - res.aic) < 10


def test_mixture_weights_share_one_error():
    x, _ = sample("normal_mixture:2", 400, 8)
    f = fitted(x, "normal_mixture:2")
    r = robust(f)
    assert r.se[0] == pytest.approx(r.se[3], rel=1e-9)  # w[2] = 1 - w[1]
    assert r.cov[0, 3] == pytest.approx(-r.cov[0, 0], rel=1e-9)
    assert np.all(np.isfinite(r.cov)) and np.all(np.linalg.eigvalsh(r.cov) > -1e-12)


def test_mixture_against_an_independent_sandwich():
    """Free parameters (w1, mu1, s1, mu2, s2), w2 = 1 - w1: scores by complex step of a
    hand-written density, H by central differences of their sum."""
    x, _ = sample("normal_mixture:2", 400, 8)
    f = fitted(x, "normal_mixture:2")
    r = robust(f)

    def logpdf(p):
        w1, m1, s1, m2, s2 = p
        dens = (w1 * np.exp(-0.5 * ((x - m1) / s1) ** 2) / s1
                + (1 - w1) * np.exp(-0.5 * ((x - m2) / s2) ** 2) / s2)
        return np.log(dens / math.sqrt(2 * math.pi))

    def score(p, h=1e-30):
        return np.column_stack([logpdf(p + 1j * h * e).imag / h for e in np.eye(5)])

    w1, m1, s1, _, m2, s2 = f.theta
    p = np.array([w1, m1, s1, m2, s2])
    sc = score(p)
    d = 1e-5 * np.array([1.0, 1.0, 1.0, 1.0, 1.0])
    aitch = -np.column_stack([(score(p + d[j] * e).sum(0) - score(p - d[j] * e).sum(0)) / (2 * d[j])
                              for j, e in enumerate(np.eye(5))])
    inv = np.linalg.inv(0.5 * (aitch + aitch.T))
    v = inv @ (sc.T @ sc) @ inv
    np.testing.assert_allclose([r.se[i] for i in (0, 1, 2, 4, 5)], np.sqrt(np.diag(v)), rtol=1e-5)
    assert r.tic == pytest.approx(-2 * f.loglik + 2 * np.trace((sc.T @ sc) @ inv), rel=1e-7)


def test_one_component_mixture_is_the_normal():
    x = np.random.default_rng(16).gamma(2.0, 1.0, 200)
    a, b = robust(fitted(x, "normal_mixture:1")), robust(fitted(x, "normal"))
    assert a.se[0] is None  # w[1] = 1 by construction
    np.testing.assert_allclose(a.se[1:], b.se, rtol=1e-7)
    assert a.tic == pytest.approx(b.tic, rel=1e-9)


def test_categorical_is_saturated():
    res = mlefit.fit(list("aabbbcccccd"), "categorical")
    r = robust(res)
    np.testing.assert_array_equal(r.cov, res.fitted.cov)
    assert r.se == tuple(p.se for p in res.parameters)
    assert r.tic == pytest.approx(res.aic)
    assert "saturated" in r.notes[0]
    with pytest.raises(UsageError, match="saturated"):
        scores(res.fitted)


# ---------------------------------------------------------------- failures
def test_singular_information_gives_none_with_a_note():
    f = fitted(sample("gamma", 100, 1)[0], "gamma")
    broken = replace(f, family=replace(f.family, observed_information=lambda s, t: np.ones((2, 2))))
    r = robust(broken)
    assert r.se == (None, None) and r.cov is None and r.tic is None
    assert "cannot be inverted" in r.notes[-1]


def test_information_that_raises():
    f = fitted(sample("gamma", 100, 1)[0], "gamma")

    def bad(s, t):
        raise ZeroDivisionError("float division by zero")

    r = robust(replace(f, family=replace(f.family, observed_information=bad)))
    assert r.se == (None, None) and "cannot be computed" in r.notes[-1]


def test_bad_arguments():
    res = mlefit.fit([1e200, 2e200, 3e200], "normal")  # rescaled: no data kept
    with pytest.raises(DataError, match="change the unit"):
        robust(res)
    with pytest.raises(UsageError, match="take a fit"):
        robust("normal")


@pytest.mark.parametrize("name", ["normal", "gamma", "poisson", "negative_binomial", "binomial:12"])
def test_scores_are_the_analytic_per_row_derivatives(name, monkeypatch):
    """The sandwich's per-row scores come from the family's per-row record, and equal the
    central differences it falls back to where there is none."""
    from mlefit.inference import sandwich
    x, _ = sample(name, n=200)
    fitted = mlefit.fit(x, name).fitted
    assert sandwich._analytic(fitted) is not None
    analytic = sandwich.scores(fitted)
    monkeypatch.setattr(sandwich, "_analytic", lambda f: None)
    numeric = sandwich.scores(fitted)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)
