"""Regression with a censored response (`mlefit regress` with the censoring options):
accelerated failure time models against lifelines' AFT fitters (on the published Rossi
recidivism data and on seeded data with right, left and interval censoring and delayed
entry), Tobit and the exponential AFT against a direct scipy.optimize maximisation of
their likelihoods written with scipy.stats, properties, and the command line."""
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import optimize, stats

from mlefit.cli import cli
from mlefit.censored.request import NAMES
from mlefit.errors import DataError, UsageError
from mlefit.regression.model import regress

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
ROSSI = str(SAMPLE / "rossi.csv")


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def opts(**given):
    out = {k: None for k in NAMES}
    out.update(given)
    return out


def rossi():
    import pandas as pd
    return pd.read_csv(ROSSI)


# lifelines' parameter names: (the covariates' parameter, the shared one, how the
# shared one maps to mlefit's)
LIFELINES = {
    "weibull": ("WeibullAFTFitter", "lambda_", "rho_", "shape", np.exp),
    "lognormal": ("LogNormalAFTFitter", "mu_", "sigma_", "sdlog", np.exp),
    "log_logistic": ("LogLogisticAFTFitter", "alpha_", "beta_", "shape", np.exp),
}


def lifelines_fit(family, df, how="right", tight=True, **kw):
    """lifelines' fit. Its default (SLSQP) stops short: on Rossi's log_logistic 1.3e-5
    below the maximum, the intercept 3e-4 relative away; tight: BFGS to a gradient of
    1e-9 (where BFGS reports a loss of precision, SLSQP with ftol 1e-14)."""
    import lifelines
    name, coef, shared, _, _ = LIFELINES[family]
    if tight:
        try:
            fitter = getattr(lifelines, name)()
            fitter._scipy_fit_method = "BFGS"
            return _lifelines_fit(fitter, df, how, dict(kw, fit_options={"gtol": 1e-9}))
        except lifelines.exceptions.ConvergenceError:
            kw["fit_options"] = {"ftol": 1e-14}
    return _lifelines_fit(getattr(lifelines, name)(), df, how, kw)


def _lifelines_fit(fitter, df, how, kw):
    if how == "right":
        fitter.fit(df, **kw)
    elif how == "left":
        fitter.fit_left_censoring(df, **kw)
    else:
        fitter.fit_interval_censoring(df, **kw)
    return fitter


