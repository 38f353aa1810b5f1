"""Priors and MAP (issue 18): the priors' densities and analytic derivatives against
scipy.stats and numeric derivatives; the MAP against the closed forms of the conjugate
pairs (hand-computed), and against scipy.optimize on the log-posterior written out with
scipy.stats; the likelihood and the prior kept apart in every number."""
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import optimize, stats

import mlefit
from mlefit.cli import cli
from mlefit.errors import UsageError
from mlefit.priors.distributions import DISTRIBUTIONS, parse

SCIPY = {  # each prior as scipy.stats writes it
    "normal": lambda mu, s: stats.norm(mu, s),
    "laplace": lambda mu, b: stats.laplace(mu, b),
    "student_t": lambda df, mu, s: stats.t(df, mu, s),
    "cauchy": lambda mu, s: stats.cauchy(mu, s),
    "uniform": lambda a, b: stats.uniform(a, b - a),
    "gamma": lambda k, r: stats.gamma(k, scale=1.0 / r),
    "inverse_gamma": lambda k, s: stats.invgamma(k, scale=s),
    "exponential": lambda r: stats.expon(scale=1.0 / r),
    "lognormal": lambda mu, s: stats.lognorm(s, scale=math.exp(mu)),
    "half_normal": lambda s: stats.halfnorm(scale=s),
    "half_cauchy": lambda s: stats.halfcauchy(scale=s),
    "beta": lambda a, b: stats.beta(a, b),
    "pareto": lambda xm, a: stats.pareto(a, scale=xm),
}
CASES = {"normal": ((0.3, 1.7), (-1.0, 0.2, 2.5)), "laplace": ((0.3, 1.7), (-1.0, 0.9, 2.5)),
         "student_t": ((3.5, 0.3, 1.7), (-1.0, 0.2, 2.5)), "cauchy": ((0.3, 1.7), (-1.0, 0.2, 2.5)),
         "uniform": ((-2.0, 3.0), (-1.0, 0.2, 2.5)), "gamma": ((2.5, 1.5), (0.3, 1.0, 4.0)),
         "inverse_gamma": ((2.5, 1.5), (0.3, 1.0, 4.0)), "exponential": ((1.5,), (0.3, 1.0, 4.0)),
         "lognormal": ((0.2, 0.7), (0.3, 1.0, 4.0)), "half_normal": ((1.5,), (0.3, 1.0, 4.0)),
         "half_cauchy": ((1.5,), (0.3, 1.0, 4.0)), "beta": ((2.5, 1.5), (0.1, 0.5, 0.93)),
         "pareto": ((0.8, 2.5), (0.9, 1.0, 4.0))}


def _prior(name, args):
    domain = {"beta": "unit"}.get(name, "positive" if DISTRIBUTIONS[name].support == "positive" else "real")
    return parse(f"t ~ {name}({', '.join(repr(a) for a in args)})", ("t",), (domain,))


@pytest.mark.parametrize("name", sorted(DISTRIBUTIONS))
def test_each_prior_is_scipys_density_with_analytic_derivatives(name):
    args, points = CASES[name]
    prior = _prior(name, args)
    for t in points:
        lp, d1, d2 = prior.derivs(t)
        assert lp == pytest.approx(SCIPY[name](*args).logpdf(t), rel=1e-12, abs=1e-12)
        h = 1e-5 * max(1.0, abs(t))
        assert d1 == pytest.approx((prior.logpdf(t + h) - prior.logpdf(t - h)) / (2 * h), rel=1e-6, abs=1e-8)
        num2 = (prior.derivs(t + h)[1] - prior.derivs(t - h)[1]) / (2 * h)
        assert d2 == pytest.approx(num2, rel=1e-6, abs=1e-8)


# ---------------------------------------------------------------- conjugate pairs, hand-computed
def test_seven_heads_of_ten_with_beta_2_2_is_beta_9_5():
    r = mlefit.fit([1] * 7 + [0] * 3, "bernoulli", prior="p ~ beta(2, 2)")
    d = r.to_dict()
    assert r.estimates["p"] == pytest.approx(8 / 12, abs=1e-10)
    post = d["posterior"]
    assert (post["distribution"], post["args"]) == ("beta", {"a": 9.0, "b": 5.0})
    assert post["mode"] == pytest.approx(8 / 12, abs=1e-15)
    assert post["mean"] == pytest.approx(9 / 14, rel=1e-14)
    assert post["sd"] == pytest.approx(math.sqrt(9 * 5 / (14 ** 2 * 15)), rel=1e-12)
    assert (post["ci_lower"], post["ci_upper"]) == pytest.approx(stats.beta(9, 5).ppf([0.025, 0.975]), rel=1e-12)
    p = r.parameters[0]
    assert (p.ci_lower, p.ci_upper, p.interval) == (post["ci_lower"], post["ci_upper"], "exact posterior")
    assert d["map"] is True and d["aic"] is None and d["bic"] is None
    assert d["mle"] == {"p": 0.7}


