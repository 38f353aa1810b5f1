"""A user's own model with --by and --plot (issue 22, point 4): one fit per group like a
built-in family's, and the figures drawn with the distribution function and the
quantiles found numerically (integrated density, or summed mass, inverted by bisection),
checked against scipy.stats."""
import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import scipy.stats as st
from click.testing import CliRunner

from mlefit.own import model as own_model
from mlefit.report import plots
from mlefit.cli import cli

WEIBULL = "log(k) - log(lam) + (k-1)*log(x/lam) - (x/lam)^k"
POISSON = "x*log(m) - m - lgamma(x+1)"
OWN = ["--logpdf", WEIBULL, "--params", "k>0=1, lam>0=20", "--support", "x>0"]


def grouped_file(tmp_path, event=False):
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.weibull(1.5, 120) * 10.0, rng.weibull(2.5, 120) * 30.0])
    g = np.repeat(["a", "b"], 120)
    e = (np.arange(240) % 4 != 0).astype(int)
    path = tmp_path / "d.csv"
    path.write_text("x,g,e\n" + "".join(f"{float(v)!r},{k},{c}\n" for v, k, c in zip(x, g, e)))
    return path, x, g, e


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_by_gives_each_groups_built_in_fit(tmp_path):
    path, _, _, _ = grouped_file(tmp_path)
    own = run("fit", path, "-c", "x", "--by", "g", *OWN, "--json")
    ref = run("fit", path, "-c", "x", "--by", "g", "-d", "weibull", "--json")
    assert own.exit_code == 0, own.output
    a, b = json.loads(own.stdout)["groups"], json.loads(ref.stdout)["groups"]
    assert [r["group"] for r in a] == ["a", "b"]
    for r, q in zip(a, b):
        assert r["family"] == "logpdf"
        assert r["loglik"] == pytest.approx(q["loglik"], rel=1e-10)
        assert [p["estimate"] for p in r["parameters"]] == pytest.approx([p["estimate"] for p in q["parameters"]],
                                                                        rel=1e-8)


def test_by_with_censored_rows_gives_each_groups_built_in_fit(tmp_path):
    path, _, _, _ = grouped_file(tmp_path)
    own = run("fit", path, "-c", "x", "--event", "e", "--by", "g", *OWN, "--json")
    ref = run("fit", path, "-c", "x", "--event", "e", "--by", "g", "-d", "weibull", "--json")
    assert own.exit_code == 0, own.output
    for r, q in zip(json.loads(own.stdout)["groups"], json.loads(ref.stdout)["groups"]):
        assert r["censoring"]["right"] == q["censoring"]["right"] == 30
        assert r["loglik"] == pytest.approx(q["loglik"], rel=1e-9)


def test_a_group_that_cannot_be_fitted_is_named_and_the_others_fitted(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x,g\n1.5,a\n2.5,a\n0.7,a\n-1,b\n2,b\n")
    out = run("fit", path, "-c", "x", "--by", "g", *OWN, "--json")
    assert out.exit_code == 1
    groups = json.loads(out.stdout)["groups"]
    assert "loglik" in groups[0] and "outside the support of the model (x>0)" in groups[1]["error"]


@pytest.mark.parametrize("k", [0.8, 2.5])
def test_qq_quantiles_by_numerical_integration_equal_scipys(k):
    x = np.sort(st.weibull_min(k, scale=20.0).rvs(200, random_state=np.random.default_rng(1)))
    fitted = own_model.fit(x, own_model.model(logpdf=WEIBULL, params="k>0=1, lam>0=20", support="x>0")).fitted
    p = np.array([1e-6, 0.01, 0.3, 0.5, 0.77, 0.999])
    cdf = plots._cdf_function(fitted.family, fitted.theta, x)
    q = plots._fitted_quantiles(fitted.family, fitted.theta, p, cdf, x)
    ref = st.weibull_min(fitted.theta[0], scale=fitted.theta[1])
    assert cdf(x[::20]) == pytest.approx(ref.cdf(x[::20]), rel=1e-12, abs=1e-15)
    assert q == pytest.approx(ref.ppf(p), rel=1e-9)


def test_mass_quantiles_by_summing_equal_scipys():
    x = np.sort(np.random.default_rng(2).poisson(4.0, 80).astype(float))
    fitted = own_model.fit(x, own_model.model(logpmf=POISSON, params="m>0=1")).fitted
    p = np.array([0.001, 0.2, 0.5, 0.9, 0.9999])
    cdf = plots._cdf_function(fitted.family, fitted.theta, x)
    assert plots._fitted_quantiles(fitted.family, fitted.theta, p, cdf, x) == pytest.approx(
        st.poisson(fitted.theta[0]).ppf(p))


@pytest.mark.slow
@pytest.mark.parametrize("extra,ids", [([], ["mlefit-data", "mlefit-qq", "mlefit-pp"]),
                                       (["--event", "e"], ["mlefit-survival", "mlefit-qq", "mlefit-pp"])])
def test_plot_draws_the_fit_and_says_it_is_numerical(tmp_path, extra, ids):
    path, _, _, _ = grouped_file(tmp_path)
    svg = tmp_path / "fit.svg"
    out = run("fit", path, "-c", "x", *extra, *OWN, "--plot", svg)
    assert out.exit_code == 0, out.output
    assert "by numerical integration of the density" in out.stderr
    found = [e.get("id") for e in ET.parse(svg).getroot().iter() if (e.get("id") or "").startswith("mlefit-")]
    assert [i for i in found if i in ids] == ids


def test_plot_with_by_is_refused(tmp_path):
    path, _, _, _ = grouped_file(tmp_path)
    out = run("fit", path, "-c", "x", "--by", "g", *OWN, "--plot", tmp_path / "p.svg")
    assert out.exit_code == 2 and "--plot draws one fit: not with --by" in out.stderr
