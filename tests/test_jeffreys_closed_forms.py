"""fit --prior jeffreys for gamma, beta, inverse_gaussian, student_t and
zero_inflated_poisson (issue 18, point 1): the log-prior against 1/2 log det of the
expected information computed independently (numerical integration of the outer product
of scipy's scores, by finite differences), its derivatives against finite differences,
and the MAP against scipy.optimize on log-likelihood + log-prior written out here."""
import math

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import integrate, optimize, special, stats

import mlefit
from mlefit.priors import jeffreys_shapes as js
from mlefit.cli import cli
from mlefit.priors.jeffreys import priors as jeffreys_priors

H = 1e-5


def _scores(logpdf, theta):
    """x -> the score vector of logpdf(x, *theta), by central differences."""
    def at(x):
        out = []
        for i, t in enumerate(theta):
            up, down = list(theta), list(theta)
            up[i], down[i] = t * (1 + H), t * (1 - H)
            out.append((logpdf(x, *up) - logpdf(x, *down)) / (2 * H * t))
        return np.array(out)
    return at


def _half_log_det(logpdf, pdf, theta, lo, hi, points=None):
    score = _scores(logpdf, theta)
    k = len(theta)
    info = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            info[i, j] = info[j, i] = integrate.quad(lambda x: score(x)[i] * score(x)[j] * pdf(x), lo, hi,
                                                     epsabs=0, epsrel=1e-12, limit=400, points=points)[0]
    return 0.5 * math.log(np.linalg.det(info))


def _zip_logpmf(x, pi, rate):
    return np.where(x == 0, np.log(pi + (1 - pi) * np.exp(-rate)), np.log1p(-pi) + stats.poisson.logpmf(x, rate))


def _log_prior(family, theta):
    ps = jeffreys_priors(family, NAMES[family], {}, 10)
    return sum(p.at(list(theta)) for p in ps)


NAMES = {"gamma": ("shape", "rate"), "beta": ("a", "b"), "inverse_gaussian": ("mu", "lambda"),
         "student_t": ("mu", "sigma", "df"), "zero_inflated_poisson": ("pi", "rate")}


@pytest.mark.slow  # numerical integration
@pytest.mark.parametrize("k,b", [(0.4, 1.0), (2.5, 1.7), (60.0, 3.0)])
def test_gamma_is_half_log_det_of_its_information(k, b):
    want = _half_log_det(lambda x, k, b: stats.gamma.logpdf(x, k, scale=1 / b),
                         lambda x: stats.gamma.pdf(x, k, scale=1 / b), (k, b), 0, np.inf)
    assert _log_prior("gamma", (k, b)) == pytest.approx(want, abs=1e-8)


@pytest.mark.slow  # numerical integration
@pytest.mark.parametrize("a,b", [(0.7, 0.9), (1.8, 3.2), (12.0, 5.0)])
def test_beta_is_half_log_det_of_its_information(a, b):
    want = _half_log_det(stats.beta.logpdf, lambda x: stats.beta.pdf(x, a, b), (a, b), 0, 1)
    assert _log_prior("beta", (a, b)) == pytest.approx(want, abs=1e-8)


@pytest.mark.slow  # numerical integration
def test_inverse_gaussian_is_its_information_up_to_a_constant():
    def half_log_det(mu, lam):
        return _half_log_det(lambda x, m, l: stats.invgauss.logpdf(x, m / l, scale=l),
                             lambda x: stats.invgauss.pdf(x, mu / lam, scale=lam), (mu, lam), 0, np.inf)
    (m1, l1), (m2, l2) = (1.4, 2.3), (0.6, 5.0)
    # the powers mu^(-3/2) lambda^(-1/2) leave out |I|'s constant 1/2: compare differences
    want = half_log_det(m1, l1) - half_log_det(m2, l2)
    assert _log_prior("inverse_gaussian", (m1, l1)) - _log_prior("inverse_gaussian", (m2, l2)) == pytest.approx(
        want, abs=1e-8)
    assert half_log_det(m1, l1) == pytest.approx(_log_prior("inverse_gaussian", (m1, l1)) - 0.5 * math.log(2),
                                                 abs=1e-8)


@pytest.mark.slow  # numerical integration
@pytest.mark.parametrize("df", [0.8, 4.0, 45.0, 60.0])
def test_student_t_is_the_sigma_df_blocks_half_log_det(df):
    sigma = 1.3  # the independence prior: mu flat, the (sigma, df) block with mu known
    want = _half_log_det(lambda x, s, d: stats.t.logpdf(x, d, scale=s), lambda x: stats.t.pdf(x, df, scale=sigma),
                         (sigma, df), -np.inf, np.inf)
    assert _log_prior("student_t", (0.0, sigma, df)) == pytest.approx(want, abs=1e-8)