@pytest.mark.parametrize("family, data, prior, kw, posterior", [
    ("binomial:12", [3, 7, 5, 4], "p ~ beta(1.5, 3)", {}, ("beta", 1.5 + 19, 3 + 48 - 19)),
    ("geometric", [0, 3, 1, 1, 6, 2], "p ~ beta(2, 3)", {}, ("beta", 2 + 6, 3 + 13)),
    ("poisson", [3, 1, 4, 1, 5, 9, 2, 6], "rate ~ gamma(2, 1)", {}, ("gamma", 2 + 31, 1 + 8)),
    ("exponential", [0.5, 2.5, 1.25, 0.75, 3.0], "rate ~ gamma(3, 2)", {}, ("gamma", 3 + 5, 2 + 8.0)),
    ("normal", [4.1, 5.3, 3.8, 6.0, 5.1], "mu ~ normal(3, 0.5)", {"fix": {"sigma": 1.2}},
     ("normal", (3 / 0.25 + 24.3 / 1.44) / (1 / 0.25 + 5 / 1.44), (1 / 0.25 + 5 / 1.44) ** -0.5)),
])
def test_conjugate_posteriors_are_their_closed_forms_and_the_map_their_mode(family, data, prior, kw, posterior):
    r = mlefit.fit(data, family, prior=prior, **kw)
    post = r.to_dict()["posterior"]
    name, a, b = posterior
    assert post["distribution"] == name
    assert tuple(post["args"].values()) == pytest.approx((a, b), rel=1e-14)
    frozen = {"beta": lambda: stats.beta(a, b), "gamma": lambda: stats.gamma(a, scale=1 / b),
              "normal": lambda: stats.norm(a, b)}[name]()
    mode = {"beta": (a - 1) / (a + b - 2), "gamma": (a - 1) / b, "normal": a}[name]
    assert post["mode"] == pytest.approx(mode, rel=1e-14)
    param = post["parameter"]
    assert r.estimates[param] == pytest.approx(mode, rel=1e-10)  # the generic Newton reaches it
    assert (post["mean"], post["sd"]) == pytest.approx((frozen.mean(), frozen.std()), rel=1e-12)
    assert (post["ci_lower"], post["ci_upper"]) == pytest.approx(frozen.ppf([0.025, 0.975]), rel=1e-12)


def test_no_conjugate_posterior_without_a_conjugate_pair():
    assert mlefit.fit([1, 0, 1, 1], "bernoulli", prior="p ~ uniform(0.1, 0.9)").posterior is None
    assert mlefit.fit([4.1, 5.3, 3.8], "normal", prior="mu ~ normal(3, 0.5)").posterior is None  # sigma free


def test_all_heads_has_a_map_inside_the_interval():
    r = mlefit.fit([1, 1, 1], "bernoulli", prior="p ~ beta(2, 2)")  # MLE p = 1, on the edge
    assert r.estimates["p"] == pytest.approx(4 / 5, abs=1e-10)


def test_poisson_all_zeros_with_a_gamma_prior():
    r = mlefit.fit([0, 0, 0, 0], "poisson", prior="rate ~ gamma(3, 2)")  # MLE 0
    assert r.estimates["rate"] == pytest.approx(2 / 6, rel=1e-10)


# ---------------------------------------------------------------- non-conjugate: scipy.optimize
WEIBULL = [2.1, 0.7, 3.4, 1.9, 5.2, 0.4, 2.8, 1.1]


def _written_out(eta):  # log-posterior of weibull(shape, scale) with shape ~ lognormal(0, 0.5)
    k, lam = np.exp(eta)
    return (np.sum(stats.weibull_min(k, scale=lam).logpdf(WEIBULL)) + stats.lognorm(0.5).logpdf(k))


def test_weibull_map_equals_scipy_optimize_on_the_written_out_log_posterior():
    r = mlefit.fit(WEIBULL, "weibull", prior="shape ~ lognormal(0, 0.5)")
    ref = optimize.minimize(lambda e: -_written_out(e), [0.3, 0.7], method="Nelder-Mead",
                            options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 20000})
    k, lam = np.exp(ref.x)
    assert (r.estimates["shape"], r.estimates["scale"]) == pytest.approx((k, lam), rel=1e-7)
    d = r.to_dict()
    at = stats.weibull_min(r.estimates["shape"], scale=r.estimates["scale"])  # the likelihood and the prior apart
    assert d["loglik"] == pytest.approx(np.sum(at.logpdf(WEIBULL)), rel=1e-13)
    assert d["log_prior"] == pytest.approx(stats.lognorm(0.5).logpdf(r.estimates["shape"]), rel=1e-12)
    assert d["log_posterior"] == pytest.approx(d["loglik"] + d["log_prior"], rel=1e-15)
    assert d["log_posterior"] == pytest.approx(-ref.fun, rel=1e-12)
    assert d["log_posterior"] >= -ref.fun
    # SEs: the inverse of minus the log-posterior's Hessian in (shape, scale), taken numerically
    theta = np.array([k, lam])

    def f(t):
        return np.sum(stats.weibull_min(t[0], scale=t[1]).logpdf(WEIBULL)) + stats.lognorm(0.5).logpdf(t[0])
    h = np.empty((2, 2))
    step = 1e-4 * theta
    for i in range(2):
        for j in range(2):
            ei, ej = np.eye(2)[i] * step[i], np.eye(2)[j] * step[j]
            h[i, j] = (f(theta + ei + ej) - f(theta + ei - ej) - f(theta - ei + ej) + f(theta - ei - ej)) / (
                4 * step[i] * step[j])
    se = np.sqrt(np.diag(np.linalg.inv(-h)))
    assert [p.se for p in r.parameters] == pytest.approx(se, rel=1e-5)
    lo, hi = r.parameters[0].ci_lower, r.parameters[0].ci_upper  # Wald on the log scale
    assert (lo, hi) == pytest.approx((k * math.exp(-1.959963984540054 * se[0] / k),
                                      k * math.exp(1.959963984540054 * se[0] / k)), rel=1e-5)


