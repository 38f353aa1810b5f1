"""The one data record carries its weights and trials (issue 15, point 2): the CLI's
readers return one Record (or censored rows) with them as its fields and the commands
pass that record only; the library reads record.weights/record.trials, the same as
those given as keywords (the Python API's plain arrays)."""
import json

import numpy as np
import pytest
from click.testing import CliRunner

from mlefit.censored import rows as censoring
from mlefit.cli import cli
from mlefit.data import Record, own_sides
from mlefit.errors import DataError

RNG = np.random.default_rng(15)
T = RNG.integers(3, 9, 40).astype(float)
X = RNG.binomial(T.astype(int), 0.4).astype(float)
W = RNG.integers(1, 4, 40).astype(float)


def _plain():
    return Record("k", X, None, X.size, ())


def test_own_sides_takes_a_records_own_and_leaves_the_record_without_them():
    rec = _plain().but(weights=W, trials=T)
    data, w, t = own_sides(rec)
    assert w is W and t is T and data.weights is None and data.trials is None
    given = np.ones(40)
    assert own_sides(rec, weights=given)[1] is given  # those given win
    assert own_sides(X, weights=given) == (X, given, None)  # plain values as given
    cens = censoring.exact(X)
    assert own_sides(cens) == (cens, None, None)
    data, w, _ = own_sides(censoring.exact(X).__class__(**{**cens.__dict__, "weights": W}))
    assert w is W and data.weights is None


def test_selection_of_a_record_with_weights_and_trials_is_the_selection_given_them():
    from mlefit.inference.selection import select
    settings = dict(chosen=["binomial", "beta_binomial"], bootstrap=0)
    own = select(_plain().but(weights=W, trials=T), **settings)
    given = select(_plain(), weights=W, trials=T, **settings)
    assert own == given
    assert own["best"]["n"] == pytest.approx(W.sum())


def test_lrt_of_a_record_with_weights_and_trials_is_the_lrt_given_them():
    from mlefit.inference import likelihood_ratio
    own = likelihood_ratio.run(_plain().but(weights=W, trials=8), "binomial", "beta_binomial")
    given = likelihood_ratio.run(_plain(), "binomial", "beta_binomial", weights=W, trials=8)
    assert own == given and own["null_fit"]["n"] == pytest.approx(W.sum())


def _fits_of(monkeypatch):
    """The (data, keywords) of every library fit from here on (mlefit.estimate.fit)."""
    from mlefit import estimate
    calls, real = [], estimate.fit

    def spy(data, *args, **kwargs):
        calls.append((data, kwargs))
        return real(data, *args, **kwargs)
    monkeypatch.setattr(estimate, "fit", spy)
    return calls


@pytest.mark.parametrize("trials", [T, 8])
def test_select_and_lrt_hand_each_fit_the_one_record(monkeypatch, trials):
    """Issue 15, point 2: select and lrt fit the rows several times; each fit is handed the
    one record carrying the weights (and trials per row), no weights= or trials= beside it."""
    from mlefit.inference import likelihood_ratio
    from mlefit.inference.selection import select
    calls = _fits_of(monkeypatch)
    select(_plain(), ["binomial", "beta_binomial", "poisson"], weights=W, trials=trials, bootstrap=0)
    likelihood_ratio.run(_plain(), "binomial", "beta_binomial", weights=W, trials=trials)
    assert len(calls) == 5
    for i, (data, kwargs) in enumerate(calls):
        assert "weights" not in kwargs and "trials" not in kwargs
        assert data.weights is W
        per_row = np.ndim(trials) > 0 and i != 2  # (the third fit: poisson's)
        assert (data.trials is not None) == per_row
        if per_row:
            np.testing.assert_array_equal(data.trials, T)


def test_gof_of_a_weighted_record_is_the_gof_of_its_values_given_the_weights():
    from mlefit import families
    from mlefit.inference import gof
    fam = families.get("poisson")
    theta = (float(np.average(X, weights=W)),)
    own, _ = gof.goodness_of_fit(fam, _plain().but(weights=W), theta, 1, bootstrap=0)
    given, _ = gof.goodness_of_fit(fam, X, theta, 1, weights=W, bootstrap=0)
    assert [t.to_dict() for t in own] == [t.to_dict() for t in given]


def test_censored_rows_carry_their_weights_into_fit_own_model_and_groups():
    """Censored rows with their weights (cens.weights) fit as with weights= given; a group
    of them keeps its rows' weights."""
    from mlefit.own import model as own_model
    from mlefit.estimate import fit
    from mlefit.groups import each_group, grouped
    y = RNG.gamma(2.0, 1.5, 40)
    cens = censoring.from_event(y, (np.arange(40) % 4 != 0).astype(float))
    carried = cens.but(weights=W)
    assert fit(carried, "weibull").to_dict() == fit(cens, "weibull", weights=W).to_dict()
    fam = own_model.model(logpdf="-log(s) - x/s", params="s>0=1", support="x>0")
    assert own_model.fit(carried, fam).to_dict() == own_model.fit(cens, fam, weights=W).to_dict()
    labels = np.where(np.arange(40) < 20, "a", "b")
    by_rows = list(each_group(carried, *grouped(labels), "weibull"))
    by_keyword = list(each_group(cens, *grouped(labels), "weibull", weights=W))
    assert by_rows == by_keyword
    assert by_rows[0]["n"] == pytest.approx(W[:20].sum())


