"""fit --prior with the other options (issue 18 audit): each works or is refused, never
ignored: own models (--logpdf) take priors like the family they write out, --by shows the
log-posterior of each group, --weights count as repeated rows."""
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

import mlefit
from mlefit.own import model as own_model
from mlefit.cli import cli

TIMES = [0.5, 2.5, 1.25, 0.75, 3.0, 4.1, 0.2, 1.7, 2.2, 5.3]
WEIBULL = "log(k) - log(lam) + (k-1)*log(x/lam) - (x/lam)^k"


def test_an_own_model_takes_a_prior_like_the_family_it_writes_out():
    fam = own_model.model(logpdf=WEIBULL, params="k>0=1, lam>0=2", support="x>0")
    own = own_model.fit(TIMES, fam, prior="k ~ lognormal(0, 0.1)")
    family = mlefit.fit(TIMES, "weibull", prior="shape ~ lognormal(0, 0.1)")
    assert own.to_dict()["map"] is True
    assert own.estimates["k"] == pytest.approx(family.estimates["shape"], rel=1e-8)
    assert own.estimates["lam"] == pytest.approx(family.estimates["scale"], rel=1e-8)
    assert own.log_posterior == pytest.approx(family.log_posterior, rel=1e-10)


def test_the_cli_passes_the_prior_to_an_own_model():
    text = "x\n" + "\n".join(map(str, TIMES)) + "\n"
    run = CliRunner().invoke(cli, ["fit", "-", "--logpdf", WEIBULL, "--params", "k>0=1, lam>0=2", "--support",
                                   "x>0", "--prior", "k ~ lognormal(0, 0.1)", "--json"], input=text)
    assert run.exit_code == 0, run.output
    d = json.loads(run.output)
    family = mlefit.fit(TIMES, "weibull", prior="shape ~ lognormal(0, 0.1)")
    assert d["map"] is True and d["prior"][0]["parameter"] == "k"
    assert d["parameters"][0]["estimate"] == pytest.approx(family.estimates["shape"], rel=1e-8)


def test_by_groups_show_the_log_posterior_and_the_prior():
    text = "x,g\n1,a\n0,a\n1,b\n1,b\n0,b\n"
    run = CliRunner().invoke(cli, ["fit", "-", "-c", "x", "-d", "bernoulli", "--by", "g", "--prior",
                                   "p ~ beta(2, 2)"], input=text)
    assert run.exit_code == 0, run.output
    header = next(line for line in run.output.splitlines() if line.strip().startswith("g "))
    assert "log-posterior" in header and "AIC" not in header
    assert "prior: p ~ beta(2, 2); estimates are the MAP" in run.output
    d = json.loads(CliRunner().invoke(cli, ["fit", "-", "-c", "x", "-d", "bernoulli", "--by", "g", "--prior",
                                            "p ~ beta(2, 2)", "--json"], input=text).output)
    b = d["groups"][1]
    assert b["parameters"][0]["estimate"] == pytest.approx(3 / 5, rel=1e-10)  # beta(2 + 2, 2 + 1)'s mode
    assert f"{b['log_posterior']:.8g}" in run.output.replace("-1.5732989", f"{b['log_posterior']:.8g}")


def test_weights_count_as_repeated_rows_under_a_prior():
    weighted = mlefit.fit([1, 0], "bernoulli", weights=[5, 2], prior="p ~ beta(2, 3)")
    repeated = mlefit.fit([1] * 5 + [0] * 2, "bernoulli", prior="p ~ beta(2, 3)")
    assert weighted.estimates["p"] == pytest.approx(repeated.estimates["p"], rel=1e-12)
    assert weighted.posterior["args"] == repeated.posterior["args"] == {"a": 7.0, "b": 5.0}


def test_binomial_with_trials_per_row_and_a_beta_prior_is_beta_a_plus_s_b_plus_failures():
    x, t, w = [3, 5, 2, 7, 3], [10, 10, 5, 12, 10], [1, 2, 1, 1, 3]
    r = mlefit.fit(x, "binomial", trials=t, weights=w, prior="p ~ beta(2, 2)")
    s = sum(wi * xi for wi, xi in zip(w, x))
    trials = sum(wi * ti for wi, ti in zip(w, t))
    assert r.estimates["p"] == pytest.approx((2 + s - 1) / (4 + trials - 2), abs=1e-10)  # generic Newton
    assert r.posterior["args"] == {"a": 2 + s, "b": 2 + trials - s}