def test_a_laplace_prior_has_a_kink_and_still_reaches_the_map():
    data = [0.9, 1.4, 0.2, 1.1, 0.6]
    r = mlefit.fit(data, "normal", prior="mu ~ laplace(0, 0.1)", fix={"sigma": 1.0})
    ref = optimize.minimize_scalar(lambda m: -(np.sum(stats.norm(m, 1).logpdf(data)) + stats.laplace(0, 0.1).logpdf(m)),
                                   bounds=(-1, 2), method="bounded", options={"xatol": 1e-12})
    assert r.estimates["mu"] == pytest.approx(ref.x, abs=1e-6)


@pytest.mark.parametrize("family, data, prior", [
    ("bernoulli", [1, 0, 1, 1, 0, 1], "p ~ uniform(0, 1)"),
    ("normal", [4.1, 5.3, 3.8, 6.0, 5.1], "mu ~ uniform(-1000, 1000)"),
    ("gamma", [2.1, 3.4, 1.2, 5.5, 2.2], "shape ~ uniform(0, 100)"),
])
def test_a_flat_prior_gives_back_the_mle(family, data, prior):
    ml = mlefit.fit(data, family)
    r = mlefit.fit(data, family, prior=prior)
    assert list(r.estimates.values()) == pytest.approx(list(ml.estimates.values()), rel=1e-10)
    assert r.loglik == pytest.approx(ml.loglik, rel=1e-13)


def test_integer_weights_are_repeated_rows():
    a = mlefit.fit([1.0, 2.5, 2.5, 2.5, 4.0], "gamma", prior="shape ~ gamma(2, 1)")
    b = mlefit.fit([1.0, 2.5, 4.0], "gamma", prior="shape ~ gamma(2, 1)", weights=[1, 3, 1])
    assert list(a.estimates.values()) == pytest.approx(list(b.estimates.values()), rel=1e-10)
    assert a.log_posterior == pytest.approx(b.log_posterior, rel=1e-12)


def test_prior_forms_in_python_are_the_same_fit():
    data = [3, 1, 4, 1, 5]
    forms = ["rate ~ gamma(2, 1)", ["rate ~ gamma(2, 1)"], {"rate": "gamma(2, 1)"}]
    values = [mlefit.fit(data, "poisson", prior=f).estimates["rate"] for f in forms]
    assert values == [values[0]] * 3


@pytest.mark.parametrize("prior, said", [
    ("p ~ betta(2, 2)", "unknown prior distribution 'betta'"),
    ("p ~ normal(0, 1)", "a normal prior puts weight on values outside (0, 1), but p is a probability"),
    ("q ~ beta(2, 2)", "the bernoulli family has no parameter 'q'"),
    ("p ~ beta(2)", "beta takes 2 numbers (a, b), got 1"),
    ("p ~ beta(0, 2)", "beta's a must be positive (got 0)"),
    ("p ~ beta(2, 1/0)", "is not a finite number"),
    ("p ~ beta(__import__('os'), 2)", "is not a finite number"),
    ("p = beta(2, 2)", "a prior is written PARAM ~ DIST(NUMBERS)"),
    ("p ~ uniform(0.5, 0.2)", "uniform(a, b) needs a < b"),
])
def test_bad_priors_are_one_line_usage_errors(prior, said):
    with pytest.raises(UsageError, match=None) as err:
        mlefit.fit([1, 0, 1], "bernoulli", prior=prior)
    assert said in str(err.value) and "\n" not in str(err.value)


def test_cli_json_is_the_librarys_record_and_the_table_says_map():
    runner = CliRunner()
    csv = "x\n" + "\n".join(["1"] * 7 + ["0"] * 3) + "\n"
    out = runner.invoke(cli, ["fit", "-", "-d", "bernoulli", "--prior", "p ~ beta(2, 2)", "--json"], input=csv)
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    lib = mlefit.fit([1] * 7 + [0] * 3, "bernoulli", prior="p ~ beta(2, 2)").to_dict()
    assert {k: v for k, v in d.items() if k not in ("source", "column")} == \
        {k: v for k, v in lib.items() if k not in ("source", "column")}
    table = runner.invoke(cli, ["fit", "-", "-d", "bernoulli", "--prior", "p ~ beta(2, 2)"], input=csv).stdout
    assert "bernoulli MAP fit" in table and "log-prior" in table and "unnormalised" in table
    assert "posterior        p ~ beta(9, 5) exactly" in table
    assert "not reported for a MAP fit" in table


# ---------------------------------------------------------------- regress: ridge as a prior, against scikit-learn
def _infert():
    import csv
    from pathlib import Path
    with open(Path(__file__).resolve().parent.parent / "sample_data" / "infert.csv") as fh:
        rows = list(csv.DictReader(fh))
    X = np.array([[float(r[c]) for c in ("spontaneous", "induced", "age")] for r in rows])
    y = np.array([float(r["case"]) for r in rows])
    return X, y


def _columns(X, y, names=("spontaneous", "induced", "age"), response="case", **extra):
    return {response: y, **{n: X[:, j] for j, n in enumerate(names)}, **extra}


def _coefs(r, names=("spontaneous", "induced", "age")):
    return [r.estimates["Intercept"]] + [r.estimates[n] for n in names]


