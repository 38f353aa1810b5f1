"""gamma3 and lognormal3 (issue 22, point 6), built like weibull3 on families/threshold.py:
the interior maximum checked against an independent optimum (scipy.optimize on the same
log-likelihood written out here, from several starts) to 1e-7 and against scipy.stats'
gamma/lognorm with loc; lognormal3's likelihood unbounded at min x for every sample (Hill
1963) said plainly, with and without a local maximum; the threshold's interval kept below
min x; select, --fix, derived quantities and JSON."""
import json
import math
import warnings

import numpy as np
import pytest
import scipy.optimize
import scipy.stats as st
from click.testing import CliRunner
from scipy.special import gammaln

import mlefit
from mlefit.cli import cli
from mlefit.io.column import from_values
from mlefit.errors import DataError
from mlefit.inference.selection import select

SAMPLERS = {
    "gamma3": lambda rng, n: 10.0 + rng.gamma(3.5, 2.0, n),
    "lognormal3": lambda rng, n: 10.0 + rng.lognormal(1.0, 0.4, n),
}


def sample(name, seed, n=150):
    return SAMPLERS[name](np.random.default_rng(seed), n)


def frozen(name, theta):
    """scipy.stats' distribution at mlefit's parameters, threshold as loc."""
    a, b, c = theta
    return st.gamma(a, loc=c, scale=b) if name == "gamma3" else st.lognorm(b, loc=c, scale=math.exp(a))


def nll(name, x):
    """Minus the log-likelihood, written out, in u = (log shape or meanlog, log scale or
    log sdlog, log(min x - threshold))."""
    lo = x.min()

    def f(u):
        b, gap = math.exp(u[1]), math.exp(u[2])
        y = (x - lo) + gap
        if name == "gamma3":
            a = math.exp(u[0])
            ll = (a - 1.0) * np.log(y) - y / b - a * math.log(b) - gammaln(a)
        else:
            z = (np.log(y) - u[0]) / b
            ll = -0.5 * z * z - math.log(b) - 0.5 * math.log(2.0 * math.pi) - np.log(y)
        return -float(np.sum(ll))
    return f


