"""Censored and truncated data (issue 17): the likelihood of every kind of row, checked
against lifelines, scipy.stats' CensoredData fits and a direct maximisation of the NLL
written with scipy.stats' own logpdf/logcdf/logsf; properties that must hold exactly."""
import math
import warnings

import numpy as np
import pytest
import scipy.optimize
import scipy.stats as st

import mlefit
from mlefit.censored import rows as censoring
from mlefit.errors import DataError, UsageError


def right_censored_weibull(n=500, seed=7, shape=1.4, scale=20.0, limit=40.0):
    rng = np.random.default_rng(seed)
    t = rng.weibull(shape, n) * scale
    c = rng.uniform(0, limit, n)
    return np.minimum(t, c), t <= c, t


def direct_nll(frozen_of, exact=(), left=(), right=(), lo=(), hi=(), trunc=None):
    """The censored NLL written with scipy.stats: log f, log F, log S and the interval's
    log(F(hi) - F(lo)) (by logsf differences: the tests' intervals are in the bulk)."""
    def nll(theta):
        d = frozen_of(theta)
        with np.errstate(all="ignore"):
            v = (np.sum(d.logpdf(np.asarray(exact))) + np.sum(d.logcdf(np.asarray(left))) +
                 np.sum(d.logsf(np.asarray(right))) +
                 np.sum(np.log(d.cdf(np.asarray(hi)) - d.cdf(np.asarray(lo)))))
            if trunc is not None:
                n = len(exact) + len(left) + len(right) + len(lo)
                v -= n * np.log(d.cdf(trunc[1]) - d.cdf(trunc[0]))
        return -v if np.isfinite(v) else 1e300
    return nll


def polished(nll, start):
    """The minimum of nll from start, to the optimiser's limit (an independent reference)."""
    if len(start) == 1:
        res = scipy.optimize.minimize_scalar(lambda v: nll([v]), bracket=(0.9 * start[0], 1.1 * start[0]), tol=1e-12)
        return [res.x], -res.fun
    scale = max(1.0, abs(nll(start)))  # fatol below the rounding of the sum never holds: maxfev instead
    res = scipy.optimize.minimize(nll, start, method="Nelder-Mead",
                                  options={"xatol": 1e-12, "fatol": 1e-15 * scale, "maxiter": 20000, "maxfev": 40000})
    return res.x, -res.fun


def agrees(result, theta, ll, rel=1e-6):
    est = list(result.estimates.values())
    assert result.loglik >= ll - 1e-9 * abs(ll)
    for a, b in zip(est, theta):
        assert a == pytest.approx(b, rel=rel)


# ---------------------------------------------------------------- against lifelines
@pytest.mark.parametrize("family, fitter, read", [
    ("weibull", "WeibullFitter", lambda f: (f.rho_, f.lambda_)),
    ("lognormal", "LogNormalFitter", lambda f: (f.mu_, f.sigma_)),
    ("log_logistic", "LogLogisticFitter", lambda f: (f.beta_, f.alpha_)),
    ("exponential", "ExponentialFitter", lambda f: (1.0 / f.lambda_,)),
])
def test_right_censored_against_lifelines(family, fitter, read):
    lifelines = pytest.importorskip("lifelines")
    y, event, _ = right_censored_weibull()
    r = mlefit.fit(censoring.from_event(y, event), family)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = getattr(lifelines, fitter)().fit(y, event)
    assert r.converged and r.censoring["exact"] == int(event.sum()) and r.censoring["right"] == int((~event).sum())
    assert r.censoring["left"] == r.censoring["interval"] == r.censoring["truncated"] == 0
    # lifelines stops near 1e-6 relative; its log-likelihood is never above mlefit's
    agrees(r, read(f), f.log_likelihood_, rel=2e-5)
    frozen = {"weibull": lambda t: st.weibull_min(t[0], scale=t[1]), "lognormal": lambda t: st.lognorm(t[1], scale=math.exp(t[0])),
              "log_logistic": lambda t: st.fisk(t[0], scale=t[1]), "exponential": lambda t: st.expon(scale=1 / t[0])}[family]
    theta, ll = polished(direct_nll(frozen, exact=y[event], right=y[~event]), list(read(f)))
    agrees(r, theta, ll)
    assert r.loglik == pytest.approx(ll, rel=1e-10)