@pytest.mark.parametrize("C", [0.05, 1.0])
def test_ridge_logistic_equals_scikit_learns_logisticregression(C):
    LogisticRegression = pytest.importorskip("sklearn.linear_model").LogisticRegression
    X, y = _infert()
    n = y.size
    ref = LogisticRegression(C=C, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(X, y)
    want = [ref.intercept_[0], *ref.coef_[0]]
    data = _columns(X, y)
    as_prior = mlefit.regress(data, "case", ["spontaneous", "induced", "age"], dist="bernoulli",
                              prior=f"coef ~ normal(0, {math.sqrt(C)!r})")
    as_penalty = mlefit.regress(data, "case", ["spontaneous", "induced", "age"], dist="bernoulli",
                                penalty=f"l2:{1.0 / (n * C)!r}")
    assert _coefs(as_prior) == pytest.approx(want, abs=1e-6)
    assert _coefs(as_penalty) == pytest.approx(want, abs=1e-6)
    d = as_penalty.to_dict()
    assert d["penalty"]["sd"] == pytest.approx(math.sqrt(C), rel=1e-14)  # 1/sqrt(n lambda) = sqrt(C)
    assert d["map"] and d["aic"] is None and d["lr_test"] is None
    # the likelihood and the prior apart: loglik is the data's at the MAP, the prior's log-density beside it
    b = np.array(_coefs(as_penalty))
    eta = b[0] + X @ b[1:]
    assert d["loglik"] == pytest.approx(np.sum(y * eta - np.logaddexp(0, eta)), rel=1e-12)
    assert d["log_prior"] == pytest.approx(np.sum(stats.norm(0, math.sqrt(C)).logpdf(b[1:])), rel=1e-12)
    assert d["log_posterior"] == pytest.approx(d["loglik"] + d["log_prior"], rel=1e-15)


def test_ridge_with_weights_takes_n_as_their_total():
    LogisticRegression = pytest.importorskip("sklearn.linear_model").LogisticRegression
    X, y = _infert()
    w = np.random.default_rng(7).integers(1, 4, y.size).astype(float)
    lam = 0.02
    ref = LogisticRegression(C=1.0 / (w.sum() * lam), solver="newton-cholesky", tol=1e-12,
                             max_iter=1000).fit(X, y, sample_weight=w)
    r = mlefit.regress(_columns(X, y, w=w), "case", ["spontaneous", "induced", "age"], dist="bernoulli",
                       weights="w", penalty=f"l2:{lam}")
    assert _coefs(r) == pytest.approx([ref.intercept_[0], *ref.coef_[0]], abs=1e-6)


def test_ridge_poisson_equals_scikit_learns_poissonregressor():
    PoissonRegressor = pytest.importorskip("sklearn.linear_model").PoissonRegressor
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 3))
    y = rng.poisson(np.exp(0.3 + X @ [0.5, -0.4, 0.2])).astype(float)
    alpha = 0.05
    ref = PoissonRegressor(alpha=alpha, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(X, y)
    r = mlefit.regress(_columns(X, y, ("a", "b", "c"), "y"), "y", ["a", "b", "c"], dist="poisson",
                       penalty=f"l2:{alpha}")
    assert _coefs(r, ("a", "b", "c")) == pytest.approx([ref.intercept_, *ref.coef_], abs=1e-6)


def test_ridge_linear_regression_equals_scikit_learns_ridge_with_sigma_fixed():
    Ridge = pytest.importorskip("sklearn.linear_model").Ridge
    rng = np.random.default_rng(5)
    X = rng.normal(size=(80, 3))
    y = 1.0 + X @ [0.5, -0.4, 0.2] + rng.normal(scale=0.7, size=80)
    alpha, sigma = 4.0, 0.7  # ||r||^2 + alpha |b|^2 = 2 sigma^2 (NLL + |b|^2 / (2 (sigma/sqrt(alpha))^2))
    ref = Ridge(alpha=alpha, solver="cholesky").fit(X, y)
    r = mlefit.regress(_columns(X, y, ("a", "b", "c"), "y"), "y", ["a", "b", "c"], dist="normal",
                       fix={"sigma": sigma}, prior=f"coef ~ normal(0, {sigma / math.sqrt(alpha)!r})")
    assert _coefs(r, ("a", "b", "c")) == pytest.approx([ref.intercept_, *ref.coef_], abs=1e-9)


def test_priors_by_name_and_on_the_intercept_equal_scipy_optimize():
    X, y = _infert()
    r = mlefit.regress(_columns(X, y), "case", ["spontaneous", "induced", "age"], dist="bernoulli",
                       prior=["coef ~ normal(0, 1)", "age ~ student_t(3, 0, 0.05)", "Intercept ~ cauchy(0, 10)"])

    def neg(b):
        eta = b[0] + X @ b[1:]
        return -(np.sum(y * eta - np.logaddexp(0, eta)) + stats.cauchy(0, 10).logpdf(b[0])
                 + np.sum(stats.norm(0, 1).logpdf(b[1:3])) + stats.t(3, 0, 0.05).logpdf(b[3]))
    ref = optimize.minimize(neg, np.zeros(4), method="BFGS", options={"gtol": 1e-10})
    assert _coefs(r) == pytest.approx(ref.x, abs=1e-5)
    assert r.to_dict()["log_posterior"] == pytest.approx(-ref.fun, rel=1e-10)


def test_a_prior_on_every_slope_keeps_a_separated_fit_finite():
    data = {"y": np.array([0, 0, 0, 1, 1, 1.0]), "x": np.array([1, 2, 3, 4, 5, 6.0])}
    with pytest.raises(mlefit.DataError, match="separation"):
        mlefit.regress(data, "y", ["x"], dist="bernoulli")
    r = mlefit.regress(data, "y", ["x"], dist="bernoulli", prior="coef ~ normal(0, 2.5)")
    assert r.converged and math.isfinite(r.estimates["x"])


@pytest.mark.parametrize("kw, said", [
    ({"prior": "coef ~ normal(0, 1)", "penalty": "l2:0.1"}, "give --prior or --penalty, not both"),
    ({"penalty": "l3:0.1"}, "--penalty takes l2:LAMBDA, l1:LAMBDA or elasticnet:LAMBDA:ALPHA"),
    ({"penalty": "l2:-1"}, "needs a positive number for LAMBDA"),
    ({"penalty": "ridge"}, "--penalty takes l2:LAMBDA"),
    ({"prior": "coef ~ uniform(-1, 1)"}, "a uniform prior on coefficients is not supported"),
    ({"prior": "agee ~ normal(0, 1)"}, "the regression has no coefficient 'agee'"),
    ({"prior": "coef ~ normal(0, 1)", "robust": True}, "not with --robust, --cluster"),
])
def test_bad_regression_priors_are_usage_errors(kw, said):
    X, y = _infert()
    with pytest.raises(UsageError) as err:
        mlefit.regress(_columns(X, y), "case", ["spontaneous", "induced", "age"], dist="bernoulli", **kw)
    assert said in str(err.value)


def test_a_prior_on_a_familys_other_parameter_in_regress_is_checked_against_its_support():
    rng = np.random.default_rng(1)
    data = {"y": rng.normal(size=20), "x": rng.normal(size=20)}
    with pytest.raises(UsageError, match="sigma is positive"):  # (tests/test_regress_map_audit.py: the MAP)
        mlefit.regress(data, "y", ["x"], dist="normal", prior="sigma ~ normal(0, 1)")


# ---------------------------------------------------------------- regress --prior jeffreys (Firth)
def _firth_written_out(X1, y, t=1.0, w=1.0):
    """-(log-likelihood + 1/2 log det X'WX) of a logit regression, X1 with its intercept column."""
    def neg(b):
        eta = X1 @ b
        p = 1 / (1 + np.exp(-eta))
        ll = np.sum(w * (y * eta - t * np.logaddexp(0, eta)))
        return -(ll + 0.5 * np.linalg.slogdet((X1 * (w * t * p * (1 - p))[:, None]).T @ X1)[1])
    return neg


SEPARATED = {"y": np.array([0, 0, 0, 1, 1, 1.0]), "x": np.array([1, 2, 3, 4, 5, 6.0])}


@pytest.mark.parametrize("which", ["separated", "infert"])
def test_firth_equals_scipy_optimize_on_the_penalised_likelihood(which):
    if which == "separated":
        data, names, y = SEPARATED, ["x"], SEPARATED["y"]
        X = SEPARATED["x"][:, None]
    else:
        X, y = _infert()
        data, names = _columns(X, y), ["spontaneous", "induced", "age"]
    r = mlefit.regress(data, "y" if which == "separated" else "case", names, dist="bernoulli", prior="jeffreys")
    X1 = np.column_stack([np.ones(y.size), X])
    neg = _firth_written_out(X1, y)
    ref = optimize.minimize(neg, np.zeros(X1.shape[1]), method="BFGS", options={"gtol": 1e-10})
    assert _coefs(r, names) == pytest.approx(ref.x, abs=1e-5)
    d = r.to_dict()
    assert d["log_posterior"] == pytest.approx(-ref.fun, rel=1e-10)
    eta = X1 @ np.array(_coefs(r, names))
    assert d["loglik"] == pytest.approx(np.sum(y * eta - np.logaddexp(0, eta)), rel=1e-12)


@pytest.mark.parametrize("which", ["separated", "infert"])
def test_firth_equals_firthmodels(which):
    firthmodels = pytest.importorskip("firthmodels")
    if which == "separated":
        X, y = SEPARATED["x"][:, None], SEPARATED["y"]
        data, names, response = SEPARATED, ["x"], "y"
    else:
        X, y = _infert()
        data, names, response = _columns(X, y), ["spontaneous", "induced", "age"], "case"
    ref = firthmodels.FirthLogisticRegression(gtol=1e-8, xtol=1e-8, max_iter=200).fit(X, y)
    assert ref.converged_
    r = mlefit.regress(data, response, names, dist="bernoulli", prior="jeffreys")
    assert _coefs(r, names) == pytest.approx([ref.intercept_, *ref.coef_], abs=1e-6)
    ses = [r.coefficients[0].se] + [c.se for c in r.coefficients[1:]]
    assert ses == pytest.approx([ref.bse_[-1], *ref.bse_[:-1]], rel=1e-6)  # firthmodels puts the intercept last
    assert r.log_posterior == pytest.approx(ref.loglik_, rel=1e-9)


def test_firth_gradient_is_the_penalised_likelihoods_and_its_curvature_the_augmented_information():
    from mlefit.regression.firth import FirthObjective
    from mlefit.data import Record
    from mlefit.regression.linear_model import Objective
    from mlefit.families.binomial import DENSITY as BINOMIAL
    rng = np.random.default_rng(2)
    X1 = np.column_stack([np.ones(40), rng.normal(size=(40, 2))])
    t = rng.integers(1, 6, 40).astype(float)
    y = rng.binomial(t.astype(int), 0.4).astype(float)
    w = rng.integers(1, 3, 40).astype(float)
    rows = Record(None, y, None, 40, (), weights=w, trials=t, covariates=X1)
    f = FirthObjective(Objective(BINOMIAL, rows, 0, "logit"))
    b = np.array([-0.3, 0.5, -0.2])
    point = f(b)
    log_choose = stats.binom.logpmf(y, t, 0.5) + t * np.log(2)  # log C(t, y), the constant written out omits
    assert point.value == pytest.approx(-_firth_written_out(X1, y, t, w)(b) + np.sum(w * log_choose), rel=1e-12)
    h = 1e-5
    num_g = [(f.value(b + h * e) - f.value(b - h * e)) / (2 * h) for e in np.eye(3)]
    assert point.grad == pytest.approx(num_g, rel=1e-6, abs=1e-7)
    # the curvature: minus the augmented information X' diag((w t + h) p (1 - p)) X (Fisher scoring)
    p = 1 / (1 + np.exp(-X1 @ b))
    W = w * t * p * (1 - p)
    hat = W * np.sum((X1 @ np.linalg.inv((X1 * W[:, None]).T @ X1)) * X1, axis=1)
    assert point.hess == pytest.approx(-(X1 * (W + hat * p * (1 - p))[:, None]).T @ X1, rel=1e-12)


def test_firth_with_weights_is_repeated_rows():
    data = {"y": np.array([0, 1, 0, 1, 1.0]), "x": np.array([1, 2, 3, 4, 5.0]), "w": np.array([2, 1, 3, 1, 2.0])}
    rep = {k: np.repeat(data[k], data["w"].astype(int)) for k in ("y", "x")}
    a = mlefit.regress(data, "y", ["x"], dist="bernoulli", weights="w", prior="jeffreys")
    b = mlefit.regress(rep, "y", ["x"], dist="bernoulli", prior="jeffreys")
    assert _coefs(a, ["x"]) == pytest.approx(_coefs(b, ["x"]), rel=1e-10)


def test_separation_suggests_jeffreys_and_jeffreys_is_for_logit_binary_regression():
    with pytest.raises(mlefit.DataError, match="or fit with --prior jeffreys"):
        mlefit.regress(SEPARATED, "y", ["x"], dist="bernoulli")
    with pytest.raises(UsageError, match="Firth's logistic regression: bernoulli or binomial with the logit"):
        mlefit.regress(SEPARATED, "y", ["x"], dist="bernoulli", link="probit", prior="jeffreys")
    with pytest.raises(UsageError, match="give it alone"):
        mlefit.regress(SEPARATED, "y", ["x"], dist="bernoulli", prior=["jeffreys", "coef ~ normal(0, 1)"])
    # fit takes jeffreys too, as the family's own Jeffreys prior (tests/test_jeffreys_prior.py)
    assert mlefit.fit([1, 0, 1], "bernoulli", prior="jeffreys").estimates["p"] == pytest.approx(0.75, abs=1e-10)


# ---------------------------------------------------------------- a MAP on the edge of the range
@pytest.mark.parametrize("prior", ["p ~ beta(1, 1)", "p ~ uniform(0, 1)"])
def test_a_flat_prior_with_all_heads_gives_the_edge_like_the_mle(prior):
    r = mlefit.fit([1, 1, 1, 1], "bernoulli", prior=prior)
    assert r.estimates["p"] == 1.0 and r.loglik == 0.0 and r.log_prior == 0.0
    assert r.posterior["label"] == "beta(5, 1)"
    p = r.parameters[0]
    assert p.se is None and (p.ci_lower, p.ci_upper) == pytest.approx(stats.beta(5, 1).ppf([0.025, 0.975]))


def test_a_posterior_density_rising_to_the_edge_has_its_map_there():
    d = mlefit.fit([1, 1, 1, 1], "bernoulli", prior="p ~ beta(0.5, 0.5)").to_dict()
    assert d["parameters"][0]["estimate"] == 1.0
    assert d["log_prior"] is None and d["log_posterior"] is None  # +inf: the density is unbounded there
    r = mlefit.fit([0, 0, 0], "poisson", prior="rate ~ gamma(0.5, 1)")
    assert r.estimates["rate"] == 0.0 and r.posterior["label"] == "gamma(0.5, 4)"


def test_a_generic_map_on_the_edge_has_no_laplace_interval():
    r = mlefit.fit([0, 0, 1, 2, 0, 3, 1], "zero_inflated_poisson", prior="pi ~ beta(1, 3)")
    pi = r.parameters[0]
    assert pi.estimate < 1e-12 and pi.se is None and pi.ci_lower is None
    assert any("pi's MAP is on the edge of its range" in n for n in r.notes)


# ---------------------------------------------------------------- priors on log(t) and logit(t)
@pytest.mark.parametrize("text, domain, points, density", [
    ("log(t) ~ normal(0.3, 0.7)", "positive", (0.2, 1.0, 3.5), lambda t: stats.lognorm(0.7, scale=math.exp(0.3)).pdf(t)),
    ("log(t) ~ student_t(4, 0, 2)", "positive", (0.2, 1.0, 3.5), lambda t: stats.t(4, 0, 2).pdf(math.log(t)) / t),
    ("logit(t) ~ normal(0.5, 1.5)", "unit", (0.1, 0.5, 0.93),
     lambda t: stats.norm(0.5, 1.5).pdf(math.log(t / (1 - t))) / (t * (1 - t))),
])
def test_a_prior_on_a_transformed_parameter_is_its_density_with_the_jacobian(text, domain, points, density):
    prior = parse(text, ("t",), (domain,))
    for t in points:
        lp, d1, d2 = prior.derivs(t)
        assert lp == pytest.approx(math.log(density(t)), rel=1e-12, abs=1e-12)
        h = 1e-5 * t
        assert d1 == pytest.approx((prior.logpdf(t + h) - prior.logpdf(t - h)) / (2 * h), rel=1e-6, abs=1e-8)
        assert d2 == pytest.approx((prior.derivs(t + h)[1] - prior.derivs(t - h)[1]) / (2 * h), rel=1e-6, abs=1e-7)


def test_a_normal_prior_on_log_sigma_is_a_lognormal_prior_on_sigma():
    data = [2.1, 3.4, 1.2, 5.5, 2.2]
    a = mlefit.fit(data, "normal", prior="log(sigma) ~ normal(0.3, 0.7)")
    b = mlefit.fit(data, "normal", prior="sigma ~ lognormal(0.3, 0.7)")
    assert list(a.estimates.values()) == pytest.approx(list(b.estimates.values()), rel=1e-12)
    assert a.log_prior == pytest.approx(b.log_prior, rel=1e-12)
    assert a.to_dict()["prior"][0]["transform"] == "log"


def test_a_normal_prior_on_logit_p_equals_scipy_optimize():
    y = [1, 0, 1, 1, 1]

    def neg(p):
        return -(np.sum(stats.bernoulli(p).logpmf(y)) + stats.norm(0, 1).logpdf(math.log(p / (1 - p)))
                 - math.log(p) - math.log(1 - p))
    ref = optimize.minimize_scalar(neg, bounds=(1e-6, 1 - 1e-6), method="bounded", options={"xatol": 1e-12})
    r = mlefit.fit(y, "bernoulli", prior="logit(p) ~ normal(0, 1)")
    assert r.estimates["p"] == pytest.approx(ref.x, abs=1e-8)
    assert r.posterior is None  # not the conjugate beta


def test_firth_profile_penalised_likelihood_intervals_equal_firthmodels():
    firthmodels = pytest.importorskip("firthmodels")
    X, y = _infert()
    ref = firthmodels.FirthLogisticRegression(gtol=1e-9, xtol=1e-9, max_iter=200).fit(X, y)
    ci = ref.conf_int(method="pl", tol=1e-9, max_iter=100)  # intercept last
    r = mlefit.regress(_columns(X, y), "case", ["spontaneous", "induced", "age"], dist="bernoulli",
                       prior="jeffreys", interval="profile")
    got = [end for c in r.coefficients for end in (c.ci_lower, c.ci_upper)]
    assert got == pytest.approx([*ci[-1], *ci[:-1].ravel()], abs=1e-6)
    assert r.coefficients[0].interval == "profile penalised likelihood"


def test_ridge_profile_intervals_are_where_the_profile_log_posterior_falls_by_chi2_over_2():
    X, y = _infert()
    r = mlefit.regress(_columns(X, y), "case", ["spontaneous", "induced", "age"], dist="bernoulli",
                       prior="coef ~ normal(0, 1)", interval="profile")
    top = r.log_posterior

    def log_post(b):
        eta = b[0] + X @ b[1:]
        return np.sum(y * eta - np.logaddexp(0, eta)) + np.sum(stats.norm(0, 1).logpdf(b[1:]))
    c = r.coefficients[1]  # spontaneous, held at each end, the others maximised by scipy
    for end in (c.ci_lower, c.ci_upper):
        rest = optimize.minimize(lambda v: -log_post(np.r_[v[0], end, v[1:]]), np.zeros(3), method="BFGS",
                                 options={"gtol": 1e-10})
        assert top - (-rest.fun) == pytest.approx(stats.chi2(1).ppf(0.95) / 2, abs=1e-6)


# ---------------------------------------------------------------- lasso and elastic net (laplace priors)
def _sparse_design(seed=11, n=120):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    return X, rng


@pytest.mark.parametrize("penalty, alpha, l1_ratio", [("l1:0.1", 0.1, 1.0), ("elasticnet:0.2:0.6", 0.2, 0.6)])
def test_lasso_and_elastic_net_equal_scikit_learn_zeros_included(penalty, alpha, l1_ratio):
    sk = pytest.importorskip("sklearn.linear_model")
    X, rng = _sparse_design()
    y = 1.0 + X @ [1.2, 0.0, -0.6, 0.0, 0.05] + rng.normal(size=X.shape[0])
    ref = sk.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-14, max_iter=100000).fit(X, y)
    names = ("a", "b", "c", "d", "e")
    r = mlefit.regress(_columns(X, y, names, "y"), "y", list(names), dist="normal", fix={"sigma": 1.0},
                       penalty=penalty)  # sigma = 1: the mean NLL is scikit-learn's |r|^2/(2n)
    got = _coefs(r, names)
    assert got == pytest.approx([ref.intercept_, *ref.coef_], abs=1e-8)
    assert [g == 0.0 for g in got[1:]] == [c == 0.0 for c in ref.coef_]  # the same exact zeros
    assert any(c == 0.0 for c in ref.coef_)
    zero = [c for c in r.coefficients if c.estimate == 0.0]
    assert all(c.se is None or math.isnan(c.se) for c in zero)
    assert r.to_dict()["coefficients"][2]["se"] is None  # JSON: null


