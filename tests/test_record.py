"""The one per-row record (mlefit.data.Record): take() moves every per-row field
together and keeps each row's place; without() leaves rows out in one place, counted
under the first reason that marks them."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlefit.io.frame import frame_of
from mlefit.io.column import FIRST, Record, counted
from mlefit.report.result import Drop


def _record(n, offset_rows=0):
    """A record of n rows whose every per-row field encodes its row number, so that
    alignment can be read back from any of them."""
    i = np.arange(n, dtype=np.float64)
    positions = np.arange(n) * 2 + offset_rows  # rows stood at even places of the source
    return Record("y", i.copy(), positions, 2 * n + offset_rows, (Drop("blank line", 1, ("line 3",)),), "f.csv",
                  lambda p: f"line {p + 2}", ("a note",), extremes=(0.0, float(n - 1)), whole=True,
                  weights=i + 0.5, trials=i + 10, lower=i - 1, upper=i + 1, offset=-i,
                  covariates=np.column_stack([i, 2 * i]), columns={"y": i.copy(), "x": 3 * i},
                  names=("y", "x"), table_rows=2 * n)


def _aligned(rec):
    """Every per-row field still says which row it is."""
    row = rec.values
    for got in (rec.weights - 0.5, rec.trials - 10, rec.lower + 1, rec.upper - 1, -rec.offset,
                rec.covariates[:, 0], rec.covariates[:, 1] / 2, rec.columns["y"], rec.columns["x"] / 3):
        assert np.array_equal(got, row)
    assert np.array_equal(rec.stood, row.astype(int) * 2)
    assert [rec.where(k) for k in range(rec.n)] == [f"line {int(r) * 2 + 2}" for r in row]


indexes = st.integers(1, 40).flatmap(lambda n: st.tuples(
    st.just(n),
    st.one_of(st.lists(st.integers(0, n - 1), max_size=60).map(lambda v: np.array(v, dtype=np.int64)),  # a resample: repeats
              st.lists(st.booleans(), min_size=n, max_size=n).map(lambda v: np.array(v, dtype=bool)),  # a mask
              st.tuples(st.integers(-n, n), st.integers(-n, n), st.sampled_from([1, 2, -1, 3])).map(
                  lambda t: slice(*t)))))


@settings(max_examples=150, deadline=None)
@given(indexes)
def test_take_moves_every_per_row_field_together(case):
    n, index = case
    rec = _record(n)
    out = rec.take(index)
    assert np.array_equal(out.values, np.arange(n, dtype=np.float64)[index])
    _aligned(out)
    # the report of the reading is kept; what is known of the values only where still true
    assert (out.rows_read, out.dropped, out.source, out.notes, out.whole, out.names, out.table_rows) == \
        (rec.rows_read, rec.dropped, rec.source, rec.notes, rec.whole, rec.names, rec.table_rows)
    assert out.extremes is None


@settings(max_examples=100, deadline=None)
@given(indexes)
def test_take_of_a_take_is_one_take(case):
    """Resampling a group (a take of a take) names the same rows as one take."""
    n, index = case
    rec = _record(n)
    first = rec.take(slice(None, None, -1))
    rows = np.arange(n)[::-1][index]
    assert np.array_equal(first.take(index).values, rec.take(rows).values)
    assert np.array_equal(first.take(index).stood, rec.take(rows).stood)


def test_take_keeps_one_number_of_trials_and_absent_sides():
    rec = Record("y", np.arange(4.0), None, 4, (), trials=12)
    out = rec.take([3, 3, 0])
    assert out.trials == 12 and out.weights is None and out.covariates is None and out.columns is None
    assert [out.where(k) for k in range(3)] == ["index 3", "index 3", "index 0"]


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 30).flatmap(lambda n: st.tuples(
    st.lists(st.booleans(), min_size=n, max_size=n), st.lists(st.booleans(), min_size=n, max_size=n))))
def test_without_counts_each_row_under_its_first_reason(masks):
    a, b = (np.array(m) for m in masks)
    rec = _record(a.size)
    out = rec.without((a, "missing weight"), (b, "zero weight"))
    _aligned(out)
    assert np.array_equal(out.values, np.flatnonzero(~(a | b)))
    drops = out.dropped[len(rec.dropped):]
    expected = [(r, np.flatnonzero(m)) for r, m in (("missing weight", a), ("zero weight", b & ~a)) if m.any()]
    assert [(d.reason, d.count) for d in drops] == [(r, rows.size) for r, rows in expected]
    assert [d.first for d in drops] == [tuple(f"line {2 * k + 2}" for k in rows[:FIRST]) for _, rows in expected]
    assert out.dropped[:len(rec.dropped)] == rec.dropped and out.rows_read == rec.rows_read


def test_without_nothing_marked_is_the_record_itself():
    rec = _record(5)
    assert rec.without((np.zeros(5, bool), "zero weight")) is rec


def test_counted_names_rows_by_their_place():
    out, drops = counted([(np.array([0, 1, 1, 0], bool), "a"), (np.array([1, 1, 0, 0], bool), "b")], lambda p: p)
    assert out.tolist() == [True, True, True, False]
    assert drops == (Drop("a", 2, (1, 2)), Drop("b", 1, (0,)))


def test_a_table_record_from_a_dict_drops_missing_rows_in_one_place():
    """frame_of: a row missing in any column is left out of all, under the first column
    it misses, and the response is the first column."""
    rec = frame_of({"y": [1.0, np.nan, 3.0, 4.0, np.nan], "x": [np.nan, 1.0, 2.0, 3.0, 4.0]}, ["y", "x"])
    assert rec.values.tolist() == [3.0, 4.0] and rec.columns["y"] is not None
    assert rec.columns["x"].tolist() == [2.0, 3.0]
    assert rec.dropped == (Drop("missing value in column 'y'", 2, ("index 1", "index 4")),
                           Drop("missing value in column 'x'", 1, ("index 0",)))
    assert rec.stood.tolist() == [2, 3] and rec.where(0) == "index 2" and rec.n == 2


def test_with_column_replaces_the_response_too():
    rec = frame_of({"y": [1.0, 2.0], "x": [3.0, 4.0]}, ["y", "x"])
    out = rec.with_column("y", np.array([5.0, 6.0]))
    assert out.values.tolist() == [5.0, 6.0] == out.columns["y"].tolist()
    assert rec.with_column("x", np.array([0.0, 0.0])).values.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("data", [[1.0, np.nan, 2.0], np.array([1.0, np.nan, 2.0])])
def test_missing_values_of_a_sequence_are_counted_with_their_index(data):
    from mlefit.io.column import from_values
    col = from_values(data)
    assert isinstance(col, Record) and col.values.tolist() == [1.0, 2.0]
    assert [(d.count, d.first) for d in col.dropped] == [(1, ("index 1",))] and col.where(1) == "index 2"


def test_a_fit_takes_the_records_own_weights_and_trials():
    """A record carrying its weights and trials fits as if they were given (step c: the
    fit receives the record); a row of weight k is k rows (an independent check of the
    alignment after rows with missing trials and zero weights are left out)."""
    from mlefit.estimate import fit
    rng = np.random.default_rng(4)
    t = rng.integers(3, 9, 60).astype(float)
    x = rng.binomial(t.astype(int), 0.35).astype(float)
    w = rng.integers(0, 4, 60).astype(float)
    t[[2, 11]] = np.nan
    rec = Record("s", x, None, 60, (), weights=w, trials=t)
    own = fit(rec, "binomial")
    given = fit(Record("s", x, None, 60, ()), "binomial", weights=w, trials=t)
    assert own.to_dict() == given.to_dict()
    assert {d.reason: d.count for d in own.dropped} == {"missing trials": 2, "zero weight": int(np.sum(w[~np.isnan(t)] == 0))}
    keep = ~np.isnan(t)
    reps = np.repeat(np.arange(60)[keep], w[keep].astype(int))
    repeated = fit(Record("s", x[reps], None, reps.size, ()), "binomial", trials=t[reps])
    assert own.parameters[0].estimate == pytest.approx(repeated.parameters[0].estimate, rel=1e-12)
    assert own.loglik == pytest.approx(repeated.loglik, rel=1e-12)


def test_weights_given_to_a_fit_win_over_the_records():
    from mlefit.estimate import fit
    x = np.array([1.0, 2.0, 4.0, 8.0])
    rec = Record(None, x, None, 4, (), weights=np.array([1.0, 1.0, 1.0, 5.0]))
    assert fit(rec, "exponential", weights=np.ones(4)).to_dict() == fit(x, "exponential", weights=np.ones(4)).to_dict()
    assert fit(rec, "exponential").to_dict() != fit(x, "exponential", weights=np.ones(4)).to_dict()


def test_a_fit_names_its_weights_by_the_column_the_record_read_them_from():
    """The weights' name in a result comes from the record (weights_name: the column read),
    for every fit that takes the record (plain, MAP, censored, select, a group of fit --by);
    weights given as an argument win, and are "given"."""
    import mlefit
    from mlefit.censored import rows as censoring
    from mlefit.groups import each_group, grouped
    x = np.array([1.0, 2.0, 4.0, 8.0, 3.0, 5.0])
    w = np.array([1.0, 2.0, 1.0, 3.0, 1.0, 2.0])
    rec = Record("x", x, None, 6, (), weights=w, weights_name="n")
    assert mlefit.fit(rec, "gamma").weights == "n"
    assert mlefit.fit(rec, "gamma", prior="shape ~ gamma(2, 1)").weights == "n"
    assert mlefit.fit(rec, "gamma", weights=np.ones(6)).weights == "given"
    assert mlefit.fit(rec.but(weights_name=None), "gamma").weights == "given"
    cens = censoring.from_event(x, np.array([1, 0, 1, 1, 0, 1])).but(weights=w, weights_name="n")
    assert mlefit.fit(cens, "weibull").weights == "n"
    assert mlefit.select(rec, ["gamma", "exponential"])["best"]["weights"] == "n"
    fits = list(each_group(rec, *grouped(np.array(["a", "b"] * 3)), "exponential"))
    assert [r["weights"] for r in fits] == ["n", "n"]


@pytest.mark.parametrize("args, said", [
    (["fit", "-d", "gamma"], ["n"]), (["fit", "-d", "weibull", "--event", "e"], ["n"]),
    (["fit", "-d", "exponential", "--by", "g", "--format", "json"], ["n", "n"]),
    (["select", "--continuous"], ["n"]),
    (["lrt", "--null", "exponential", "--alt", "gamma"], ["given", "given"]),  # lrt's fits have always said "given"
])
def test_the_commands_name_their_weights_from_the_record_read(tmp_path, args, said):
    """fit, fit --by, select: each fit names the weights' column (its record's weights_name, no
    write after the fit); lrt's two fits keep saying "given", as they always have."""
    import json
    from click.testing import CliRunner
    from mlefit.cli import cli
    path = tmp_path / "d.csv"
    path.write_text("x,n,e,g\n" + "".join(f"{v},{k},{e},{g}\n" for v, k, e, g in
                                         zip([1.5, 2.5, 0.7, 4.1, 3.3, 0.9, 2.2, 5.0], [1, 2, 3, 1, 2, 1, 1, 2],
                                             [1, 0, 1, 1, 1, 0, 1, 1], "abababab")))
    out = CliRunner().invoke(cli, [args[0], str(path), "-c", "x", "-w", "n", *args[1:]]
                             + ([] if "--format" in args else ["--json"]))
    assert out.exit_code == 0, out.output
    d = json.loads(out.output)
    fits = d["groups"] if "groups" in d else [d["best"]] if "best" in d else \
        [v for k, v in d.items() if isinstance(v, dict) and "weights" in v] or [d]
    assert [f["weights"] for f in fits] == said


