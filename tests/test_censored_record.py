"""Censored rows are the one data record (mlefit.data.Record): their bounds, whether each
bound is reached, entry times and truncation are Record fields, sliced and resampled by
Record.take and Record.drawn with everything else (issue 15, point 2)."""
import math

import numpy as np
import pytest

import mlefit
from mlefit.censored import rows as censoring
from mlefit.data import Record
from mlefit.errors import DataError


def test_every_builder_returns_a_record_whose_bounds_are_lower_and_upper():
    cells = censoring.from_cells(["1", "<2", ">=3", "4.5"])
    assert type(cells) is Record and cells.censored and not Record("x", np.ones(2), None, 2, ()).censored
    assert cells.lower.tolist() == [1.0, -math.inf, 3.0, 4.5] and cells.upper.tolist() == [1.0, 2.0, math.inf, 4.5]
    assert cells.upper_closed.tolist()[1] is False and cells.lower_closed.tolist()[2] is True
    assert cells.values.tolist() == [1.0, 2.0, 3.0, 4.5]  # the number written
    bounds = censoring.from_bounds([1.0, np.nan, 3.0], [2.0, 5.0, np.nan])
    assert bounds.values.tolist() == [1.5, 5.0, 3.0]  # an interval's midpoint, a censored row's bound
    event = censoring.from_event([1.0, 2.0], [1, 0])
    assert event.lower.tolist() == [1.0, 2.0] and event.upper.tolist() == [1.0, math.inf]
    assert censoring.counts(event) == {"exact": 1, "left": 0, "right": 1, "interval": 0, "truncated": 0}


def _rows():
    lo = np.array([0.5, 1.0, np.nan, 2.0, 3.5, 1.2, 0.8, 2.2])
    hi = np.array([0.5, 2.0, 1.5, np.nan, 3.5, 1.2, 1.9, 2.2])
    entry = np.array([0.0, 0.2, 0.0, 0.4, 0.1, 0.0, 0.3, 0.5])
    rows = censoring.from_bounds(lo, hi, where=lambda i: f"line {i + 2}")
    return censoring.truncated(rows, upper=10.0, entry=entry), lo, hi, entry


def test_take_moves_the_bounds_the_entry_times_and_the_truncation_with_the_rows():
    rows, lo, hi, entry = _rows()
    index = np.array([6, 1, 1, 3, 0, 4])
    sub = rows.take(index, rows_read=index.size)
    for field in ("lower", "upper", "lower_closed", "upper_closed", "entry"):
        assert np.array_equal(getattr(sub, field), getattr(rows, field)[index])
    assert sub.truncate == (-math.inf, 10.0) and [sub.where(i) for i in (0, 3)] == ["line 8", "line 5"]
    direct = censoring.truncated(censoring.from_bounds(lo[index], hi[index]), upper=10.0, entry=entry[index])
    assert mlefit.fit(sub, "weibull").to_dict() == mlefit.fit(direct, "weibull").to_dict()


def test_a_resample_of_censored_rows_keeps_each_rows_bounds_and_weighs_it():
    rows, lo, hi, entry = _rows()
    counts = np.array([2.0, 0.0, 1.0, 1.0, 0.0, 3.0, 1.0, 1.0])
    drawn = rows.drawn(counts)
    kept = counts > 0
    assert np.array_equal(drawn.upper, rows.upper[kept]) and np.array_equal(drawn.entry, entry[kept])
    weighted = mlefit.fit(rows.take(kept), "weibull", weights=counts[kept])
    assert mlefit.fit(drawn, "weibull").to_dict() == weighted.to_dict()


def test_rows_taken_from_censored_rows_are_named_where_they_stood():
    rows = censoring.from_cells(["1", "<2", "3", "2", "0.5"], where=lambda i: f"line {i + 2}")
    with pytest.raises(DataError, match=r"poisson .*: line 6: 0.5;"):
        mlefit.fit(rows.take([4, 0, 2]), "poisson")


def test_a_censored_regression_holds_the_bounds_in_its_one_record_and_its_folds_take_them():
    from mlefit.censored.request import NAMES
    from mlefit.regression import rows as regression_rows
    rng = np.random.default_rng(4)
    x = rng.normal(size=30)
    data = {"lo": np.where(np.arange(30) % 5 == 0, np.nan, np.floor(rng.gamma(3.0, 1.0, 30)) + 1.0), "x": x}
    data["hi"] = np.where(np.arange(30) % 5 == 2, np.nan, np.nan_to_num(data["lo"], nan=0.0) + 1.0)
    censoring = {**dict.fromkeys(NAMES), "censored_cells": False, "lower_col": "lo", "upper_col": "hi"}
    d = regression_rows.prepare(data, "weibull", None, ["x"], None, True, censoring=censoring)
    assert d.censored is d.rows and d.rows.name == "lo..hi"
    assert np.array_equal(d.rows.upper, np.where(np.isnan(data["hi"]), np.inf, data["hi"]))
    fold = d.take(np.array([3, 9, 9, 20]))
    assert np.array_equal(fold.censored.lower, d.rows.lower[[3, 9, 9, 20]])
    assert np.array_equal(fold.X, d.X[[3, 9, 9, 20]]) and fold.censored.where(0) == d.rows.where(3)


