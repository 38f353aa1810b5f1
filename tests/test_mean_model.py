"""Nonlinear regression by maximum likelihood (issue 22, point 5): `regress --mean EXPR`.
Checked against the linear-predictor regression where the expression is one (Poisson
with exp(a + b*x)), and against scipy.optimize on the same log-likelihood and
scipy.optimize.curve_fit where it is truly nonlinear."""
import json

import numpy as np
import pytest
import scipy.optimize
import scipy.stats as st
from click.testing import CliRunner

import mlefit
from mlefit.regression import mean_model
from mlefit.cli import cli
from mlefit.errors import UsageError


def close(a, b, rel):
    assert abs(a - b) <= rel * max(1.0, abs(b)), (a, b)


def poisson_rows(seed=3, n=300):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 2, n)
    return rng.poisson(np.exp(0.5 + 0.8 * x)).astype(float), x


def dose_rows(seed=7):
    rng = np.random.default_rng(seed)
    dose, n = np.linspace(0.5, 4.0, 8), np.full(8, 40.0)
    dead = rng.binomial(40, 1 / (1 + np.exp(-(dose - 2.2) / 0.6))).astype(float)
    return dead, dose, n


def test_poisson_with_exp_of_a_linear_mean_is_poisson_regression(tmp_path):
    y, x = poisson_rows()
    fam, covs = mean_model.model("poisson", "exp(a + b*x)", "a=0, b=0")
    own = mean_model.fit(np.column_stack([y, x]), fam)
    path = tmp_path / "p.csv"
    path.write_text("y,x\n" + "".join(f"{float(a)!r},{float(b)!r}\n" for a, b in zip(y, x)))
    ref = mlefit.regress(str(path), "y", ["x"], dist="poisson").to_dict()
    for p, q in zip(own.parameters, ref["coefficients"]):
        close(p.estimate, q["estimate"], 1e-9)
        close(p.se, q["se"], 1e-9)
    close(own.loglik, ref["loglik"], 1e-12)
    assert covs == ["x"]


def test_logistic_dose_response_equals_a_direct_scipy_optimum():
    dead, dose, n = dose_rows()
    fam, _ = mean_model.model("binomial", "1/(1 + exp(-(dose - ld50)/s))", "ld50=2, s>0=1", trials=True)
    own = mean_model.fit(np.column_stack([dead, dose, n]), fam)

    def nll(u):
        return -np.sum(st.binom.logpmf(dead, n, 1 / (1 + np.exp(-(dose - u[0]) / np.exp(u[1])))))
    ref = scipy.optimize.minimize(nll, [2.0, 0.0], method="Nelder-Mead",
                                  options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 10000})
    close(own.parameters[0].estimate, ref.x[0], 1e-7)
    close(own.parameters[1].estimate, np.exp(ref.x[1]), 1e-7)
    close(own.loglik, -ref.fun, 1e-12)
    assert own.parameters[1].interval == "wald, log scale"


def test_normal_mean_model_is_curve_fit_with_sigma_estimated():
    rng = np.random.default_rng(11)
    t = np.linspace(0, 10, 60)
    y = 100 * np.exp(-0.3 * t) + rng.normal(0, 2.0, t.size)
    fam, _ = mean_model.model("normal", "a*exp(-b*t)", "a>0=50, b>0=0.1")
    own = mean_model.fit(np.column_stack([y, t]), fam)
    (a, b), _ = scipy.optimize.curve_fit(lambda t, a, b: a * np.exp(-b * t), t, y, p0=[50, 0.1])
    close(own.parameters[0].estimate, a, 1e-7)
    close(own.parameters[1].estimate, b, 1e-7)
    rss = np.sum((y - a * np.exp(-b * t)) ** 2)
    close(own.parameters[2].estimate, np.sqrt(rss / t.size), 1e-7)  # sigma, the MLE (divisor n)
    assert [p.name for p in own.parameters] == ["a", "b", "sigma"]
    fixed = mean_model.fit(np.column_stack([y, t]), fam, fix={"sigma": 2.0})
    assert fixed.parameters[2].interval == "fixed"
    close(fixed.parameters[0].estimate, a, 1e-6)


