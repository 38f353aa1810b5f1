"""Derived quantities (mlefit.inference.derive): values against scipy.stats or formulas written
here, delta-method standard errors against analytic or mpmath gradients with the fit's
covariance, intervals that stay in range, and clear refusals."""
import json
import math
from dataclasses import replace
from statistics import NormalDist

import mpmath
import numpy as np
import pytest
import scipy.stats
from cases import CASES, _mixture_cdf, _mixture_logpdf, _zip_cdf, _zip_logpmf, sample
from scipy import integrate

import mlefit
from mlefit import families
from mlefit.inference.derive import STEP_NOTE, delta, derive, quantity
from mlefit.errors import UsageError


def fitted(name, n=300, seed=0, **options):
    x, _ = sample(name, n, seed)
    return mlefit.fit(x, name, **options).fitted


def derived(f, spec):
    return delta(f, quantity(f, spec))


def se_from(f, grad):
    """sqrt(g' V g) over the regular parameters, with the fit's covariance."""
    g = np.asarray(grad, dtype=float)
    idx = list(f.regular)
    return math.sqrt(g @ f.cov[np.ix_(idx, idx)] @ g)


def z(level=0.95):
    return NormalDist().inv_cdf(0.5 + level / 2)


# ---------------------------------------------------------------- delta method: SEs
def test_exponential_mean_se_is_se_rate_over_rate_squared():
    f = fitted("exponential")
    (rate,) = f.theta
    d = derived(f, "mean")
    assert d.estimate == pytest.approx(1 / rate, rel=1e-14)
    assert d.se == pytest.approx(math.sqrt(f.cov[0, 0]) / rate ** 2, rel=1e-7)
    assert d.interval == "delta method, log scale"
    assert d.ci_lower == pytest.approx(d.estimate * math.exp(-z() * d.se / d.estimate), rel=1e-12)


def test_gamma_mean_uses_the_full_covariance():
    f = fitted("gamma")
    shape, rate = f.theta
    assert abs(f.cov[0, 1]) > 0.5 * math.sqrt(f.cov[0, 0] * f.cov[1, 1])  # correlated: matters
    d = derived(f, "mean")
    assert d.estimate == pytest.approx(shape / rate, rel=1e-12)
    assert d.se == pytest.approx(se_from(f, [1 / rate, -shape / rate ** 2]), rel=1e-7)
    diagonal_only = math.sqrt(f.cov[0, 0] / rate ** 2 + f.cov[1, 1] * shape ** 2 / rate ** 4)
    assert abs(d.se - diagonal_only) > 0.1 * d.se


def test_a_gamma_expression_equals_its_variance():
    f = fitted("gamma")
    shape, rate = f.theta
    e, v = derived(f, "shape/rate^2"), derived(f, "var")
    assert e.estimate == pytest.approx(shape / rate ** 2, rel=1e-12)
    assert v.estimate == pytest.approx(e.estimate, rel=1e-12)
    assert e.se == pytest.approx(se_from(f, [1 / rate ** 2, -2 * shape / rate ** 3]), rel=1e-7)
    assert v.se == pytest.approx(e.se, rel=1e-7)
    # positive over the whole parameter space, as the variance is: the same log-scale
    # interval however it is written (issue 19, point 9)
    assert e.interval == v.interval == "delta method, log scale"
    assert (e.ci_lower, e.ci_upper) == pytest.approx((v.ci_lower, v.ci_upper), rel=1e-7)
    assert e.ci_lower == pytest.approx(e.estimate * math.exp(-z() * e.se / e.estimate), rel=1e-12)


def test_weibull_median():
    f = fitted("weibull")
    k, lam = f.theta
    l2 = math.log(2)
    d = derived(f, "median")
    assert d.estimate == pytest.approx(lam * l2 ** (1 / k), rel=1e-12)
    grad = [lam * l2 ** (1 / k) * -math.log(l2) / k ** 2, l2 ** (1 / k)]
    assert d.se == pytest.approx(se_from(f, grad), rel=1e-7)