@pytest.mark.parametrize("dist", ["bernoulli", "poisson"])
def test_lasso_glm_map_meets_its_optimality_conditions(dist):
    """The MAP of log-likelihood - w |b|_1 (intercept free): the log-likelihood's gradient is
    0 in the intercept, w sign(b_j) where b_j != 0, and at most w in size where b_j = 0."""
    X, rng = _sparse_design(5, 300)
    eta = 0.2 + X @ [0.8, 0.0, -0.5, 0.0, 0.1]
    y = (rng.random(300) < 1 / (1 + np.exp(-eta))).astype(float) if dist == "bernoulli" else \
        rng.poisson(np.exp(eta)).astype(float)
    names = ("a", "b", "c", "d", "e")
    r = mlefit.regress(_columns(X, y, names, "y"), "y", list(names), dist=dist, prior="coef ~ laplace(0, 0.05)")
    b = np.array(_coefs(r, names))
    X1 = np.column_stack([np.ones(y.size), X])
    mean = 1 / (1 + np.exp(-X1 @ b)) if dist == "bernoulli" else np.exp(X1 @ b)
    g = X1.T @ (y - mean)
    w = 1 / 0.05
    assert g[0] == pytest.approx(0, abs=1e-7)
    for j in range(1, 6):
        if b[j] != 0:
            assert g[j] == pytest.approx(w * np.sign(b[j]), abs=1e-7)
        else:
            assert abs(g[j]) <= w + 1e-9
    assert (b[1:] == 0).any()


