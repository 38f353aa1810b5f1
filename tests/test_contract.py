"""Contract tests run over every family: each formula is checked against scipy.stats."""
import math

import numpy as np
import pytest
import scipy.integrate
import scipy.optimize
import scipy.stats

import mlefit
from mlefit import families
from mlefit.inference import numeric_hessian

from cases import NUMERIC, sample, scipy_cdf, scipy_logpdf, scipy_nll


def fam_of(name):
    return families.get(name)


def estimate(name, x):
    fam = fam_of(name)
    stats = fam.stats(x, None)
    return fam, stats, mlefit.fit(x, name)


def theta_hat(result):
    return tuple(p.estimate for p in result.parameters)


@pytest.mark.parametrize("name", NUMERIC)
def test_logpdf_equals_scipy(name):
    fam = fam_of(name)
    x, theta = sample(name, n=200)
    for th in (theta, tuple(t * 1.3 for t in theta)):
        if name in ("bernoulli", "geometric"):
            th = (min(th[0], 0.9),)
        np.testing.assert_allclose(fam.logpdf(x, th), scipy_logpdf(fam, th, x), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name", NUMERIC)
def test_loglik_from_statistics_equals_scipy_sum(name):
    x, theta = sample(name)
    fam, stats, result = estimate(name, x)
    for th in (theta, theta_hat(result)):
        assert fam.loglik(stats, th) == pytest.approx(float(np.sum(scipy_logpdf(fam, th, x))), rel=1e-11)
    assert result.loglik == pytest.approx(float(np.sum(scipy_logpdf(fam, theta_hat(result), x))), rel=1e-11)


def _to_free(th, domains):
    return np.array([math.log(t) if d == "positive" else math.log(t / (1 - t)) if d == "unit" else t
                     for t, d in zip(th, domains)])


def _from_free(u, domains):
    return tuple(math.exp(v) if d == "positive" else 1 / (1 + math.exp(-v)) if d == "unit" else v
                 for v, d in zip(u, domains))


@pytest.mark.parametrize("name", NUMERIC)
def test_estimate_equals_numeric_optimum(name):
    """An independent optimiser on scipy's NLL lands where mlefit's estimate is."""
    x, theta = sample(name)
    fam, stats, result = estimate(name, x)
    domains = fam.domains(stats)
    nll = scipy_nll(fam, x)
    method = "Nelder-Mead" if name == "laplace" else "BFGS"
    opt = scipy.optimize.minimize(lambda u: nll(_from_free(u, domains)), _to_free(theta, domains),
                                  method=method, options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000}
                                  if method == "Nelder-Mead" else {"gtol": 1e-9})
    assert -result.loglik <= opt.fun + 1e-9 * abs(opt.fun)
    np.testing.assert_allclose(theta_hat(result), _from_free(opt.x, domains), rtol=2e-4)


def _numeric_gradient(f, th, rel=1e-6):
    th = np.asarray(th, dtype=float)
    g = np.empty_like(th)
    for i in range(th.size):
        h = rel * max(abs(th[i]), 1e-3)
        e = np.zeros_like(th)
        e[i] = h
        g[i] = (f(th + e) - f(th - e)) / (2 * h)
    return g


@pytest.mark.parametrize("name", NUMERIC)
def test_score_is_zero_at_estimate(name):
    x, _ = sample(name)
    fam, stats, result = estimate(name, x)
    th = np.array(theta_hat(result))
    g = _numeric_gradient(scipy_nll(fam, x), th)
    smooth = [i for i in range(th.size) if not (name == "laplace" and i == 0)]
    for i in smooth:
        assert abs(g[i]) * max(abs(th[i]), 1.0) / x.size < 1e-6, (i, g)


@pytest.mark.parametrize("name", NUMERIC)
def test_observed_information_equals_numeric_hessian(name):
    """At the estimate and away from it, the analytic information is the Hessian of
    scipy's NLL (Laplace: only the scale, the location has no second derivative)."""
    x, theta = sample(name)
    fam, stats, result = estimate(name, x)
    for th in (theta_hat(result), theta):
        analytic = fam.observed_information(stats, th)
        numeric = numeric_hessian(scipy_nll(fam, x), th)
        if name == "laplace":
            analytic, numeric = analytic[1:, 1:], numeric[1:, 1:]
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-5 * np.abs(numeric).max())


@pytest.mark.parametrize("name", NUMERIC)
def test_cdf_and_draws_match_scipy(name):
    """The distribution function and the sampler the goodness-of-fit bootstrap uses: the
    CDF equals scipy's (also between and beyond the support points of discrete families),
    and 4,000 seeded draws stay within the 0.1% Kolmogorov bound of it."""
    fam = fam_of(name)
    x, theta = sample(name, n=200)
    grid = np.sort(np.concatenate([x, x + 0.5, [x.min() - 1.0, x.max() + 1.0]]))
    np.testing.assert_allclose(fam.cdf_values(grid, theta), scipy_cdf(fam, theta, grid),
                               rtol=1e-9, atol=1e-12)
    draws = np.sort(fam.draw(np.random.default_rng(3), 4000, theta))
    assert draws.shape == (4000,) and draws.dtype == np.float64
    fn = np.searchsorted(draws, grid, side="right") / draws.size
    assert np.max(np.abs(fn - scipy_cdf(fam, theta, grid))) < 1.95 / math.sqrt(draws.size)