def test_normal_quantile_and_confidence_level():
    f = fitted("normal", confidence=0.9)
    mu, sigma = f.theta
    zq = NormalDist().inv_cdf(0.99)
    d = derived(f, "quantile:0.99")
    assert d.estimate == pytest.approx(mu + zq * sigma, rel=1e-12)
    assert d.se == pytest.approx(se_from(f, [1.0, zq]), rel=1e-7)
    assert d.interval == "delta method"
    assert d.ci_upper - d.estimate == pytest.approx(z(0.9) * d.se, rel=1e-12)


def test_poisson_sf_gradient_is_the_mass_at_x():
    f = fitted("poisson")
    (lam,) = f.theta
    d = derived(f, "sf:5")
    assert d.estimate == pytest.approx(1 - sum(math.exp(-lam) * lam ** k / math.factorial(k) for k in range(6)),
                                       rel=1e-12)
    # d/dlam P(X > 5) = P(X = 5)
    assert d.se == pytest.approx(math.exp(-lam) * lam ** 5 / math.factorial(5) * math.sqrt(f.cov[0, 0]), rel=1e-7)
    assert d.interval == "delta method, logit scale"


def _mp_gradient(fn, theta):
    """Gradient by mpmath.diff at 30 digits: an independent numeric differentiation."""
    mpmath.mp.dps = 30
    out = []
    for i in range(len(theta)):
        def along(t, i=i):
            args = [mpmath.mpf(v) for v in theta]
            args[i] = t
            return fn(*args)
        out.append(float(mpmath.diff(along, mpmath.mpf(theta[i]))))
    return out


@pytest.mark.parametrize("name, spec, fn", [
    ("lognormal", "var", lambda m, s: (mpmath.exp(s ** 2) - 1) * mpmath.exp(2 * m + s ** 2)),
    ("beta", "mean", lambda a, b: a / (a + b)),
    ("log_logistic", "mean", lambda k, a: a * (mpmath.pi / k) / mpmath.sin(mpmath.pi / k)),
    ("student_t", "sd", lambda m, s, df: s * mpmath.sqrt(df / (df - 2))),
    ("inverse_gaussian", "var", lambda mu, lam: mu ** 3 / lam),
    ("gumbel", "quantile:0.9", lambda m, b: m - b * mpmath.log(-mpmath.log(mpmath.mpf("0.9")))),
    ("negative_binomial", "sf:0", lambda size, mu: 1 - (size / (size + mu)) ** size),
])
def test_se_matches_mpmath_differentiation(name, spec, fn):
    f = fitted(name)
    d = derived(f, spec)
    mpmath.mp.dps = 30
    assert d.estimate == pytest.approx(float(fn(*[mpmath.mpf(t) for t in f.theta])), rel=1e-9)
    assert d.se == pytest.approx(se_from(f, _mp_gradient(fn, f.theta)), rel=1e-6)


def test_mixture_mean_respects_the_weight_constraint():
    """The covariance of normal_mixture holds w[2] = 1 - w[1]: an SE of w[1] + w[2] is 0,
    and the mean's SE equals the analytic gradient of sum w mu over all six parameters."""
    f = fitted("normal_mixture:2", n=400, seed=1)
    w1, mu1, _, w2, mu2, _ = f.theta
    assert derived(f, "w[1] + w[2]").se < 1e-10
    d = derived(f, "mean")
    assert d.estimate == pytest.approx(w1 * mu1 + w2 * mu2, rel=1e-12)
    assert d.se == pytest.approx(se_from(f, [mu1, w1, 0, mu2, w2, 0]), rel=1e-6)
    assert derived(f, "mu[2] - mu[1]").se == pytest.approx(se_from(f, [0, -1, 0, 0, 1, 0]), rel=1e-7)


def test_zip_mean_se():
    f = fitted("zero_inflated_poisson")
    pi, rate = f.theta
    d = derived(f, "mean")
    assert d.estimate == pytest.approx((1 - pi) * rate, rel=1e-14)
    assert d.se == pytest.approx(se_from(f, [-rate, 1 - pi]), rel=1e-7)


def test_fixed_parameters_contribute_no_variance():
    f = fitted("gamma", fix={"shape": 2.0})
    assert f.fixed == {0: 2.0}
    (rate,) = [f.theta[i] for i in f.regular]
    d = derived(f, "mean")
    assert d.estimate == pytest.approx(2.0 / rate, rel=1e-12)
    assert d.se == pytest.approx(2.0 * math.sqrt(f.cov[1, 1]) / rate ** 2, rel=1e-7)


