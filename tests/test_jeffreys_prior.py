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
    (["-d", "laplace", "--prior", "jeffreys"], "closed form for bernoulli, binomial, poisson, exponential, normal"),
    (["-d", "normal", "--prior", "jeffreys", "--prior", "mu ~ normal(0, 1)"], "give it alone"),
    (["-d", "normal", "--fix", "sigma=1", "--prior", "jeffreys"], "Jeffreys prior is flat"),
])
def test_jeffreys_where_mlefit_has_none_is_a_usage_error(args, said):
    out = CliRunner().invoke(cli, ["fit", "-", *args], input="x\n1\n2\n3.5\n")
    assert out.exit_code == 2 and said in out.output and "Traceback" not in out.output