def test_beta_binomial_with_trials_per_row_equals_scipy_optimize():
    from scipy import optimize, stats
    import numpy as np
    x = np.array([0, 9, 1, 8, 2, 10, 5, 0, 7, 3])
    t = np.array([10, 10, 9, 10, 12, 10, 10, 8, 9, 11])
    r = mlefit.fit(x, "beta_binomial", trials=t, prior=["a ~ gamma(2, 1)", "b ~ lognormal(0, 1)"])

    def minus(u):
        a, b = np.exp(u)
        return -(stats.betabinom(t, a, b).logpmf(x).sum() + stats.gamma(2).logpdf(a) + stats.lognorm(1).logpdf(b))

    best = optimize.minimize(minus, np.log([r.estimates["a"], r.estimates["b"]]) + 0.1, method="Nelder-Mead",
                             options={"xatol": 1e-11, "fatol": 1e-14, "maxiter": 20000})
    assert [r.estimates["a"], r.estimates["b"]] == pytest.approx(list(np.exp(best.x)), rel=1e-6)
    assert r.log_posterior == pytest.approx(-best.fun, rel=1e-10)


def test_a_nonlinear_mean_model_takes_priors_on_its_parameters():
    from scipy import optimize, stats
    import numpy as np
    text = "y,x\n1.1,1\n1.9,2\n3.2,3\n3.9,4\n5.1,5\n6.2,6\n"
    run = CliRunner().invoke(cli, ["regress", "-", "-y", "y", "--mean", "a + b*x", "--params", "a=0,b=1",
                                   "-d", "normal", "--prior", "b ~ normal(0, 0.1)", "--json"], input=text)
    assert run.exit_code == 0, run.output
    d = json.loads(run.output)
    x, y = np.arange(1.0, 7.0), np.array([1.1, 1.9, 3.2, 3.9, 5.1, 6.2])

    def minus(v):
        a, b, s = v[0], v[1], np.exp(v[2])
        return -(stats.norm(a + b * x, s).logpdf(y).sum() + stats.norm(0, 0.1).logpdf(b))

    est = [p["estimate"] for p in d["parameters"]]
    best = optimize.minimize(minus, [est[0], est[1], np.log(est[2])], method="BFGS", options={"gtol": 1e-10})
    assert est == pytest.approx([best.x[0], best.x[1], np.exp(best.x[2])], rel=1e-6, abs=1e-8)
    assert d["map"] is True and d["log_posterior"] == pytest.approx(-best.fun, rel=1e-10)


def test_derived_quantities_of_a_map_fit_are_plug_in_with_laplace_delta_intervals():
    import math
    import numpy as np
    from scipy import stats
    y = np.array([1.0, 2.0, 3.5, 2.2, 4.1])
    r = mlefit.fit(y, "normal", prior="mu ~ normal(0, 1)", derive=["mean", "quantile:0.9", "mu/sigma"])
    mu, sigma = r.estimates["mu"], r.estimates["sigma"]

    def log_post(t):
        return stats.norm(t[0], t[1]).logpdf(y).sum() + stats.norm(0, 1).logpdf(t[0])

    h, e = np.zeros((2, 2)), 1e-4
    t0 = np.array([mu, sigma])
    for i in range(2):
        for j in range(2):
            a, b = np.eye(2)[i] * e, np.eye(2)[j] * e
            h[i, j] = (log_post(t0 + a + b) - log_post(t0 + a - b) - log_post(t0 - a + b) + log_post(t0 - a - b)) / (4 * e * e)
    cov = np.linalg.inv(-h)
    z = stats.norm.ppf(0.9)
    by = {d.name: d for d in r.derived}
    assert by["mean"].estimate == pytest.approx(mu, rel=1e-12)
    assert by["mean"].se == pytest.approx(math.sqrt(cov[0, 0]), rel=1e-5)
    assert by["quantile:0.9"].estimate == pytest.approx(mu + z * sigma, rel=1e-10)
    g = np.array([1.0, z])
    assert by["quantile:0.9"].se == pytest.approx(math.sqrt(g @ cov @ g), rel=1e-5)
    g = np.array([1 / sigma, -mu / sigma ** 2])
    assert by["mu/sigma"].se == pytest.approx(math.sqrt(g @ cov @ g), rel=1e-5)
    assert by["mean"].interval.startswith("Laplace approximation, delta method")
    assert any("not the MAP of g" in n for n in r.notes)
    table = str(r)
    assert "derived quantities (g at the MAP, a plug-in: see the note)" in table