def test_interval_censored_lognormal_against_lifelines():
    lifelines = pytest.importorskip("lifelines")
    _, _, t = right_censored_weibull(seed=3)
    lo = np.floor(t / 5) * 5
    hi = lo + 5
    r = mlefit.fit(censoring.from_bounds(np.where(lo == 0, np.nan, lo), hi), "lognormal")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = lifelines.LogNormalFitter().fit_interval_censoring(lo, hi)
    agrees(r, (f.mu_, f.sigma_), f.log_likelihood_, rel=2e-5)
    first = lo == 0
    theta, ll = polished(direct_nll(lambda t: st.lognorm(t[1], scale=math.exp(t[0])), left=hi[first],
                                    lo=lo[~first], hi=hi[~first]), [f.mu_, f.sigma_])
    agrees(r, theta, ll)


# ---------------------------------------------------------------- against scipy's CensoredData
def mixed_normal_rows(seed=11, n=400):
    rng = np.random.default_rng(seed)
    x = rng.normal(10.0, 3.0, n)
    kind = rng.integers(0, 4, n)
    lower = np.where(kind == 1, np.nan, np.where(kind == 3, np.floor(x), x))
    upper = np.where(kind == 2, np.nan, np.where(kind == 3, np.floor(x) + 1, x))
    lower = np.where(kind == 2, np.floor(x), lower)  # right-censored at floor(x)
    upper = np.where(kind == 1, np.ceil(x), upper)  # left-censored at ceil(x)
    return lower, upper, kind


def test_every_kind_of_censoring_against_scipy_censored_data():
    lower, upper, kind = mixed_normal_rows()
    r = mlefit.fit(censoring.from_bounds(lower, upper), "normal")
    assert r.censoring == {"exact": int((kind == 0).sum()), "left": int((kind == 1).sum()),
                           "right": int((kind == 2).sum()), "interval": int((kind == 3).sum()), "truncated": 0}
    data = st.CensoredData(uncensored=lower[kind == 0], left=upper[kind == 1], right=lower[kind == 2],
                           interval=np.column_stack([lower[kind == 3], upper[kind == 3]]))
    mu, sigma = st.norm.fit(data)
    nll = direct_nll(lambda t: st.norm(t[0], t[1]), exact=lower[kind == 0], left=upper[kind == 1],
                     right=lower[kind == 2], lo=lower[kind == 3], hi=upper[kind == 3])
    assert r.loglik >= -nll([mu, sigma]) - 1e-9
    theta, ll = polished(nll, [mu, sigma])
    agrees(r, theta, ll)


@pytest.mark.parametrize("family, frozen, truth", [
    ("gamma", lambda t: st.gamma(t[0], scale=1 / t[1]), (2.0, 0.1)),
    ("inverse_gaussian", lambda t: st.invgauss(t[0] / t[1], scale=t[1]), (20.0, 30.0)),
    ("gumbel", lambda t: st.gumbel_r(t[0], t[1]), (15.0, 8.0)),
    ("student_t", lambda t: st.t(t[2], t[0], t[1]), (15.0, 8.0, 4.0)),
])
def test_numeric_tail_families_reach_the_direct_maximum(family, frozen, truth):
    """Families without closed-form tail derivatives (numeric ones) still reach the
    maximum of the NLL written with scipy.stats, to 1e-6."""
    rng = np.random.default_rng(5)
    t = frozen(truth).rvs(size=400, random_state=rng)
    c = np.quantile(t, 0.6) + rng.exponential(np.std(t), t.size)
    y, event = np.minimum(t, c), t <= c
    r = mlefit.fit(censoring.from_event(y, event), family)
    theta, ll = polished(direct_nll(frozen, exact=y[event], right=y[~event]), list(r.estimates.values()))
    agrees(r, theta, ll)
    assert "numeric" in r.method


def test_discrete_censored_counts_use_masses():
    """'>=5' for a count is P(Y >= 5) = S(4); '<2' is P(Y <= 1) = F(1)."""
    rng = np.random.default_rng(2)
    y = rng.poisson(3.0, 300)
    cells = [">=5" if v >= 5 else ("<2" if v < 2 else str(v)) for v in y]
    r = mlefit.fit(censoring.from_cells(cells), "poisson")
    exact = y[(y >= 2) & (y < 5)]

    def nll(theta):
        d = st.poisson(theta[0])
        v = np.sum(d.logpmf(exact)) + (y < 2).sum() * d.logcdf(1) + (y >= 5).sum() * d.logsf(4)
        return -v if np.isfinite(v) else 1e300
    theta, ll = polished(nll, [3.0])
    agrees(r, theta, ll)


