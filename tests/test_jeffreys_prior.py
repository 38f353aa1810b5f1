"""fit --prior jeffreys (issue 18, point 1): each family's Jeffreys prior |I(theta)|^(1/2) in
closed form, checked by the posterior modes and exact posteriors it gives (hand-derived
closed forms, scipy.stats for the intervals and densities)."""
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import stats

import mlefit
from mlefit.cli import cli

FLIPS = [1, 0, 1, 1, 0, 1, 1, 0, 1, 1]  # k = 7 of n = 10
COUNTS = [3, 1, 4, 1, 5, 9, 2, 6]  # S = 31, n = 8
TIMES = [0.5, 2.5, 1.25, 0.75, 3.0]  # S = 8, n = 5
VALUES = [4.1, 5.3, 3.8, 6.0, 5.1, 4.4]


def test_bernoulli_jeffreys_is_beta_half_half_with_mode_k_minus_half_over_n_minus_one():
    r = mlefit.fit(FLIPS, "bernoulli", prior="jeffreys")
    k, n = 7, 10
    assert r.estimates["p"] == pytest.approx((k - 0.5) / (n - 1), abs=1e-10)  # the generic Newton reaches it
    d = r.to_dict()
    post = d["posterior"]
    assert (post["distribution"], post["args"]) == ("beta", {"a": k + 0.5, "b": n - k + 0.5})
    assert (post["ci_lower"], post["ci_upper"]) == pytest.approx(
        stats.beta(k + 0.5, n - k + 0.5).ppf([0.025, 0.975]), rel=1e-12)
    assert d["log_prior"] == pytest.approx(stats.beta(0.5, 0.5).logpdf(r.estimates["p"]), rel=1e-12)
    assert d["prior"] == [{"parameter": "p", "transform": None, "given": "jeffreys", "distribution": "beta",
                           "args": {"a": 0.5, "b": 0.5}}]


def test_binomial_jeffreys_counts_every_trial():
    data, trials = [3, 7, 5, 4], 12  # S = 19 of N n = 48
    r = mlefit.fit(data, f"binomial:{trials}", prior="jeffreys")
    assert r.estimates["p"] == pytest.approx((19 - 0.5) / (48 - 1), abs=1e-10)
    assert r.to_dict()["posterior"]["args"] == {"a": 19.5, "b": 29.5}


def test_poisson_jeffreys_is_rate_to_the_minus_half():
    r = mlefit.fit(COUNTS, "poisson", prior="jeffreys")  # posterior gamma(S + 1/2, n)
    assert r.estimates["rate"] == pytest.approx((31 - 0.5) / 8, rel=1e-10)
    d = r.to_dict()
    assert d["posterior"]["args"] == {"shape": 31.5, "rate": 8.0}
    assert (d["posterior"]["ci_lower"], d["posterior"]["ci_upper"]) == pytest.approx(
        stats.gamma(31.5, scale=1 / 8).ppf([0.025, 0.975]), rel=1e-12)
    assert d["log_prior"] == pytest.approx(-0.5 * math.log(r.estimates["rate"]), rel=1e-12)  # improper, unnormalised


def test_exponential_jeffreys_is_one_over_rate():
    r = mlefit.fit(TIMES, "exponential", prior="jeffreys")  # posterior gamma(n, S)
    assert r.estimates["rate"] == pytest.approx((5 - 1) / 8.0, rel=1e-10)
    assert r.to_dict()["posterior"]["args"] == {"shape": 5.0, "rate": 8.0}


def test_normal_jeffreys_is_one_over_sigma_with_mu_flat():
    y = np.array(VALUES)
    r = mlefit.fit(VALUES, "normal", prior="jeffreys")
    ss = float(np.sum((y - y.mean()) ** 2))
    assert r.estimates["mu"] == pytest.approx(y.mean(), rel=1e-12)
    assert r.estimates["sigma"] == pytest.approx(math.sqrt(ss / (y.size + 1)), rel=1e-10)  # not ss / n
    assert r.to_dict()["log_prior"] == pytest.approx(-math.log(r.estimates["sigma"]), rel=1e-12)
    assert r.posterior is None
    fixed = mlefit.fit(VALUES, "normal", prior="jeffreys", fix={"mu": 5.0})
    assert fixed.estimates["sigma"] == pytest.approx(math.sqrt(np.sum((y - 5.0) ** 2) / (y.size + 1)), rel=1e-10)


def test_poisson_all_zeros_has_its_jeffreys_map_on_the_edge():
    r = mlefit.fit([0, 0, 0], "poisson", prior="jeffreys")  # gamma(1/2, 3) rises to 0
    assert r.estimates["rate"] == 0.0
    assert r.to_dict()["posterior"]["args"] == {"shape": 0.5, "rate": 3.0}


def test_one_exponential_row_is_refused_not_put_on_a_zero_likelihood():
    out = CliRunner().invoke(cli, ["fit", "-", "-d", "exponential", "--prior", "jeffreys"], input="x\n2\n")
    assert out.exit_code == 1 and "whose mode is rate = 0" in out.output and "Traceback" not in out.output


