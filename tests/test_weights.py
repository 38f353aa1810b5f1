"""Frequency weights: a row of weight k is k identical rows, in every family."""
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import mlefit
from mlefit.cli import cli
from mlefit.errors import DataError

from cases import NUMERIC, sample

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
SHAPED = ["asymmetric_laplace:0.3", "huber:1.5", "normal_mixture:3"]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), name=st.sampled_from(NUMERIC + SHAPED + ["categorical"]),
       k=st.lists(st.integers(1, 4), min_size=30, max_size=30))
def test_integer_weight_equals_repeating_the_row(seed, name, k):
    base = name if name in NUMERIC else "normal"
    x, _ = sample(base, n=30, seed=seed)
    if name == "categorical":
        x = np.array(["a", "b", "c"], dtype=object)[np.random.default_rng(seed).integers(0, 3, 30)]
    repeated = np.repeat(x, k)
    try:
        full = mlefit.fit(repeated, name)
    except DataError:
        with pytest.raises(DataError):
            mlefit.fit(x, name, weights=k)
        return
    weighted = mlefit.fit(x, name, weights=k)
    assert weighted.n == full.n == sum(k)
    for p, q in zip(full.parameters, weighted.parameters):
        assert q.name == p.name
        assert q.estimate == pytest.approx(p.estimate, rel=1e-9, abs=1e-12)
        if p.se is not None:
            assert q.se == pytest.approx(p.se, rel=1e-7)
    assert weighted.loglik == pytest.approx(full.loglik, rel=1e-10, abs=1e-10)
    assert weighted.aic == pytest.approx(full.aic, rel=1e-10, abs=1e-10)


def test_fractional_weights_scale_the_log_likelihood():
    x = np.random.default_rng(1).gamma(2.0, 1.0, 50)
    half = mlefit.fit(x, "gamma", weights=np.full(50, 0.5))
    full = mlefit.fit(x, "gamma")
    assert half.estimates == pytest.approx(full.estimates, rel=1e-10)
    assert half.loglik == pytest.approx(full.loglik / 2, rel=1e-10) and half.n == 25


def test_zero_and_missing_weights_are_reported_and_bad_ones_refused():
    r = mlefit.fit([1.0, 2.0, 3.0, 4.0], "normal", weights=[1, 0, float("nan"), 2])
    assert {d.reason: d.first for d in r.dropped} == {"zero weight": ("index 1",),
                                                       "missing weight": ("index 2",)}
    assert r.n == 3 and r.to_dict()["rows_used"] == 2
    with pytest.raises(DataError, match=r"1 weight is negative or infinite \(index 1: -1\)"):
        mlefit.fit([1.0, 2.0, 3.0], "normal", weights=[1, -1, 1])
    with pytest.raises(mlefit.UsageError, match="3 weights for 2 values"):
        mlefit.fit([1.0, 2.0], "normal", weights=[1, 1, 1])


def test_weights_of_a_plain_sequence_are_taken_as_they_are_where_no_row_was_left_out():
    """The weights of plain values are re-aligned (an index array and a gathered copy, 16
    bytes a row and their page faults in a loop of fits) only where a missing value left
    a row out; where one was, each weight still goes with its own row."""
    import tracemalloc
    from mlefit.io.column import from_values
    from mlefit.estimate import _weighted
    n = 100_000
    rng = np.random.default_rng(4)
    x, w = rng.normal(size=n), rng.uniform(0.5, 2.0, n)
    col = from_values(x)
    tracemalloc.start()
    weighted = _weighted(col, w, aligned=False)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 6 * n, peak / n
    assert np.shares_memory(weighted.weights, w) and weighted.values is col.values
    x[[3, 70_000]] = np.nan
    r = mlefit.fit(x, "normal", weights=w)
    keep = ~np.isnan(x)
    expected = mlefit.fit(x[keep], "normal", weights=w[keep])
    assert r.estimates == expected.estimates and r.n == pytest.approx(w[keep].sum(), rel=1e-14)

def test_cli_weights_reproduce_the_horsekick_rows():
    table = str(SAMPLE / "horsekicks_table.csv")
    result = CliRunner().invoke(cli, ["fit", table, "-c", "deaths", "-w", "corps_years", "-d", "poisson", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    rows = json.loads(CliRunner().invoke(cli, ["fit", str(SAMPLE / "horsekicks.csv"), "-d", "poisson",
                                               "--json"]).stdout)
    assert out["parameters"] == rows["parameters"] and out["loglik"] == pytest.approx(rows["loglik"], rel=1e-13)
    assert out["weights"] == "corps_years" and out["n"] == 200 and out["rows_used"] == 5
    text = CliRunner().invoke(cli, ["fit", table, "-c", "deaths", "-w", "corps_years", "-d", "poisson"]).stdout
    assert "total weight 200" in " ".join(text.split())


def test_cli_weight_errors():
    result = CliRunner().invoke(cli, ["fit", "-", "-c", "x", "-w", "w", "-d", "normal"], input="x,w\n1,1\n2,-3\n")
    assert result.exit_code == 1 and "line 3: -3" in result.stderr
    result = CliRunner().invoke(cli, ["fit", "-", "-c", "x", "-w", "w", "-d", "normal"], input="x,w\n1,1\n2,abc\n")
    assert result.exit_code == 1 and "column 'w' has 1 non-numeric value (line 3: 'abc')" in result.stderr
    two = [str(SAMPLE / "horsekicks.csv")] * 2
    result = CliRunner().invoke(cli, ["fit", *two, "-c", "deaths", "-w", "deaths", "-d", "poisson"])
    assert result.exit_code == 2 and "--weights reads one file" in result.stderr


def test_default_column_leaves_out_the_weights_and_other_review_points():
    table = str(SAMPLE / "horsekicks_table.csv")
    result = CliRunner().invoke(cli, ["fit", table, "-w", "corps_years", "-d", "poisson", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["column"] == "deaths"
    result = CliRunner().invoke(cli, ["fit", "-", "-w", "w", "-d", "categorical"], input="lab,w\na,1\nb,2\n")
    assert result.exit_code == 0 and json.loads(CliRunner().invoke(
        cli, ["fit", "-", "-w", "w", "-d", "categorical", "--json"], input="lab,w\na,1\nb,2\n").stdout)["n"] == 3
    result = CliRunner().invoke(cli, ["compare-losses", str(SAMPLE / "michelson.csv")])
    assert result.exit_code == 2 and "choose one with --target NAME" in result.stderr
    with pytest.raises(DataError, match="weights must be numbers"):
        mlefit.fit([0, 1, 2], "poisson", weights=["a", 1, 1])
    out = json.loads(CliRunner().invoke(cli, ["fit", "-", "-d", "bernoulli", "--json"], input="x\n0\n0\n").stdout)
    assert str(out["nll"]) == "0.0" and "-0.0" not in json.dumps(out)


def test_interval_stays_on_one_line_at_80_columns():
    result = CliRunner(env={"COLUMNS": "80"}).invoke(cli, ["fit", str(SAMPLE / "michelson.csv"), "-c", "speed",
                                                           "-d", "exponential"])
    line = next(ln for ln in result.stdout.splitlines() if ln.strip().startswith("rate"))
    assert " - " in line and len(line) <= 80