def test_penalty_numbers_and_laplace_profile_refused():
    X, y = _infert()
    data, names = _columns(X, y), ["spontaneous", "induced", "age"]
    with pytest.raises(UsageError, match="ALPHA from 0"):
        mlefit.regress(data, "case", names, dist="bernoulli", penalty="elasticnet:0.1:2")
    with pytest.raises(UsageError, match="does not go with laplace priors"):
        mlefit.regress(data, "case", names, dist="bernoulli", penalty="l1:0.1", interval="profile")
    a = mlefit.regress(data, "case", names, dist="bernoulli", penalty="elasticnet:0.05:0")
    b = mlefit.regress(data, "case", names, dist="bernoulli", penalty="l2:0.05")
    assert _coefs(a, names) == pytest.approx(_coefs(b, names), rel=1e-12)


def test_a_lasso_model_saves_as_valid_json_and_predicts(tmp_path):
    from pathlib import Path
    infert = str(Path(__file__).resolve().parent.parent / "sample_data" / "infert.csv")
    model = tmp_path / "m.json"
    runner = CliRunner()
    out = runner.invoke(cli, ["regress", infert, "-y", "case", "-x", "spontaneous,induced,age,parity", "-d",
                              "bernoulli", "--penalty", "l1:0.05", "--save", str(model)])
    assert out.exit_code == 0, out.output
    def no_constants(c):
        raise AssertionError(f"{c} in the saved model")
    saved = json.loads(model.read_text(), parse_constant=no_constants)  # strict JSON: no NaN
    assert saved["penalty"]["kind"] == "l1" and any(c["estimate"] == 0 for c in saved["coefficients"])
    new = tmp_path / "new.csv"
    new.write_text("education,age,parity,induced,case,spontaneous\n0-5yrs,26,6,1,1,2\n")
    pred = runner.invoke(cli, ["predict", str(model), str(new), "--interval"])
    assert pred.exit_code == 0, pred.output
    mean, lower, upper = map(float, pred.stdout.splitlines()[1].split(","))
    assert lower < mean < upper