def assert_matches(result, fitter, family, covariates):
    _, coef, shared, mine, to_value = LIFELINES[family]
    est = result.estimates
    theirs = fitter.params_
    for c in ["Intercept"] + covariates:
        assert est[c] == pytest.approx(theirs[(coef, c)], rel=1e-5, abs=1e-7), c
    assert est[mine] == pytest.approx(to_value(theirs[(shared, "Intercept")]), rel=1e-5)
    # mlefit's maximum is never below lifelines' (lifelines stops on its own tolerance)
    assert result.loglik >= fitter.log_likelihood_ - 1e-9
    assert result.loglik == pytest.approx(fitter.log_likelihood_, abs=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("family", sorted(LIFELINES))
def test_rossi_equals_lifelines(family):
    """The published Rossi recidivism data (Rossi, Berk & Lenihan 1980; lifelines'
    load_rossi): week of arrest, right-censored at 52 weeks, on fin, age and prio."""
    df = rossi()[["week", "arrest", "fin", "age", "prio"]]
    result = regress(ROSSI, "week", ["fin", "age", "prio"], dist=family, censoring=opts(event="arrest"))
    assert result.censoring == {"exact": 114, "left": 0, "right": 318, "interval": 0, "truncated": 0}
    assert_matches(result, lifelines_fit(family, df, duration_col="week", event_col="arrest"), family,
                   ["fin", "age", "prio"])
    default = lifelines_fit(family, df, tight=False, duration_col="week", event_col="arrest")
    assert result.loglik >= default.log_likelihood_


def seeded(n=400, seed=3):
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.integers(0, 2, n).astype(float)
    scale = np.exp(1.0 + 0.5 * x1 - 0.3 * x2)
    t = scale * rng.weibull(1.7, n)
    return rng, x1, x2, t


@pytest.mark.slow
@pytest.mark.parametrize("family", sorted(LIFELINES))
def test_seeded_right_censoring_equals_lifelines(family):
    import pandas as pd
    rng, x1, x2, t = seeded()
    c = rng.exponential(6.0, t.size)
    df = pd.DataFrame({"t": np.minimum(t, c), "e": (t <= c).astype(int), "x1": x1, "x2": x2})
    result = regress(df, "t", ["x1", "x2"], dist=family, censoring=opts(event="e"))
    assert 0.2 < result.censoring["right"] / t.size < 0.5
    assert_matches(result, lifelines_fit(family, df, duration_col="t", event_col="e"), family, ["x1", "x2"])


@pytest.mark.slow
def test_left_censoring_equals_lifelines():
    import pandas as pd
    rng, x1, x2, t = seeded(seed=5)
    limit = 1.0
    df = pd.DataFrame({"t": np.maximum(t, limit), "e": (t > limit).astype(int), "x1": x1, "x2": x2})
    result = regress(df, "t", ["x1", "x2"], dist="weibull", censoring=opts(event_left="e"))
    assert result.censoring["left"] == int(np.sum(t <= limit)) > 20
    assert_matches(result, lifelines_fit("weibull", df, "left", duration_col="t", event_col="e"), "weibull",
                   ["x1", "x2"])
    same = regress(df, "t", ["x1", "x2"], dist="weibull", censoring=opts(lower_limit=limit))
    assert same.loglik == pytest.approx(result.loglik, rel=1e-12)


@pytest.mark.slow
def test_interval_censoring_equals_lifelines():
    """Inspections every 2 time units: each time known only between two of them, the
    last right-censored; lifelines takes an upper bound of inf for those."""
    import pandas as pd
    rng, x1, x2, t = seeded(seed=7)
    lo = np.floor(t / 2.0) * 2.0
    hi = lo + 2.0
    hi[lo >= 8.0] = np.inf
    lo[lo >= 8.0] = 8.0
    df = pd.DataFrame({"lo": lo, "hi": hi, "x1": x1, "x2": x2})
    lo_m = np.where(lo == 0, np.nan, lo)  # mlefit's convention: no lower bound = left-censored
    mine = pd.DataFrame({"lo": lo_m, "hi": np.where(np.isinf(hi), np.nan, hi), "x1": x1, "x2": x2})
    result = regress(mine, None, ["x1", "x2"], dist="weibull", censoring=opts(lower_col="lo", upper_col="hi"))
    counts = result.censoring
    assert counts["interval"] > 100 and counts["right"] > 0 and counts["left"] > 0 and counts["exact"] == 0
    fitter = lifelines_fit("weibull", df, "interval", lower_bound_col="lo", upper_bound_col="hi")
    assert_matches(result, fitter, "weibull", ["x1", "x2"])


@pytest.mark.slow
def test_delayed_entry_equals_lifelines():
    import pandas as pd
    rng, x1, x2, t = seeded(n=600, seed=11)
    entry = rng.uniform(0, 1.5, t.size)
    seen = t > entry  # left truncation: a subject is in the study only if it survived to entry
    c = rng.exponential(8.0, t.size)
    df = pd.DataFrame({"t": np.minimum(t, c), "e": (t <= c).astype(int), "x1": x1, "x2": x2, "entry": entry})
    df = df[seen & (np.minimum(t, c) > entry)].reset_index(drop=True)
    result = regress(df, "t", ["x1", "x2"], dist="weibull", censoring=opts(event="e", entry="entry"))
    assert result.censoring["truncated"] == len(df)
    fitter = lifelines_fit("weibull", df, duration_col="t", event_col="e", entry_col="entry")
    assert_matches(result, fitter, "weibull", ["x1", "x2"])


def direct(logf, logc, theta0, side):
    """The MLE of a censored likelihood maximised directly by scipy (Nelder-Mead polished by BFGS)."""
    def nll(theta):
        v = -(np.sum(logf(theta)) + np.sum(logc(theta)))
        return v if np.isfinite(v) else 1e300
    first = optimize.minimize(nll, theta0, method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12,
                                                                           "maxiter": 20000, "maxfev": 40000})
    best = optimize.minimize(nll, first.x, method="BFGS", options={"gtol": 1e-9})
    return (best if best.fun <= first.fun else first).x, -min(best.fun, first.fun)