# ---------------------------------------------------------------- truncation
def test_truncated_normal_conditions_on_the_region():
    rng = np.random.default_rng(4)
    x = rng.normal(10.0, 4.0, 3000)
    x = x[x > 8.0][:800]
    r = mlefit.fit(censoring.truncated(censoring.exact(x), lower=8.0), "normal")
    theta, ll = polished(direct_nll(lambda t: st.norm(t[0], t[1]), exact=x, trunc=(8.0, math.inf)), [10.0, 4.0])
    agrees(r, theta, ll)
    assert r.censoring["truncated"] == x.size
    plain = mlefit.fit(x, "normal")
    assert r.estimates["mu"] < plain.estimates["mu"]  # the truncation's bias removed


def test_entry_times_are_left_truncation_per_row():
    y, event, _ = right_censored_weibull(seed=9, n=300)
    entry = np.minimum(y * 0.3, 5.0)
    r = mlefit.fit(censoring.truncated(censoring.from_event(y, event), entry=entry), "weibull")

    def nll(theta):
        d = st.weibull_min(theta[0], scale=theta[1])
        v = np.sum(d.logpdf(y[event])) + np.sum(d.logsf(y[~event])) - np.sum(d.logsf(entry))
        return -v if np.isfinite(v) else 1e300
    theta, ll = polished(nll, [1.4, 20.0])
    agrees(r, theta, ll)


# ---------------------------------------------------------------- properties
@pytest.mark.parametrize("family", ["normal", "weibull", "gamma", "poisson", "lognormal"])
def test_nothing_censored_equals_the_plain_fit(family):
    rng = np.random.default_rng(1)
    x = rng.poisson(4.0, 200).astype(float) + 1.0 if family == "poisson" else rng.gamma(3.0, 2.0, 200)
    plain = mlefit.fit(x, family)
    cens = mlefit.fit(censoring.exact(x), family)
    assert cens.loglik == pytest.approx(plain.loglik, rel=1e-12)
    for a, b in zip(cens.parameters, plain.parameters):
        assert a.estimate == pytest.approx(b.estimate, rel=1e-8)
        assert a.se == pytest.approx(b.se, rel=1e-6)
    infinite = mlefit.fit(censoring.truncated(censoring.from_limits(x, upper_limit=math.inf), lower=-math.inf),
                          family)
    assert infinite.loglik == pytest.approx(plain.loglik, rel=1e-12)


def test_shrinking_intervals_give_the_exact_likelihood():
    rng = np.random.default_rng(8)
    x = rng.gamma(3.0, 2.0, 100)
    theta = (3.0, 0.5)
    from mlefit.censored.fit import censored_family, rows_array
    from mlefit import families
    fam = families.get("gamma")
    dens, shapes = families.density("gamma")
    exact = censored_family(fam, dens, shapes)
    ll0 = exact.loglik(exact.stats(rows_array(censoring.exact(x), False)), theta)
    for h in (1e-3, 1e-5, 1e-7):
        rows = rows_array(censoring.from_bounds(x - h, x + h), False)
        ll = exact.loglik(exact.stats(rows), theta) - x.size * math.log(2 * h)
        assert ll == pytest.approx(ll0, abs=max(10 * h, 1e-6) * x.size)


def test_censored_fit_recovers_the_median_that_dropping_rows_underestimates():
    """Seeded weibull with about 30% right-censoring: the censored fit's interval for the
    median holds the true median; dropping the censored rows (what --weights event did)
    puts it well below."""
    rng = np.random.default_rng(0)
    n, shape, scale = 2000, 1.5, 10.0
    t = rng.weibull(shape, n) * scale
    c = rng.uniform(0, 34.0, n)
    y, event = np.minimum(t, c), t <= c
    assert 0.25 < 1 - event.mean() < 0.35
    true = scale * math.log(2) ** (1 / shape)
    r = mlefit.fit(censoring.from_event(y, event), "weibull", derive=["median"])
    med = r.derived[0]
    assert med.ci_lower < true < med.ci_upper
    dropped = mlefit.fit(y[event], "weibull", derive=["median"]).derived[0]
    assert dropped.ci_upper < true


# ---------------------------------------------------------------- errors
def test_all_right_censored_has_no_mle():
    with pytest.raises(DataError, match="every row is right-censored"):
        mlefit.fit(censoring.from_event([1.0, 2.0, 3.0], [0, 0, 0]), "weibull")


