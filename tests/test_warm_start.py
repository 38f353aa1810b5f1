"""The subsample start of a regression on many rows (mlefit.regression.warm_start): only a start, so
every fit equals the fit from the intercept-only model (SUBSAMPLE is made small here, so
that a few thousand rows count as many)."""
import numpy as np
import pytest

import mlefit
from mlefit.regression import warm_start


def _fit(monkeypatch, subsample, data, **kw):
    monkeypatch.setattr(warm_start, "SUBSAMPLE", subsample)
    calls = []
    real = warm_start.newton

    def counted(*a, **k):
        calls.append(1)
        return real(*a, **k)
    monkeypatch.setattr(warm_start, "newton", counted)
    return mlefit.regress(data, **kw), len(calls)


def _same(a, b):
    for ca, cb in zip(a.coefficients, b.coefficients):
        assert ca.estimate == pytest.approx(cb.estimate, rel=1e-9, abs=1e-11)
        assert ca.se == pytest.approx(cb.se, rel=1e-7)
    for pa, pb in zip(a.parameters, b.parameters):
        assert pa.estimate == pytest.approx(pb.estimate, rel=1e-8)
    assert a.loglik == pytest.approx(b.loglik, rel=1e-13, abs=1e-9)
    assert a.converged and b.converged


def _data(rng, n=6000):
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    g = rng.integers(0, 3, size=n).astype(float)
    return x1, x2, g


@pytest.mark.parametrize("dist", ["bernoulli", "poisson", "binomial", "negative_binomial", "gamma", "normal"])
def test_the_subsample_start_gives_the_same_fit(monkeypatch, dist):
    rng = np.random.default_rng(7)
    x1, x2, g = _data(rng)
    eta = 0.3 + 0.5 * x1 - 0.4 * x2 + 0.2 * g
    t = rng.integers(1, 6, size=x1.size).astype(float)
    y = {"bernoulli": lambda: (rng.random(x1.size) < 1 / (1 + np.exp(-eta))).astype(float),
         "poisson": lambda: rng.poisson(np.exp(eta)).astype(float),
         "binomial": lambda: rng.binomial(t.astype(int), 1 / (1 + np.exp(-eta))).astype(float),
         "negative_binomial": lambda: rng.negative_binomial(3, 3 / (3 + np.exp(eta))).astype(float),
         "gamma": lambda: rng.gamma(2.0, np.exp(eta) / 2.0),
         "normal": lambda: eta + rng.normal(size=x1.size)}[dist]()
    w = rng.integers(0, 4, size=x1.size).astype(float)
    data = {"y": y, "x1": x1, "x2": x2, "g": g, "t": t, "w": w, "off": 0.1 * rng.normal(size=x1.size)}
    kw = dict(response="y", covariates=["x1", "x2", "g"], dist=dist, weights="w")
    if dist == "binomial":
        kw["trials"] = "t"
    if dist == "poisson":
        kw["offset"] = "off"
    started, runs = _fit(monkeypatch, 500, data, **kw)
    assert runs == 1  # the subsample was fitted
    plain, runs = _fit(monkeypatch, 10 ** 9, data, **kw)
    assert runs == 0
    _same(started, plain)


def test_a_column_all_zero_in_the_subsample_is_no_start(monkeypatch):
    """A rare indicator the subsample (every k-th row) misses: its design is rank deficient,
    so no subsample fit is made; the full fit is unchanged."""
    rng = np.random.default_rng(3)
    x1, x2, _ = _data(rng)
    rare = np.zeros(x1.size)
    rare[1::50] = 1.0  # every 12th row is taken: rows 0, 12, 24, ... never hit 1 + 50 k... for most k
    rare[np.arange(x1.size) % 12 == 0] = 0.0
    y = (rng.random(x1.size) < 1 / (1 + np.exp(-(0.5 * x1 + rare)))).astype(float)
    data = {"y": y, "x1": x1, "x2": x2, "rare": rare}
    started, runs = _fit(monkeypatch, 500, data, response="y", covariates=["x1", "x2", "rare"], dist="bernoulli")
    assert runs == 0
    plain, _ = _fit(monkeypatch, 10 ** 9, data, response="y", covariates=["x1", "x2", "rare"], dist="bernoulli")
    _same(started, plain)


def test_a_subsample_that_separates_is_not_used(monkeypatch):
    """Rows taken by the subsample are separated by x (their MLE does not exist); the full
    rows are not: the subsample's fit fails and the full fit starts as before."""
    rng = np.random.default_rng(5)
    n = 6000
    x = rng.normal(size=n)
    y = (x > 0).astype(float)
    flip = (np.arange(n) % 12 != 0) & (rng.random(n) < 0.1)  # only rows the subsample skips
    y[flip] = 1.0 - y[flip]
    data = {"y": y, "x": x, "z": rng.normal(size=n)}
    started, runs = _fit(monkeypatch, 500, data, response="y", covariates=["x", "z"], dist="bernoulli")
    assert runs == 1
    plain, _ = _fit(monkeypatch, 10 ** 9, data, response="y", covariates=["x", "z"], dist="bernoulli")
    _same(started, plain)


@pytest.mark.parametrize("dist", ["bernoulli", "poisson"])
def test_the_chord_step_brings_the_start_closer(monkeypatch, dist):
    """The chord step after the subsample's fit (the gradient over every row against the
    subsample's information scaled to every row) cuts the start's distance to the MLE,
    in its standard errors, at least tenfold (at 1e6 x 20 fiftyfold: Newton then takes
    three X'WX over every row instead of four); the fit is the same as without it."""
    from mlefit.data import Record
    from mlefit.regression.linear_model import REGRESSED, Objective, fit_linear
    rng = np.random.default_rng(11)
    n, p = 200_000, 8
    X = np.asfortranarray(np.column_stack([np.ones(n), rng.normal(size=(n, p)) / np.sqrt(p)]))
    eta = 0.3 + X[:, 1:] @ rng.normal(size=p)
    y = ((rng.random(n) < 1 / (1 + np.exp(-eta))) if dist == "bernoulli" else rng.poisson(np.exp(eta))).astype(float)
    reg = REGRESSED[dist]
    dens = reg.density(dist)
    monkeypatch.setattr(warm_start, "SUBSAMPLE", 8192)
    fits, starts = {}, {}
    for steps in (0, 1):
        monkeypatch.setattr(warm_start, "CHORD_STEPS", steps)
        rows = Record(None, y, None, n, (), covariates=X)
        obj = Objective(dens, rows, 0, reg.link)
        starts[steps] = warm_start.warm_start(obj, np.zeros(p + 1), 100)
        fits[steps] = fit_linear(dens, rows, [f"x{j}" for j in range(p + 1)], target=0, link=reg.link, intercept=0)
    se = np.sqrt(np.diag(fits[1].covariance))
    far = [np.max(np.abs(starts[k] - fits[1].beta) / se) for k in (0, 1)]
    assert far[1] < far[0] / 10
    assert np.allclose(fits[0].beta, fits[1].beta, rtol=1e-10, atol=1e-12)
    assert fits[0].loglik == pytest.approx(fits[1].loglik, rel=1e-13)
    assert np.allclose(fits[0].covariance, fits[1].covariance, rtol=1e-8)