def test_tobit_equals_direct_maximisation():
    """Tobit: hours = max(0, latent), latent ~ normal(b0 + b1 age + b2 kids, sigma), the
    likelihood written with scipy.stats.norm and maximised by scipy.optimize."""
    rng = np.random.default_rng(21)
    n = 300
    age = rng.uniform(20, 60, n)
    kids = rng.integers(0, 4, n).astype(float)
    latent = rng.normal(800 + 10 * age - 300 * kids, 600)
    hours = np.maximum(latent, 0.0)
    data = {"hours": hours, "age": age, "kids": kids}
    result = regress(data, "hours", ["age", "kids"], dist="normal", censoring=opts(lower_limit=0.0))
    zero = hours <= 0
    assert result.censoring["left"] == int(zero.sum()) > 20
    X = np.column_stack([np.ones(n), age, kids])

    def logf(th):
        return stats.norm.logpdf(hours[~zero], X[~zero] @ th[:3], np.exp(th[3]))

    def logc(th):
        return stats.norm.logcdf(0.0, X[zero] @ th[:3], np.exp(th[3]))

    theta, ll = direct(logf, logc, np.array([700.0, 8.0, -250.0, np.log(500.0)]), "left")
    est = result.estimates
    np.testing.assert_allclose([est["Intercept"], est["age"], est["kids"], est["sigma"]],
                               [theta[0], theta[1], theta[2], np.exp(theta[3])], rtol=1e-5)
    assert result.loglik >= ll - 1e-9
    # dropping the censored rows (or taking them as 0) biases the kids coefficient toward 0
    plain = regress(data, "hours", ["age", "kids"], dist="normal")
    assert abs(plain.estimates["kids"]) < abs(est["kids"])


def test_exponential_aft_equals_direct_maximisation():
    """exponential: rate = exp(-x'b) (the log of the mean time is x'b), right-censored."""
    rng = np.random.default_rng(8)
    n = 250
    x = rng.normal(size=n)
    t = rng.exponential(np.exp(0.5 + 0.8 * x))
    c = rng.exponential(3.0, n)
    y, e = np.minimum(t, c), (t <= c).astype(float)
    result = regress({"y": y, "e": e, "x": x}, "y", ["x"], dist="exponential", censoring=opts(event="e"))
    X = np.column_stack([np.ones(n), x])
    seen = e == 1

    def logf(b):
        return stats.expon.logpdf(y[seen], scale=np.exp(X[seen] @ b))

    def logc(b):
        return stats.expon.logsf(y[~seen], scale=np.exp(X[~seen] @ b))

    b, ll = direct(logf, logc, np.array([0.0, 0.0]), "right")
    np.testing.assert_allclose([result.estimates["Intercept"], result.estimates["x"]], b, rtol=1e-6)
    assert result.loglik >= ll - 1e-9
    # the exponential is the weibull with its shape held at 1
    weib = regress({"y": y, "e": e, "x": x}, "y", ["x"], dist="weibull", censoring=opts(event="e"), fix={"shape": "1"})
    assert weib.loglik == pytest.approx(result.loglik, rel=1e-10)
    np.testing.assert_allclose(weib.coefficients[1].estimate, result.coefficients[1].estimate, rtol=1e-8)