def test_student_t_df_factor_is_the_closed_form_on_both_sides_of_its_series():
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 50  # the trigamma difference cancels in double precision at large df
    for nu in (0.3, 49.0, 51.0, 200.0, 1e4, 1e8):
        n = mp.mpf(nu)
        d = mp.psi(1, n / 2) - mp.psi(1, (n + 1) / 2) - 2 * (n + 3) / (n * (n + 1) ** 2)
        assert js.t_df(nu)[0] == pytest.approx(float(mp.log(n / (2 * (n + 3)) * d) / 2), abs=1e-10)
        alone = (mp.psi(1, n / 2) - mp.psi(1, (n + 1) / 2)) / 4 - (n + 5) / (2 * n * (n + 1) * (n + 3))
        assert js.t_df_alone(nu)[0] == pytest.approx(float(mp.log(alone) / 2), abs=1e-10)
    assert js.t_df(1e30)[0] == pytest.approx(0.5 * math.log(3.0) - 2 * math.log(1e30), rel=1e-12)  # 3/nu^4 in |I|


@pytest.mark.parametrize("pi,rate", [(0.3, 2.0), (0.05, 0.4), (0.7, 6.0)])
def test_zero_inflated_poisson_is_half_log_det_of_its_information(pi, rate):
    x = np.arange(0, 200)
    score = _scores(_zip_logpmf, (pi, rate))(x)
    p = np.exp(_zip_logpmf(x, pi, rate))
    info = (score * p) @ score.T
    assert _log_prior("zero_inflated_poisson", (pi, rate)) == pytest.approx(0.5 * math.log(np.linalg.det(info)),
                                                                              abs=1e-8)


@pytest.mark.parametrize("fn,at", [(js.gamma_shape, 0.5), (js.gamma_shape, 80.0), (js.trigamma, 1.5),
                                   (js.t_df, 3.0), (js.t_df, 70.0), (js.t_df, 1e5), (js.t_df_alone, 3.0),
                                   (js.t_df_alone, 70.0), (js.t_df_alone, 1e5), (lambda t: js.beta_one(t, 2.0), 1.3),
                                   (lambda t: js.zip_pi(t, 2.0), 0.4), (lambda t: js.zip_rate(t, 0.3), 1.7)])
def test_one_parameter_factors_have_their_derivatives(fn, at):
    h = 1e-4 * at
    lp = [fn(at + s * h)[0] for s in (-1, 0, 1)]
    _, d1, d2 = fn(at)
    assert d1 == pytest.approx((lp[2] - lp[0]) / (2 * h), rel=1e-6, abs=1e-14)
    assert d2 == pytest.approx((lp[2] - 2 * lp[1] + lp[0]) / h ** 2, rel=1e-4, abs=1e-14)


@pytest.mark.parametrize("fn,at", [(js.beta_ab, (1.8, 3.2)), (js.zip_pi_rate, (0.3, 2.0))])
def test_joint_priors_have_their_gradient_and_hessian(fn, at):
    at = np.array(at)
    _, g, h = fn(at)
    step = 1e-5
    for i in range(2):
        e = np.zeros(2)
        e[i] = step
        assert g[i] == pytest.approx((fn(at + e)[0] - fn(at - e)[0]) / (2 * step), rel=1e-7)
        assert h[i] == pytest.approx((fn(at + e)[1] - fn(at - e)[1]) / (2 * step), rel=1e-6, abs=1e-9)


# the log-priors written out here from the formulas, for scipy.optimize
def _lp_gamma(k, b):
    return 0.5 * math.log(k * special.polygamma(1, k) - 1) - math.log(b)


def _lp_beta(a, b):
    p = special.polygamma(1, [a, b, a + b])
    return 0.5 * math.log(p[0] * p[1] - p[2] * (p[0] + p[1]))


def _lp_t(mu, s, nu):
    d = special.polygamma(1, nu / 2) - special.polygamma(1, (nu + 1) / 2) - 2 * (nu + 3) / (nu * (nu + 1) ** 2)
    return -math.log(s) + 0.5 * math.log(nu / (2 * (nu + 3)) * d)


def _lp_zip(pi, rate):
    q = math.exp(-rate)
    return 0.5 * math.log((1 - q * (1 + rate)) / (rate * (pi + (1 - pi) * q)))