def test_categorical_variances_alone():
    f = mlefit.fit(list("aaabbc") * 10, "categorical").fitted
    assert f.cov.ndim == 1
    d = derived(f, "p[a]")
    assert d.estimate == 0.5 and d.se == pytest.approx(math.sqrt(f.cov[0]), rel=1e-7)
    assert d.interval == "delta method, logit scale"
    d = derived(f, "p[a]/(1 - p[a])")
    assert d.se == pytest.approx(math.sqrt(f.cov[0]) / 0.25, rel=1e-7)
    d = derived(f, "p[a]/p[b]")
    assert d.estimate == pytest.approx(1.5) and d.se is None and d.interval == "none"
    assert "variances without covariances" in d.note
    with pytest.raises(UsageError, match="labels, not numbers.*'p\\[a\\]/\\(1 - p\\[a\\]\\)'"):
        quantity(f, "mean")


def test_exact_parameters_give_no_interval_and_say_why():
    f = fitted("pareto")
    xm, alpha = f.theta
    d = derived(f, "mean")
    assert d.estimate == pytest.approx(alpha * xm / (alpha - 1), rel=1e-12)
    assert d.se is None and d.ci_lower is None and "exact" in d.note and "xm" in d.note


def test_step_quantities_of_discrete_families():
    f = fitted("poisson")
    for spec in ("median", "quantile:0.9"):
        q = quantity(f, spec)
        d = delta(f, q)
        assert q.step and d.se is None and d.interval == "none" and d.note == STEP_NOTE
    assert derived(f, "median").estimate == scipy.stats.poisson(f.theta[0]).median()
    assert not quantity(f, "sf:3").step and not quantity(fitted("gamma"), "median").step


# ---------------------------------------------------------------- intervals stay in range
def test_intervals_never_leave_the_possible_range():
    f = fitted("normal", n=5, seed=3)
    v = derived(f, "var")
    assert v.estimate - z() * v.se < 0 < v.ci_lower < v.estimate < v.ci_upper  # Wald would go negative
    f = fitted("exponential", n=6, seed=2)
    s = derived(f, "sf:3")
    assert s.estimate - z() * s.se < 0 < s.ci_lower < s.estimate < s.ci_upper < 1
    c = derived(f, "cdf:0.05")
    assert 0 < c.ci_lower < c.estimate < c.ci_upper < 1
    b = derived(fitted("beta", n=8, seed=1), "mean")
    assert b.interval == "delta method, logit scale" and 0 < b.ci_lower < b.ci_upper < 1


def test_quantities_off_the_support_are_exact():
    d = derived(fitted("exponential"), "sf:-1")
    assert d.estimate == 1.0 and d.se == 0.0 and d.interval == "delta method"


# ---------------------------------------------------------------- values
SCIPY_FAMILIES = [name for name in sorted(CASES) if families.get(name).scipy(CASES[name][1]) is not None]


@pytest.mark.parametrize("name", SCIPY_FAMILIES)
def test_values_equal_scipy(name):
    x, _ = sample(name, 200, 5)
    f = mlefit.fit(x, name).fitted
    dist = f.family.scipy(f.theta)
    at = float(np.quantile(x, 0.8))
    expect = {"median": dist.median(), "quantile:0.05": dist.ppf(0.05), "quantile:0.99": dist.ppf(0.99),
              f"sf:{at!r}": dist.sf(at), f"cdf:{at!r}": dist.cdf(at), "mean": dist.mean(),
              "var": dist.var(), "sd": dist.std()}
    for spec, value in expect.items():
        q = quantity(f, spec)
        if q.note is not None:  # cauchy: no moments
            assert spec in ("mean", "var", "sd") and "does not exist" in q.note
            continue
        assert q.function(f.theta) == pytest.approx(float(value), rel=1e-12, abs=1e-300), spec