def independent_optimum(name, x):
    """Nelder-Mead, BFGS and Nelder-Mead again from moment starts with the threshold 0.1,
    0.5 and 2 sd below min x; the best of them."""
    lo, sd = x.min(), x.std()
    f, best = nll(name, x), None
    for k in (0.1, 0.5, 2.0):
        y = x - (lo - k * sd)
        if name == "gamma3":
            u0 = [math.log(y.mean() ** 2 / y.var()), math.log(y.var() / y.mean()), math.log(k * sd)]
        else:
            u0 = [np.log(y).mean(), math.log(np.log(y).std()), math.log(k * sd)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tight = {"xatol": 1e-13, "fatol": 1e-15, "maxiter": 40000, "maxfev": 40000}
            out = scipy.optimize.minimize(f, u0, method="Nelder-Mead", options=tight)
            out = scipy.optimize.minimize(f, out.x, method="BFGS", options={"gtol": 1e-10})
            out = scipy.optimize.minimize(f, out.x, method="Nelder-Mead", options=tight)
        if best is None or out.fun < best.fun:
            best = out
    u = best.x
    first = math.exp(u[0]) if name == "gamma3" else u[0]
    return (first, math.exp(u[1]), lo - math.exp(u[2])), -best.fun


@pytest.mark.parametrize("name", ["gamma3", "lognormal3"])
@pytest.mark.parametrize("seed", [1, 2])
def test_interior_maximum_equals_an_independent_optimum_and_scipy_stats(name, seed):
    x = sample(name, seed)
    r = mlefit.fit(x, name)
    theta = tuple(p.estimate for p in r.parameters)
    best, ll_best = independent_optimum(name, x)
    assert theta == pytest.approx(best, rel=1e-7)
    assert r.loglik >= ll_best - 1e-9
    assert r.loglik == pytest.approx(float(np.sum(frozen(name, theta).logpdf(x))), rel=1e-12)
    assert theta[2] < x.min() and all(p.se > 0 for p in r.parameters)
    assert r.n_parameters == 3 and r.aic == pytest.approx(6.0 - 2.0 * r.loglik, rel=1e-14)


@pytest.mark.parametrize("name", ["gamma3", "lognormal3"])
def test_score_is_zero_and_information_is_the_numeric_hessian(name):
    from mlefit.inference.information import numeric_hessian
    f = mlefit.fit(sample(name, 3), name).fitted
    numeric = -numeric_hessian(lambda t: f.family.loglik(f.stats, tuple(t)), f.theta)
    exact = f.family.observed_information(f.stats, f.theta)
    assert np.allclose(exact, numeric, rtol=1e-5, atol=1e-8 * np.abs(numeric).max())


def test_the_threshold_interval_stays_below_the_smallest_value():
    """A Wald interval on the threshold itself would reach past min x here (SE 0.9, 1.5
    from the edge); on log(min x - threshold) it stays below."""
    x = sample("lognormal3", 7, 40)
    r = mlefit.fit(x, "lognormal3")
    c = r.parameters[2]
    assert c.estimate + 1.96 * c.se > x.min()
    assert c.ci_lower < c.estimate < c.ci_upper < x.min()
    gap, half = x.min() - c.estimate, 1.959963984540054 * c.se / (x.min() - c.estimate)
    assert c.ci_upper == pytest.approx(x.min() - gap * math.exp(-half), rel=1e-12)
    assert c.interval == "wald, log(min x - value) scale"


def test_lognormal3_says_its_estimate_is_a_local_maximum():
    r = mlefit.fit(sample("lognormal3", 1), "lognormal3")
    assert any("unbounded as the threshold approaches the smallest value" in n and "Hill 1963" in n
               and "local maximum" in n for n in r.notes)


def test_lognormal3_without_a_local_maximum_is_a_data_error_that_says_why():
    """Very skewed data: an independent scan of the profile log-likelihood (the lognormal
    of x - c, closed form) over min x - c from 1e-26 to 8000 sd finds it rising all the
    way to the edge, so no local maximum exists."""
    x = 10.0 + np.random.default_rng(3).lognormal(0.0, 2.0, 20)
    lo, sd = x.min(), x.std()
    profile = []
    for t in np.linspace(-60.0, 9.0, 3000):
        logs = np.log((x - lo) + sd * math.exp(t))
        profile.append(np.sum(st.norm.logpdf(logs, logs.mean(), logs.std()) - logs))
    assert np.all(np.diff(profile) < 0)
    with pytest.raises(DataError, match=r"keeps rising as the threshold approaches the smallest value "
                                        r"\(10\.\d+\), with no local maximum below it: it is unbounded there "
                                        r"for every sample \(Hill 1963\)"):
        mlefit.fit(x, "lognormal3")


@pytest.mark.parametrize("name", ["gamma3", "lognormal3"])
def test_data_not_skewed_right_have_no_finite_maximum(name):
    x = -np.random.default_rng(0).gamma(3.0, 1.0, 100)  # skewed to the left
    with pytest.raises(DataError, match="keeps rising as the threshold goes to -infinity"):
        mlefit.fit(x, name)


def test_gamma3_shape_below_1_unbounded_and_at_most_2_irregular():
    with pytest.raises(DataError, match=r"gamma3 likelihood keeps rising .* shape falls below 1 \(0\.\d+\)"):
        mlefit.fit(10.0 + np.random.default_rng(0).gamma(0.6, 1.0, 100), "gamma3")
    r = mlefit.fit(10.0 + np.random.default_rng(0).gamma(1.5, 1.0, 200), "gamma3")
    assert any("not regular (Smith 1985)" in n for n in r.notes)
    assert not any("not regular" in n for n in mlefit.fit(sample("gamma3", 1), "gamma3").notes)


@pytest.mark.parametrize("name,base", [("gamma3", "gamma"), ("lognormal3", "lognormal")])
def test_a_fixed_threshold_is_the_base_family_of_x_minus_it(name, base):
    x = sample(name, 2)
    r = mlefit.fit(x, name, fix={"threshold": 9.0})
    ref = mlefit.fit(x - 9.0, base)
    first, second = (p.estimate for p in ref.parameters)
    want = (first, 1.0 / second) if name == "gamma3" else (first, second)
    assert (r.parameters[0].estimate, r.parameters[1].estimate) == pytest.approx(want, rel=1e-7)
    assert r.loglik == pytest.approx(ref.loglik, rel=1e-11)
    assert r.parameters[2].interval == "fixed" and r.n_parameters == 2 and not r.notes


@pytest.mark.parametrize("name", ["gamma3", "lognormal3"])
def test_derived_quantities_equal_scipy_stats(name):
    x = sample(name, 1)
    r = mlefit.fit(x, name, derive=["mean", "median", "quantile:0.01"])
    dist = frozen(name, [p.estimate for p in r.parameters])
    got = {d.name: d.estimate for d in r.derived}
    assert got["mean"] == pytest.approx(dist.mean(), rel=1e-10)
    assert got["median"] == pytest.approx(dist.median(), rel=1e-10)
    assert got["quantile:0.01"] == pytest.approx(dist.ppf(0.01), rel=1e-9)


def test_select_counts_three_parameters_and_auto_leaves_them_out_unless_named():
    x = sample("gamma3", 1, 300)
    auto = select(from_values(x), None, bootstrap=0)
    assert not {"weibull3", "gamma3", "lognormal3"} & {row["family"] for row in auto["ranking"]}
    named = select(from_values(x), ["gamma", "gamma3", "lognormal3", "weibull3"], bootstrap=0)
    rows = {row["family"]: row for row in named["ranking"]}
    for name in ("gamma3", "lognormal3", "weibull3"):
        assert rows[name]["n_parameters"] == 3
        assert rows[name]["aic"] == pytest.approx(6.0 - 2.0 * rows[name]["loglik"], rel=1e-12)
    assert [row["aic"] for row in named["ranking"]] == sorted(row["aic"] for row in named["ranking"])


def test_command_line_json_and_fix():
    x = sample("lognormal3", 2, 60)
    text = "x\n" + "\n".join(repr(float(v)) for v in x) + "\n"
    out = CliRunner().invoke(cli, ["fit", "-", "-d", "lognormal3", "--json"], input=text)
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert [p["name"] for p in d["parameters"]] == ["meanlog", "sdlog", "threshold"]
    assert d["parameters"][2]["ci_upper"] < x.min()
    assert d == mlefit.fit(x, "lognormal3").to_dict() | {"source": d["source"], "column": "x"}
    out = CliRunner().invoke(cli, ["fit", "-", "-d", "gamma3", "--fix", "threshold=9", "--json"], input=text)
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["parameters"][2]["interval"] == "fixed"


def test_right_censored_rows_get_the_same_notes():
    """A weibull3 sample of shape 1 with its top 5% right-censored: the censored profile's
    edge has a shape below 1 (unbounded there) and the local maximum inside a shape below 2."""
    from mlefit.censored import rows as censoring
    x = 10.0 + 5.0 * np.random.default_rng(5).weibull(1.0, 100)
    cut = np.quantile(x, 0.95)
    r = mlefit.fit(censoring.from_event(np.minimum(x, cut), (x < cut).astype(float)), "weibull3")
    assert r.parameters[2].estimate < x.min()
    assert any("unbounded as the threshold approaches the smallest value" in n for n in r.notes)
    assert any("not regular (Smith 1985)" in n for n in r.notes)


LARGE = {  # over 2 * threshold.THIN values: the grid is searched on a thinned sample first
    "weibull3": lambda rng, n: 5.0 + 3.0 * rng.weibull(1.5, n),  # its maximum lies near min x: the
    #                                                            thinned grid's is two points off
    "gamma3": lambda rng, n: 5.0 + rng.gamma(3.0, 2.0, n),
    "lognormal3": lambda rng, n: 10.0 + rng.lognormal(1.0, 0.4, n),
}


@pytest.mark.parametrize("name", sorted(LARGE))
def test_a_large_sample_searched_thinned_first_finds_the_full_grid_maximum(name, monkeypatch):
    """The thinned search (a grid over every k-th value, then a climb on the full profile)
    ends at the same local maximum as the full grid, and it is the local maximum of the
    full-data likelihood (score zero, loglik at least scipy's)."""
    from mlefit.families import threshold

    x = LARGE[name](np.random.default_rng(7), 5 * threshold.THIN)
    seen = []
    real = threshold.profile
    monkeypatch.setattr(threshold, "profile", lambda shift, s, t, c: seen.append(s.x.size) or real(shift, s, t, c))
    thinned = mlefit.fit(x, name)
    full_evaluations = seen.count(x.size)
    assert full_evaluations < 40 and len(seen) > 55  # the grid ran on the thinned sample, not the full one
    monkeypatch.setattr(threshold, "THIN", 10 ** 9)
    whole = mlefit.fit(x, name)
    a = [p.estimate for p in thinned.parameters]
    assert a == pytest.approx([p.estimate for p in whole.parameters], rel=1e-8)
    assert thinned.loglik == pytest.approx(whole.loglik, rel=1e-12, abs=1e-9)


def test_a_thinned_grid_without_an_interior_maximum_falls_back_to_the_full_grid():
    """Data skewed to the left: neither grid has an interior maximum, and the error is the
    full grid's (the likelihood rising as the threshold goes to -infinity)."""
    from mlefit.families import threshold

    x = -np.random.default_rng(0).gamma(3.0, 1.0, 3 * threshold.THIN)
    with pytest.raises(DataError, match="keeps rising as the threshold goes to -infinity"):
        mlefit.fit(x, "gamma3")


def test_the_climb_from_the_thinned_maximum_reaches_a_full_profile_maximum():
    """_confirmed climbs the full profile from the thinned grid's maximum to its nearest
    interior maximum: checked on a made-up profile with two maxima."""
    from mlefit.families import threshold

    g = threshold.GRID
    full = lambda t: (-(t + 3.0) ** 2 if t < 0 else -(t - 4.0) ** 2 - 5.0,)  # maxima at -3 and 4
    coarse = lambda t: (-(t + 2.0) ** 2,)  # one maximum, at -2
    i, values = threshold._confirmed(threshold._peaks(coarse), full)
    assert g[i] == -3.0 and values[i] == 0.0
    assert threshold._confirmed(threshold._peaks(lambda t: (math.cos(t),)), full) == (None, None)  # several