def test_crossed_bounds_event_values_and_truncation_are_refused():
    with pytest.raises(DataError, match="lower bound above its upper bound .index 1: 5 > 3"):
        censoring.from_bounds([1.0, 5.0], [2.0, 3.0])
    with pytest.raises(DataError, match="must be 1 .event seen. or 0 .censored.; index 2 holds 2"):
        censoring.from_event([1.0, 2.0, 3.0], [1, 0, 2])
    with pytest.raises(DataError, match="outside the truncation region"):
        censoring.truncated(censoring.exact([1.0, 12.0, 15.0]), lower=10.0)


def test_rows_outside_the_support_are_named():
    with pytest.raises(DataError, match="cannot occur under weibull.*index 1: <= -1"):
        mlefit.fit(censoring.from_bounds([1.0, np.nan, 3.0, 4.0], [1.0, -1.0, 3.0, 4.0]), "weibull")


def test_families_without_a_per_row_likelihood_are_refused():
    with pytest.raises(UsageError, match="sample extreme"):
        mlefit.fit(censoring.from_event([1.0, 2.0, 3.0], [1, 0, 1]), "pareto")
    with pytest.raises(UsageError, match="parametric bootstrap would need the censoring mechanism"):
        from mlefit.censored import fit as censored_fit
        censored_fit.fit(censoring.from_event([1.0, 2.0, 3.0, 4.0], [1, 0, 1, 1]), "weibull",
                         interval="bootstrap", resample="parametric")


# ---------------------------------------------------------------- published values
def remission(group):
    import csv
    from pathlib import Path
    path = Path(__file__).resolve().parent.parent / "sample_data" / "remission.csv"
    rows = [r for r in csv.DictReader(path.open()) if r["group"] == group]
    return np.array([float(r["weeks"]) for r in rows]), np.array([r["relapsed"] == "1" for r in rows])


def test_gehan_remission_exponential_and_kaplan_meier_median():
    """Gehan (1965), 6-MP group: 9 relapses in 359 weeks; the exponential MLE is 9/359
    with SE rate/sqrt(9) (Cox & Oakes 1984; Lawless 2003), and the Kaplan-Meier median is
    23 weeks."""
    weeks, relapsed = remission("6-MP")
    r = mlefit.fit(censoring.from_event(weeks, relapsed), "exponential")
    assert r.estimates["rate"] == pytest.approx(9 / 359, rel=1e-10)
    assert r.parameters[0].se == pytest.approx(9 / 359 / 3, rel=1e-8)
    assert r.loglik == pytest.approx(9 * math.log(9 / 359) - 9, rel=1e-12)
    assert r.censoring["kaplan_meier_median"] == 23.0
    assert r.censoring["fitted_median"] == pytest.approx(359 / 9 * math.log(2), rel=1e-10)


def test_kaplan_meier_against_lifelines():
    lifelines = pytest.importorskip("lifelines")
    from mlefit.censored import kaplan_meier
    y, event, _ = right_censored_weibull(seed=12, n=300)
    t, s = kaplan_meier.curve(y, event)
    k = lifelines.KaplanMeierFitter().fit(y, event)
    ref = k.survival_function_at_times(t).to_numpy()
    assert np.allclose(s, ref, rtol=1e-12)
    assert kaplan_meier.median(y, event) == pytest.approx(k.median_survival_time_)


def test_cli_censored_fit_end_to_end(tmp_path):
    import json
    import subprocess
    import sys
    from pathlib import Path
    data = Path(__file__).resolve().parent.parent / "sample_data" / "remission.csv"
    out = subprocess.run([sys.executable, "-m", "mlefit", "fit", str(data), "-c", "weeks", "--event", "relapsed",
                          "-d", "exponential", "--json"], capture_output=True, text=True, check=True)
    d = json.loads(out.stdout)
    assert d["censoring"]["exact"] == 30 and d["censoring"]["right"] == 12
    assert d["parameters"][0]["estimate"] == pytest.approx(30 / (359 + 182), rel=1e-10)
    table = subprocess.run([sys.executable, "-m", "mlefit", "fit", str(data), "-c", "weeks", "--event", "relapsed",
                            "-d", "exponential"], capture_output=True, text=True, check=True).stdout
    assert "30 exact, 12 right-censored" in " ".join(table.split())