X = np.array([1.5, 2.5, 0.7, 3.1, 0.4, 0.9, 2.2, 1.1, 4.0, 0.6])
U = np.array([0.3, 0.5, 0.2, 0.7, 0.4, 0.6, 0.35, 0.55])
T = np.array([0.1, -0.4, 2.9, 0.3, -0.2, 0.5, -3.5, 0.0, 0.8, -0.6, 1.2, 0.2])
Z = np.array([0, 0, 3, 1, 0, 4, 2, 0, 5, 0, 0, 2])
CASES = {
    "gamma": (X, lambda t: stats.gamma.logpdf(X, t[0], scale=1 / t[1]).sum() + _lp_gamma(*t)),
    "beta": (U, lambda t: stats.beta.logpdf(U, *t).sum() + _lp_beta(*t)),
    "inverse_gaussian": (X, lambda t: stats.invgauss.logpdf(X, t[0] / t[1], scale=t[1]).sum()
                         - 1.5 * math.log(t[0]) - 0.5 * math.log(t[1])),
    "student_t": (T, lambda t: stats.t.logpdf(T, t[2], loc=t[0], scale=t[1]).sum() + _lp_t(*t)),
    "zero_inflated_poisson": (Z, lambda t: _zip_logpmf(Z, *t).sum() + _lp_zip(*t)),
}


@pytest.mark.parametrize("family", list(CASES))
def test_the_map_maximises_loglik_plus_the_jeffreys_log_prior(family):
    data, post = CASES[family]
    r = mlefit.fit(list(data), family, prior="jeffreys")
    theta = np.array([r.estimates[n] for n in NAMES[family]])
    unit = [n == "pi" for n in NAMES[family]]
    real = [n == "mu" and family == "student_t" for n in NAMES[family]]

    def to(u):
        return np.array([1 / (1 + math.exp(-v)) if un else v if re else math.exp(v) for v, un, re in zip(u, unit, real)])
    start = np.array([math.log(t / (1 - t)) if un else t if re else math.log(t) for t, un, re in zip(theta, unit, real)])
    best = optimize.minimize(lambda u: -post(to(u)), start + 0.05, method="Nelder-Mead",
                             options={"xatol": 1e-11, "fatol": 1e-14, "maxiter": 20000})
    assert theta == pytest.approx(to(best.x), rel=1e-7, abs=1e-7)
    assert r.log_posterior == pytest.approx(post(theta), rel=1e-10)
    assert r.to_dict()["log_prior"] == pytest.approx(post(theta) - r.loglik, rel=1e-9, abs=1e-12)


def test_gamma_with_its_rate_fixed_takes_the_shapes_own_information():
    r = mlefit.fit(list(X), "gamma", prior="jeffreys", fix={"rate": 1.2})
    k = r.estimates["shape"]
    best = optimize.minimize_scalar(lambda k: -(stats.gamma.logpdf(X, k, scale=1 / 1.2).sum()
                                                + 0.5 * math.log(special.polygamma(1, k))),
                                    bounds=(0.1, 20), method="bounded", options={"xatol": 1e-12})
    assert k == pytest.approx(best.x, rel=1e-7)


def _run(*args, data="x\n1\n2\n4\n3\n"):
    return CliRunner().invoke(cli, ["fit", "-", *args], input=data)


@pytest.mark.parametrize("family,fix,other", [("beta", {"b": 2.0}, "a"), ("beta", {"a": 0.7}, "b"),
                                               ("zero_inflated_poisson", {"rate": 2.0}, "pi"),
                                               ("zero_inflated_poisson", {"pi": 0.3}, "rate")])