def test_cli_jeffreys_json_is_the_librarys_and_the_table_says_jeffreys():
    text = "y\n" + "\n".join(map(str, COUNTS)) + "\n"
    out = CliRunner().invoke(cli, ["fit", "-", "-d", "poisson", "--prior", "jeffreys", "--json"], input=text)
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["parameters"][0]["estimate"] == pytest.approx(30.5 / 8, rel=1e-10)
    table = CliRunner().invoke(cli, ["fit", "-", "-d", "poisson", "--prior", "jeffreys"], input=text).stdout
    assert "jeffreys: rate has density rate^(-0.5), improper" in table


@pytest.mark.parametrize("args, said", [
    (["-d", "pareto", "--prior", "jeffreys"], "is for bernoulli, binomial, geometric, poisson, exponential, normal"),
    (["-d", "normal", "--prior", "jeffreys", "--prior", "mu ~ normal(0, 1)"], "give it alone"),
    (["-d", "normal", "--fix", "sigma=1", "--prior", "jeffreys"], "Jeffreys prior is flat"),
])
def test_jeffreys_where_mlefit_has_none_is_a_usage_error(args, said):
    out = CliRunner().invoke(cli, ["fit", "-", *args], input="x\n1\n2\n3.5\n")
    assert out.exit_code == 2 and said in out.output and "Traceback" not in out.output


Y = np.array([1.2, 0.4, 2.5, 0.9, 3.3, 1.7, 0.6])


@pytest.mark.parametrize("family, expected", [
    ("half_normal", {"sigma": math.sqrt(np.sum(Y ** 2) / (Y.size + 1))}),  # I(sigma) = 2/sigma^2
    ("rayleigh", {"sigma": math.sqrt(np.sum(Y ** 2) / (2 * Y.size + 1))}),  # log f = log y - 2 log sigma - ...
    ("lognormal", {"meanlog": np.log(Y).mean(),
                   "sdlog": math.sqrt(np.sum((np.log(Y) - np.log(Y).mean()) ** 2) / (Y.size + 1))}),
    ("laplace", {"mu": np.median(Y), "b": np.sum(np.abs(Y - np.median(Y))) / (Y.size + 1)}),
])
def test_scale_and_location_scale_jeffreys_maps_in_closed_form(family, expected):
    r = mlefit.fit(Y, family, prior="jeffreys")
    for name, value in expected.items():
        assert r.estimates[name] == pytest.approx(value, rel=1e-8)
    scale = list(expected)[-1]
    assert r.log_prior == pytest.approx(-math.log(r.estimates[scale]), rel=1e-12)


def test_laplace_mu_on_an_even_count_stays_at_the_mles_midpoint():
    r = mlefit.fit(Y[:6], "laplace", prior="jeffreys")  # any mu between the middle two is a maximum
    assert r.estimates["mu"] == mlefit.fit(Y[:6], "laplace").estimates["mu"]


@pytest.mark.parametrize("family, scipy_of, log_prior", [
    ("logistic", lambda t: stats.logistic(t[0], t[1]), lambda t: -math.log(t[1])),
    ("cauchy", lambda t: stats.cauchy(t[0], t[1]), lambda t: -math.log(t[1])),
    ("gumbel", lambda t: stats.gumbel_r(t[0], t[1]), lambda t: -math.log(t[1])),
    ("weibull", lambda t: stats.weibull_min(t[0], scale=t[1]), lambda t: -math.log(t[0]) - math.log(t[1])),
    ("log_logistic", lambda t: stats.fisk(t[0], scale=t[1]), lambda t: -math.log(t[0]) - math.log(t[1])),
])
def test_jeffreys_independence_priors_equal_scipy_optimize(family, scipy_of, log_prior):
    from scipy import optimize
    r = mlefit.fit(Y, family, prior="jeffreys")
    names = list(r.estimates)
    positive_first = family in ("weibull", "log_logistic")

    def theta(u):
        return (math.exp(u[0]) if positive_first else u[0], math.exp(u[1]))

    def minus(u):
        t = theta(u)
        return -(scipy_of(t).logpdf(Y).sum() + log_prior(t))

    est = [r.estimates[n] for n in names]
    u0 = [math.log(est[0]) if positive_first else est[0], math.log(est[1])]
    best = optimize.minimize(minus, np.array(u0) + 0.05, method="Nelder-Mead",
                             options={"xatol": 1e-11, "fatol": 1e-14, "maxiter": 20000})
    assert est == pytest.approx(list(theta(best.x)), rel=1e-6)
    assert r.log_posterior == pytest.approx(-best.fun, rel=1e-10)


def test_geometric_jeffreys_is_p_to_minus_one_times_one_minus_p_to_minus_half():
    x = [0, 3, 1, 5, 2, 0, 4]  # failures before the first success: n = 7, S = 15
    r = mlefit.fit(x, "geometric", prior="jeffreys")
    n, s = 7, 15
    assert r.estimates["p"] == pytest.approx((n - 1) / (n + s - 1.5), abs=1e-10)  # the generic Newton reaches it
    post = r.to_dict()["posterior"]
    assert (post["distribution"], post["args"]) == ("beta", {"a": n, "b": s + 0.5})
    p = r.estimates["p"]
    assert r.log_prior == pytest.approx(-math.log(p) - 0.5 * math.log1p(-p), rel=1e-12)
    assert "p has density p^(-1) (1 - p)^(-0.5), improper" in str(r)
    with pytest.raises(mlefit.DataError, match="whose mode is p = 0"):
        mlefit.fit([3], "geometric", prior="jeffreys")