def test_select_ranks_families_by_the_censored_likelihood():
    """select (and --dist auto) on censored rows: every family fitted to the censored
    likelihood, ranked by AIC; the exponential's log-likelihood is the closed form
    d log(d/T) - d; families that cannot take censoring are listed as failed."""
    import json
    import subprocess
    import sys
    from pathlib import Path
    data = Path(__file__).resolve().parent.parent / "sample_data" / "remission.csv"
    out = subprocess.run([sys.executable, "-m", "mlefit", "select", str(data), "-c", "weeks", "--event", "relapsed",
                          "--continuous", "--json"], capture_output=True, text=True, check=True)
    d = json.loads(out.stdout)
    assert d["censoring"]["right"] == 12 and d["rows_read"] == 42
    ranks = {r["family"]: r for r in d["ranking"]}
    assert ranks["exponential"]["loglik"] == pytest.approx(30 * math.log(30 / 541) - 30, rel=1e-12)
    aics = [r["aic"] for r in d["ranking"]]
    assert aics == sorted(aics)
    assert {f["family"] for f in d["failed"]} == {"pareto", "uniform"}
    assert any("no goodness-of-fit tests on censored data" in n for n in d["notes"])
    table = subprocess.run([sys.executable, "-m", "mlefit", "select", str(data), "-c", "weeks", "--event",
                            "relapsed", "--continuous"], capture_output=True, text=True, check=True).stdout
    assert "GOF p:" not in table  # no legend for tests that were not made
    weeks, relapsed = remission("6-MP")
    placebo, _ = remission("placebo")
    both = censoring.from_event(np.r_[weeks, placebo], np.r_[relapsed, np.ones(placebo.size, bool)])
    r = mlefit.fit(both, "weibull")
    assert ranks["weibull"]["loglik"] == pytest.approx(r.loglik, rel=1e-12)


def test_kaplan_meier_band_against_lifelines():
    lifelines = pytest.importorskip("lifelines")
    from mlefit.censored import kaplan_meier
    y, event, _ = right_censored_weibull(seed=12, n=300)
    t, s, lower, upper = kaplan_meier.curve(y, event, confidence=0.95)
    ci = lifelines.KaplanMeierFitter().fit(y, event).confidence_interval_survival_function_.loc[t].to_numpy()
    assert np.allclose(lower, ci[:, 0], atol=1e-12) and np.allclose(upper, ci[:, 1], atol=1e-12)


def test_turnbull_is_the_frequencies_on_disjoint_intervals_and_kaplan_meier_on_right_censoring():
    from mlefit.censored import kaplan_meier, turnbull
    rng = np.random.default_rng(3)
    lo = np.floor(rng.lognormal(1.0, 0.6, 300))
    q, p, mass, _, converged = turnbull.npmle(lo, lo + 1.0)
    assert converged
    assert np.allclose(mass, [np.mean(lo + 1.0 == right) for right in p], atol=1e-12)
    y, event, _ = right_censored_weibull(seed=12, n=300)
    y = np.round(y, 1)  # ties, as real data have
    t, s = kaplan_meier.curve(y, event)
    _, right, surv = turnbull.survival(y, np.where(event, y, np.inf))
    at = surv[np.searchsorted(right, t, side="right") - 1]
    assert np.allclose(at, s, atol=1e-8)


def test_lrt_fix_and_profile_on_censored_rows():
    """lrt on censored rows is twice the difference of the censored log-likelihoods; --fix
    holds a parameter at its value (shape = 1 is the exponential); profile intervals come
    from the censored likelihood (the shape's profile ends lie where it drops by
    chi2(1)_0.95 / 2)."""
    import json
    import subprocess
    import sys
    from pathlib import Path
    data = Path(__file__).resolve().parent.parent / "sample_data" / "remission.csv"
    out = subprocess.run([sys.executable, "-m", "mlefit", "lrt", str(data), "-c", "weeks", "--event", "relapsed",
                          "--null", "exponential", "--alt", "weibull", "--json"], capture_output=True, text=True,
                         check=True)
    d = json.loads(out.stdout)
    weeks, relapsed = remission("6-MP")
    placebo, _ = remission("placebo")
    rows = censoring.from_event(np.r_[weeks, placebo], np.r_[relapsed, np.ones(placebo.size, bool)])
    e, w = mlefit.fit(rows, "exponential"), mlefit.fit(rows, "weibull", interval="profile")
    assert d["test"]["statistic"] == pytest.approx(2 * (w.loglik - e.loglik), rel=1e-9)
    fixed = mlefit.fit(rows, "weibull", fix={"shape": 1.0})
    assert fixed.estimates["scale"] == pytest.approx(1 / e.estimates["rate"], rel=1e-9)
    assert fixed.loglik == pytest.approx(e.loglik, rel=1e-12)
    shape = w.parameters[0]
    drop = st.chi2.ppf(0.95, 1) / 2
    for end in (shape.ci_lower, shape.ci_upper):
        held = mlefit.fit(rows, "weibull", fix={"shape": end})
        assert w.loglik - held.loglik == pytest.approx(drop, abs=1e-4)


