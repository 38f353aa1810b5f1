"""A user's own model on censored and truncated rows (issue 22, point 4): the distribution
function by numerical integration of the density (mlefit.own.tails), or by summing the
mass, with derivatives under the integral. Checked against the built-in families' closed
forms (weibull's survival function and its derivatives, poisson's CDF) and scipy.stats."""
import json
import math

import numpy as np
import pytest
import scipy.stats as st
from click.testing import CliRunner

import mlefit
from mlefit.censored import rows as censoring
from mlefit.own import model as own_model, tails as own_tails
from mlefit.cli import cli
from mlefit.errors import DataError
from mlefit.families import density

WEIBULL = "log(k) - log(lam) + (k-1)*log(x/lam) - (x/lam)^k"
POISSON = "x*log(m) - m - lgamma(x+1)"


def weibull_model():
    return own_model.model(logpdf=WEIBULL, params="k>0=1, lam>0=50", support="x>0")


def right_censored(n=400, seed=7, limit=30.0):
    t = np.random.default_rng(seed).weibull(1.4, n) * 20.0
    return np.minimum(t, limit), (t < limit).astype(int)


def interval_rows(n=300, seed=4):
    x = np.random.default_rng(seed).weibull(1.3, n) * 10.0
    lo = np.floor(x / 5.0) * 5.0
    hi = lo + 5.0
    lo[::7] = hi[::7] = x[::7]  # some values seen
    hi[::11] = np.nan  # some right-censored
    left = np.arange(3, n, 13)
    lo[left[left % 11 != 0]] = np.nan  # some left-censored
    return censoring.from_bounds(lo, hi)


def same_fit(own, ref, estimates=1e-6, loglik=1e-8):
    for p, q in zip(own.parameters, ref.parameters):
        assert p.estimate == pytest.approx(q.estimate, rel=estimates)
        assert p.se == pytest.approx(q.se, rel=1e-5)
    assert own.loglik == pytest.approx(ref.loglik, rel=loglik)
    assert own.censoring["exact"] == ref.censoring["exact"]


# ---------------------------------------------------------------- the fits equal the built-in ones
def test_right_censored_weibull_expression_equals_the_weibull_family():
    y, event = right_censored()
    own = own_model.fit(censoring.from_event(y, event), weibull_model())
    ref = mlefit.fit(censoring.from_event(y, event), "weibull")
    same_fit(own, ref)
    assert any("numerical integration of the density" in n for n in own.notes)


def test_interval_and_left_censored_weibull_expression_equals_the_weibull_family():
    rows = interval_rows()
    assert all(censoring.counts(rows)[k] > 0 for k in ("exact", "left", "right", "interval"))
    same_fit(own_model.fit(rows, weibull_model()), mlefit.fit(rows, "weibull"))


def test_truncated_weibull_expression_equals_the_weibull_family():
    y, event = right_censored(seed=9)
    keep = y > 2.0
    rows = censoring.truncated(censoring.from_event(y[keep], event[keep]), lower=2.0)
    same_fit(own_model.fit(rows, weibull_model()), mlefit.fit(rows, "weibull"))


def test_censored_poisson_mass_equals_the_poisson_family():
    x = np.random.default_rng(1).poisson(3.2, 300).astype(float)
    rows = censoring.from_limits(x, lower_limit=1, upper_limit=6)
    own = own_model.fit(rows, own_model.model(logpmf=POISSON, params="m>0=1"))
    same_fit(own, mlefit.fit(rows, "poisson"))
    assert any("sums of the mass" in n for n in own.notes)


# ---------------------------------------------------------------- the tails themselves
@pytest.mark.parametrize("k", [0.5, 1.4, 3.0])
def test_integrated_tails_equal_scipy_in_both_tails(k):
    dens = weibull_model().rowwise[0]
    y = np.array([1e-8, 0.5, 3.0, 20.0, 40.0, 100.0, 300.0 if k < 3 else 150.0])  # S(300) = e^-3375 underflows
    ref = st.weibull_min(k, scale=20.0)
    np.testing.assert_allclose(dens.logcdf(y, k, 20.0), ref.logcdf(y), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(dens.logsf(y, k, 20.0), ref.logsf(y), rtol=1e-12, atol=1e-13)
    lo, hi = np.array([1.0, 10.0, 99.0]), np.array([1.0 + 1e-4, 80.0, 100.0])
    a, b = ref.logsf(lo), ref.logsf(hi)  # log(S(lo) - S(hi)), accurate in the upper tail too
    np.testing.assert_allclose(dens.between(lo, hi, k, 20.0), a + np.log1p(-np.exp(b - a)), rtol=1e-9)


def test_derivatives_under_the_integral_equal_weibulls_closed_form():
    dens = weibull_model().rowwise[0]
    ref, _ = density("weibull")
    y = np.array([0.5, 3.0, 20.0, 40.0, 100.0])
    value, score, hess = dens.between(y, np.full(y.size, np.inf), 1.4, 20.0, order=2)
    v2, s2, h2 = ref.sf_derivs(y, 1.4, 20.0)
    np.testing.assert_allclose(value, v2, rtol=1e-11)
    for a, b in zip(score, s2):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    for ra, rb in zip(hess, h2):
        for a, b in zip(ra, rb):
            np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-11)


def test_summed_tails_of_a_mass_equal_scipy():
    dens = own_model.model(logpmf=POISSON, params="m>0=1").rowwise[0]
    y = np.array([0.0, 1.0, 3.0, 10.0, 30.0])
    np.testing.assert_allclose(dens.logcdf(y, 2.5), st.poisson(2.5).logcdf(y), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(dens.logsf(y, 2.5), st.poisson(2.5).logsf(y), rtol=1e-12)


def test_the_kronrod_rule_is_exact_for_polynomials_to_degree_22():
    for degree in (0, 7, 13, 22):
        got = own_tails._adaptive(lambda x: np.vstack([x ** degree]), np.array([0.0]), np.array([2.0]))[0, 0]
        assert got == pytest.approx(2.0 ** (degree + 1) / (degree + 1), rel=1e-14)
        assert np.sum(own_tails.WG7 * own_tails.NODES ** min(degree, 13)) == pytest.approx(
            (1 + (-1) ** min(degree, 13)) / (min(degree, 13) + 1), abs=1e-14)


# ---------------------------------------------------------------- bad rows and the command line
def test_a_censored_range_outside_the_support_is_refused_naming_the_row():
    rows = censoring.from_bounds([1.0, np.nan, 3.0, 4.0], [1.0, -1.0, 3.0, 4.0])
    with pytest.raises(DataError, match="cannot occur under logpdf.*index 1: <= -1"):
        own_model.fit(rows, weibull_model())


def test_cli_event_option_gives_the_built_in_fit(tmp_path):
    y, event = right_censored(200)
    path = tmp_path / "t.csv"
    path.write_text("t,e\n" + "".join(f"{float(a)!r},{b}\n" for a, b in zip(y, event)))
    out = CliRunner().invoke(cli, ["fit", str(path), "-c", "t", "--event", "e", "--logpdf", WEIBULL,
                                   "--params", "k>0=1, lam>0=50", "--support", "x>0", "--json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    ref = mlefit.fit(censoring.from_event(y, event), "weibull")
    assert d["loglik"] == pytest.approx(ref.loglik, rel=1e-10)
    assert d["censoring"]["right"] == int(np.sum(event == 0))
    assert "under the integral" in d["method"]
    assert math.isfinite(d["parameters"][0]["se"])