def test_a_laplace_fit_under_a_prior_has_standard_errors_like_its_ml_fit():
    import math
    import numpy as np
    y = np.array([1.2, 0.4, 2.5, 0.9, 3.3, 1.7, 0.6])
    r = mlefit.fit(y, "laplace", prior="b ~ gamma(2, 1)")
    mu, b = r.estimates["mu"], r.estimates["b"]
    s = np.abs(y - mu).sum()
    assert mu == np.median(y)
    # mu: the expected information n/b^2 (no second derivative at the kink), as the ML fit;
    # b: minus the second derivative of -n log b - S/b + log gamma(b; 2, 1)
    assert r.parameters[0].se == pytest.approx(b / math.sqrt(y.size), rel=1e-10)
    info_b = -y.size / b ** 2 + 2 * s / b ** 3 + 1 / b ** 2
    assert r.parameters[1].se == pytest.approx(1 / math.sqrt(info_b), rel=1e-8)


MIXED = [-2.1, -1.8, -2.5, -1.2, -2.2, 1.9, 2.4, 2.0, 1.5, 2.8, 3.1]
MIXTURE = ("log(w*exp(-(x-m1)^2/(2*s1^2))/s1 + (1-w)*exp(-(x-m2)^2/(2*s2^2))/s2) - 0.5*log(2*pi)")


def test_a_mixture_takes_priors_as_its_own_model_and_normal_mixture_says_so():
    """Issue 18, point 2: normal_mixture:K refuses a prior on one component (its components
    have no fixed labels; exchangeable priors on every component are tests/test_mixture_map.py's),
    naming the way that labels them: the mixture as an own model, whose MAP is checked here
    against scipy.optimize on the written-out log-posterior."""
    from scipy import optimize, stats
    data = "x\n" + "\n".join(map(str, MIXED)) + "\n"
    out = CliRunner().invoke(cli, ["fit", "-", "-d", "normal_mixture:2", "--prior", "mu[1] ~ normal(0, 1)"], input=data)
    assert out.exit_code == 2 and "have no fixed labels" in out.output
    assert "docs/priors.md#mixtures" in out.output and "Traceback" not in out.output
    out = CliRunner().invoke(cli, ["fit", "-", "--logpdf", MIXTURE, "--params", "w:(0,1)=0.5, m1=-2, s1>0=1, m2=2, s2>0=1",
                                   "--prior", "m1 ~ normal(0, 3)", "--prior", "w ~ beta(2, 2)",
                                   "--prior", "s1 ~ lognormal(0, 1)", "--json"], input=data)
    assert out.exit_code == 0, out.output
    got = {p["name"]: p["estimate"] for p in json.loads(out.stdout)["parameters"]}
    y = np.array(MIXED)

    def minus_post(u):
        w, m1, s1, m2, s2 = 1 / (1 + np.exp(-u[0])), u[1], np.exp(u[2]), u[3], np.exp(u[4])
        ll = np.log(w * stats.norm.pdf(y, m1, s1) + (1 - w) * stats.norm.pdf(y, m2, s2)).sum()
        return -(ll + stats.norm.logpdf(m1, 0, 3) + stats.beta.logpdf(w, 2, 2) + stats.lognorm.logpdf(s1, 1))
    best = optimize.minimize(minus_post, [0.0, -2.0, 0.0, 2.0, 0.0], method="BFGS", options={"gtol": 1e-10}).x
    want = [1 / (1 + math.exp(-best[0])), best[1], math.exp(best[2]), best[3], math.exp(best[4])]
    assert [got[n] for n in ("w", "m1", "s1", "m2", "s2")] == pytest.approx(want, rel=1e-6, abs=1e-7)
