"""Issue 16, point 1: regress --interval bootstrap, case (row) resampling refitted from the
estimate, percentile intervals; checked against independent bootstrap loops with statsmodels
on the same resample indices, the Wald SE where the model is right, and the cluster bootstrap."""
import json

import numpy as np
import pytest
from click.testing import CliRunner

from mlefit.data import Record
from mlefit.report import progress
from mlefit.cli import cli
from mlefit.regression.model import regress
from mlefit.regression.bootstrap import drawer, generator

sm = pytest.importorskip("statsmodels.api")


def logistic_data(n, seed=5):
    rng = np.random.default_rng(seed)
    x, z = rng.normal(size=n), rng.uniform(-1, 1, size=n)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(0.3 + 0.8 * x - 0.5 * z)))).astype(float)
    return {"y": y, "x": x, "z": z}, np.column_stack([np.ones(n), x, z])


def same_indices(n, seed, samples):
    """The row numbers of each resample, drawn as the module docstring says (for a loop of our own)."""
    rng = generator(seed)
    return [rng.integers(0, n, n) for _ in range(samples)]


def test_logistic_percentile_ends_equal_a_statsmodels_loop_on_the_same_rows():
    cols, X = logistic_data(300)
    r = regress(cols, "y", ["x", "z"], dist="bernoulli", interval="bootstrap", bootstrap=199, seed=11)
    refits = np.array([sm.Logit(cols["y"][i], X[i]).fit(disp=0, method="newton", tol=1e-12, maxiter=100).params
                       for i in same_indices(300, 11, 199)])
    lo, hi = np.percentile(refits, [2.5, 97.5], axis=0)
    got = np.array([(c.ci_lower, c.ci_upper) for c in r.coefficients])
    np.testing.assert_allclose(got[:, 0], lo, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(got[:, 1], hi, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose([c.se_bootstrap for c in r.coefficients], refits.std(axis=0, ddof=1), rtol=1e-7)
    assert all(c.interval == "nonparametric bootstrap percentile" for c in r.coefficients)
    assert r.resampling == {"samples": 199, "kind": "nonparametric", "seed": 11, "failed": 0, "failed_reasons": {},
                            "method": "nonparametric bootstrap, percentile intervals"}


def test_negative_binomial_size_and_coefficients_equal_statsmodels_refits_on_the_same_rows():
    rng = np.random.default_rng(8)
    n = 250
    x = rng.normal(size=n)
    y = rng.negative_binomial(4, 4 / (4 + np.exp(1 + 0.4 * x))).astype(float)
    X = np.column_stack([np.ones(n), x])
    r = regress({"y": y, "x": x}, "y", ["x"], dist="negative_binomial", interval="bootstrap", bootstrap=99, seed=2)
    refits = []
    for i in same_indices(n, 2, 99):
        p = sm.NegativeBinomial(y[i], X[i]).fit(disp=0, method="newton", tol=1e-12, maxiter=200).params
        refits.append([p[0], p[1], 1 / p[2]])  # statsmodels' alpha = 1/size
    lo, hi = np.percentile(np.array(refits), [2.5, 97.5], axis=0)
    got = np.array([(c.ci_lower, c.ci_upper) for c in r.coefficients + r.parameters])
    np.testing.assert_allclose(got[:, 0], lo, rtol=1e-6)
    np.testing.assert_allclose(got[:, 1], hi, rtol=1e-6)


def test_quantile_regression_equals_statsmodels_quantreg_refits_on_the_same_rows():
    rng = np.random.default_rng(4)
    n = 200
    a = rng.normal(size=n)
    y = 1 + 2 * a + rng.standard_t(3, size=n)
    X = np.column_stack([np.ones(n), a])
    r = regress({"y": y, "a": a}, "y", ["a"], dist="asymmetric_laplace:0.7", interval="bootstrap", bootstrap=59,
                seed=6)
    refits = np.array([sm.QuantReg(y[i], X[i]).fit(q=0.7, p_tol=1e-10, max_iter=20000).params
                       for i in same_indices(n, 6, 59)])
    lo, hi = np.percentile(refits, [2.5, 97.5], axis=0)
    got = np.array([(c.ci_lower, c.ci_upper) for c in r.coefficients])
    np.testing.assert_allclose(got[:, 0], lo, atol=1e-4)  # QuantReg's IRLS stops within ~1e-6 of the LP's vertex
    np.testing.assert_allclose(got[:, 1], hi, atol=1e-4)
    assert r.coefficients[0].interval == "nonparametric bootstrap percentile"
    assert r.coefficients[0].se is not None  # Powell's sandwich SE stays beside the bootstrap interval


@pytest.mark.slow
def test_bootstrap_se_of_a_logistic_coefficient_is_the_wald_se_at_large_n():
    cols, _ = logistic_data(8000, seed=9)
    r = regress(cols, "y", ["x", "z"], dist="bernoulli", interval="bootstrap", bootstrap=800, seed=1)
    for c in r.coefficients:  # B = 800: the bootstrap SE's own error is about 1/sqrt(2B) = 2.5%
        assert c.se_bootstrap == pytest.approx(c.se, rel=0.075)
        assert c.ci_lower < c.estimate < c.ci_upper
        assert (c.ci_upper - c.ci_lower) == pytest.approx(2 * 1.959964 * c.se, rel=0.08)


def test_the_same_seed_gives_the_same_intervals_and_another_seed_others():
    cols, _ = logistic_data(150)
    runs = [regress(cols, "y", ["x", "z"], dist="bernoulli", interval="bootstrap", bootstrap=50, seed=s).to_dict()
            for s in (3, 3, 4)]
    assert runs[0] == runs[1]
    assert runs[0]["coefficients"] != runs[2]["coefficients"]


def _rows(n, w=None, clusters=None):
    """A regression's Record of n rows with these weights and clusters (what drawer reads)."""
    return Record(None, np.zeros(n), None, n, (), weights=w, clusters=clusters)


def test_whole_weights_resample_a_row_of_weight_k_as_k_rows_and_fractional_ones_keep_their_weight():
    w = np.array([1.0, 3.0, 2.0])
    counts = drawer(_rows(3, w))(np.random.default_rng(0))
    assert counts.sum() == 6 and np.all(counts == np.round(counts))
    frac = np.array([0.5, 1.5, 2.0])
    c = drawer(_rows(3, frac))(np.random.default_rng(0))
    drawn = np.bincount(np.random.default_rng(0).integers(0, 3, 3), minlength=3)
    np.testing.assert_array_equal(c, drawn * frac)


def test_whole_weights_give_the_bootstrap_of_the_rows_repeated():
    rng = np.random.default_rng(3)
    x = rng.normal(size=200)
    w = rng.integers(1, 4, 200).astype(float)
    y = rng.poisson(np.exp(0.5 + 0.3 * x)).astype(float)
    weighted = regress({"x": x, "w": w, "y": y}, "y", ["x"], dist="poisson", weights="w", interval="bootstrap",
                       bootstrap=400, seed=1)
    k = w.astype(int)
    repeated = regress({"x": np.repeat(x, k), "y": np.repeat(y, k)}, "y", ["x"], dist="poisson",
                       interval="bootstrap", bootstrap=400, seed=1)
    for a, b in zip(weighted.coefficients, repeated.coefficients):  # the same distribution, other draws
        assert a.se_bootstrap == pytest.approx(b.se_bootstrap, rel=0.15)


def test_cluster_bootstrap_draws_whole_clusters():
    groups = np.array([7, 7, 3, 3, 3, 9])
    counts = drawer(_rows(6, clusters=groups))(np.random.default_rng(1))
    for g in np.unique(groups):
        assert np.unique(counts[groups == g]).size == 1
    rng = np.random.default_rng(2)
    g = rng.integers(0, 30, 600)
    shared = rng.normal(size=30)[g]  # a cluster effect: rows of a cluster are correlated
    x = rng.normal(size=30)[g] + 0.3 * rng.normal(size=600)
    y = 1 + x + shared + 0.5 * rng.normal(size=600)
    cols = {"y": y, "x": x, "g": g.astype(float)}
    plain = regress(cols, "y", ["x"], dist="normal", interval="bootstrap", bootstrap=300)
    clustered = regress(cols, "y", ["x"], dist="normal", cluster="g", interval="bootstrap", bootstrap=300)
    assert clustered.resampling["kind"] == "cluster"
    assert clustered.coefficients[1].interval == "cluster bootstrap percentile"
    assert any("30 clusters drawn with replacement" in n for n in clustered.notes)
    # the rows alone understate the uncertainty; the clusters' bootstrap follows the cluster-robust SE
    assert clustered.coefficients[1].se_bootstrap > 2 * plain.coefficients[1].se_bootstrap
    assert clustered.coefficients[1].se_bootstrap == pytest.approx(clustered.coefficients[1].se, rel=0.25)


def test_resamples_that_cannot_be_refitted_are_counted_and_said():
    rng = np.random.default_rng(1)
    x = np.r_[rng.normal(-2, 1, 12), rng.normal(2, 1, 12)]
    y = np.r_[np.zeros(12), np.ones(12)]
    y[[0, 13]] = 1 - y[[0, 13]]  # overlap by one row each: the full data are not separated, many resamples are
    r = regress({"x": x, "y": y}, "y", ["x"], dist="bernoulli", interval="bootstrap", bootstrap=200)
    failed = r.resampling["failed"]
    assert 0 < failed < 200 and sum(r.resampling["failed_reasons"].values()) == failed
    assert any(k.startswith(("complete separation", "quasi-complete separation"))
               for k in r.resampling["failed_reasons"])
    assert any(n.startswith(f"{failed} of 200 bootstrap resamples") and "left out" in n for n in r.notes)
    codes = np.array(list("aaaaaaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbbbbc"))
    soft = regress({"y": codes, "x": rng.normal(size=codes.size)}, "y", ["x"], dist="categorical",
                   interval="bootstrap", bootstrap=100)
    assert soft.resampling["failed_reasons"].get("a label of the response was not drawn", 0) > 20


def test_map_bootstrap_is_labelled_as_sampling_variability_not_credible():
    cols, _ = logistic_data(200)
    r = regress(cols, "y", ["x", "z"], dist="bernoulli", prior="coef ~ normal(0, 1)", interval="bootstrap",
                bootstrap=50)
    assert r.coefficients[1].interval.endswith("(sampling distribution, not a credible interval)")
    assert any("not credible intervals" in n for n in r.notes)


@pytest.mark.parametrize("how", [
    dict(dist="poisson", response="yp"), dict(dist="negative_binomial", response="yp"),
    dict(dist="gamma", response="yg"), dict(dist="student_t", response="yt"), dict(dist="normal", response="yt"),
    dict(dist="categorical", response="yc"), dict(dist="weibull", response="yg", censoring={"event": "ev"}),
    dict(dist="normal", response="yt", censoring={"lower_limit": 0.0}), dict(dist="laplace", response="yt"),
    dict(dist="huber:1.345", response="yt"), dict(dist="bernoulli", response="yb", prior="jeffreys"),
    dict(dist="normal", response="yt", penalty="l2:0.1"), dict(dist="binomial", response="yk", trials="t")])
def test_every_family_gives_bootstrap_intervals(how):
    rng = np.random.default_rng(7)
    n = 300
    x = rng.normal(size=n)
    t = rng.integers(1, 6, n).astype(float)
    cols = {"x": x, "t": t, "yp": rng.negative_binomial(3, 3 / (3 + np.exp(1 + 0.3 * x))).astype(float),
            "yg": rng.gamma(2.0, np.exp(0.3 * x) / 2.0), "yt": 1 + x + rng.standard_t(5, n),
            "yb": (rng.uniform(size=n) < 0.4).astype(float), "yc": np.array(list("abc"))[rng.integers(0, 3, n)],
            "ev": (rng.uniform(size=n) < 0.7).astype(float), "yk": rng.binomial(t.astype(int), 0.3).astype(float)}
    r = regress(cols, covariates=["x"], interval="bootstrap", bootstrap=40, seed=3, **how)
    assert r.resampling["samples"] == 40 and r.resampling["failed"] == 0
    for c in r.coefficients + tuple(p for p in r.parameters if p.interval != "fixed"):
        assert "bootstrap" in c.interval and c.ci_lower < c.ci_upper and c.se_bootstrap > 0


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_cli_json_says_the_method_per_coefficient_and_the_resampling(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "AFTER", 0.0)
    out = run("regress", "sample_data/infert.csv", "-y", "case", "-x", "spontaneous,induced", "-d", "bernoulli",
              "--interval", "bootstrap", "--bootstrap", "99", "--seed", "4", "--json")
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert [c["interval"] for c in d["coefficients"]] == ["nonparametric bootstrap percentile"] * 3
    assert d["resampling"]["samples"] == 99 and d["resampling"]["seed"] == 4
    c = d["coefficients"][1]
    assert c["exp_ci_lower"] == pytest.approx(np.exp(c["ci_lower"])) and c["se_bootstrap"] > 0
    assert "mlefit: bootstrap intervals..." in out.stderr  # the progress, on stderr only
    table = run("regress", "sample_data/infert.csv", "-y", "case", "-x", "spontaneous,induced", "-d", "bernoulli",
                "--interval", "bootstrap", "--bootstrap", "99", "--seed", "4")
    assert "99 nonparametric resamples, seed 4, percentile intervals" in table.stdout


def test_cli_mean_model_bootstrap_resamples_rows(tmp_path):
    rng = np.random.default_rng(1)
    dose = rng.uniform(0, 4, 200)
    dead = (rng.uniform(size=200) < 1 / (1 + np.exp(-(dose - 2) / 0.5))).astype(int)
    path = tmp_path / "dose.csv"
    path.write_text("dose,dead\n" + "".join(f"{a},{b}\n" for a, b in zip(dose, dead)))
    out = run("regress", path, "-y", "dead", "-d", "bernoulli", "--mean", "1/(1 + exp(-(dose - ld50)/s))",
              "--params", "ld50=2, s>0=1", "--interval", "bootstrap", "--bootstrap", "50", "--json")
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert d["resampling"]["kind"] == "nonparametric" and d["resampling"]["samples"] == 50
    assert all(p["interval"] == "nonparametric bootstrap percentile" for p in d["parameters"])


@pytest.mark.parametrize("args, message", [
    (("--bootstrap", "50"), "--bootstrap N is the number of resamples of --interval bootstrap (or all); give "
                            "--interval bootstrap with it"),
    (("--interval", "all", "--robust"), "--interval all includes the profile likelihood, the model's own; it does "
                                        "not go with --robust or --cluster"),
    (("--interval", "bootstrap", "--bootstrap", "0"), "--interval bootstrap needs --bootstrap N of 1 or more "
                                                      "(999 by default)"),
])
def test_cli_bootstrap_options_refused(args, message):
    out = run("regress", "sample_data/infert.csv", "-y", "case", "-x", "induced", "-d", "bernoulli", *args)
    assert out.exit_code == 2 and out.stderr.strip() == f"mlefit: error: {message}"


def test_interval_all_puts_wald_profile_and_bootstrap_side_by_side_as_fit_does():
    cols, _ = logistic_data(200)
    every = regress(cols, "y", ["x", "z"], dist="bernoulli", interval="all", bootstrap=99, seed=5)
    prof = regress(cols, "y", ["x", "z"], dist="bernoulli", interval="profile")
    wald = regress(cols, "y", ["x", "z"], dist="bernoulli")
    boot = regress(cols, "y", ["x", "z"], dist="bernoulli", interval="bootstrap", bootstrap=99, seed=5)
    for c, p, w, b in zip(every.coefficients, prof.coefficients, wald.coefficients, boot.coefficients):
        assert (c.ci_lower, c.ci_upper, c.interval) == (p.ci_lower, p.ci_upper, "profile likelihood")  # the headline
        d = c.to_dict()
        assert list(d["intervals"]) == ["wald", "profile", "bootstrap"]
        assert (d["intervals"]["wald"]["lower"], d["intervals"]["wald"]["upper"]) == (w.ci_lower, w.ci_upper)
        assert (d["intervals"]["bootstrap"]["lower"], d["intervals"]["bootstrap"]["upper"]) == (b.ci_lower, b.ci_upper)
        assert d["wald_profile_disagree"] is False
    # --interval bootstrap keeps the Wald interval beside its headline, as fit's JSON does
    assert list(boot.coefficients[0].to_dict()["intervals"]) == ["wald", "bootstrap"]


def test_interval_all_of_a_map_fit_says_laplace_and_other_parameters_get_every_kind():
    cols, _ = logistic_data(200)
    r = regress(cols, "y", ["x", "z"], dist="bernoulli", prior="coef ~ normal(0, 1)", interval="all", bootstrap=40)
    assert list(r.coefficients[1].to_dict()["intervals"]) == ["laplace", "profile", "bootstrap"]
    rng = np.random.default_rng(2)
    x = rng.normal(size=200)
    t = regress({"y": 1 + x + rng.standard_t(5, 200), "x": x}, "y", ["x"], dist="student_t", interval="all",
                bootstrap=40)
    sigma = t.parameters[0].to_dict()
    assert sigma["name"] == "sigma" and list(sigma["intervals"]) == ["wald", "profile", "bootstrap"]
    assert sigma["intervals"]["wald"]["method"] == "wald, log scale" and sigma["interval"] == "profile likelihood"


def test_cli_interval_all_table_shows_a_line_per_kind():
    out = run("regress", "sample_data/infert.csv", "-y", "case", "-x", "spontaneous,induced", "-d", "bernoulli",
              "--interval", "all", "--bootstrap", "60")
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.lstrip().startswith("spontaneous"))
    assert " wald " in lines[at] and lines[at + 1].split()[0] == "profile" and lines[at + 2].split()[0] == "bootstrap"


def test_a_resample_without_a_rare_levels_rows_is_counted_not_fitted():
    rng = np.random.default_rng(3)
    n = 120
    g = np.where(np.arange(n) < 2, "rare", np.where(np.arange(n) % 2, "a", "b"))
    x = rng.normal(size=n)
    y = 1 + x + (g == "rare") + rng.normal(size=n)
    r = regress({"y": y, "x": x, "g": g}, formula="y ~ x + C(g)", dist="normal", interval="bootstrap", bootstrap=200)
    lost = r.resampling["failed_reasons"]["a design column is 0 in every row drawn (a level of a factor not drawn)"]
    assert 0.08 < lost / 200 < 0.22  # (1 - 2/120)^120 = 0.13 of the resamples draw neither 'rare' row
    assert r.resampling["failed"] == lost


def test_softmax_percentile_ends_equal_a_statsmodels_mnlogit_loop_on_the_same_rows():
    rng = np.random.default_rng(12)
    n = 300
    x = rng.normal(size=n)
    eta = np.column_stack([np.zeros(n), 0.4 + x, -0.3 - 0.5 * x])
    p = np.exp(eta) / np.exp(eta).sum(axis=1, keepdims=True)
    y = (rng.random(n)[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    r = regress({"k": np.array(list("abc"))[y], "x": x}, "k", ["x"], dist="categorical", interval="bootstrap",
                bootstrap=60, seed=9)
    X = np.column_stack([np.ones(n), x])
    refits = np.array([sm.MNLogit(y[i], X[i]).fit(disp=0, method="newton", tol=1e-12).params.T.reshape(-1)
                       for i in same_indices(n, 9, 60)])  # statsmodels: label b's (Intercept, x), then c's
    lo, hi = np.percentile(refits, [2.5, 97.5], axis=0)
    assert [c.name for c in r.coefficients] == ["b:Intercept", "b:x", "c:Intercept", "c:x"]
    np.testing.assert_allclose([c.ci_lower for c in r.coefficients], lo, rtol=1e-6)
    np.testing.assert_allclose([c.ci_upper for c in r.coefficients], hi, rtol=1e-6)


def test_cluster_bootstrap_equals_a_statsmodels_loop_over_the_same_clusters():
    rng = np.random.default_rng(13)
    g = rng.integers(0, 25, 400)
    x = rng.normal(size=400)
    y = rng.poisson(np.exp(0.3 + 0.4 * x + 0.3 * rng.normal(size=25)[g])).astype(float)
    r = regress({"y": y, "x": x, "g": g.astype(float)}, "y", ["x"], dist="poisson", cluster="g",
                interval="bootstrap", bootstrap=60, seed=4)
    groups, index = np.unique(g, return_inverse=True)
    draw = generator(4, clusters=True)
    X = np.column_stack([np.ones(400), x])
    refits = []
    for _ in range(60):
        times = np.bincount(draw.integers(0, groups.size, groups.size), minlength=groups.size)[index]
        rows = np.repeat(np.arange(400), times)  # each cluster's rows as often as the cluster was drawn
        refits.append(sm.Poisson(y[rows], X[rows]).fit(disp=0, method="newton", tol=1e-12).params)
    lo, hi = np.percentile(np.array(refits), [2.5, 97.5], axis=0)
    np.testing.assert_allclose([c.ci_lower for c in r.coefficients], lo, rtol=1e-6)
    np.testing.assert_allclose([c.ci_upper for c in r.coefficients], hi, rtol=1e-6)


@pytest.mark.slow
def test_weibull_aft_bootstrap_equals_lifelines_refits_on_the_same_rows():
    """The censored path: Rossi's recidivism data (sample_data/rossi.csv), each resample's rows
    refitted by lifelines' WeibullAFTFitter, run tight as test_censored_regress runs it."""
    pytest.importorskip("lifelines")
    import pandas as pd
    from test_censored_regress import lifelines_fit
    df = pd.read_csv("sample_data/rossi.csv")[["week", "arrest", "fin", "age", "prio"]]
    r = regress("sample_data/rossi.csv", "week", ["fin", "age", "prio"], dist="weibull",
                censoring={"event": "arrest"}, interval="bootstrap", bootstrap=30, seed=8)
    refits = []
    for i in same_indices(len(df), 8, 30):
        p = lifelines_fit("weibull", df.iloc[i].reset_index(drop=True), duration_col="week",
                          event_col="arrest").params_
        refits.append([p[("lambda_", c)] for c in ("Intercept", "fin", "age", "prio")] +
                      [np.exp(p[("rho_", "Intercept")])])
    lo, hi = np.percentile(np.array(refits), [2.5, 97.5], axis=0)
    got = r.coefficients + r.parameters
    np.testing.assert_allclose([c.ci_lower for c in got], lo, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose([c.ci_upper for c in got], hi, rtol=1e-4, atol=1e-6)
