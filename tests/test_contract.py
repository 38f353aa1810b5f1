"""Contract tests run over every family: each formula is checked against scipy.stats."""
import math

import numpy as np
import pytest
import scipy.integrate
import scipy.optimize
import scipy.stats

import mlefit
from mlefit import families
from mlefit.inference.information import numeric_hessian

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


# Non-regular parameters: bounds of the support, estimated by a sample extreme (pareto xm
# = min x; uniform a = min x, b = max x). The log-likelihood is -inf beyond the extreme and
# still rising at it, so the score is not zero there, a finite difference straddles the
# edge, and no Fisher information exists (the families return NaN in those rows). The
# generic checks below hold the bounds at their estimates and test the other parameters;
# the bounds' exact intervals are checked by simulation in tests/test_positive_bounded.py.
NON_REGULAR = {"pareto": (0,), "uniform": (0, 1)}


def _regular(name, th):
    """f -> f of the regular coordinates of th alone (the others held), and their indices."""
    th = np.asarray(th, dtype=float)
    keep = [i for i in range(th.size) if i not in NON_REGULAR.get(name, ())]

    def restrict(f):
        def g(u):
            full = th.copy()
            full[keep] = u
            return f(full)
        return g
    return restrict, keep


def _sum_to_one(name, th):
    """Like _regular, for normal_mixture: its weights sum to one, so the last is not free
    but follows the others (w[K] = 1 - the others); the optimiser and the score see the
    3K-1 free parameters (the information, with the weights free, is checked as it is)."""
    th = np.asarray(th, dtype=float)
    last = th.size - 3
    keep = [i for i in range(th.size) if i != last]

    def restrict(f):
        def g(u):
            full = th.copy()
            full[keep] = u
            full[last] = 1.0 - full[0:last:3].sum()
            return f(full)
        return g
    return restrict, keep


@pytest.mark.parametrize("name", NUMERIC)
def test_estimate_equals_numeric_optimum(name):
    """An independent optimiser on scipy's NLL lands where mlefit's estimate is (a bound
    of the support stays at its extreme: moving it outward must cost likelihood)."""
    x, theta = sample(name)
    fam, stats, result = estimate(name, x)
    hat = np.array(theta_hat(result))
    restrict, keep = (_sum_to_one if name.startswith("normal_mixture") else _regular)(name, hat)
    domains = [fam.domains(stats)[i] for i in keep]
    nll = scipy_nll(fam, x)
    for i in NON_REGULAR.get(name, ()):
        out = hat.copy()
        out[i] += 1e-6 * max(abs(hat[i]), 1.0) * (-1 if hat[i] == x.min() else 1)
        assert nll(out) > -result.loglik and nll(2 * hat - out) == math.inf
    if not keep:
        return
    method = "Nelder-Mead" if name == "laplace" else "BFGS"
    opt = scipy.optimize.minimize(lambda u: restrict(nll)(_from_free(u, domains)),
                                  _to_free([theta[i] for i in keep], domains),
                                  method=method, options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000}
                                  if method == "Nelder-Mead" else {"gtol": 1e-9})
    assert -result.loglik <= opt.fun + 1e-9 * abs(opt.fun)
    np.testing.assert_allclose(hat[keep], _from_free(opt.x, domains), rtol=2e-4)


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
    if name.startswith("normal_mixture"):  # the score along the constraint: w[K] = 1 - the others
        restrict, keep = _sum_to_one(name, th)
        g = np.insert(_numeric_gradient(restrict(scipy_nll(fam, x)), th[keep]), th.size - 3, 0.0)
    smooth = [i for i in _regular(name, th)[1] if not (name == "laplace" and i == 0)]
    for i in smooth:
        assert abs(g[i]) * max(abs(th[i]), 1.0) / x.size < 1e-6, (i, g)