def test_a_censored_fit_counts_its_rows_as_a_record_does_rows_of_zero_weight_read_and_left_out():
    """Rows read = every row of the record; rows of zero weight left out and counted
    (before: the rows kept were reported as read, so rows_used fell short by the zeros)."""
    from mlefit.groups import each_group, grouped
    y = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 2.5, 3.5])
    w = np.array([1.0, 1.0, 0.0, 1.0, 1.0, 2.0, 0.0, 1.0])
    r = mlefit.fit(censoring.from_event(y, [1, 0, 1, 1, 0, 1, 1, 1]), "weibull", weights=w).to_dict()
    assert (r["rows_read"], r["rows_used"], r["n_dropped"]) == (8, 6, 2)
    labels = np.array(list("aabbaabb"))
    for rows in (censoring.exact(y), Record(None, y, None, y.size, ())):  # censored or not: the same counts
        got = [(g["group"], g["rows_read"], g["rows_used"]) for g in each_group(rows, *grouped(labels), "weibull",
                                                                                 weights=w)]
        assert got == [("a", 4, 4), ("b", 4, 2)]


def test_fit_by_of_censored_rows_reports_each_groups_rows_read_and_used(tmp_path):
    import json

    from click.testing import CliRunner

    from mlefit.cli import cli
    path = tmp_path / "d.csv"
    path.write_text("t,e,w,g\n1,1,1,a\n2,0,0,a\n3,1,1,a\n4,1,2,a\n5,0,1,b\n6,1,0,b\n2.5,1,0,b\n3.5,1,1,b\n1.5,1,1,b\n")
    out = CliRunner().invoke(cli, ["fit", str(path), "-c", "t", "--event", "e", "--weights", "w", "--by", "g",
                                   "-d", "weibull", "--json"])
    assert out.exit_code == 0, out.output
    got = [(g["group"], g["rows_read"], g["rows_used"], g["n_dropped"]) for g in json.loads(out.stdout)["groups"]]
    assert got == [("a", 4, 3, 1), ("b", 5, 3, 2)]


def test_lrt_of_censored_rows_reports_the_files_rows_and_source_as_for_uncensored_rows(tmp_path):
    """The censored rows read carry the file's report (rows read, left out, source), so the
    fits inside lrt say it as an uncensored lrt's do (before: source null and rows_read
    the rows of nonzero weight, rows_used short by the zero weights)."""
    import json

    from click.testing import CliRunner

    from mlefit.cli import cli
    path = tmp_path / "d.csv"
    path.write_text("t,e,w\n" + "".join(f"{1 + i * 0.37 % 5:.2f},{int(i % 3 > 0)},{i % 4 != 1:d}\n" for i in range(24))
                    + ",1,1\n")
    runs = {}
    for censored in (False, True):
        out = CliRunner().invoke(cli, ["lrt", str(path), "-c", "t", "--null", "exponential", "--alt", "weibull",
                                       "--weights", "w", "--json"] + (["--event", "e"] if censored else []))
        assert out.exit_code == 0, out.output
        d = json.loads(out.stdout)
        runs[censored] = [(f["source"], f["rows_read"], f["rows_used"]) for f in (d["null_fit"], d["alt_fit"])]
    assert runs[True] == runs[False] == [(str(path), 25, 18)] * 2


@pytest.mark.parametrize("command", [["select", "--bootstrap", "0"], ["fit", "--dist", "auto", "--bootstrap", "0"]])
def test_select_of_censored_rows_with_zero_weights_counts_its_rows_as_fit_does(tmp_path, command):
    """select (and fit --dist auto) on censored rows take the counts of the record read, as
    fit and lrt do: rows of zero weight are read and left out, not used (before: the file's
    report overwrote them, so the zero weights counted as used and went unlisted)."""
    import json

    from click.testing import CliRunner

    from mlefit.cli import cli
    path = tmp_path / "d.csv"
    path.write_text("t,e,w\n" + "".join(f"{1 + i * 0.37 % 5:.2f},{int(i % 3 > 0)},{i % 4 != 1:d}\n" for i in range(24))
                    + ",1,1\n")
    keys = ("source", "rows_read", "rows_used", "n_dropped", "dropped")

    def run(args):
        out = CliRunner().invoke(cli, args + [str(path), "-c", "t", "--weights", "w", "--json"])
        assert out.exit_code == 0, out.output
        return json.loads(out.stdout)

    for censored in ([], ["--event", "e"]):
        fitted = run(["fit", "-d", "weibull"] + censored)
        chosen = run(command + censored)
        want = {k: fitted[k] for k in keys}
        assert {k: chosen[k] for k in keys} == {k: chosen["best"][k] for k in keys} == want
        assert (want["rows_read"], want["rows_used"], want["n_dropped"]) == (25, 18, 7)
        assert [d["reason"] for d in want["dropped"]] == ["missing value (blank, NA, NaN, null, None)", "zero weight"]
