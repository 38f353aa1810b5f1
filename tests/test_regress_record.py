"""The regression objectives and fitters take the one per-row Record (issue 15, point 2):
they read the response, the design (covariates), the weights, the trials, the offset and a
censored response's bounds from it, so a record with a frequency weight k on a row fits as
the same record with that row taken k times (Record.take), for every fitter: the linear
one (an offset, trials per row), the censored one, softmax and the quantile LP. And an
objective over the rows `which` of its record (what the warm start fits on a subsample)
is the objective over record.take(which)."""
import numpy as np
import pytest

from mlefit import families
from mlefit.censored import regress as censored_regress, rows as censoring
from mlefit.data import Record
from mlefit.regression import quantile, softmax_model
from mlefit.regression.linear_model import REGRESSED, Objective, fit_linear

N = 300


def _design(rng):
    return np.asfortranarray(np.column_stack([np.ones(N), rng.normal(size=(N, 2))]))


def _rows(y, X, **sides):
    return Record(None, y, None, y.size, (), covariates=X, **sides)


def _repeated(rows, w):
    """The rows each taken w times, without weights: what weights w stand for."""
    return rows.but(weights=None).take(np.repeat(np.arange(rows.n), w.astype(int)))


def _linear(rows, dist):
    reg = REGRESSED[dist]
    return fit_linear(reg.density(dist), rows, ["Intercept", "a", "b"], target=reg.target, link=reg.link, intercept=0)


def _fits(kind, rng):
    """(a record of N rows of this kind, fit(record)) for one fitter."""
    X = _design(rng)
    eta = 0.2 + X[:, 1:] @ [0.4, -0.3]
    if kind == "poisson":
        off = rng.normal(scale=0.2, size=N)
        return _rows(rng.poisson(np.exp(eta + off)).astype(float), X, offset=off), lambda r: _linear(r, "poisson")
    if kind == "binomial":
        t = rng.integers(1, 6, size=N).astype(float)
        y = rng.binomial(t.astype(int), 1 / (1 + np.exp(-eta))).astype(float)
        return _rows(y, X, trials=t), lambda r: _linear(r, "binomial")
    if kind == "weibull":
        time = np.exp(eta) * rng.weibull(1.5, N)
        rows = censoring.from_event(time, (rng.random(N) < 0.7).astype(float)).but(covariates=X)
        dens, reg = REGRESSED["weibull"].density("weibull"), REGRESSED["weibull"]
        return rows, lambda r: censored_regress.fit(dens, families.get("weibull"), r, ["Intercept", "a", "b"],
                                                    target=reg.target, link=reg.link, intercept=0)
    if kind == "softmax":
        codes = rng.integers(0, 3, size=N)
        return Record(None, codes, None, N, (), covariates=X), \
            lambda r: softmax_model.fit_softmax(r, ["Intercept", "a", "b"], ["p", "q", "r"], intercept=0)
    y = eta + rng.standard_t(4, size=N)
    off = rng.normal(scale=0.2, size=N)
    return _rows(y, X, offset=off), lambda r: quantile.fit("asymmetric_laplace", r, ["Intercept", "a", "b"], 0.7,
                                                           intercept=0)


@pytest.mark.parametrize("kind", ["poisson", "binomial", "weibull", "softmax", "quantile"])
def test_a_weight_k_on_a_record_fits_as_its_row_taken_k_times(kind):
    rng = np.random.default_rng(["poisson", "binomial", "weibull", "softmax", "quantile"].index(kind))
    rows, fit = _fits(kind, rng)
    w = rng.integers(0, 4, size=N).astype(float)
    weighted, repeated = fit(rows.but(weights=w)), fit(_repeated(rows, w))
    assert weighted.converged and repeated.converged
    if kind == "quantile":  # a linear program: its optimum may be a vertex apart on a flat edge; the check loss is not
        assert weighted.loglik == pytest.approx(repeated.loglik, rel=1e-9)
        return
    np.testing.assert_allclose(weighted.vec, repeated.vec, rtol=1e-7, atol=1e-9)
    assert weighted.loglik == pytest.approx(repeated.loglik, rel=1e-10)
    if kind != "softmax":
        assert weighted.loglik_null == pytest.approx(repeated.loglik_null, rel=1e-10)


def test_an_objective_over_some_rows_is_the_objective_over_the_record_taking_them():
    rng = np.random.default_rng(7)
    X = _design(rng)
    t = rng.integers(1, 6, size=N).astype(float)
    y = rng.binomial(t.astype(int), 0.4).astype(float)
    rows = _rows(y, X, trials=t, weights=rng.integers(0, 3, size=N).astype(float), offset=rng.normal(size=N),
                 clusters=np.arange(N) % 7)
    dens = REGRESSED["binomial"].density("binomial")
    whole = Objective(dens, rows, 0, "logit")
    part = whole.rows(slice(None, None, 3))
    taken = Objective(dens, rows.take(np.arange(0, N, 3)), 0, "logit")
    vec = np.array([0.1, -0.2, 0.3])
    assert part.value(vec) == taken.value(vec)
    np.testing.assert_allclose(part(vec).grad, taken(vec).grad, rtol=1e-14)  # (X in another memory order)
    assert part.X.flags.f_contiguous and part.y.flags.c_contiguous and part.w.flags.c_contiguous
    assert part.data.clusters is None  # a subsample is fitted for its estimate alone
    np.testing.assert_array_equal(part.shapes[0], t[::3])


def test_the_sandwich_reads_its_weights_and_clusters_from_the_record():
    """linear_model.sandwich(fit, rows): HC0 of a record with weights k equals that of its rows
    taken k times; each row its own cluster is HC0 times G/(G-1)."""
    from mlefit.regression.linear_model import sandwich
    rng = np.random.default_rng(11)
    rows, fit = _fits("poisson", rng)
    w = rng.integers(1, 4, size=N).astype(float)
    weighted, repeated = rows.but(weights=w), _repeated(rows, w)
    a, b = fit(weighted), fit(repeated)
    np.testing.assert_allclose(sandwich(a, weighted), sandwich(b, repeated), rtol=1e-7, atol=1e-12)
    plain = fit(rows)
    np.testing.assert_allclose(sandwich(plain, rows.but(clusters=np.arange(N))), sandwich(plain, rows) * N / (N - 1),
                               rtol=1e-12)