def test_a_pair_with_one_fixed_takes_the_others_own_information(family, fix, other):
    data = list(U if family == "beta" else Z)
    r = mlefit.fit(data, family, prior="jeffreys", fix=fix)
    names = NAMES[family]
    j = names.index(other)
    (held, c), = fix.items()
    theta = [0.0, 0.0]
    theta[names.index(held)] = c

    def logpdf(x, t):
        v = list(theta)
        v[j] = t
        return stats.beta.logpdf(x, *v) if family == "beta" else _zip_logpmf(x, *v)

    def info(t):  # I_jj by the expected squared score, computed here
        if family == "beta":
            return integrate.quad(lambda x: ((logpdf(x, t * (1 + H)) - logpdf(x, t * (1 - H))) / (2 * H * t)) ** 2
                                  * np.exp(logpdf(x, t)), 0, 1, epsabs=0, epsrel=1e-12, limit=400)[0]
        x = np.arange(0, 200)
        return float(np.sum(((logpdf(x, t * (1 + H)) - logpdf(x, t * (1 - H))) / (2 * H * t)) ** 2
                            * np.exp(logpdf(x, t))))
    (p,) = jeffreys_priors(family, names, {names.index(held): c}, 10)
    t = 0.4 if other == "pi" else 1.7
    assert p.logpdf(t) == pytest.approx(0.5 * math.log(info(t)), abs=1e-8)

    def written(t):  # I_jj written out: the log-posterior's slope must vanish at the MAP
        v = list(theta)
        v[j] = t
        if family == "beta":
            return special.polygamma(1, t) - special.polygamma(1, v[0] + v[1])
        q = math.exp(-v[1])
        p0 = v[0] + (1 - v[0]) * q
        return (1 - q) / ((1 - v[0]) * p0) if other == "pi" else (1 - v[0]) * (1 / v[1] - v[0] * q / p0)

    def post(t):
        return float(np.sum(logpdf(np.array(data), t))) + 0.5 * math.log(written(t))
    m = r.estimates[other]
    h = 1e-4 * m
    slope, curve = (post(m + h) - post(m - h)) / (2 * h), (post(m + h) - 2 * post(m) + post(m - h)) / h ** 2
    assert curve < 0 and abs(slope / curve) < 1e-7 * m  # the Newton step left is below 1e-7 relative
    assert written(t) == pytest.approx(info(t), rel=1e-8)


@pytest.mark.slow  # numerical integration
@pytest.mark.parametrize("df", [0.9, 6.0, 70.0])
def test_student_t_with_sigma_fixed_takes_dfs_own_information(df):
    score = _scores(lambda x, d: stats.t.logpdf(x, d), (df,))
    info = integrate.quad(lambda x: score(x)[0] ** 2 * stats.t.pdf(x, df), -np.inf, np.inf, epsabs=0, epsrel=1e-12,
                          limit=400)[0]
    (p,) = jeffreys_priors("student_t", NAMES["student_t"], {1: 1.0}, 10)
    assert (p.parameter, p.logpdf(df)) == ("df", pytest.approx(0.5 * math.log(info), abs=1e-8))


def test_student_t_with_sigma_fixed_maximises_the_written_out_posterior():
    r = mlefit.fit(list(T), "student_t", prior="jeffreys", fix={"sigma": 0.8})

    def lp(nu):
        return 0.5 * math.log((special.polygamma(1, nu / 2) - special.polygamma(1, (nu + 1) / 2)) / 4
                              - (nu + 5) / (2 * nu * (nu + 1) * (nu + 3)))
    best = optimize.minimize(lambda u: -(stats.t.logpdf(T, math.exp(u[1]), loc=u[0], scale=0.8).sum() + lp(math.exp(u[1]))),
                             [r.estimates["mu"] + 0.05, math.log(r.estimates["df"]) + 0.05], method="Nelder-Mead",
                             options={"xatol": 1e-11, "fatol": 1e-14, "maxiter": 20000}).x
    assert (r.estimates["mu"], r.estimates["df"]) == pytest.approx((best[0], math.exp(best[1])), rel=1e-7)


def test_gamma_on_few_rows_says_its_posterior_is_unbounded_at_the_edge():
    out = _run("-d", "gamma", "--prior", "jeffreys", data="x\n1\n2\n3.5\n")
    assert out.exit_code == 1 and "rises without bound as rate -> 0 with shape < 1/n" in out.output
    assert "Traceback" not in out.output and "Warning" not in out.output


@pytest.mark.parametrize("args,said", [
    (["-d", "student_t", "--fix", "sigma=1", "--fix", "df=3"], "the student_t family's Jeffreys prior is flat"),
    (["-d", "pareto"], "(xm is estimated by the sample minimum, where the likelihood is not smooth"),
])
def test_jeffreys_refusals_say_why(args, said):
    out = _run(*args, "--prior", "jeffreys")
    assert out.exit_code == 2 and said in out.output and "Traceback" not in out.output


def test_jeffreys_with_a_fixed_parameter_is_the_others_own_prior():
    r = mlefit.fit(list(X), "inverse_gaussian", prior="jeffreys", fix={"mu": 2.0})  # I = 1/(2 lambda^2)
    assert [(p["parameter"], p["args"]) for p in r.to_dict()["prior"]] == [("lambda", {"k": -1.0})]
    t = mlefit.fit(list(T), "student_t", prior="jeffreys", fix={"df": 5.0})  # I(sigma) = 2 df/((df+3) sigma^2)
    assert [(p["parameter"], p["args"]) for p in t.to_dict()["prior"]] == [("sigma", {"k": -1.0})]
