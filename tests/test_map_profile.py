"""fit --prior ... --interval profile (issue 18, point 4): the ends of each interval are
where the log-posterior, maximised over the other parameters, falls chi2_1(level)/2 below
its maximum; checked against scipy.optimize on the log-posterior written out with
scipy.stats."""
import json

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import optimize, stats

import mlefit
from mlefit.cli import cli

Q = stats.chi2(1).ppf(0.95) / 2
VALUES = [4.1, 5.3, 3.8, 6.0, 5.1, 4.4, 7.2]


def _log_posterior(mu, sigma):  # normal data, mu ~ normal(3, 2), sigma ~ half_normal(3)
    return (np.sum(stats.norm(mu, sigma).logpdf(VALUES)) + stats.norm(3, 2).logpdf(mu)
            + stats.halfnorm(scale=3).logpdf(sigma))


def _best_over_sigma(mu):
    res = optimize.minimize_scalar(lambda ls: -_log_posterior(mu, np.exp(ls)), bracket=(-1, 1), tol=1e-12)
    return -res.fun


def _best_over_mu(sigma):
    res = optimize.minimize_scalar(lambda m: -_log_posterior(m, sigma), bracket=(3, 6), tol=1e-12)
    return -res.fun


def test_profile_ends_are_where_the_profile_log_posterior_falls_by_chi2_over_2():
    r = mlefit.fit(VALUES, "normal", prior=["mu ~ normal(3, 2)", "sigma ~ half_normal(3)"], interval="profile")
    d = r.to_dict()
    top = d["log_posterior"]
    assert top == pytest.approx(_log_posterior(r.estimates["mu"], r.estimates["sigma"]), rel=1e-12)
    mu, sigma = r.parameters
    assert mu.interval == sigma.interval == "profile" and d["intervals"] == "profile"
    for end in (mu.ci_lower, mu.ci_upper):
        assert _best_over_sigma(end) == pytest.approx(top - Q, abs=1e-7)
    for end in (sigma.ci_lower, sigma.ci_upper):
        assert _best_over_mu(end) == pytest.approx(top - Q, abs=1e-7)
    assert mu.ci_lower < r.estimates["mu"] < mu.ci_upper and sigma.ci_lower < r.estimates["sigma"] < sigma.ci_upper
    laplace = [i for i in mu.intervals if i.kind == "laplace"][0]
    assert laplace.lower != mu.ci_lower  # the Laplace interval is kept beside, and differs


def test_one_parameter_profile_is_the_log_posterior_itself_with_the_exact_interval_beside():
    k, n = 7, 10  # beta(2, 2) prior: log-posterior of beta(9, 5) up to a constant
    r = mlefit.fit([1] * k + [0] * (n - k), "bernoulli", prior="p ~ beta(2, 2)", interval="profile")
    post = stats.beta(k + 2, n - k + 2)
    mode = r.estimates["p"]
    for end in (r.parameters[0].ci_lower, r.parameters[0].ci_upper):
        assert post.logpdf(end) == pytest.approx(post.logpdf(mode) - Q, abs=1e-9)
    kinds = {i.kind for i in r.parameters[0].intervals}
    assert kinds == {"profile", "laplace", "exact"}


def test_cli_profile_json_is_the_librarys():
    text = "y\n" + "\n".join(map(str, VALUES)) + "\n"
    args = ["fit", "-", "-d", "normal", "--prior", "mu ~ normal(3, 2)", "--prior", "sigma ~ half_normal(3)",
            "--interval", "profile"]
    out = CliRunner().invoke(cli, args + ["--json"], input=text)
    assert out.exit_code == 0, out.output
    want = mlefit.fit(VALUES, "normal", prior=["mu ~ normal(3, 2)", "sigma ~ half_normal(3)"],
                      interval="profile").to_dict()
    got = json.loads(out.stdout)
    assert [p["ci_lower"] for p in got["parameters"]] == pytest.approx([p["ci_lower"] for p in want["parameters"]],
                                                                       rel=1e-12)
    table = CliRunner().invoke(cli, args, input=text).stdout
    assert "profile" in table and "profile log-posterior" in table
