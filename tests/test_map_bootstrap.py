"""Bootstrap intervals of a MAP fit (issue 18, point 3): the MAP refitted to each
resample. With bernoulli and a beta(a, b) prior every resample's MAP is (k + a - 1)/(n + a
+ b - 2) for its own k, and a nonparametric resample's k is binomial(n, k/n), so the
bootstrap MAPs' values, mean and variance are known in closed form."""
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import optimize, stats

import mlefit
from mlefit.censored import rows as censoring
from mlefit.priors import bootstrap as map_bootstrap
from mlefit.inference import resample
from mlefit.cli import cli
from mlefit.inference.resample import percentile_interval

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
    out = CliRunner().invoke(cli, ["fit", "-", "-c", "t", "--event", "e", "-d", "exponential", "--prior",
                                   "rate ~ gamma(2, 1)", "--interval", "bootstrap", "--resample", "parametric"],
                             input="t,e\n1,1\n2,0\n3,1\n")
    assert out.exit_code == 2 and "a parametric bootstrap would need the censoring mechanism" in out.output


# censored rows (issue 18): each resample is rows drawn with replacement, each with its
# censoring; with exponential rows and a gamma(a, b) prior its MAP is (d + a - 1)/(T + b),
# d the events and T the total time of the rows drawn
TIMES = [1.0, 2.0, 3.0, 4.0, 5.0, 0.7, 6.5, 2.2, 0.4, 3.3, 1.9, 8.0]
EVENT = [1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0]


def _replayed_counts(ml, seed, samples):
    """The rows' counts in each resample: n row numbers drawn uniformly, from the seed the
    MAP bootstrap seeds its generator with (the documented scheme, redone here)."""
    rng = resample.seed_for(seed, f"{ml.fitted.family.name}/nonparametric/map")
    n = len(TIMES)
    return [np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(samples)]


def test_censored_rows_travel_with_their_censoring_and_each_map_is_its_closed_form():
    data = censoring.from_event(TIMES, EVENT)
    ml = mlefit.fit(data, "exponential")
    thetas, failed = map_bootstrap.estimates(ml, "rate ~ gamma(2, 1)", 100, "nonparametric", 3, 200,
                                             ml.fitted.theta)
    t, e = np.array(TIMES), np.array(EVENT)
    want = [(c @ e + 2 - 1) / (c @ t + 1) for c in _replayed_counts(ml, 3, 100)]
    assert failed == 0 and thetas[:, 0] == pytest.approx(want, rel=1e-10)
    r = mlefit.fit(data, "exponential", prior="rate ~ gamma(2, 1)", interval="bootstrap", bootstrap=100,
                   resample="nonparametric", seed=3)
    p = r.to_dict()["parameters"][0]
    assert (p["ci_lower"], p["ci_upper"]) == pytest.approx(percentile_interval(np.array(want), 0.95), rel=1e-10)
    assert p["interval"] == "bootstrap" and set(p["intervals"]) == {"laplace", "bootstrap"}
    assert r.censoring["right"] == 5 and r.estimates["rate"] == pytest.approx((7 + 1) / (sum(TIMES) + 1), rel=1e-10)


@pytest.mark.slow  # scipy.optimize on each resample
def test_interval_censored_resamples_map_equals_scipy_optimize_on_its_rows():
    lower = [0.5, 1.0, 2.0, None, 3.0, 1.5, 4.0, 0.2, 1.2]
    upper = [1.0, 1.8, 2.0, 0.9, None, 2.5, None, 0.6, 1.2]
    ml = mlefit.fit(censoring.from_bounds(lower, upper), "weibull")
    prior = ["shape ~ lognormal(0, 0.5)", "scale ~ gamma(2, 1)"]
    thetas, failed = map_bootstrap.estimates(ml, prior, 3, "nonparametric", 1, 200, ml.fitted.theta)
    rng = resample.seed_for(1, "weibull/nonparametric/map")
    for theta in thetas:
        counts = np.bincount(rng.integers(0, len(lower), len(lower)), minlength=len(lower))

        def minus_log_posterior(u):
            k, lam = np.exp(u)
            d = stats.weibull_min(k, scale=lam)
            total = 0.0
            for c, lo, hi in zip(counts, lower, upper):
                if c == 0:
                    continue
                if lo is not None and hi is not None and lo == hi:
                    total += c * d.logpdf(lo)
                elif lo is None:
                    total += c * d.logcdf(hi)
                elif hi is None:
                    total += c * d.logsf(lo)
                else:
                    total += c * math.log(d.cdf(hi) - d.cdf(lo))
            return -(total + stats.lognorm(0.5).logpdf(k) + stats.gamma(2).logpdf(lam))
        best = optimize.minimize(minus_log_posterior, np.log(theta) + 0.05, method="Nelder-Mead",
                                 options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 20000})
        assert theta == pytest.approx(np.exp(best.x), rel=1e-6)
    assert failed == 0


# a dirichlet prior (issue 18): every label stays in each resample (a lost one counts 0),
# whose MAP is the mode of dirichlet(counts + a) in closed form
LABELS = ["a", "b", "a", "c", "a", "b", "a", "b", "d", "a"]


def test_dirichlet_resamples_keep_every_label_and_take_the_posterior_mode():
    ml = mlefit.fit(LABELS, "categorical")
    labels = ["a", "b", "c", "d"]
    thetas, failed = map_bootstrap.estimates(ml, "p ~ dirichlet(2)", 300, "nonparametric", 5, 200, ml.fitted.theta)
    rng = resample.seed_for(5, "categorical/nonparametric/map")
    n = len(LABELS)
    for theta in thetas:
        c = np.bincount(rng.integers(0, n, n), minlength=n)
        counts = np.array([sum(ci for ci, v in zip(c, LABELS) if v == lab) for lab in labels], dtype=float)
        assert theta == pytest.approx((counts + 1) / (n + 4), rel=1e-12)
    assert failed == 0 and (thetas[:, 3] == 1 / 14).any()  # some resamples lost 'd': (0 + 2 - 1)/(10 + 8 - 4)


def test_dirichlet_parametric_counts_are_multinomial_at_the_map_and_jeffreys_reaches_the_edge():
    r = mlefit.fit(LABELS, "categorical", prior="p ~ dirichlet(2)", interval="bootstrap", bootstrap=2000, seed=2)
    theta = np.array([r.estimates[f"p[{lab}]"] for lab in "abcd"])
    ml = mlefit.fit(LABELS, "categorical")
    thetas, _ = map_bootstrap.estimates(ml, "p ~ dirichlet(2)", 2000, "parametric", 2, 200, theta)
    # each MAP is (N_k + 1)/14, N ~ multinomial(10, theta): its mean (10 theta + 1)/14 exactly
    assert thetas.mean(axis=0) == pytest.approx((10 * theta + 1) / 14, abs=4 * np.sqrt(10 / 4) / 14 / np.sqrt(2000))
    assert np.allclose(thetas * 14 - 1, np.round(thetas * 14 - 1), atol=1e-12)
    d = r.to_dict()
    assert d["resampling"]["kind"] == "parametric" and d["parameters"][0]["interval"] == "bootstrap"
    assert set(d["parameters"][0]["intervals"]) == {"exact", "laplace", "bootstrap"}
    j = mlefit.fit(LABELS, "categorical", prior="jeffreys", interval="bootstrap", bootstrap=300,
                   resample="nonparametric").to_dict()
    assert j["parameters"][3]["intervals"]["bootstrap"]["lower"] == 0  # lost 'd' with a = 1/2: mode at p = 0