def test_groups_of_a_record_take_weights_given_beside_it():
    """each_group(record, weights=w) fits each group with its share of w (they had been
    left aside for a Record)."""
    from mlefit.groups import each_group, grouped
    labels = np.where(np.arange(40) % 2 == 0, "a", "b")
    beside = list(each_group(_plain(), *grouped(labels), "poisson", weights=W))
    carried = list(each_group(_plain().but(weights=W), *grouped(labels), "poisson"))
    assert beside == carried and beside[0]["n"] == pytest.approx(W[::2].sum())


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "k.csv"
    rows = ["k,n,w"] + [f"{int(k)},{int(n)},{int(w)}" for k, n, w in zip(X, T, W)] + [",5,1", "2,,1", "3,6,"]
    path.write_text("\n".join(rows) + "\n")
    return str(path)


def _spy(monkeypatch, module, name):
    """Record what the library function `module.name` is called with, then call it."""
    calls = []
    real = getattr(module, name)

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        return real(*args, **kwargs)
    monkeypatch.setattr(module, name, spy)
    return calls


def _carries(calls, trials=True):
    """The record the library was called with (and no weights or trials beside it): the
    table's rows with a value and a weight (and trials, when a column of them is read)."""
    (args, kwargs), = calls
    rec = args[0]
    assert "weights" not in kwargs and "trials" not in kwargs  # the record only
    assert isinstance(rec, Record)
    assert np.array_equal(rec.weights, W if trials is True else np.append(W, 1.0))  # (row '2,,1' kept)
    if trials is True:
        assert np.array_equal(rec.trials, T)
    elif trials is not None:
        assert rec.trials == trials
    return rec


@pytest.mark.parametrize("trials", ["n", "8"])
def test_select_passes_one_record_with_the_weights_and_trials_read(monkeypatch, table, trials):
    from mlefit.inference import selection
    calls = _spy(monkeypatch, selection, "select")
    out = CliRunner().invoke(cli, ["select", table, "-c", "k", "-w", "w", "--trials", trials,
                                   "--bootstrap", "0", "--json"])
    assert out.exit_code == 0, out.output
    _carries(calls, trials=True if trials == "n" else 8)
    assert json.loads(out.stdout)["weights"] == "w"


def test_lrt_passes_one_record_with_the_weights_and_trials_read(monkeypatch, table):
    from mlefit.inference import likelihood_ratio
    calls = _spy(monkeypatch, likelihood_ratio, "run")
    out = CliRunner().invoke(cli, ["lrt", table, "-c", "k", "-w", "w", "--trials", "n", "--null", "binomial",
                                   "--alt", "beta_binomial", "--json"])
    assert out.exit_code == 0, out.output
    _carries(calls)


@pytest.mark.parametrize("args", [["-d", "binomial", "--trials", "n"], ["-d", "poisson"]])
def test_fit_passes_one_record_with_the_weights_and_trials_read(monkeypatch, table, args):
    from mlefit import estimate
    calls = _spy(monkeypatch, estimate, "fit")
    out = CliRunner().invoke(cli, ["fit", table, "-c", "k", "-w", "w", *args, "--json"])
    assert out.exit_code == 0, out.output
    _carries(calls, trials=True if "--trials" in args else None)
    assert json.loads(out.stdout)["weights"] == "w"


def test_censored_rows_read_carry_their_weights_and_rows_without_bounds_are_counted(tmp_path):
    from mlefit.cli import censor
    from mlefit.io.readers import ReadOptions
    path = tmp_path / "c.csv"
    path.write_text("lo,hi,w\n1,2,3\n,,4\n2,2,5\n,3,6\n,,7\n4,,8\n")
    opts = censor.Censoring(lower_col="lo", upper_col="hi")
    cens, frame = censor.read([str(path)], None, "w", opts, ReadOptions(), False)
    assert cens.weights.tolist() == [3.0, 5.0, 6.0, 8.0]
    assert [(d.reason, d.count, d.first) for d in frame.dropped] == [("no bound given", 2, ("line 3", "line 6"))]
    assert [cens.where(i) for i in range(4)] == ["line 2", "line 4", "line 5", "line 7"]


