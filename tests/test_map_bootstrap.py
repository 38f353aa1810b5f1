"""Bootstrap intervals of a MAP fit (issue 18, point 3): the MAP refitted to each
resample. With bernoulli and a beta(a, b) prior every resample's MAP is (k + a - 1)/(n + a
+ b - 2) for its own k, and a nonparametric resample's k is binomial(n, k/n), so the
bootstrap MAPs' values, mean and variance are known in closed form."""
import json

import numpy as np
import pytest
from click.testing import CliRunner

import mlefit
from mlefit import map_bootstrap
from mlefit.cli import cli
from mlefit.resample import percentile_interval

FLIPS = [1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1]  # k = 14 of n = 20


@pytest.mark.slow  # 1000 MAP refits
def test_each_resamples_map_is_the_closed_form_of_its_own_count():
    n, k, a, b, B = len(FLIPS), sum(FLIPS), 2.0, 3.0, 1000
    ml = mlefit.fit(FLIPS, "bernoulli")
    thetas, failed = map_bootstrap.estimates(ml, "p ~ beta(2, 3)", B, "nonparametric", 0, 200, ml.fitted.theta)
    assert failed == 0 and thetas.shape == (B, 1)
    counts = thetas[:, 0] * (n + a + b - 2) - (a - 1)  # each a whole count k_b
    assert counts == pytest.approx(np.round(counts), abs=1e-9)
    p = k / n  # k_b ~ binomial(n, p): mean and variance of the MAPs exactly
    mean, var = (n * p + a - 1) / (n + a + b - 2), n * p * (1 - p) / (n + a + b - 2) ** 2
    assert thetas.mean() == pytest.approx(mean, abs=4 * np.sqrt(var / B))
    assert thetas.var() == pytest.approx(var, rel=0.1)


def test_the_interval_is_the_percentiles_of_the_resamples_maps():
    r = mlefit.fit(FLIPS, "bernoulli", prior="p ~ beta(2, 3)", interval="bootstrap", bootstrap=300,
                   resample="nonparametric", seed=4)
    ml = mlefit.fit(FLIPS, "bernoulli")
    thetas, _ = map_bootstrap.estimates(ml, "p ~ beta(2, 3)", 300, "nonparametric", 4, 200, ml.fitted.theta)
    d = r.to_dict()
    p = d["parameters"][0]
    assert (p["ci_lower"], p["ci_upper"]) == pytest.approx(percentile_interval(thetas[:, 0], 0.95), rel=1e-12)
    assert p["interval"] == "bootstrap" and set(p["intervals"]) == {"laplace", "exact", "bootstrap"}
    assert d["map"] and d["resampling"]["kind"] == "nonparametric" and d["resampling"]["samples"] == 300
    assert r.estimates["p"] == pytest.approx((14 + 1) / (20 + 3), rel=1e-10)  # the MAP itself unchanged


def test_parametric_draws_at_the_map_and_all_keeps_the_profile_headline():
    data = [1.5, 2.5, 0.7, 3.1, 0.4, 0.9, 2.2, 1.1]
    r = mlefit.fit(data, "gamma", prior="shape ~ gamma(2, 1)", interval="all", bootstrap=100).to_dict()
    for p in r["parameters"]:
        assert p["interval"] == "profile" and set(p["intervals"]) == {"profile", "laplace", "bootstrap"}
        lo, hi = p["intervals"]["bootstrap"]["lower"], p["intervals"]["bootstrap"]["upper"]
        assert 0 < lo < p["estimate"] < hi
    assert r["resampling"]["kind"] == "parametric"


def test_the_cli_labels_them_and_refuses_where_undefined():
    data = "x\n1.5\n2.5\n0.7\n3.1\n0.4\n0.9\n2.2\n"
    out = CliRunner().invoke(cli, ["fit", "-", "-d", "normal", "--prior", "mu ~ normal(0, 1)", "--interval",
                                   "bootstrap", "--bootstrap", "50", "--json"], input=data)
    assert out.exit_code == 0, out.output
    assert any("not credible intervals" in n for n in json.loads(out.stdout)["notes"])
    out = CliRunner().invoke(cli, ["fit", "-", "-d", "categorical", "--prior", "p ~ dirichlet(2)", "--interval",
                                   "bootstrap"], input="x\na\nb\na\nc\n")
    assert out.exit_code == 2 and "a resample may lose a label" in out.output
    out = CliRunner().invoke(cli, ["fit", "-", "-c", "t", "--event", "e", "-d", "exponential", "--prior",
                                   "rate ~ gamma(2, 1)", "--interval", "bootstrap"], input="t,e\n1,1\n2,0\n3,1\n")
    assert out.exit_code == 2 and "with censored rows use --interval profile" in out.output