@pytest.mark.parametrize("name", NUMERIC)
def test_observed_information_equals_numeric_hessian(name):
    """At the estimate and away from it, the analytic information is the Hessian of
    scipy's NLL (Laplace: only the scale, the location has no second derivative; the
    rows of non-regular parameters are NaN, the rest is the Hessian with them held)."""
    x, theta = sample(name)
    fam, stats, result = estimate(name, x)
    for th in (theta_hat(result), theta):
        restrict, keep = _regular(name, th)
        analytic = fam.observed_information(stats, th)
        assert np.isnan(np.delete(analytic, keep, axis=0)).all()
        if not keep:
            continue
        analytic = analytic[np.ix_(keep, keep)]
        numeric = numeric_hessian(restrict(scipy_nll(fam, x)), np.asarray(th)[keep])
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
        top = int(dist0.ppf(1 - 1e-15)) + 1 if dist0 is not None else 10000  # none: the family's cdf
        k = np.arange(0, top + 1, dtype=float)
        w = dist0.pmf(k) if dist0 is not None else np.diff(fam.cdf_values(k, theta0), prepend=0.0)
        k, w = k[w > 0], w[w > 0]
        return lambda th: float(np.sum(w * scipy_logpdf(fam, tuple(th), k)))
    if not math.isfinite(dist0.std()):  # cauchy: in probability space, E = int_0^1 log f(F0^-1(u)) du
        return lambda th: scipy.integrate.quad(lambda u: fam.scipy(tuple(th)).logpdf(dist0.ppf(u)), 0.0, 1.0,
                                               points=[0.5], epsabs=1e-13, epsrel=1e-13, limit=400)[0]
    lo, hi = dist0.ppf(1e-15), dist0.isf(1e-15)
    if not (dist0.cdf(lo) < 1e-12 and dist0.sf(hi) < 1e-12):  # invgauss: boost finds no quantile
        mid = dist0.median()
        lo = scipy.optimize.brentq(lambda t: dist0.cdf(t) - 1e-15, mid * 1e-3, mid)
        hi = scipy.optimize.brentq(lambda t: dist0.sf(t) - 1e-15, mid, mid * 1e3)

    def value(th):
        dist = fam.scipy(tuple(th))
        kinks = [dist0.median()] + ([th[0]] if fam.name == "laplace" else [])
        return scipy.integrate.quad(lambda t: dist0.pdf(t) * dist.logpdf(t), lo, hi, points=kinks,
                                    epsabs=1e-13, epsrel=1e-13, limit=400)[0]
    return value


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in NUMERIC if fam_of(n).expected_information is not None])
def test_expected_information_equals_minus_expected_hessian(name):
    x, theta = sample(name)
    fam, stats, _ = estimate(name, x)
    restrict, keep = _regular(name, theta)
    expected = fam.expected_information(stats, theta)
    assert np.isnan(np.delete(expected, keep, axis=0)).all()
    if not keep:
        return
    per_obs = -numeric_hessian(restrict(_cross_entropy(fam, theta)), np.asarray(theta)[keep], rel_step=1e-3)
    # The Laplace location's curvature is the density at mu, which has a kink there, so
    # the finite difference is only first-order accurate in that one entry.
    rtol = 1e-3 if name == "laplace" else 1e-5
    np.testing.assert_allclose(expected[np.ix_(keep, keep)] / stats.n, per_obs,
                               rtol=rtol, atol=1e-6 * np.abs(per_obs).max())