def test_zero_inflated_poisson_against_its_mass_function():
    f = fitted("zero_inflated_poisson")
    theta = f.theta
    k = np.arange(0, 200.0)
    pmf = np.exp(_zip_logpmf(theta, k))
    mean = float(np.sum(k * pmf))
    assert quantity(f, "mean").function(theta) == pytest.approx(mean, rel=1e-12)
    assert quantity(f, "var").function(theta) == pytest.approx(float(np.sum((k - mean) ** 2 * pmf)), rel=1e-10)
    for x in (-1.0, 0.0, 2.0, 2.5, 9.0):
        assert quantity(f, f"sf:{x}").function(theta) == pytest.approx(float(np.sum(pmf[k > x])), rel=1e-10)
        assert quantity(f, f"cdf:{x}").function(theta) == pytest.approx(float(_zip_cdf(theta, x)), rel=1e-12)
    for p in (0.1, theta[0], 0.3, 0.5, 0.9, 0.999):
        brute = next(v for v in k if _zip_cdf(theta, v) >= p)
        assert quantity(f, f"quantile:{p}").function(theta) == brute


def test_normal_mixture_by_numeric_integration():
    f = fitted("normal_mixture:2", n=400, seed=1)
    theta = f.theta

    def pdf(x):
        return float(np.exp(_mixture_logpdf(theta, np.array([x])))[0])
    mean = integrate.quad(lambda x: x * pdf(x), -np.inf, np.inf, epsabs=1e-12, epsrel=1e-12)[0]
    var = integrate.quad(lambda x: (x - mean) ** 2 * pdf(x), -np.inf, np.inf, epsabs=1e-12, epsrel=1e-12)[0]
    assert quantity(f, "mean").function(theta) == pytest.approx(mean, rel=1e-9)
    assert quantity(f, "var").function(theta) == pytest.approx(var, rel=1e-9)
    for p in (1e-6, 0.1, 0.5, 0.9, 1 - 1e-9):
        qv = quantity(f, f"quantile:{p}").function(theta)
        if p < 0.5:
            assert float(_mixture_cdf(theta, qv)) == pytest.approx(p, rel=1e-10)
        else:
            tail = integrate.quad(pdf, qv, np.inf, epsabs=0, epsrel=1e-11)[0]
            assert tail == pytest.approx(1 - p, rel=1e-8)
    for x in (-3.0, 0.0, 8.0):
        tail = integrate.quad(pdf, x, np.inf, epsabs=0, epsrel=1e-11)[0]
        assert quantity(f, f"sf:{x}").function(theta) == pytest.approx(tail, rel=1e-8)
        assert quantity(f, f"cdf:{x}").function(theta) == pytest.approx(float(_mixture_cdf(theta, x)), rel=1e-12)


def test_huber_by_numeric_integration_of_its_density():
    x = np.random.default_rng(7).normal(0.3, 1.0, 200)
    f = mlefit.fit(x, "huber:1.345").fitted
    theta = f.theta
    mu = theta[0]

    def pdf(u):
        return float(np.exp(f.family.logpdf(np.array([u]), theta))[0])
    opts = {"epsabs": 0, "epsrel": 1e-12, "limit": 200}
    var = integrate.quad(lambda u: (u - mu) ** 2 * pdf(u), -np.inf, mu, **opts)[0] * 2
    assert quantity(f, "mean").function(theta) == quantity(f, "median").function(theta) == mu
    assert quantity(f, "var").function(theta) == pytest.approx(var, rel=1e-9)
    for at in (mu - 4, mu - 1, mu - 0.5, mu + 0.2, mu + 3):
        below = integrate.quad(pdf, -np.inf, at, **opts)[0]
        above = integrate.quad(pdf, at, np.inf, **opts)[0]
        assert quantity(f, f"cdf:{at!r}").function(theta) == pytest.approx(below, rel=1e-9)
        assert quantity(f, f"sf:{at!r}").function(theta) == pytest.approx(above, rel=1e-9)
    for p in (1e-4, 0.05, 0.3, 0.7, 0.999):
        qv = quantity(f, f"quantile:{p}").function(theta)
        assert integrate.quad(pdf, -np.inf, qv, **opts)[0] == pytest.approx(p, rel=1e-9)
    d = derived(f, "var")
    assert d.se == 0.0 and "does not vary" in d.note