def test_by_groups_are_each_a_map_fit():
    out = CliRunner().invoke(cli, ["fit", "-", "-c", "x", "--by", "g", "-d", "bernoulli", "--prior", "p ~ beta(2, 2)",
                                   "--json"], input="g,x\na,1\na,0\na,1\nb,0\nb,0\nb,1\n")
    assert out.exit_code == 0, out.output
    groups = {g["group"]: g for g in json.loads(out.stdout)["groups"]}
    assert groups["a"]["posterior"]["label"] == "beta(4, 3)" and groups["b"]["posterior"]["label"] == "beta(3, 4)"
    assert groups["a"]["parameters"][0]["estimate"] == pytest.approx(3 / 5, abs=1e-10)


def _pytorch_sgd(X, y, wd, grad_of_mean_loss, lr=0.5):
    """PyTorch's SGD update with weight_decay, full batch: g = grad of the mean loss + wd * w on
    the weights (the bias in a parameter group without decay), w -= lr * g, to convergence."""
    b = np.zeros(X.shape[1] + 1)
    for _ in range(200000):
        g = grad_of_mean_loss(b)
        g[1:] += wd * b[1:]
        b -= lr * g
        if np.max(np.abs(lr * g)) < 1e-14:
            return b
    raise AssertionError("SGD did not converge")