def _scipy_fit_loglik(name, fam, x):
    """scipy.stats' own fit (loc fixed at 0 where scipy has one), as users would run it."""
    st = scipy.stats
    if name.startswith("normal_mixture"):  # no scipy fit: the best BFGS run from random starts
        from test_mixture import best_of_random_starts
        return best_of_random_starts(x, int(name.split(":")[1]))
    if name == "normal":
        return np.sum(st.norm.logpdf(x, *st.norm.fit(x)))
    if name == "laplace":
        return np.sum(st.laplace.logpdf(x, *st.laplace.fit(x)))
    if name == "uniform":
        return np.sum(st.uniform.logpdf(x, *st.uniform.fit(x)))
    if name in ("student_t", "logistic", "cauchy", "gumbel"):
        dist = {"student_t": st.t, "logistic": st.logistic, "cauchy": st.cauchy, "gumbel": st.gumbel_r}[name]
        return np.sum(dist.logpdf(x, *dist.fit(x)))
    if name in ("exponential", "gamma", "lognormal", "weibull", "log_logistic", "inverse_gaussian",
                "half_normal", "rayleigh", "pareto"):
        dist = {"exponential": st.expon, "gamma": st.gamma, "lognormal": st.lognorm,
                "weibull": st.weibull_min, "log_logistic": st.fisk, "inverse_gaussian": st.invgauss,
                "half_normal": st.halfnorm, "rayleigh": st.rayleigh, "pareto": st.pareto}[name]
        return np.sum(dist.logpdf(x, *dist.fit(x, floc=0)))
    if name == "beta":
        return np.sum(st.beta.logpdf(x, *st.beta.fit(x, floc=0, fscale=1)))
    if name in ("weibull3", "gamma3", "lognormal3"):  # scipy's free loc: an interior maximum here
        dist = {"weibull3": st.weibull_min, "gamma3": st.gamma, "lognormal3": st.lognorm}[name]
        return np.sum(dist.logpdf(x, *dist.fit(x)))
    if name == "zero_inflated_poisson":  # no scipy.stats ZIP: minimise its reference NLL
        nll = scipy_nll(fam, x)
        return -scipy.optimize.minimize(lambda u: nll((1 / (1 + np.exp(-u[0])), np.exp(u[1]))), [0.0, 0.0],
                                        method="Nelder-Mead").fun
    dist, bounds = {"bernoulli": (st.bernoulli, {"p": (0, 1)}),
                    "poisson": (st.poisson, {"mu": (0, 50)}),
                    "geometric": (st.geom, {"p": (0, 1), "loc": (-1, -1)}),
                    "negative_binomial": (st.nbinom, {"n": (0.01, 100), "p": (0, 1)}),
                    "binomial:12": (st.binom, {"n": (12, 12), "p": (0, 1)}),
                    "beta_binomial:20": (st.betabinom, {"n": (20, 20), "a": (0.01, 100), "b": (0.01, 100)})}[name]
    res = st.fit(dist, x, bounds=bounds)
    return np.sum(dist.logpmf(x, *res.params))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n.startswith("normal_mixture") else n
                                  for n in NUMERIC])
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


@pytest.mark.parametrize("name", [n for n in NUMERIC if fam_of(n).spec.discrete])
def test_mass_is_never_nan_around_the_support(name):
    """Below, inside and far above the data (and above the trials): a log mass, or -inf
    where the support ends, never NaN (the bootstrap draws counts from these masses)."""
    fam = fam_of(name)
    x, theta = sample(name, n=50)
    grid = np.concatenate([[-3.0, -1.0, 0.0], x, x.max() + np.arange(1.0, 40.0)])
    with np.errstate(all="ignore"):
        values = np.asarray(fam.logpdf(grid, theta))
    assert not np.any(np.isnan(values)) and not np.any(values == np.inf)


def test_family_lookup_by_any_alias_and_case_is_the_same_record_every_time():
    """families.get keeps what it found by name; every spelling still resolves, and the
    errors of names that are not families (or lack their ':' value) come every time."""
    from mlefit.errors import FamilyError
    assert families.get("Gaussian") is families.get("normal") is families.get("normal")
    assert families.get("nbinom").name == "negative_binomial"
    for bad, said in (("poison", "did you mean 'poisson'"), ("normal:2", "takes no ':'"),
                      ("binomial", "needs the number of trials")):
        for _ in range(2):
            with pytest.raises(FamilyError, match=said):
                families.get(bad)
    assert families.get("binomial:12").name == "binomial:12"