def test_groups_of_a_weighted_record_are_its_weighted_groups():
    """fit --by: each group is rows.take(members) with its weights; the same fit as the
    group's values with their weights."""
    from mlefit.estimate import fit
    from mlefit.groups import each_group, grouped
    rng = np.random.default_rng(6)
    x, w = rng.gamma(2.0, 1.5, 90), rng.integers(1, 4, 90).astype(float)
    labels = rng.choice(["u", "v", "z"], 90)
    out = list(each_group(Record("x", x, None, 90, (), weights=w), *grouped(labels), "gamma"))
    for r in out:
        rows = labels == r["group"]
        ref = fit(x[rows], "gamma", weights=w[rows]).to_dict()
        assert [p["estimate"] for p in r["parameters"]] == [p["estimate"] for p in ref["parameters"]]
        assert r["n"] == ref["n"] and r["loglik"] == ref["loglik"]


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 30).flatmap(lambda n: st.lists(st.integers(0, 4), min_size=n, max_size=n)))
def test_drawn_keeps_the_rows_drawn_with_their_counts(counts):
    """A resample (Record.drawn): the rows drawn at least once, every per-row field with
    them, each weighing how often it was drawn."""
    counts = np.array(counts, dtype=np.float64)
    rec = _record(counts.size)
    out = rec.drawn(counts)
    assert np.array_equal(out.values, np.flatnonzero(counts > 0).astype(np.float64))
    assert np.array_equal(out.weights, counts[counts > 0])
    for got in (out.trials - 10, out.lower + 1, -out.offset, out.covariates[:, 0], out.columns["x"] / 3):
        assert np.array_equal(got, out.values)


def test_censored_rows_of_zero_weight_are_counted_as_a_record_counts_them():
    import mlefit
    from mlefit.censored import rows as censoring
    c = censoring.from_event(np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), np.array([1, 0, 1, 1, 0, 1]))
    r = mlefit.fit(c, "weibull", weights=[1, 0, 2, 0, 1, 1])
    assert r.dropped == (Drop("zero weight", 2, ("index 1", "index 3")),) and r.n == 5.0