def test_nothing_censored_equals_the_plain_regression():
    """A limit below every value censors nothing: the Tobit is the linear regression."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=80)
    y = 2.0 + 1.5 * x + rng.normal(size=80)
    plain = regress({"y": y, "x": x}, "y", ["x"], dist="normal")
    tobit = regress({"y": y, "x": x}, "y", ["x"], dist="normal", censoring=opts(lower_limit=-100.0))
    assert tobit.censoring["left"] == 0
    assert tobit.loglik == pytest.approx(plain.loglik, rel=1e-12)
    for a, b in zip(plain.coefficients + plain.parameters, tobit.coefficients + tobit.parameters):
        assert a.estimate == pytest.approx(b.estimate, rel=1e-9, abs=1e-12)
        assert a.se == pytest.approx(b.se, rel=1e-6)


def test_integer_weight_equals_repeated_rows():
    df = rossi()[:120]
    w = (np.arange(120) % 3 + 1).astype(float)
    data = {c: df[c].to_numpy(dtype=float) for c in ("week", "arrest", "fin", "prio")}
    weighted = regress({**data, "w": w}, "week", ["fin", "prio"], dist="weibull", weights="w",
                       censoring=opts(event="arrest"))
    rep = np.repeat(np.arange(120), w.astype(int))
    repeated = regress({k: v[rep] for k, v in data.items()}, "week", ["fin", "prio"], dist="weibull",
                       censoring=opts(event="arrest"))
    assert weighted.loglik == pytest.approx(repeated.loglik, rel=1e-10)
    for a, b in zip(weighted.coefficients, repeated.coefficients):
        assert a.estimate == pytest.approx(b.estimate, rel=1e-7, abs=1e-10)
        assert a.se == pytest.approx(b.se, rel=1e-6)


def test_profile_and_sandwich_intervals_run():
    result = regress(ROSSI, "week", ["fin", "prio"], dist="weibull", censoring=opts(event="arrest"),
                     interval="profile")
    c = result.coefficients[1]
    assert c.ci_lower < c.estimate < c.ci_upper
    robust = regress(ROSSI, "week", ["fin", "prio"], dist="weibull", censoring=opts(event="arrest"), robust=True)
    assert robust.coefficients[1].se == pytest.approx(c.se, rel=0.3)


def test_cli_rossi_json_and_table():
    result = run("regress", ROSSI, "-y", "week", "--event", "arrest", "-x", "fin,age,prio", "--dist", "weibull",
                 "--json")
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert d["censoring"] == {"exact": 114, "left": 0, "right": 318, "interval": 0, "truncated": 0}
    library = regress(ROSSI, "week", ["fin", "age", "prio"], dist="weibull", censoring=opts(event="arrest"))
    assert d == json.loads(json.dumps(library.to_dict()))
    table = run("regress", ROSSI, "-y", "week", "--event", "arrest", "-x", "fin,age,prio", "--dist", "weibull")
    assert "114 exact, 318 right-censored" in table.output and "time ratio" in table.output


def test_cli_tobit():
    rows = "hours,age\n0,30\n120,40\n0,25\n300,50\n80,35\n0,22\n250,45\n40,33\n"
    result = run("regress", "-", "-y", "hours", "-x", "age", "--dist", "normal", "--lower-limit", "0", "--json",
                 input=rows)
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert d["censoring"]["left"] == 3 and d["censoring"]["exact"] == 5
    assert d["deviance"] is None


def test_censoring_refused_for_other_families():
    with pytest.raises(UsageError, match="censored responses go with the families weibull"):
        regress(ROSSI, "week", ["fin"], dist="gamma", censoring=opts(event="arrest"))


def test_every_row_censored_is_refused():
    data = {"t": np.arange(1.0, 11.0), "e": np.zeros(10), "x": np.arange(10.0) % 3}
    with pytest.raises(DataError, match="every row is right-censored"):
        regress(data, "t", ["x"], dist="weibull", censoring=opts(event="e"))


def test_value_outside_support_names_the_row():
    result = run("regress", "-", "-y", "t", "-x", "x", "--dist", "weibull", "--event", "e",
                 input="t,e,x\n1,1,0\n2,0,1\n-3,1,1\n4,1,0\n")
    assert result.exit_code == 1
    assert "cannot occur under weibull" in result.output and "line 4" in result.output


def test_cli_interval_bounds_and_cells():
    """--lower/--upper: a row with neither bound is left out and counted; --censored-cells
    reads '<1' and '>5' in the response."""
    result = run("regress", "-", "--lower", "lo", "--upper", "hi", "-x", "x", "--dist", "weibull", "--json",
                 input="lo,hi,x\n,2,0\n1,3,1\n2,,1\n3,5,0\n4,4,1\n,,1\n2,6,0\n1,1.5,1\n")
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert d["censoring"] == {"exact": 1, "left": 1, "right": 1, "interval": 4, "truncated": 0}
    assert d["dropped"] == [{"reason": "no bound given", "count": 1, "first": ["line 7"]}]
    assert d["rows_read"] == 8 and d["rows_used"] == 7
    cells = run("regress", "-", "-y", "c", "-x", "x", "--censored-cells", "--dist", "lognormal", "--json",
                input="c,x\n<1,0\n2.5,1\n>5,1\n3,0\n0.7,1\n1.2,0\n4,1\n")
    assert cells.exit_code == 0, cells.output
    assert json.loads(cells.stdout)["censoring"] == {"exact": 5, "left": 1, "right": 1, "interval": 0,
                                                     "truncated": 0}


def test_fit_takes_a_limit_of_zero():
    """--lower-limit 0 is a limit: before, a limit of 0 read as 'not given' (0 == False)
    and the fit quietly took the zeros as values seen."""
    result = run("fit", "-", "-c", "hours", "--lower-limit", "0", "-d", "normal", "--json",
                 input="hours\n0\n120\n0\n300\n80\n0\n250\n40\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["censoring"]["left"] == 3


def test_save_of_an_aft_model_is_refused_and_writes_nothing(tmp_path):
    path = tmp_path / "model.json"
    result = run("regress", ROSSI, "-y", "week", "--event", "arrest", "-x", "fin", "--dist", "weibull",
                 "--save", path)
    assert result.exit_code == 2
    assert "accelerated failure time models cannot be saved" in result.stderr
    assert not path.exists()


def top_coded_counts(family, seed):
    """Counts on a covariate, recorded as '5 or more' from 5 on (top-coded: right-censored)."""
    rng = np.random.default_rng(seed)
    n = 500
    x = rng.normal(size=n)
    mu = np.exp(0.9 + 0.6 * x)
    y = rng.poisson(mu) if family == "poisson" else rng.negative_binomial(2.0, 2.0 / (2.0 + mu))
    return x, np.minimum(y, 5).astype(float)


@pytest.mark.parametrize("family", ["poisson", "negative_binomial"])
def test_top_coded_counts_equal_direct_maximisation(family):
    """Censored counts: P(Y >= 5) for the top-coded rows, written with scipy.stats'
    logpmf and logsf (logsf(4) = log P(Y > 4)) and maximised by scipy.optimize."""
    x, y = top_coded_counts(family, 12)
    result = regress({"y": y, "x": x}, "y", ["x"], dist=family, censoring=opts(upper_limit=5.0))
    top = y >= 5
    assert result.censoring["right"] == int(top.sum()) > 30
    X = np.column_stack([np.ones(x.size), x])

    def dist(th, rows):
        mu = np.exp(X[rows] @ th[:2])
        if family == "poisson":
            return stats.poisson(mu)
        size = np.exp(th[2])
        return stats.nbinom(size, size / (size + mu))

    def logf(th):
        return dist(th, ~top).logpmf(y[~top])

    def logc(th):
        return dist(th, top).logsf(4)

    start = np.array([0.5, 0.3] + ([] if family == "poisson" else [0.0]))
    theta, ll = direct(logf, logc, start, "right")
    est = result.estimates
    np.testing.assert_allclose([est["Intercept"], est["x"]], theta[:2], rtol=1e-5)
    if family == "negative_binomial":
        assert est["size"] == pytest.approx(np.exp(theta[2]), rel=1e-4)
    assert result.loglik >= ll - 1e-9
    # taking '5 or more' as 5 pulls the slope down
    plain = regress({"y": y, "x": x}, "y", ["x"], dist=family)
    assert plain.estimates["x"] < est["x"]


def test_counts_censored_cells_on_the_command_line():
    """'<2' (0 or 1) and '>=4' cells of a count response."""
    rows = "y,x\n<2,0\n3,1\n>=4,1\n2,0\n0,1\n1,0\n5,1\n<2,0\n3,0\n>=4,1\n"
    result = run("regress", "-", "-y", "y", "-x", "x", "--censored-cells", "--dist", "poisson", "--json", input=rows)
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert d["censoring"] == {"exact": 6, "left": 2, "right": 2, "interval": 0, "truncated": 0}
    # the same log-likelihood from scipy.stats at the estimate
    b = [c["estimate"] for c in d["coefficients"]]
    x = np.array([0, 1, 1, 0, 1, 0, 1, 0, 0, 1.0])
    mu = np.exp(b[0] + b[1] * x)
    ll = (stats.poisson.logcdf(1, mu[[0, 7]]).sum() + stats.poisson.logsf(3, mu[[2, 9]]).sum()
          + stats.poisson.logpmf([3, 2, 0, 1, 5, 3], mu[[1, 3, 4, 5, 6, 8]]).sum())
    assert d["loglik"] == pytest.approx(ll, rel=1e-12)


def test_row_order_changes_nothing_with_weights_and_clusters():
    """The rows are sorted by kind inside the fit; the per-row scores of the sandwich come
    back in the data's order, beside their weights and clusters."""
    df = rossi()
    rng = np.random.default_rng(6)
    data = {c: df[c].to_numpy(dtype=float) for c in ("week", "arrest", "fin", "prio", "age")}
    data["w"] = rng.integers(1, 4, len(df)).astype(float)
    data["g"] = (np.arange(len(df)) % 17).astype(float)
    perm = rng.permutation(len(df))
    shuffled = {k: v[perm] for k, v in data.items()}
    for kw in ({"robust": True}, {"cluster": "g"}):
        a = regress(data, "week", ["fin", "prio"], dist="weibull", weights="w", censoring=opts(event="arrest"),
                    **kw)
        b = regress(shuffled, "week", ["fin", "prio"], dist="weibull", weights="w",
                    censoring=opts(event="arrest"), **kw)
        assert a.loglik == pytest.approx(b.loglik, rel=1e-12)
        for ca, cb in zip(a.coefficients, b.coefficients):
            assert ca.estimate == pytest.approx(cb.estimate, rel=1e-8, abs=1e-12)
            assert ca.se == pytest.approx(cb.se, rel=1e-8)