def _cross_entropy(fam, theta0):
    """theta -> E_theta0[log f(X; theta)], by quadrature or summation over the support."""
    dist0 = fam.scipy(theta0)
    if fam.spec.discrete:
        top = int(dist0.ppf(1 - 1e-15)) + 1
        k = np.arange(0, top + 1, dtype=float)
        w = dist0.pmf(k)
        k, w = k[w > 0], w[w > 0]
        return lambda th: float(np.sum(w * scipy_logpdf(fam, tuple(th), k)))
    lo, hi = dist0.ppf(1e-15), dist0.isf(1e-15)

    def value(th):
        dist = fam.scipy(tuple(th))
        kinks = [dist0.median()] + ([th[0]] if fam.name == "laplace" else [])
        return scipy.integrate.quad(lambda t: dist0.pdf(t) * dist.logpdf(t), lo, hi, points=kinks,
                                    epsabs=1e-13, epsrel=1e-13, limit=400)[0]
    return value


@pytest.mark.parametrize("name", [n for n in NUMERIC if fam_of(n).expected_information is not None])
def test_expected_information_equals_minus_expected_hessian(name):
    x, theta = sample(name)
    fam, stats, _ = estimate(name, x)
    per_obs = -numeric_hessian(_cross_entropy(fam, theta), theta, rel_step=1e-3)
    # The Laplace location's curvature is the density at mu, which has a kink there, so
    # the finite difference is only first-order accurate in that one entry.
    rtol = 1e-3 if name == "laplace" else 1e-5
    np.testing.assert_allclose(fam.expected_information(stats, theta) / stats.n, per_obs,
                               rtol=rtol, atol=1e-6 * np.abs(per_obs).max())


def _scipy_fit_loglik(name, fam, x):
    """scipy.stats' own fit (loc fixed at 0 where scipy has one), as users would run it."""
    st = scipy.stats
    if name == "normal":
        return np.sum(st.norm.logpdf(x, *st.norm.fit(x)))
    if name == "laplace":
        return np.sum(st.laplace.logpdf(x, *st.laplace.fit(x)))
    if name in ("exponential", "gamma", "lognormal", "weibull"):
        dist = {"exponential": st.expon, "gamma": st.gamma, "lognormal": st.lognorm,
                "weibull": st.weibull_min}[name]
        return np.sum(dist.logpdf(x, *dist.fit(x, floc=0)))
    if name == "beta":
        return np.sum(st.beta.logpdf(x, *st.beta.fit(x, floc=0, fscale=1)))
    dist, bounds = {"bernoulli": (st.bernoulli, {"p": (0, 1)}),
                    "poisson": (st.poisson, {"mu": (0, 50)}),
                    "geometric": (st.geom, {"p": (0, 1), "loc": (-1, -1)}),
                    "negative_binomial": (st.nbinom, {"n": (0.01, 100), "p": (0, 1)})}[name]
    res = st.fit(dist, x, bounds=bounds)
    return np.sum(dist.logpmf(x, *res.params))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("name", NUMERIC)
def test_loglik_never_below_scipy_fit(name, seed):
    x, _ = sample(name, n=500, seed=seed)
    fam = fam_of(name)
    result = mlefit.fit(x, name)
    ref = _scipy_fit_loglik(name, fam, x)
    assert result.loglik >= ref - 1e-9 * abs(ref)


def test_categorical_against_scipy_multinomial():
    rng = np.random.default_rng(5)
    x = rng.choice(["red", "green", "blue", "gold"], size=400, p=[0.4, 0.3, 0.2, 0.1])
    r = mlefit.fit(x, "categorical")
    p = [q.estimate for q in r.parameters]
    labels = [q.name[2:-1] for q in r.parameters]
    onehot = np.array([[lab == v for lab in labels] for v in x], dtype=float)
    ref = np.sum(scipy.stats.multinomial(1, p).logpmf(onehot))
    assert r.loglik == pytest.approx(ref, rel=1e-12)
    # the closed form is the optimum: any other probability vector does worse
    for _ in range(20):
        q = rng.dirichlet(np.ones(4))
        assert np.sum(scipy.stats.multinomial(1, q).logpmf(onehot)) < r.loglik
    # SE from the multinomial variances p(1-p)/n, equal to inverting the information
    fam = fam_of("categorical")
    stats = fam.stats(x, None)
    cov_free = np.linalg.inv(fam.observed_information(stats, p))
    np.testing.assert_allclose(np.sqrt(np.diag(cov_free)), [q.se for q in r.parameters[:-1]], rtol=1e-12)
    nll_free = lambda u: -np.sum(scipy.stats.multinomial(1, [*u, 1 - sum(u)]).logpmf(onehot))  # noqa: E731
    np.testing.assert_allclose(numeric_hessian(nll_free, p[:-1]), fam.observed_information(stats, p),
                               rtol=1e-5)
