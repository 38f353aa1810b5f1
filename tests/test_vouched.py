"""estimate.fit's vouched path (Family.vouches): a float64 array whose statistics show
that every value is finite, in the support and of a usable magnitude is fitted without
the pass for its extremes. The result must be the one the checked path gives (a list of
the same values takes it), and anything the statistics cannot vouch for (NaN, inf,
values outside the support, no spread, a column of 0s and 1s, magnitudes beyond
1e+-100) must go the checked way, with the same messages."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlefit
from mlefit import estimate
from mlefit import numerics as nm
from mlefit.errors import MlefitError

real_from_values = estimate.from_values

VOUCHING = ["normal", "exponential", "lognormal", "uniform"]


def outcome(data, family):
    """The fit's dict, or the error's type and message."""
    try:
        return mlefit.fit(data, family).to_dict()
    except MlefitError as exc:
        return type(exc).__name__, str(exc)


def same_both_ways(x, family):
    """The array (vouched where it can be) and the list (always checked) give the same."""
    x = np.asarray(x, dtype=np.float64)
    assert outcome(x, family) == outcome(x.tolist(), family)


def counting_extremes(monkeypatch):
    calls = []
    real = nm.extremes
    monkeypatch.setattr(nm, "extremes", lambda x: calls.append(x.size) or real(x))
    monkeypatch.setattr("mlefit.io.column.extremes", lambda x: calls.append(x.size) or real(x))
    return calls


RNG = np.random.default_rng(21)
CASES = {
    "normal(10, 3)": 10.0 + 3.0 * RNG.standard_normal(5001),
    "1e9 + noise": 1e9 + 1e-3 * RNG.standard_normal(5001),
    "-1e9 + noise": -1e9 + RNG.standard_normal(5001),
    "few digits": np.round(RNG.normal(5.0, 2.0, 5001), 2),
    "whole numbers": RNG.integers(0, 50, 5001).astype(float),
    "about 0": RNG.integers(-3, 4, 5001) * 0.25,
    "exponential": RNG.exponential(2.0, 5001),
    "with a zero": np.append(RNG.exponential(2.0, 50), 0.0),
    "tiny": 1e-120 * RNG.exponential(2.0, 501),
    "huge": 1e150 * RNG.exponential(2.0, 501),
    "0s and 1s": RNG.integers(0, 2, 501).astype(float),
    "0s and 1s, mostly 0": np.append(np.zeros(500), 1.0),
    "one 1": np.array([1.0]),
    "all equal": np.full(100, 7.25),
    "all equal, not dyadic": np.full(1001, 0.1),
    "all equal, far out": np.full(7, 1e9 + 0.1),
    "equal ends, spread inside": np.array([2.0, 5.0, 1.0, 2.0, 2.0]),
    "two": np.array([3.0, 4.0]),
    "NaN": np.array([1.0, np.nan, 3.0, 4.0]),
    "all NaN": np.full(5, np.nan),
    "inf": np.array([1.0, 2.0, np.inf]),
    "-inf": np.array([-np.inf, 1.0, 2.0]),
    "negative": np.array([-1.0, 2.0, 3.0]),
    "overflowing squares": np.array([-1.7e308, 1.7e308, 0.0]),
    "max double": np.array([1.7e308, 1.0e308]),
    "subnormal": np.array([5e-324, 1e-323, 2e-323]),
    "zeros": np.zeros(10),
    "empty": np.array([]),
}


@pytest.mark.parametrize("family", VOUCHING)
@pytest.mark.parametrize("case", list(CASES))
def test_array_and_list_give_the_same_fit_or_error(family, case):
    same_both_ways(CASES[case], family)


@pytest.mark.parametrize("family,case", [("normal", "normal(10, 3)"), ("normal", "1e9 + noise"),
                                         ("normal", "few digits"), ("exponential", "exponential"),
                                         ("exponential", "with a zero"), ("lognormal", "exponential"),
                                         ("lognormal", "tiny"), ("lognormal", "huge")])
def test_typical_data_take_no_pass_for_the_extremes(family, case, monkeypatch):
    calls = counting_extremes(monkeypatch)
    mlefit.fit(CASES[case], family)
    assert calls == []


@pytest.mark.parametrize("case", ["normal(10, 3)", "-1e9 + noise", "about 0", "exponential", "two"])
def test_uniform_vouches_from_its_extremes(case, monkeypatch):
    """The uniform's statistics are the extremes: typical data take that one pass and
    skip the checked path (from_values and its checks, 10 us a fit)."""
    calls = counting_extremes(monkeypatch)
    checked = []
    monkeypatch.setattr(estimate, "from_values", lambda *a, **k: checked.append(a) or real_from_values(*a, **k))
    mlefit.fit(CASES[case], "uniform")
    assert calls == [CASES[case].size] and checked == []


@pytest.mark.parametrize("family,case", [("normal", "NaN"), ("normal", "inf"), ("normal", "0s and 1s"),
                                         ("normal", "huge"), ("normal", "tiny"), ("normal", "all equal"),
                                         ("exponential", "NaN"), ("exponential", "0s and 1s"),
                                         ("exponential", "huge"), ("lognormal", "with a zero"),
                                         ("lognormal", "negative"), ("lognormal", "inf"), ("lognormal", "NaN"),
                                         ("lognormal", "all equal"), ("uniform", "NaN"), ("uniform", "inf"),
                                         ("uniform", "0s and 1s"), ("uniform", "huge"), ("uniform", "tiny"),
                                         ("uniform", "all equal"), ("uniform", "one 1"),
                                         ("uniform", "0s and 1s, mostly 0"), ("uniform", "-inf")])
def test_what_the_statistics_cannot_vouch_for_is_checked(family, case, monkeypatch):
    calls = counting_extremes(monkeypatch)
    outcome(CASES[case], family)
    # the uniform's statistics take one pass for the extremes before the check takes its own
    assert len(calls) >= (2 if family == "uniform" and CASES[case].size >= 2 else 1)


def test_messages_for_bad_values_are_the_checked_ones():
    assert outcome(CASES["inf"], "normal") == (
        "DataError", "the data has 1 infinite value (index 2: inf); remove it or leave the cell blank "
                     "to mark it missing")
    result = mlefit.fit(CASES["NaN"], "normal")
    assert result.n == 3 and result.dropped[0].count == 1 and result.dropped[0].first == ("index 1",)
    assert "outside the support of exponential" in outcome(CASES["negative"], "exponential")[1]
    assert "zero variance" in outcome(CASES["all equal"], "normal")[1]


def test_vouched_estimates_are_exact_for_few_digits_and_far_offsets():
    """The same statistics as before: the mean of whole numbers about 0 is the exact mean
    correctly rounded; 1e9 + noise keeps the spread's digits."""
    x = CASES["about 0"]
    exact = math.fsum((4 * x).tolist()) / (4 * x.size)
    assert mlefit.fit(x, "normal").estimates["mu"] == exact
    y = CASES["1e9 + noise"]
    d = y - math.fsum(y.tolist()) / y.size
    sd = math.sqrt((math.fsum((d * d).tolist()) - math.fsum(d.tolist()) ** 2 / y.size) / y.size)
    assert mlefit.fit(y, "normal").estimates["sigma"] == pytest.approx(sd, rel=1e-12)


def test_vouching_needs_plain_unweighted_float64_input(monkeypatch):
    """Weights, --fix, integer arrays, 2-d arrays and lists go the checked way."""
    calls = counting_extremes(monkeypatch)
    x = CASES["normal(10, 3)"]
    mlefit.fit(x, "normal", weights=np.ones(x.size))
    mlefit.fit(x, "normal", fix={"mu": 10.0})
    mlefit.fit(x.astype(np.float32), "normal")
    mlefit.fit(x.reshape(-1, 1), "normal")
    assert len(calls) >= 4
    assert estimate._vouched(estimate.families.get("normal"), x.tolist(), None) == (None, None)


FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64)


@settings(max_examples=300, deadline=None)
@given(st.lists(FLOATS, min_size=1, max_size=12), st.sampled_from(VOUCHING))
def test_any_values_give_the_same_both_ways(values, family):
    same_both_ways(values, family)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-5, 5), min_size=2, max_size=40), st.sampled_from([0.0, 1e9, -1e12, 0.5]),
       st.sampled_from(VOUCHING))
def test_offset_whole_numbers_give_the_same_both_ways(values, offset, family):
    same_both_ways(offset + np.array(values, dtype=float), family)