def test_by_fits_each_group_with_its_censoring():
    """Gehan's two groups: the exponential rate is each group's events over its time at
    risk (6-MP 9/359, placebo 21/182)."""
    import json
    import subprocess
    import sys
    from pathlib import Path
    data = Path(__file__).resolve().parent.parent / "sample_data" / "remission.csv"
    out = subprocess.run([sys.executable, "-m", "mlefit", "fit", str(data), "-c", "weeks", "--event", "relapsed",
                          "--by", "group", "-d", "exponential", "--format", "ndjson"],
                         capture_output=True, text=True, check=True)
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["group"] for r in rows] == ["6-MP", "placebo"]
    assert rows[0]["parameters"][0]["estimate"] == pytest.approx(9 / 359, rel=1e-10)
    assert rows[1]["parameters"][0]["estimate"] == pytest.approx(21 / 182, rel=1e-10)
    assert rows[0]["censoring"]["right"] == 12 and rows[1]["censoring"]["right"] == 0
    assert rows[0]["source"] == str(data)


# ---------------------------------------------------------------- limits at an edge
def test_student_t_on_censored_normal_rows_reports_the_normal_limit():
    """Censored rows with tails no heavier than a normal's: df ran off to ~5e10 with an SE
    of 6e14 and no word; now the normal limit (df = 1e30) as the uncensored fit says it,
    mu and sigma the censored normal fit, df's interval [profile lower bound, inf)."""
    rng = np.random.default_rng(2)
    x = rng.normal(10, 2, 300)
    cens = censoring.from_event(x, rng.random(x.size) < 0.7)
    r = mlefit.fit(cens, "student_t")
    normal = mlefit.fit(cens, "normal")
    assert r.converged and r.estimates["df"] == 1e30
    assert r.estimates["mu"] == pytest.approx(normal.estimates["mu"], rel=1e-9)
    assert r.estimates["sigma"] == pytest.approx(normal.estimates["sigma"], rel=1e-9)
    assert r.loglik == pytest.approx(normal.loglik, rel=1e-12)
    df = r.parameters[2]
    assert df.ci_upper == math.inf and 1.0 < df.ci_lower < 1e3
    assert "the normal limit" in df.note
    # the lower end is where the profile log-likelihood drops by z^2/2 (1.92 at 95%)
    at = mlefit.fit(cens, "student_t", fix={"df": df.ci_lower})
    assert r.loglik - at.loglik == pytest.approx(0.5 * 1.959963984540054 ** 2, rel=1e-6)


def test_counts_without_overdispersion_under_censoring_have_no_finite_mle():
    """Binomial counts (less spread than a poisson's or a beta-binomial's), 30% censored:
    the censored likelihood rises all the way to the simpler family, as uncensored."""
    from mlefit.errors import BoundaryError
    rng = np.random.default_rng(1)
    y = rng.binomial(10, 0.4, 150).astype(float)
    cens = censoring.from_event(y, rng.random(y.size) < 0.7)
    with pytest.raises(BoundaryError, match="size has no finite MLE here.*poisson limit") as info:
        mlefit.fit(cens, "negative_binomial")
    assert info.value.limit == "poisson" and info.value.going == ("size",)
    with pytest.raises(BoundaryError, match="a and b have no finite MLE here.*binomial limit"):
        mlefit.fit(cens, "beta_binomial:10")


def test_a_censored_beta_binomial_started_at_the_edge_finds_its_interior_maximum():
    """The moment start on censored rows' bounds sat at a + b = 1e6, on a plateau that
    Newton climbed for 200 iterations away from the maximum near a + b = 35."""
    rng = np.random.default_rng(3)
    y = rng.binomial(10, 0.4, 150).astype(float)
    event = rng.random(y.size) < 0.7
    r = mlefit.fit(censoring.from_event(y, event), "beta_binomial:10")

    def nll(t):
        d = st.betabinom(10, *np.exp(t))
        return -(d.logpmf(y[event]).sum() + d.logsf(y[~event]).sum())

    best = min((scipy.optimize.minimize(nll, s0, method="Nelder-Mead", options=dict(xatol=1e-10, fatol=1e-12))
                for s0 in ([1.0, 1.0], [3.0, 3.0])), key=lambda o: o.fun)
    assert r.converged and r.loglik >= -best.fun - 1e-9
    assert [r.estimates["a"], r.estimates["b"]] == pytest.approx(np.exp(best.x), rel=1e-4)


