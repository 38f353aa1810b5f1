"""Exchangeable priors on normal_mixture:K (issue 18, point 1): MAP-EM (mlefit/priors/mixture.py)
checked against scipy.optimize on the log-likelihood + log-prior written out with
scipy.stats, from the MAP and from other starts; a flat prior gives back the MLE; a prior
that keeps sigma away from 0 removes the spike that makes the ML fit fail."""
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import optimize, special, stats

import mlefit
from mlefit.cli import cli
from mlefit.errors import DataError, UsageError

RNG = np.random.default_rng(5)
TWO = np.concatenate([RNG.normal(-2, 1, 150), RNG.normal(3, 0.7, 100)])
# a tiny cluster of three nearly equal values beside 200 normal ones: every ML EM run
# collapses onto it (the likelihood's spike), so the MLE of two components does not exist
SPIKE = np.concatenate([np.random.default_rng(3).normal(0, 1, 200), [4.0, 4.0005, 4.001]])


def _log_posterior(x, w, mu, sig, mu_prior=None, sigma_prior=None, alpha=None):
    """log-likelihood + log-prior of a normal mixture, with scipy.stats."""
    logs = [math.log(wj) + stats.norm.logpdf(x, m, s) for wj, m, s in zip(w, mu, sig)]
    out = float(np.sum(special.logsumexp(logs, axis=0)))
    if mu_prior is not None:
        out += float(np.sum(mu_prior.logpdf(mu)))
    if sigma_prior is not None:
        out += float(np.sum(sigma_prior.logpdf(sig)))
    if alpha is not None:
        out += stats.dirichlet([alpha] * len(w)).logpdf(w)
    return out


def _unpack(v):  # K = 2 on the unconstrained scale: logit w1, mu1, log s1, mu2, log s2
    w1 = special.expit(v[0])
    return [w1, 1 - w1], [v[1], v[3]], [math.exp(v[2]), math.exp(v[4])]


def _scipy_best(x, starts, **priors):
    f = lambda v: -_log_posterior(x, *_unpack(v), **priors)  # noqa: E731
    best = min((optimize.minimize(f, s, method="BFGS", options={"gtol": 1e-9}) for s in starts),
               key=lambda r: r.fun)
    simplex = best.x + np.vstack([np.zeros(5), 1e-3 * np.eye(5)])  # polished without derivatives
    best = optimize.minimize(f, best.x, method="Nelder-Mead",
                             options={"xatol": 1e-10, "fatol": 1e-11, "maxiter": 4000, "initial_simplex": simplex})
    w, mu, sig = _unpack(best.x)
    order = np.argsort(mu)
    return np.column_stack([np.array(w)[order], np.array(mu)[order], np.array(sig)[order]]).ravel(), -best.fun


def _start(theta):
    w1, m1, s1, _, m2, s2 = theta
    return [special.logit(w1), m1, math.log(s1), m2, math.log(s2)]


CASES = [  # (priors as mlefit reads them, the same with scipy.stats)
    (["mu ~ normal(0, 10)", "sigma ~ inverse_gamma(2, 1)", "w ~ dirichlet(2)"],
     dict(mu_prior=stats.norm(0, 10), sigma_prior=stats.invgamma(2, scale=1), alpha=2.0)),
    (["mu ~ student_t(3, 0, 2)", "sigma ~ lognormal(0, 0.5)"],
     dict(mu_prior=stats.t(3, 0, 2), sigma_prior=stats.lognorm(0.5))),
    (["mu ~ normal(0.5, 1)", "w ~ dirichlet(5)"], dict(mu_prior=stats.norm(0.5, 1), alpha=5.0)),
]


@pytest.mark.parametrize("given, ref", CASES)
def test_map_em_equals_scipy_on_the_written_out_log_posterior(given, ref):
    r = mlefit.fit(TWO, "normal_mixture:2", prior=given)
    theta = np.array(list(r.estimates.values()))
    assert r.log_posterior == pytest.approx(_log_posterior(TWO, theta[0::3], theta[1::3], theta[2::3], **ref),
                                            rel=1e-12)
    starts = [_start(theta), [0.0, -1.0, 0.0, 1.0, 0.0], [1.0, -3.0, 0.5, 2.0, -0.5], [-1.0, 0.0, 1.0, 4.0, 0.0]]
    want, top = _scipy_best(TWO, starts, **ref)
    assert r.log_posterior >= top - 1e-9
    assert theta == pytest.approx(want, rel=1e-6, abs=1e-7)
    assert r.aic is None or math.isnan(r.aic)
    assert all(p.se is not None and p.interval == "laplace" for p in r.parameters)


