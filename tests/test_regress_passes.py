"""A canonical family's pass over the rows (linear_model.Objective._canonical_point) goes
by blocks of PASS_BLOCK rows: its value, score, X'WX and gradient noise equal the same
sums taken over all rows at once (independent formulas here: scipy's log-densities, X'g,
X' diag(c) X), whatever the rows' count against the block, with weights, an offset and
per-row trials."""
import math

import numpy as np
import pytest
from scipy import stats

from mlefit.regression import linear_model
from mlefit.data import Record
from mlefit.regression.linear_model import REGRESSED, Objective
from mlefit.maximize import EPS


def _case(dist, n, rng):
    X = np.column_stack([np.ones(n), rng.normal(size=(n, 3))])
    b = np.array([0.2, 0.5, -0.3, 0.1])
    eta0 = X @ b
    if dist == "poisson":
        y, shapes = rng.poisson(np.exp(eta0)).astype(float), ()
    elif dist == "bernoulli":
        y, shapes = (rng.random(n) < 1 / (1 + np.exp(-eta0))).astype(float), ()
    else:
        trials = rng.integers(1, 6, size=n).astype(float)
        y, shapes = rng.binomial(trials.astype(int), 1 / (1 + np.exp(-eta0))).astype(float), (trials,)
    return np.asfortranarray(X), y, shapes, b


def _rows(y, X, **sides):
    """The Record of a regression's rows: the response, the design as covariates, sides."""
    return Record(None, y, None, y.size, (), covariates=X, **sides)


def _by_hand(dist, X, y, shapes, vec, w, offset):
    eta = X @ vec + (0.0 if offset is None else offset)
    if dist == "poisson":
        mu = np.exp(eta)
        ll, d1, d2 = stats.poisson.logpmf(y, mu), y - mu, -mu
    else:
        t = shapes[0] if shapes else 1.0
        p = 1 / (1 + np.exp(-eta))
        ll, d1, d2 = stats.binom.logpmf(y, t, p), y - t * p, -t * p * (1 - p)
    ww = np.ones(y.size) if w is None else w
    col_max = np.max(np.abs(X), axis=0)
    noise = EPS * col_max * np.sum(np.abs(ww * d1) + np.abs(ww * d2) * np.abs(eta))
    return math.fsum(ww * ll), X.T @ (ww * d1), X.T @ (X * (ww * d2)[:, None]), noise, eta


@pytest.mark.parametrize("dist", ["poisson", "bernoulli", "binomial"])
@pytest.mark.parametrize("n", [1, 4095, 4096, 4097, 10000])
@pytest.mark.parametrize("weighted", [False, True])
def test_the_blocked_pass_equals_the_sums_over_all_rows(dist, n, weighted):
    rng = np.random.default_rng(n + 7 * weighted)
    X, y, shapes, b = _case(dist, n, rng)
    w = rng.integers(0, 4, size=n).astype(float) if weighted else None
    offset = rng.normal(scale=0.1, size=n) if weighted else None
    reg = REGRESSED[dist]
    rows = Record(None, y, None, n, (), weights=w, trials=shapes[0] if shapes else None, offset=offset, covariates=X)
    obj = Objective(reg.density(dist), rows, 0, reg.link)
    assert obj.canonical is not None
    vec = b + 0.05
    value, grad, hess, noise, eta = _by_hand(dist, X, y, shapes, vec, w, offset)
    point = obj(vec)
    scale = np.max(np.abs(hess))
    assert point.value == pytest.approx(value, rel=1e-12)
    assert obj.value(vec) == pytest.approx(value, rel=1e-12)
    assert np.allclose(point.grad, grad, rtol=1e-10, atol=1e-12 * scale)
    assert np.allclose(point.hess, hess, rtol=1e-10, atol=1e-12 * scale)
    assert np.allclose(point.noise, noise, rtol=1e-10)
    assert np.allclose(obj.eta(vec), eta, rtol=1e-13, atol=1e-13)  # the linear predictor kept for the next call


def test_the_value_is_summed_by_the_same_blocks_as_the_point(monkeypatch):
    """The line search compares value() with the Point's value: both add the same block sums."""
    monkeypatch.setattr(linear_model, "PASS_BLOCK", 100)
    rng = np.random.default_rng(3)
    X, y, shapes, b = _case("poisson", 1234, rng)
    reg = REGRESSED["poisson"]
    obj = Objective(reg.density("poisson"), _rows(y, X), 0, reg.link)
    assert obj(b).value == obj.value(b)
    obj._last = None
    assert obj.value(b + 0.01) == obj(b + 0.01).value


@pytest.mark.parametrize("offset", [False, True])
def test_the_signs_of_separation_use_the_linear_predictor_the_fit_kept(offset):
    """separation's check reads X b from the objective's kept linear predictor at the
    fit's b (less the offset): no pass over X; equal to X @ b to rounding."""
    from mlefit.regression import separation
    from mlefit.regression.linear_model import fit_linear
    rng = np.random.default_rng(5)
    X = np.column_stack([np.ones(3000), rng.normal(size=(3000, 2))])
    off = rng.normal(scale=0.2, size=3000) if offset else None
    y = rng.poisson(np.exp(0.2 + X[:, 1:] @ [0.3, -0.2] + (0 if off is None else off))).astype(float)
    reg = REGRESSED["poisson"]
    fit = fit_linear(reg.density("poisson"), _rows(y, X, offset=off), ["Intercept", "a", "b"], target=0,
                     link="log", intercept=0)
    xb = separation._xb(fit, X)
    if not offset:
        assert xb is fit.objective._last[1]
    assert np.allclose(xb, X @ fit.beta, rtol=1e-13, atol=1e-13)
    assert separation._xb(fit, X.copy()) is not fit.objective._last[1]  # another design: X @ b


@pytest.mark.parametrize("first", ["point", "score"])
def test_the_columns_largest_values_are_taken_by_the_first_pass(first):
    """The gradient's noise bound needs each column's largest |x|: the first blocked pass
    takes it from the blocks it reads anyway (no pass of its own), equal to the whole
    columns' (a property on an objective no pass has visited)."""
    rng = np.random.default_rng(9)
    X, y, shapes, b = _case("poisson", 9000, rng)
    X[1234, 2] = -40.0
    reg = REGRESSED["poisson"]
    obj = Objective(reg.density("poisson"), _rows(y, X), 0, reg.link)
    assert obj._col_max is None
    obj(b) if first == "point" else obj.score(b)
    assert np.array_equal(obj._col_max, np.max(np.abs(X), axis=0))
    fresh = Objective(reg.density("poisson"), _rows(y, X), 0, reg.link)
    assert np.array_equal(fresh.col_max, np.max(np.abs(X), axis=0))