@pytest.mark.parametrize("family, rel", [("lognormal", 1e-10), ("gamma", 1e-7)])
def test_a_subsample_start_reaches_the_same_fit(monkeypatch, family, rel):
    """Many rows: Newton starts from the MLE of every k-th row, and reaches the fit its
    own start reaches (to 1e-10 with analytic derivatives of log F and log S; gamma's are
    numeric, and Newton stops where their noise decides the step, at about 1e-8)."""
    from mlefit.censored import fit as censored_fit
    rng = np.random.default_rng(4)
    x = rng.lognormal(1.0, 0.5, 4000)
    lo = np.floor(x * 4) / 4
    hi = lo + 0.25
    lo[::7] = np.nan  # left-censored at the upper bound
    hi[3::7] = np.nan  # right-censored at the lower bound
    data = censoring.from_bounds(np.where(lo == 0, np.nan, lo), hi)
    own = mlefit.fit(data, family)
    monkeypatch.setattr(censored_fit, "SUBSAMPLE", 64)
    near = mlefit.fit(data, family)
    assert near.loglik == pytest.approx(own.loglik, rel=1e-12)
    for p, q in zip(near.parameters, own.parameters):
        assert p.estimate == pytest.approx(q.estimate, rel=rel)
        assert p.se == pytest.approx(q.se, rel=1e-6)


def test_a_count_right_censored_at_its_number_of_trials_is_named_as_impossible():
    """'> 10' cannot happen under binomial:10: the rows are named (the fit broke down with
    'values (from 0 to 0) are too extreme' before); a value above 10 is named too."""
    y = np.array([3.0, 4.0, 10.0, 5.0, 10.0, 2.0])
    event = np.array([True, True, False, True, True, True])
    for name in ("binomial:10", "beta_binomial:10"):
        with pytest.raises(DataError, match=r"1 row of the data cannot occur under .*:10 \(whole numbers from 0 to "
                                            r"10\): index 2: > 10"):
            mlefit.fit(censoring.from_event(y, event), name)
    with pytest.raises(DataError, match=r"index 6: 12"):
        mlefit.fit(censoring.from_event(np.r_[y, 12.0], np.r_[np.ones(6, bool), True]), "binomial:10")


def test_rows_array_is_the_bounds_column_by_column():
    """The (n, 4) rows of bounds and truncation points, each column contiguous (what reads
    them takes whole columns)."""
    from mlefit.censored.fit import rows_array
    lo, hi = np.array([1.0, 2.0, np.nan, 4.0]), np.array([1.0, np.nan, 3.0, 5.0])
    x = rows_array(censoring.from_bounds(lo, hi), False)
    assert x.flags.f_contiguous and x[:, 0].flags.c_contiguous
    assert np.array_equal(x, np.column_stack([[1.0, 2.0, -np.inf, 4.0], [1.0, np.inf, 3.0, 5.0],
                                              np.full(4, -np.inf), np.full(4, np.inf)]))


@pytest.mark.parametrize("gap", [False, True])
def test_cli_bounds_name_their_lines_with_and_without_rows_of_no_bound(gap):
    """fit --lower/--upper: a row with neither bound is left out and counted (its line
    named), and a later row's error still names its own line; without such rows the
    columns are used as read, with the same places."""
    import json

    from click.testing import CliRunner

    from mlefit.cli import cli

    rows = ["1,2", "0.5,", ",3", "2,2", "1.5,4", "0.2,0.9", "3,5"]
    if gap:
        rows.insert(1, ",")
    good = "lo,hi\n" + "\n".join(rows) + "\n"
    out = CliRunner().invoke(cli, ["fit", "-", "--lower", "lo", "--upper", "hi", "-d", "lognormal", "--json"],
                             input=good)
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert d["censoring"] == {"exact": 1, "left": 1, "right": 1, "interval": 4, "truncated": 0}
    assert d["dropped"] == ([{"reason": "no bound given", "count": 1, "first": ["line 3"]}] if gap else [])
    bad = good + "4,3\n"
    out = CliRunner().invoke(cli, ["fit", "-", "--lower", "lo", "--upper", "hi", "-d", "lognormal"], input=bad)
    assert out.exit_code == 1
    assert f"(line {len(rows) + 2}: 4 > 3)" in out.output


@pytest.mark.parametrize("command", [
    ["fit", "-d", "weibull"], ["select", "--bootstrap", "0"], ["lrt", "--null", "exponential", "--alt", "weibull"],
    ["fit", "--logpdf", "log(k) + (k - 1) * log(x / s) - (x / s)**k - log(s)", "--params", "k=1,s=1"],
    ["fit", "-d", "weibull", "--by", "g"]])