def test_cli_regress_mean_json(tmp_path):
    dead, dose, n = dose_rows()
    path = tmp_path / "doses.csv"
    path.write_text("dose,n,dead\n" + "".join(f"{float(a)!r},{float(b)!r},{float(c)!r}\n"
                                              for a, b, c in zip(dose, n, dead)))
    out = CliRunner().invoke(cli, ["regress", str(path), "-y", "dead", "--trials", "n", "--mean",
                                   "1/(1 + exp(-(dose - ld50)/s))", "--params", "ld50=2, s>0=1",
                                   "-d", "binomial", "--json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    fam, _ = mean_model.model("binomial", "1/(1 + exp(-(dose - ld50)/s))", "ld50=2, s>0=1", trials=True)
    ref = mean_model.fit(np.column_stack([dead, dose, n]), fam)
    assert [p["estimate"] for p in d["parameters"]] == pytest.approx([p.estimate for p in ref.parameters],
                                                                      rel=1e-12)


@pytest.mark.parametrize("dist, mean, extra", [
    ("poisson", "exp(a + b*x)", []),
    ("binomial", "1/(1 + exp(-(a + b*x)))", ["--trials", "t"])])
def test_a_mean_models_robust_errors_are_the_regressions(dist, mean, extra, tmp_path):
    """regress --mean --robust: the sandwich errors of a mean that is a linear predictor
    under its canonical link equal the regression's (HC0, weights and trials per row too).
    The per-row scores were broadcast to the shape of the rows' matrix (response,
    covariates, trials), not one per row: an internal error."""
    rng = np.random.default_rng(5)
    x, t, w = rng.uniform(0, 2, 80), rng.integers(1, 30, 80), rng.integers(1, 4, 80)
    y = rng.poisson(np.exp(0.5 + 0.8 * x)) if dist == "poisson" else rng.binomial(t, 1 / (1 + np.exp(-x + 1)))
    path = tmp_path / "r.csv"
    path.write_text("y,x,t,w\n" + "".join(f"{int(a)},{float(b)!r},{int(c)},{int(d)}\n" for a, b, c, d in zip(y, x, t, w)))
    common = ["regress", str(path), "-y", "y", "-d", dist, "-w", "w", "--robust", "--json", *extra]
    own = CliRunner().invoke(cli, common + ["--mean", mean, "--params", "a=0, b=0"])
    assert own.exit_code == 0, own.output
    ref = CliRunner().invoke(cli, common + ["-x", "x"])
    assert ref.exit_code == 0, ref.output
    own, ref = json.loads(own.stdout)["parameters"], json.loads(ref.stdout)["coefficients"]
    for p, q in zip(own, ref):  # the regression's se is its robust one under --robust
        close(p["estimate"], q["estimate"], 1e-9)
        close(p["se_robust"], q["se"], 1e-8)


@pytest.mark.parametrize("args,message", [
    (["-y", "y", "--mean", "exp(a*x)"], "--mean EXPR and --params LIST go together"),
    (["-y", "y", "--mean", "exp(a*x)", "--params", "a=0", "-x", "x"], "-x cannot be used with --mean"),
    (["-y", "y", "--mean", "exp(a*x)", "--params", "a=0", "-d", "beta"], "--mean takes --dist"),
    (["-y", "y", "--mean", "exp(a*z)", "--params", "a=0", "-d", "poisson"], "'z'"),
])
def test_cli_regress_mean_errors(args, message, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("y,x\n1,0.5\n2,1\n4,2\n")
    out = CliRunner().invoke(cli, ["regress", str(path)] + args)
    assert out.exit_code == 2 and message in out.stderr, out.stderr


def test_a_family_parameter_name_cannot_be_reused():
    with pytest.raises(UsageError, match="'sigma' is a parameter of normal itself"):
        mean_model.model("normal", "sigma*x", "sigma=1")


def _dose_file(tmp_path, n=300):
    rng = np.random.default_rng(1)
    dose = rng.uniform(0, 4, n)
    dead = (rng.uniform(size=n) < 0.9 / (1 + np.exp(-(dose - 2) / 0.5))).astype(int)
    path = tmp_path / "dose.csv"
    path.write_text("dose,dead\n" + "".join(f"{a},{b}\n" for a, b in zip(dose, dead)))
    return path, dose, dead


def test_a_beta_prior_on_a_mean_models_probability_is_not_the_bernoulli_conjugate(tmp_path):
    """The conjugate posterior took a --mean model's records for the family's own values: a
    beta prior on c in 'c/(1 + exp(...))' gave c = 1 with an 'exact' interval. The MAP is the
    maximum of the log-likelihood plus the log-prior, found here directly."""
    path, dose, dead = _dose_file(tmp_path)
    out = CliRunner().invoke(cli, ["regress", str(path), "-y", "dead", "-d", "bernoulli", "--mean",
                                   "c/(1 + exp(-(dose - m)/0.5))", "--params", "c:(0,1)=0.5, m=2",
                                   "--prior", "c ~ beta(2, 2)", "--json"])
    assert out.exit_code == 0, out.output
    got = {p["name"]: p["estimate"] for p in json.loads(out.stdout)["parameters"]}

    def minus_log_posterior(v):
        c, m = v
        if not 0 < c < 1:
            return np.inf
        p = c / (1 + np.exp(-(dose - m) / 0.5))
        return -(st.bernoulli(p).logpmf(dead).sum() + st.beta(2, 2).logpdf(c))
    ref = scipy.optimize.minimize(minus_log_posterior, [0.5, 2.0], method="Nelder-Mead",
                                  options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 5000}).x
    assert got["c"] == pytest.approx(ref[0], rel=1e-5) and got["m"] == pytest.approx(ref[1], rel=1e-5)


def test_a_mean_models_map_takes_bootstrap_intervals_of_the_rows(tmp_path):
    """Issue 16, point 1: regress --mean with a prior and --interval bootstrap: the MAP refitted to
    resamples of the rows, labelled as its sampling variability, not credible intervals."""
    path, _, _ = _dose_file(tmp_path)
    out = CliRunner().invoke(cli, ["regress", str(path), "-y", "dead", "-d", "bernoulli", "--mean",
                                   "c/(1 + exp(-(dose - m)/0.5))", "--params", "c:(0,1)=0.5, m=2",
                                   "--prior", "c ~ beta(2, 2)", "--interval", "bootstrap", "--bootstrap", "40",
                                   "--seed", "3", "--json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert d["resampling"]["samples"] == 40 and d["resampling"]["seed"] == 3
    assert "not a credible interval" in d["resampling"]["method"] or any(
        "not credible intervals" in n for n in d["notes"])
    for p in d["parameters"]:
        assert p["interval"] == "bootstrap" and p["ci_lower"] < p["estimate"] < p["ci_upper"]