def _numeric_hessian(f, x):
    """The Hessian of f at x by central differences."""
    k = len(x)
    h = np.zeros((k, k))
    eps = 1e-4 * np.maximum(np.abs(x), 0.1)
    for i in range(k):
        for j in range(k):
            def at(di, dj):
                v = x.copy()
                v[i] += di * eps[i]
                v[j] += dj * eps[j]
                return f(v)
            h[i, j] = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * eps[i] * eps[j])
    return h


def test_the_laplace_standard_errors_are_the_log_posteriors_curvature():
    given, ref = CASES[0]
    r = mlefit.fit(TWO, "normal_mixture:2", prior=given)
    theta = np.array(list(r.estimates.values()))
    free = np.delete(theta, 3)  # w1, mu1, s1, mu2, s2; w2 = 1 - w1

    def f(v):
        w1, m1, s1, m2, s2 = v
        return _log_posterior(TWO, [w1, 1 - w1], [m1, m2], [s1, s2], **ref)
    se = np.sqrt(np.diag(np.linalg.inv(-_numeric_hessian(f, free))))
    got = [p.se for p in r.parameters]
    assert np.delete(got, 3) == pytest.approx(se, rel=1e-4)
    assert got[3] == pytest.approx(got[0], rel=1e-12)


def test_a_flat_prior_gives_back_the_mle():
    ml = mlefit.fit(TWO, "normal_mixture:2")
    for given in ("w ~ dirichlet(1)", "mu ~ uniform(-100, 100)"):
        r = mlefit.fit(TWO, "normal_mixture:2", prior=given)
        assert list(r.estimates.values()) == pytest.approx(list(ml.estimates.values()), rel=1e-8)
        assert r.loglik == pytest.approx(ml.loglik, rel=1e-13)


def test_a_prior_on_sigma_removes_the_spike():
    """ML: every run collapses onto the three values near 4 (DataError). With an
    inverse_gamma prior on sigma the posterior has a maximum, checked against scipy, and
    no sigma is tiny; with a prior that does not vanish at 0 the spike still wins."""
    with pytest.raises(DataError, match="collapsed onto a single value"):
        mlefit.fit(SPIKE, "normal_mixture:2")
    r = mlefit.fit(SPIKE, "normal_mixture:2", prior="sigma ~ inverse_gamma(2, 0.5)")
    theta = np.array(list(r.estimates.values()))
    assert min(theta[2::3]) > 0.05
    assert r.mle is None and any("the MLE does not exist" in n for n in r.notes)
    ref = dict(sigma_prior=stats.invgamma(2, scale=0.5))
    want, top = _scipy_best(SPIKE, [_start(theta), [0.0, -0.5, 0.0, 2.0, 0.0], [3.0, 0.0, 0.0, 4.0, -1.0]], **ref)
    assert r.log_posterior >= top - 1e-9
    assert theta == pytest.approx(want, rel=1e-6, abs=1e-7)
    with pytest.raises(DataError, match="with this prior: in every one"):
        mlefit.fit(SPIKE, "normal_mixture:2", prior="mu ~ normal(0, 10)")


@pytest.mark.parametrize("given, match", [
    ("mu[1] ~ normal(0, 1)", "have no fixed labels"),
    ("w ~ dirichlet(1, 2)", "treat the unlabelled components alike"),
    ("w ~ dirichlet(0.5)", "give a >= 1"),
    ("w ~ beta(2, 2)", "take one symmetric dirichlet prior"),
    ("sigma ~ normal(0, 1)", "is positive"),
    ("jeffreys", "not available for normal_mixture:2"),
])
def test_bad_mixture_priors(given, match):
    with pytest.raises(UsageError, match=match):
        mlefit.fit(TWO, "normal_mixture:2", prior=given)