def test_an_interval_from_the_support_edge_is_left_censored():
    """[0, 2] for a positive family is 'at most 2': before, the closed-form interval
    derivatives took 0 * inf from log F(0) = -inf and the fit stopped on non-finite
    derivatives (in fit and regress alike)."""
    lo = "0,2,0,4,2,6,2,0,4,2"
    hi = "2,4,2,6,4,8,4,2,6,4"
    x = "0,1,1,0,1,0,0,1,1,0"
    rows = "lo,hi,x\n" + "\n".join(f"{a},{b},{c}" for a, b, c in zip(lo.split(","), hi.split(","), x.split(",")))
    blank = rows.replace("\n0,", "\n,")
    for args in (["fit", "-", "--lower", "lo", "--upper", "hi", "-d", "weibull", "--json"],
                 ["regress", "-", "--lower", "lo", "--upper", "hi", "-x", "x", "-d", "weibull", "--json"]):
        zero, empty = run(*args, input=rows + "\n"), run(*args, input=blank + "\n")
        assert zero.exit_code == 0, zero.output
        assert json.loads(zero.stdout)["loglik"] == pytest.approx(json.loads(empty.stdout)["loglik"], rel=1e-12)


def test_unknown_censoring_key_is_refused():
    with pytest.raises(UsageError, match="censoring: unknown key evnt"):
        regress(ROSSI, "week", ["fin"], dist="weibull", censoring={"evnt": "arrest"})