@pytest.mark.parametrize("loss", ["bce", "mse"])
def test_pytorch_weight_decay_is_the_l2_penalty_of_the_conversion_table(loss):
    rng = np.random.default_rng(11)
    X = rng.normal(size=(200, 2))
    A = np.column_stack([np.ones(200), X])
    wd = 0.05
    names = ("a", "b")
    if loss == "bce":  # BCEWithLogitsLoss, mean over rows: weight_decay wd is --penalty l2:wd
        y = (rng.random(200) < 1 / (1 + np.exp(-(0.3 + X @ [1.0, -0.7])))).astype(float)
        want = _pytorch_sgd(X, y, wd, lambda b: A.T @ (1 / (1 + np.exp(-A @ b)) - y) / y.size)
        r = mlefit.regress(_columns(X, y, names, "y"), "y", list(names), dist="bernoulli", penalty=f"l2:{wd}")
    else:  # MSELoss: weight_decay wd is --penalty l2:wd/(2 s^2) with sigma fixed at s (any s)
        y = 0.3 + X @ [1.0, -0.7] + rng.normal(scale=0.5, size=200)
        want = _pytorch_sgd(X, y, wd, lambda b: 2 * A.T @ (A @ b - y) / y.size, lr=0.2)
        s = 0.5
        r = mlefit.regress(_columns(X, y, names, "y"), "y", list(names), dist="normal", fix={"sigma": s},
                           penalty=f"l2:{wd / (2 * s * s)!r}")
    assert _coefs(r, names) == pytest.approx(list(want), abs=1e-8)


def test_a_pareto_prior_is_refused_on_coefficients():
    """pareto(xm, alpha) (support [xm, inf)) is refused on coefficients, like uniform (its
    edge is a kink the MAP may sit on)."""
    x = [0.1, 0.5, 0.2, 0.9, 1.3, 0.7]
    y = [1.0, 2.0, 3.0, 4.0, 5.0, 3.5]
    with pytest.raises(UsageError, match="a pareto prior on coefficients is not supported"):
        mlefit.regress({"y": y, "x": x}, "y", ["x"], dist="normal", prior="coef ~ pareto(1, 2)")
