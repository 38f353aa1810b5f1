"""The poisson and binomial regressions' reported log-likelihood and deviance at counts
near 1e12 and beyond, against mpmath at 50 digits on the fitted linear predictor: the
canonical terms y eta - e^eta and log y! (or y eta - t log(1 + e^eta) and log C(t, y))
are each near y log y there, and their sum kept a few decimals (0.4 off at 1e12)."""
import math

import mpmath as mp
import numpy as np
import pytest

import mlefit

MPMATH_DPS = 50


def _eta(r, cols):
    b = {c.name: c.estimate for c in r.coefficients}
    return b["Intercept"] + b["g"] * cols["g"] + b["x"] * cols["x"]  # as X b rounds it, to an ulp of eta


def _design(n, seed):
    """A covariate x and a group g: 10 rows of g = 0 (small counts, both forms of the
    terms), the rest g = 1."""
    rng = np.random.default_rng(seed)
    g = np.ones(n)
    g[:10] = 0.0
    return rng, {"g": g, "x": rng.uniform(0.0, 1.0, n)}


def _poisson_data(level, n=200, seed=3):
    rng, cols = _design(n, seed)
    mean = np.where(cols["g"] > 0, level, 5.0) * np.exp(0.3 * cols["x"])
    cols["y"] = rng.poisson(mean).astype(np.float64)
    return cols


@pytest.mark.parametrize("level", [1000.0, 1e6, 1e12, 1e15])
def test_poisson_regression_loglik_and_deviance_at_large_counts(level):
    """sum y eta - e^eta - log y! and 2 sum y log(y/mu) - (y - mu) at the fitted eta, to
    1e-10 (the rounding of eta itself moves each term by |y - mu| eps |eta|)."""
    cols = _poisson_data(level)
    y = cols["y"]
    r = mlefit.regress(cols, "y", ["g", "x"], dist="poisson")
    assert r.converged
    ll = dev = mp.mpf(0)
    for yi, ei in zip(y.tolist(), _eta(r, cols).tolist()):
        ym, mu = mp.mpf(yi), mp.exp(mp.mpf(ei))
        ll += ym * mp.mpf(ei) - mu - mp.loggamma(ym + 1)
        dev += 2 * ((ym * mp.log(ym / mu) if yi else 0) - (ym - mu))
    assert r.loglik == pytest.approx(float(ll), rel=1e-10)
    assert r.deviance == pytest.approx(float(dev), rel=1e-8)
    if level <= 1e6:  # scipy's own logpmf sums to 1e-10 off here, 0.1 off at 1e12 (200 at 1e15)
        from scipy.stats import poisson
        assert r.loglik == pytest.approx(float(np.sum(poisson.logpmf(y, np.exp(_eta(r, cols))))), rel=1e-9)


@pytest.mark.parametrize("level", [300.0, 1e6, 1e12])
def test_binomial_regression_loglik_at_large_trials(level):
    """sum log C(t, y) + y log p + (t - y) log(1 - p), p = expit(eta), at trials near
    level (and 10 rows of a few trials), to 1e-10."""
    rng, cols = _design(200, 5)
    t = np.where(cols["g"] > 0, rng.integers(1, 3, 200) * level, rng.integers(1, 40, 200))
    y = rng.binomial(t.astype(np.int64), 1.0 / (1.0 + np.exp(0.8 - 0.4 * cols["x"]))).astype(np.float64)
    cols.update(y=y, t=t.astype(np.float64))
    r = mlefit.regress(cols, "y", ["g", "x"], dist="binomial", trials="t")
    assert r.converged
    ll = mp.mpf(0)
    for yi, ti, ei in zip(y.tolist(), t.tolist(), _eta(r, cols).tolist()):
        ym, tm, e = mp.mpf(yi), mp.mpf(ti), mp.mpf(ei)
        ll += (mp.loggamma(tm + 1) - mp.loggamma(ym + 1) - mp.loggamma(tm - ym + 1)
               - ym * mp.log1p(mp.exp(-e)) - (tm - ym) * mp.log1p(mp.exp(e)))
    assert r.loglik == pytest.approx(float(ll), rel=1e-10)
    assert math.isfinite(r.deviance)


def test_poisson_regression_with_a_small_group_beside_counts_near_1e12_reaches_the_maximum():
    """Three groups, of counts near 3, 15 and 1e12: the rows of the first group alone fix
    the intercept, so at the maximum their residuals sum to 0 (the score in the intercept
    less the other groups' columns). The gradient's rounding, bounded over every row by
    each column's largest |x| (1e12-count rows included for a column that is 0 there),
    stopped Newton 0.6 standard errors short of it (log-likelihood 0.15 below its maximum,
    reported converged); the rise the value shows now decides."""
    rng = np.random.default_rng(5)
    n = 300
    x = rng.uniform(0.0, 1.0, n)
    g = np.arange(n) % 3
    y = rng.poisson(np.array([3.0, 15.0, 1e12])[g] * np.exp(0.3 * x)).astype(np.float64)
    cols = {"y": y, "x": x, "g1": (g == 1) * 1.0, "g2": (g == 2) * 1.0}
    r = mlefit.regress(cols, "y", ["x", "g1", "g2"], dist="poisson")
    assert r.converged
    b = {c.name: c.estimate for c in r.coefficients}
    first = g == 0
    mu = np.exp(b["Intercept"] + b["x"] * x[first])
    assert abs(np.sum(y[first] - mu)) <= 1e-3 * math.sqrt(np.sum(mu))  # in standard errors of that sum


def test_binomial_regression_loglik_where_nearly_every_trial_succeeds():
    """Trials near 1e12 with p near 1 (a linear predictor near 27): a handful of failures
    per row, too few for Stirling's form, where y eta - t log(1 + e^eta) subtracted two
    numbers near t eta (2.7e13) and kept a few decimals of each row's term (about 1e-2).
    Written as -(t - y) eta - t log(1 + e^-eta) nothing cancels; against mpmath at the
    fitted linear predictor, to 1e-10."""
    rng, cols = _design(200, 7)
    t = np.where(cols["g"] > 0, 1e12 + rng.integers(0, 1000, 200), rng.integers(1, 40, 200)).astype(np.float64)
    eta = np.where(cols["g"] > 0, 27.0, 0.5) + 0.3 * cols["x"]
    fails = rng.poisson(t * np.exp(-eta)).astype(np.float64)
    y = np.where(cols["g"] > 0, t - fails, rng.binomial(t.astype(np.int64), 1.0 / (1.0 + np.exp(-eta))))
    cols.update(y=y.astype(np.float64), t=t)
    r = mlefit.regress(cols, "y", ["g", "x"], dist="binomial", trials="t")
    assert r.converged
    ll = mp.mpf(0)
    for yi, ti, ei in zip(cols["y"].tolist(), t.tolist(), _eta(r, cols).tolist()):
        ym, tm, e = mp.mpf(yi), mp.mpf(ti), mp.mpf(ei)
        ll += (mp.loggamma(tm + 1) - mp.loggamma(ym + 1) - mp.loggamma(tm - ym + 1)
               - ym * mp.log1p(mp.exp(-e)) - (tm - ym) * mp.log1p(mp.exp(e)))
    assert r.loglik == pytest.approx(float(ll), rel=1e-10)