# ---------------------------------------------------------------- moments that do not exist
@pytest.mark.parametrize("name, theta, spec, words", [
    ("cauchy", None, "mean", "the mean of cauchy does not exist"),
    ("cauchy", None, "sd", "variance (and sd) of cauchy does not exist"),
    ("student_t", (0.0, 1.0, 0.8), "mean", "for df <= 1 (here df = 0.8)"),
    ("student_t", (0.0, 1.0, 1.5), "var", "for df <= 2"),
    ("pareto", (1.0, 0.9), "mean", "for alpha <= 1"),
    ("pareto", (1.0, 1.5), "var", "for alpha <= 2"),
    ("log_logistic", (0.9, 2.0), "mean", "for shape <= 1"),
    ("log_logistic", (1.8, 2.0), "sd", "for shape <= 2"),
])
def test_moments_that_do_not_exist_say_so(name, theta, spec, words):
    f = fitted(name)
    if theta is not None:
        f = replace(f, theta=theta)
    q = quantity(f, spec)
    assert math.isnan(q.function(f.theta)) and words in q.note
    d = delta(f, q)
    assert d.estimate is None and d.se is None and d.note == q.note
    assert derived(f, "median").estimate is not None


def test_moments_that_exist_near_the_limit():
    f = replace(fitted("student_t"), theta=(0.0, 1.0, 1.5))
    assert derived(f, "mean").estimate == 0.0
    assert derived(replace(fitted("pareto"), theta=(1.0, 2.5)), "var").estimate == pytest.approx(2.5 / (1.5 ** 2 * 0.5))


# ---------------------------------------------------------------- specs and refusals
def test_names_are_normalised():
    f = fitted("gamma")
    assert quantity(f, " Quantile: 0.990 ").name == "quantile:0.99"
    assert quantity(f, "SF:5.0").name == "sf:5"
    assert quantity(f, "cdf:1e-3").name == "cdf:0.001"
    assert quantity(f, "MEAN").name == "mean"
    assert quantity(f, " shape / rate ").name == "shape / rate"
    assert [d.name for d in derive(f, ["mean", "sd"])] == ["mean", "sd"]


@pytest.mark.parametrize("spec, words", [
    ("quantile:1.5", "strictly between 0 and 1"),
    ("quantile:0", "strictly between 0 and 1"),
    ("quantile", "strictly between 0 and 1"),
    ("quantile:abc", "quantile:0.99"),
    ("sf:", "sf:X needs a finite number"),
    ("cdf:inf", "cdf:X needs a finite number"),
    ("mean:2", "takes no ':' value"),
    ("variance", "unknown name 'variance'"),
    ("shape.real", "attribute access"),
    ("__import__('os')", "unknown name '__import__'"),
])
def test_bad_specs_are_one_line_usage_errors(spec, words):
    with pytest.raises(UsageError) as err:
        quantity(fitted("gamma"), spec)
    assert words in str(err.value) and "\n" not in str(err.value)


def test_per_row_trials_have_no_single_distribution():
    f = mlefit.fit([1, 2, 3, 4], "binomial", trials=[5, 6, 7, 8]).fitted
    with pytest.raises(UsageError, match="trials per row"):
        quantity(f, "mean")
    p = f.theta[0]
    assert derived(f, "p/(1-p)").estimate == pytest.approx(p / (1 - p))


def test_to_dict_is_valid_json():
    f = fitted("cauchy")
    out = [d.to_dict() for d in derive(f, ["mean", "median", "sf:0"])]
    text = json.dumps(out, allow_nan=False)
    assert json.loads(text)[0]["estimate"] is None
    assert set(out[1]) == {"name", "estimate", "se", "ci_lower", "ci_upper", "interval", "note"}


def test_an_exact_boundary_parameter_is_treated_as_known():
    """zero_inflated_poisson with pi on its boundary 0 (no excess zeros): pi is exact."""
    x = np.random.default_rng(3).poisson(3.0, 200) + 1
    x[:3] = 0
    f = mlefit.fit(x, "zero_inflated_poisson").fitted
    assert f.theta[0] == 0.0 and f.exact == {0} and f.regular == (1,)
    d = derived(f, "mean")
    assert d.estimate == pytest.approx(f.theta[1]) and "pi" in d.note and "treated as known" in d.note
    assert d.se == pytest.approx(math.sqrt(f.cov[1, 1]), rel=1e-7)
    d = derived(f, "pi")
    assert d.se is None and "depends only on pi" in d.note
    assert derived(f, "rate").note is None