def test_every_command_names_the_bounds_it_read(command):
    """Rows read from --lower lo --upper hi are the column 'lo/hi' in every command's
    output, as fit has always said: select (and its best fit), lrt, an own model and each
    group of --by said null (the record was built nameless and only fit named it after)."""
    import json

    from click.testing import CliRunner

    from mlefit.cli import cli

    data = "lo,hi,g\n1,2,a\n3,,a\n,4,b\n2,5,b\n1.5,2.5,a\n2,3,b\n"
    out = CliRunner().invoke(cli, [command[0], "-", "--lower", "lo", "--upper", "hi", *command[1:], "--json"],
                             input=data)
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert d["column"] == "lo/hi"
    for inner in [d.get("best")] + d.get("groups", []):
        if inner is not None:
            assert inner["column"] == "lo/hi"


def test_a_censored_row_under_truncation_is_bounded_by_the_region_it_was_recorded_in():
    """A row '>= 2000' recorded only at or below 5000 says 2000 <= Y <= 5000: its term is
    log(F(5000) - F(2000)) - log F(5000), never log S(2000) - log F(5000), which counts values
    that could not be recorded and exceeds 0 (before: the lognormal fit ran to mu = 720, where
    that sum is +1.2e6, and broke down; at 1e5 it 'converged' to the wrong estimates). The
    reference is the same likelihood written with scipy.stats and maximised by Nelder-Mead."""
    cells = ["0.31", "<0.04", ">=2000", "12", "0.5", "3", "<0.04", "7"]
    seen, low, high = np.log([0.31, 12, 0.5, 3, 7]), math.log(0.04), math.log(2000)
    for limit in (5000.0, 1e5):
        top = math.log(limit)

        def nll(p):
            d = st.norm(p[0], math.exp(p[1]))
            return -(np.sum(d.logpdf(seen) - seen) + 2 * d.logcdf(low) + math.log(d.cdf(top) - d.cdf(high))
                     - 8 * d.logcdf(top))
        ref = scipy.optimize.minimize(nll, [1.0, 1.0], method="Nelder-Mead",
                                      options=dict(maxiter=20000, xatol=1e-12, fatol=1e-14))
        r = mlefit.fit(censoring.truncated(censoring.from_cells(cells), upper=limit), "lognormal")
        assert [p.estimate for p in r.parameters] == pytest.approx([ref.x[0], math.exp(ref.x[1])], rel=1e-6)
        assert r.loglik == pytest.approx(-ref.fun, rel=1e-10)
    counts = censoring.truncated(censoring.from_cells(["1", "2", "3", ">=5", "1", "0"]), upper=5)  # Y = 5 only

    def count_nll(lam):
        d = st.poisson(lam)
        return -(np.sum(d.logpmf([1, 2, 3, 1, 0])) + d.logpmf(5) - 6 * d.logcdf(5))
    ref = scipy.optimize.minimize_scalar(count_nll, bounds=(0.01, 20), method="bounded", options=dict(xatol=1e-12))
    assert mlefit.fit(counts, "poisson").parameters[0].estimate == pytest.approx(ref.x, rel=1e-7)
    edge = censoring.truncated(censoring.from_cells(cells[:2] + [">=5000"] + cells[3:]), upper=5000)
    with pytest.raises(DataError, match=r"1 censored row holds no value the truncation region could record "
                                        r"\(index 2: >= 5000\)"):
        mlefit.fit(edge, "lognormal")


def test_a_censored_fit_that_breaks_down_says_the_span_of_the_bounds(tmp_path):
    """The censored fit's breakdown message gives the smallest and largest finite bound
    (before: 'the values (from 0 to 0)', a placeholder span handed to the message)."""
    from click.testing import CliRunner

    from mlefit.cli import cli
    cells = ["1e200", "3e200", "<1e200", ">=5e200", "2e200"]
    want = ("the normal fit to {} breaks down in double precision: the values (from 1e+200 to 5e+200) are too "
            "extreme or too concentrated for it; rescale them (change the unit) or choose another family")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow on the way (the spread's squares were)
        with pytest.raises(DataError) as got:
            mlefit.fit(censoring.from_cells(cells), "normal")
    assert str(got.value) == want.format("the data")
    path = tmp_path / "d.csv"
    path.write_text("x\n" + "\n".join(cells) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        out = CliRunner().invoke(cli, ["fit", str(path), "-c", "x", "--censored-cells", "-d", "normal"])
    assert out.exit_code == 1 and want.format("column 'x'") in out.output
