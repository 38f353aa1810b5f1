"""Sampling from a user's own model (issue 22, point 4): inverse-CDF sampling of the
numerically integrated distribution function (mlefit.own.sampling), which gives
own models the parametric bootstrap and --gof. Checked against scipy.stats' quantile
functions at the same uniforms, and the built-in families' goodness of fit."""
import json

import numpy as np
import pytest
import scipy.stats as st
from click.testing import CliRunner

import mlefit
from mlefit.own import model as own_model
from mlefit.cli import cli

WEIBULL = "log(k) - log(lam) + (k-1)*log(x/lam) - (x/lam)^k"
NORMAL = "-0.5*log(2*pi) - log(s) - (x - mu)^2/(2*s^2)"


def anchored(fam, x):
    return own_model.anchored(fam, np.asarray(x, dtype=float))


@pytest.mark.parametrize("text,params,support,theta,ref,anchors", [
    (WEIBULL, "k>0=1, lam>0=20", "x>0", (0.6, 20.0), st.weibull_min(0.6, scale=20.0), [1.0, 20.0, 80.0]),
    (WEIBULL, "k>0=1, lam>0=20", "x>0", (2.5, 20.0), st.weibull_min(2.5, scale=20.0), [1.0, 20.0, 80.0]),
    (NORMAL, "mu=0, s>0=1", None, (1e4, 3.0), st.norm(1e4, 3.0), [9995.0, 1e4, 10005.0]),
])
def test_draws_are_the_quantiles_of_the_same_uniforms(text, params, support, theta, ref, anchors):
    fam = anchored(own_model.model(logpdf=text, params=params, support=support), anchors)
    x = fam.sample(np.random.default_rng(5), 20000, theta)
    q = ref.ppf(np.random.default_rng(5).uniform(size=20000))
    np.testing.assert_allclose(x, q, rtol=1e-7)


def test_draws_of_a_mass_are_its_quantiles_exactly():
    fam = anchored(own_model.model(logpmf="x*log(m) - m - lgamma(x+1)", params="m>0=1"), [0.0, 3.0, 9.0])
    x = fam.sample(np.random.default_rng(2), 20000, (3.2,))
    assert np.array_equal(x, st.poisson(3.2).ppf(np.random.default_rng(2).uniform(size=20000)))


@pytest.mark.slow
def test_parametric_bootstrap_interval_is_close_to_the_weibull_familys():
    x = st.weibull_min(1.3, scale=20.0).rvs(200, random_state=np.random.default_rng(11))
    own = own_model.fit(x, own_model.model(logpdf=WEIBULL, params="k>0=1, lam>0=10", support="x>0"),
                        interval="bootstrap", resample="parametric", bootstrap=300)
    ref = mlefit.fit(x, "weibull", interval="bootstrap", resample="parametric", bootstrap=300)
    for p, q in zip(own.parameters, ref.parameters):
        width = q.ci_upper - q.ci_lower
        assert abs(p.ci_lower - q.ci_lower) < 0.15 * width and abs(p.ci_upper - q.ci_upper) < 0.15 * width
    assert any("inverse-CDF sampling" in n for n in own.notes)


def gof(path, *args):
    out = CliRunner().invoke(cli, ["fit", str(path), *args, "--gof", "--json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)["gof"]


def test_gof_statistics_equal_the_weibull_familys_and_the_bootstrap_is_stated(tmp_path):
    path = tmp_path / "x.csv"
    x = st.weibull_min(1.3, scale=20.0).rvs(150, random_state=np.random.default_rng(4))
    path.write_text("x\n" + "".join(f"{float(v)!r}\n" for v in x))
    own_args = ["--logpdf", WEIBULL, "--params", "k>0=1, lam>0=10", "--support", "x>0"]
    own, ref = gof(path, *own_args, "--bootstrap", "0"), gof(path, "-d", "weibull", "--bootstrap", "0")
    for a, b in zip(own["tests"], ref["tests"]):
        assert a["name"] == b["name"]
        assert a["statistic"] == pytest.approx(b["statistic"], rel=1e-8)
        assert a["p_value"] == pytest.approx(b["p_value"], rel=1e-8, abs=0) if b["p_value"] is not None else True
    booted = gof(path, *own_args, "--bootstrap", "39")
    assert all(0 <= t["p_value"] <= 1 for t in booted["tests"])
    assert any("inverse-CDF sampling" in n for n in booted["notes"])


def test_gof_with_by_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("x,g\n1.5,a\n2.5,a\n0.7,b\n3,b\n")
    out = CliRunner().invoke(cli, ["fit", str(path), "-c", "x", "--by", "g", "--logpdf", WEIBULL, "--params",
                                   "k>0=1, lam>0=10", "--support", "x>0", "--gof"])
    assert out.exit_code == 2 and "--gof tests one fit of uncensored values" in out.stderr


def test_named_derived_quantities_by_the_numerical_distribution_function():
    x = st.weibull_min(1.7, scale=40.0).rvs(300, random_state=np.random.default_rng(3))
    named = ("median", "quantile:0.9", "quantile:1e-6", "sf:60", "cdf:10")
    own = own_model.fit(x, own_model.model(logpdf=WEIBULL, params="k>0=1, lam>0=50", support="x>0"), derive=named)
    ref = mlefit.fit(x, "weibull", derive=named)
    for a, b in zip(own.derived, ref.derived):
        assert (a.name, a.interval) == (b.name, b.interval)
        assert a.estimate == pytest.approx(b.estimate, rel=1e-12)
        assert a.se == pytest.approx(b.se, rel=1e-9)
        assert (a.ci_lower, a.ci_upper) == pytest.approx((b.ci_lower, b.ci_upper), rel=1e-10)


def test_named_quantities_of_a_mass():
    y = st.poisson(3.2).rvs(200, random_state=np.random.default_rng(1)).astype(float)
    named = ("median", "quantile:0.99", "sf:5")
    own = own_model.fit(y, own_model.model(logpmf="x*log(m) - m - lgamma(x+1)", params="m>0=1"), derive=named)
    ref = mlefit.fit(y, "poisson", derive=named)
    assert [d.estimate for d in own.derived] == pytest.approx([d.estimate for d in ref.derived], rel=1e-12)
    assert own.derived[2].se == pytest.approx(ref.derived[2].se, rel=1e-9)