def test_a_mean_model_fits_a_record_of_its_rows_with_their_weights_and_report():
    from mlefit.regression import mean_model
    from mlefit.report.result import Drop
    fam, _ = mean_model.model("poisson", "exp(a + b*x)", "a=0, b=0")
    z = np.linspace(0.0, 1.0, 40)
    rows = np.column_stack([X, z])
    drop = (Drop("missing weight", 1, ("line 9",)),)
    rec = Record("k", rows, None, 43, drop, "k.csv", lambda i: f"line {i + 2}", weights=W)
    own = mean_model.fit(rec, fam)
    assert (own.column, own.rows_read, own.dropped, own.source) == ("k", 43, drop, "k.csv")
    assert own.n == pytest.approx(W.sum()) and own.weights == "given"
    repeated = mean_model.fit(np.repeat(rows, W.astype(int), axis=0), fam)  # a weight k is k rows
    np.testing.assert_allclose([p.estimate for p in own.parameters], [p.estimate for p in repeated.parameters],
                               rtol=1e-9)
    assert own.loglik == pytest.approx(repeated.loglik, rel=1e-12)
    with pytest.raises(DataError, match="line 2: -1"):  # each row named where the record says it stood
        mean_model.fit(rec.but(values=np.column_stack([np.r_[-1.0, X[1:]], z])), fam)


def test_regress_mean_passes_one_record_with_the_weights_read(monkeypatch, table):
    from mlefit.regression import mean_model
    calls = _spy(monkeypatch, mean_model, "fit")
    out = CliRunner().invoke(cli, ["regress", table, "-y", "k", "-w", "w", "--trials", "n", "--mean",
                                   "1/(1 + exp(-a))", "--params", "a=0", "-d", "binomial", "--json"])
    assert out.exit_code == 0, out.output
    (args, kwargs), = calls
    assert "weights" not in kwargs and isinstance(args[0], Record)
    assert np.array_equal(args[0].weights, W) and np.array_equal(args[0].values[:, 1], T)
    assert json.loads(out.stdout)["weights"] == "w"


def test_a_resample_refitted_with_parameters_held_is_mlefits_fit_holding_them():
    """fit --fix ... --gof: each resample refitted by gof.holding (the CLI passes no weights)."""
    from mlefit import families
    from mlefit.inference import gof
    from mlefit.estimate import fit
    fam = families.get("gamma")
    y = RNG.gamma(3.0, 2.0, 30)
    got = gof.holding(fam, {"shape": 3.0}, max_iter=50)(y, W[:30])
    ref = fit(y, fam, weights=W[:30], fix={"shape": 3.0}, max_iter=50)
    assert got == tuple(p.estimate for p in ref.parameters) and got[0] == 3.0


def test_separation_checks_read_the_regression_record():
    """Issue 15, point 2: the separation checks take the regression's one record (its
    response, trials, weights and design), not the columns threaded one by one."""
    from types import SimpleNamespace

    from mlefit.regression import separation
    x = np.array([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0, 3.0])
    X = np.column_stack([np.ones(x.size), x])
    t = np.array([3.0, 3.0, 2.0, 4.0, 4.0, 1.0, 5.0])
    y = np.where(x > 0, t, 0.0)  # every trial a success above 0, none below: x separates
    rec = Record("y", y, None, y.size, (), trials=t, covariates=X)
    unsure = SimpleNamespace(converged=False, beta=np.zeros(2))
    with pytest.raises(DataError, match="^complete separation: x separates the outcomes"):
        separation.check(unsure, ["Intercept", "x"], rec)
    y[-1] = 2.0  # one row between: no separation ...
    separation.check(unsure, ["Intercept", "x"], rec.but(values=y))
    with pytest.raises(DataError, match="separation: x separates"):  # ... unless its weight is 0
        separation.check(unsure, ["Intercept", "x"], rec.but(values=y, weights=np.r_[np.ones(6), 0.0]))


def test_a_regression_response_at_its_edge_is_read_from_the_record():
    """Issue 15, point 2: the edge check of a regression's response reads its trials and
    weights from the one record (rows of weight 0 aside)."""
    from mlefit.regression.rows import _constant
    t = np.array([3.0, 5.0, 2.0])
    rec = Record("k", t.copy(), None, 3, (), trials=t)
    with pytest.raises(DataError, match="^every trial succeeded in 'k'"):
        _constant("binomial", rec, "k")
    below = rec.but(values=np.array([3.0, 5.0, 1.0]))
    _constant("binomial", below, "k")  # one row below its trials: a finite MLE
    with pytest.raises(DataError, match="^every trial succeeded in 'k'"):  # ... unless it weighs 0
        _constant("binomial", below.but(weights=np.array([1.0, 2.0, 0.0])), "k")
    with pytest.raises(DataError, match="^every count is 0 in 'k'"):
        _constant("poisson", Record("k", np.zeros(3), None, 3, ()), "k")


def test_lrt_of_plain_values_is_the_lrt_of_their_record():
    from mlefit.inference import likelihood_ratio
    given = likelihood_ratio.run(X, "binomial", "beta_binomial", weights=W, trials=T)
    own = likelihood_ratio.run(_plain().but(weights=W, trials=T), "binomial", "beta_binomial")
    assert given["test"] == own["test"] and given["null_fit"]["n"] == pytest.approx(W.sum())