def test_cli_json_and_table():
    text = "x\n" + "\n".join(repr(float(v)) for v in TWO) + "\n"
    args = ["fit", "-", "-d", "normal_mixture:2", "--prior", "mu ~ normal(0, 10)", "--prior", "w ~ dirichlet(2)"]
    out = CliRunner().invoke(cli, args + ["--json"], input=text)
    assert out.exit_code == 0, out.output
    d = json.loads(out.output)
    want = mlefit.fit(TWO, "normal_mixture:2", prior=["mu ~ normal(0, 10)", "w ~ dirichlet(2)"]).to_dict()
    assert d["parameters"] == json.loads(json.dumps(want["parameters"]))
    assert d["map"] is True and d["aic"] is None and d["bic"] is None
    assert d["log_posterior"] == pytest.approx(d["loglik"] + d["log_prior"], rel=1e-14)
    assert [p["parameter"] for p in d["prior"]] == ["mu", "w"]
    table = CliRunner().invoke(cli, args, input=text).output
    assert "w ~ dirichlet(2, 2)" in table and "not reported for a MAP fit" in table
    bad = CliRunner().invoke(cli, args + ["--interval", "profile"], input=text)
    assert bad.exit_code == 2 and "gives Laplace-approximation intervals only" in bad.output


def test_one_component_is_the_normal_map():
    given = ["mu ~ normal(0, 1)", "sigma ~ inverse_gamma(2, 1)"]
    one = mlefit.fit(TWO, "normal_mixture:1", prior=given)
    normal = mlefit.fit(TWO, "normal", prior=given)
    assert one.estimates["mu[1]"] == pytest.approx(normal.estimates["mu"], rel=1e-9)
    assert one.estimates["sigma[1]"] == pytest.approx(normal.estimates["sigma"], rel=1e-9)
    assert one.parameters[1].se == pytest.approx(normal.parameters[0].se, rel=1e-6)
    assert one.log_posterior == pytest.approx(normal.log_posterior, rel=1e-12)


def test_a_sigma_on_the_edge_of_a_uniform_prior_has_no_laplace_se():
    """sigma ~ uniform(0.8, 5) with one component's sigma near 0.7: its MAP is the edge 0.8,
    where the log-posterior does not peak (no SE); the MAP equals L-BFGS-B's on the
    written-out log-posterior with sigma bounded, and the others' SEs are the curvature of
    the log-posterior with that sigma held."""
    r = mlefit.fit(TWO, "normal_mixture:2", prior="sigma ~ uniform(0.8, 5)")
    theta = np.array(list(r.estimates.values()))
    assert theta[5] == pytest.approx(0.8, abs=1e-12) and r.parameters[5].se is None
    assert any("given sigma[2] held at the edge" in n for n in r.notes)

    def f(v):  # w1, mu1, s1, mu2, s2
        w1, m1, s1, m2, s2 = v
        return _log_posterior(TWO, [w1, 1 - w1], [m1, m2], [s1, s2], sigma_prior=stats.uniform(0.8, 4.2))
    bounds = [(1e-6, 1 - 1e-6), (None, None), (0.8, 5), (None, None), (0.8, 5)]
    runs = [optimize.minimize(lambda v: -f(v), x0, method="L-BFGS-B", bounds=bounds,
                              options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 5000})
            for x0 in ([0.5, -2, 1, 3, 1], [0.6, -1, 2, 2, 2], np.delete(theta, 3) + 0.01)]
    best = min(runs, key=lambda q: q.fun)
    assert np.delete(theta, 3) == pytest.approx(best.x, rel=1e-6, abs=1e-7)
    free = np.delete(theta, [3, 5])  # w1, mu1, s1, mu2 with s2 held at 0.8
    g = lambda v: f([v[0], v[1], v[2], v[3], 0.8])  # noqa: E731
    se = np.sqrt(np.diag(np.linalg.inv(-_numeric_hessian(g, free))))
    assert [r.parameters[i].se for i in (0, 1, 2, 4)] == pytest.approx(se, rel=1e-4)