@pytest.mark.parametrize("name", SCIPY_FAMILIES)
def test_scipy_equivalent_is_frozen_without_a_new_distribution(name):
    """fam.scipy(theta) keeps scipy's own distribution object (scipy's frozen one builds
    a new instance, docstring included, at every call: a millisecond each, thousands of
    calls in a delta method, a profile or a bootstrap of a derived quantity), and gives
    what scipy's frozen distribution gives."""
    import scipy.stats
    fam, theta = families.get(name), CASES[name][1]
    light = fam.scipy(theta)
    assert light.dist is getattr(scipy.stats, light.dist.name)
    ref = light.dist(*light.args, **light.kwds)
    for method in ("mean", "var", "median"):
        np.testing.assert_allclose(getattr(light, method)(), getattr(ref, method)(), rtol=1e-14)
    q = np.array([0.1, 0.5, 0.9])
    x = ref.ppf(q)
    np.testing.assert_allclose(light.ppf(q), x, rtol=1e-14)
    np.testing.assert_allclose(light.cdf(x), ref.cdf(x), rtol=1e-14)
    np.testing.assert_allclose(light.sf(x), ref.sf(x), rtol=1e-14)
    a = light.rvs(size=5, random_state=np.random.default_rng(1))
    np.testing.assert_array_equal(a, ref.rvs(size=5, random_state=np.random.default_rng(1)))


CLOSED = {  # table: (a random valid theta, scipy.stats' equivalent)
    "GAMMA": (lambda r: (math.exp(r.uniform(-5, 12)), math.exp(r.uniform(-10, 10))),
              lambda t: scipy.stats.gamma(t[0], scale=1.0 / t[1])),
    "NORMAL": (lambda r: (r.normal(0, 10 ** r.uniform(-2, 9)), math.exp(r.uniform(-8, 8))),
               lambda t: scipy.stats.norm(t[0], t[1])),
    "LOGNORMAL": (lambda r: (r.normal(0, 20), math.exp(r.uniform(-6, 2.5))),
                  lambda t: scipy.stats.lognorm(s=t[1], scale=math.exp(t[0]))),
    "EXPONENTIAL": (lambda r: (math.exp(r.uniform(-10, 10)),), lambda t: scipy.stats.expon(scale=1.0 / t[0])),
    "WEIBULL": (lambda r: (math.exp(r.uniform(-1.5, 4)), math.exp(r.uniform(-8, 8))),
                lambda t: scipy.stats.weibull_min(t[0], scale=t[1]))}


@pytest.mark.parametrize("name", sorted(CLOSED))
def test_closed_forms_match_scipy_stats(name):
    """The closed forms derived quantities use (families.closed_forms: math and
    scipy.special, not scipy.stats) give scipy.stats' values to rounding (the cdf and sf
    to 1e-12: gamma's takes rate x where scipy takes x / (1/rate), one rounding fewer, and
    at a large shape the cdf moves by sqrt(shape) times that; a variance by cancellation
    or a large exponent to 1e-10, as scipy's own), NaN off the parameter space."""
    from mlefit.families import closed_forms
    table, (draw, equivalent) = getattr(closed_forms, name), CLOSED[name]
    rng = np.random.default_rng(4)
    for _ in range(300):
        theta = draw(rng)
        ref = equivalent(theta)
        x, p = float(ref.ppf(rng.uniform(0.001, 0.999))), float(rng.uniform(1e-6, 1 - 1e-6))
        assert table["mean"](theta) == pytest.approx(ref.mean(), rel=1e-13)
        assert table["var"](theta) == pytest.approx(ref.var(), rel=1e-10)
        assert table["ppf"](p, theta) == pytest.approx(ref.ppf(p), rel=1e-13)
        for y in (x, -abs(x), 0.0):
            assert table["cdf"](y, theta) == pytest.approx(ref.cdf(y), rel=1e-12, abs=1e-300)
            assert table["sf"](y, theta) == pytest.approx(ref.sf(y), rel=1e-12, abs=1e-300)
    k = len(draw(rng))
    for bad in ((1.0,) * (k - 1) + (0.0,), (1.0,) * (k - 1) + (-1.0,), (math.nan,) * k, (math.inf,) * k):
        assert math.isnan(table["mean"](bad)) and math.isnan(table["sf"](1.0, bad))
    assert math.isnan(table["cdf"](math.nan, draw(rng)))
