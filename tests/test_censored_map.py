"""MAP fits of censored rows (issue 18 audit: --prior with the censoring options was
refused): the log-prior added to the censored log-likelihood (log f, log F, log S and their
differences), checked against the closed form of exponential right-censored rows with a
gamma prior and against scipy.optimize on the log-posterior written out with scipy.stats."""
import math

import numpy as np
import pytest
from scipy import optimize, stats

import mlefit
from mlefit.censored import rows as censoring

TIMES = [1.0, 2.0, 3.0, 4.0, 5.0, 0.7, 6.5, 2.2]
EVENT = [1, 0, 1, 1, 0, 1, 0, 1]


def test_exponential_right_censored_with_a_gamma_prior_is_gamma_a_plus_events_b_plus_total_time():
    r = mlefit.fit(censoring.from_event(TIMES, EVENT), "exponential", prior="rate ~ gamma(2, 1)")
    d, total = sum(EVENT), sum(TIMES)  # the posterior is gamma(2 + d, 1 + total): its mode
    assert r.estimates["rate"] == pytest.approx((2 + d - 1) / (1 + total), abs=1e-10)
    ml = mlefit.fit(censoring.from_event(TIMES, EVENT), "exponential")
    assert ml.estimates["rate"] == pytest.approx(d / total, rel=1e-10)
    assert r.mle == pytest.approx({"rate": d / total}, rel=1e-10)
    assert r.loglik == pytest.approx(d * math.log(r.estimates["rate"]) - r.estimates["rate"] * total, rel=1e-12)
    assert r.log_prior == pytest.approx(stats.gamma(2, scale=1).logpdf(r.estimates["rate"]), rel=1e-12)
    assert r.censoring["fitted_median"] == pytest.approx(math.log(2) / r.estimates["rate"], rel=1e-9)
    assert r.posterior is None and r.aic != r.aic  # no exact posterior claimed, no AIC


def test_weibull_interval_censored_map_equals_scipy_optimize_on_the_written_out_log_posterior():
    lower = [0.5, 1.0, 2.0, None, 3.0, 1.5, 4.0, 0.2]
    upper = [1.0, 1.8, 2.0, 0.9, None, 2.5, None, 0.6]
    r = mlefit.fit(censoring.from_bounds(lower, upper), "weibull",
                   prior=["shape ~ lognormal(0, 0.5)", "scale ~ gamma(2, 1)"], interval="profile")

    def minus_log_posterior(u):
        k, lam = np.exp(u)
        d = stats.weibull_min(k, scale=lam)
        total = 0.0
        for lo, hi in zip(lower, upper):
            if lo is not None and hi is not None and lo == hi:
                total += d.logpdf(lo)
            elif lo is None:
                total += d.logcdf(hi)
            elif hi is None:
                total += d.logsf(lo)
            else:
                total += math.log(d.cdf(hi) - d.cdf(lo))
        return -(total + stats.lognorm(0.5).logpdf(k) + stats.gamma(2).logpdf(lam))

    best = optimize.minimize(minus_log_posterior, [0.0, 0.5], method="Nelder-Mead",
                             options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 20000})
    k, lam = np.exp(best.x)
    assert r.estimates["shape"] == pytest.approx(k, rel=1e-6)
    assert r.estimates["scale"] == pytest.approx(lam, rel=1e-6)
    assert r.log_posterior == pytest.approx(-best.fun, rel=1e-10)
    assert r.interval_kind == "profile" and r.parameters[0].interval == "profile"
    assert r.censoring["interval"] == 4  # the rows' kinds still reported


def test_jeffreys_is_refused_with_censored_rows():
    with pytest.raises(mlefit.UsageError, match="depends on the censoring"):
        mlefit.fit(censoring.from_event(TIMES, EVENT), "exponential", prior="jeffreys")


def _rossi(rows=150):
    import csv
    from pathlib import Path
    with open(Path(__file__).resolve().parent.parent / "sample_data" / "rossi.csv") as fh:
        data = list(csv.DictReader(fh))[:rows]
    return {k: np.array([float(r[k]) for r in data]) for k in ("week", "arrest", "fin", "age", "prio")}


@pytest.mark.parametrize("prior", ["coef ~ normal(0, 0.1)", "coef ~ student_t(3, 0, 0.05)"])
def test_censored_weibull_regression_map_equals_scipy_optimize(prior):
    data = _rossi()
    names = ["fin", "age", "prio"]
    r = mlefit.regress(data, "week", names, dist="weibull", censoring={"event": "arrest"}, prior=prior)
    X = np.column_stack([np.ones(data["week"].size)] + [data[n] for n in names])
    t, seen = data["week"], data["arrest"] == 1
    dist, args = prior.split("~")[1].strip().split("(")
    args = [float(a) for a in args.rstrip(")").split(",")]
    log_prior = (lambda b: stats.norm(*args).logpdf(b).sum()) if dist == "normal" else \
        (lambda b: stats.t(args[0], args[1], args[2]).logpdf(b).sum())

    def minus_log_posterior(v):
        b, k = v[:4], math.exp(v[4])
        lam = np.exp(X @ b)
        z = (t / lam) ** k
        ll = np.where(seen, math.log(k) - np.log(lam) + (k - 1) * np.log(t / lam) - z, -z).sum()
        return -(ll + log_prior(b[1:]))

    start = np.array([r.estimates["Intercept"], *[r.estimates[n] for n in names], math.log(r.estimates["shape"])])
    best = optimize.minimize(minus_log_posterior, start + 0.05, method="BFGS", options={"gtol": 1e-10})
    got = [r.estimates[n] for n in ["Intercept"] + names] + [r.estimates["shape"]]
    np.testing.assert_allclose(got, [*best.x[:4], math.exp(best.x[4])], rtol=1e-5, atol=1e-7)
    assert r.to_dict()["log_posterior"] == pytest.approx(-best.fun, rel=1e-9)
    ml = mlefit.regress(data, "week", names, dist="weibull", censoring={"event": "arrest"})
    assert r.to_dict()["mle"] == pytest.approx(ml.estimates, rel=1e-9)
    assert r.censoring == ml.censoring
