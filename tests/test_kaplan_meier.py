"""The Kaplan-Meier median from the rows below a bound (kaplan_meier._median_of_keys, which
median() and Tally use) is the curve's median exactly: ties (events and censorings at the
same time), every pattern of censoring, chunk boundaries anywhere, a bound from the
subsample that falls below the median (every row then sorted), the tables a Tally keeps
past RAW_ROWS; and it is lifelines' KaplanMeierFitter median."""
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from mlefit.censored import kaplan_meier

PATTERNS = ("random", "none censored", "all censored", "latest censored", "one time", "heavy ties")


def rows(seed, pattern):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 6000))
    t = np.round(rng.weibull(1.3, n) * 3, int(rng.integers(0, 4)))
    e = rng.uniform(size=n) < rng.uniform(0.05, 1.0)
    t[rng.uniform(size=n) < 0.02] = 0.0
    t[rng.uniform(size=n) < 0.01] = -0.0
    if pattern == "none censored":
        e[:] = True
    elif pattern == "all censored":
        e[:] = False
    elif pattern == "latest censored":  # S may stay above 1/2: no median
        e = t < np.quantile(t, rng.uniform(0.2, 0.8))
    elif pattern == "one time":
        t[:] = 2.5
    elif pattern == "heavy ties":
        t = np.floor(t)
    return t, e


def reference(t, e):
    """The median of curve's steps (its own sorts of the values)."""
    return kaplan_meier._first_half(*kaplan_meier.curve(t, e))


@pytest.fixture
def prefix(monkeypatch):
    """The bound from a subsample for every number of rows: margin -> sets MARGIN."""
    monkeypatch.setattr(kaplan_meier, "PREFIX_FROM", 1)
    monkeypatch.setattr(kaplan_meier, "SAMPLE_ROWS", 97)
    return lambda margin: monkeypatch.setattr(kaplan_meier, "MARGIN", margin)


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("margin", [0.05, -0.3, 0.45])  # a bound above, below, far above the median
@pytest.mark.parametrize("presort", [True, False])  # each chunk's keys sorted as they come, or not
def test_median_below_a_bound_is_the_curves(prefix, seed, pattern, margin, presort):
    prefix(margin)
    t, e = rows(seed, pattern)
    expected = reference(t, e)
    assert kaplan_meier.median(t, e) == expected
    rng = np.random.default_rng(seed + 100)
    tally = kaplan_meier.Tally(presort)
    step = int(rng.integers(1, 700))
    for a in range(0, t.size, step):
        tally.add(t[a:a + step], e[a:a + step])
    assert tally.median() == expected
    with ThreadPoolExecutor(max_workers=1) as helper:  # the lower range of keys taken by a helper thread
        assert tally.median(helper) == expected


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("seed", range(4))
def test_tables_past_raw_rows(monkeypatch, seed, pattern):
    """Past RAW_ROWS the rows held so far become tables, merged as chunks come."""
    t, e = rows(seed, pattern)
    rng = np.random.default_rng(seed + 200)
    monkeypatch.setattr(kaplan_meier.Tally, "RAW_ROWS", int(rng.integers(0, t.size + 1)))
    tally = kaplan_meier.Tally()
    step = int(rng.integers(1, 700))
    for a in range(0, t.size, step):
        tally.add(t[a:a + step], e[a:a + step], nonnegative=True)
    assert tally.median() == reference(t, e)


def test_large_rows_take_the_bound_and_agree():
    """At the default sizes (a bound from SAMPLE_ROWS of 300000 rows) with ties."""
    rng = np.random.default_rng(7)
    n = 300_000
    t, c = np.round(2.0 * rng.weibull(1.5, n), 3), np.round(3.6 * rng.weibull(1.5, n), 3)
    times, events = np.minimum(t, c), t <= c
    assert n >= kaplan_meier.PREFIX_FROM
    bound, split = kaplan_meier._upper_bound([kaplan_meier._keys(times, events)], n)
    assert bound is not None and split is not None and split < bound
    assert kaplan_meier.median(times, events) == reference(times, events)
    tally = kaplan_meier.Tally()
    for a in range(0, n, 70_000):
        tally.add(times[a:a + 70_000], events[a:a + 70_000])
    with ThreadPoolExecutor(max_workers=1) as helper:
        assert tally.median(helper) == reference(times, events)
    unsorted = kaplan_meier.Tally(presort=False)
    for a in range(0, n, 70_000):
        unsorted.add(times[a:a + 70_000], events[a:a + 70_000])
    with ThreadPoolExecutor(max_workers=1) as helper:
        assert unsorted.median(helper) == reference(times, events)


@pytest.mark.parametrize("seed", range(5))
def test_median_is_lifelines(prefix, seed):
    lifelines = pytest.importorskip("lifelines")
    prefix(0.05)
    rng = np.random.default_rng(seed)
    n = 2000
    t = np.round(rng.weibull(1.2, n) * 5, int(rng.integers(0, 3)))  # ties
    c = np.round(rng.weibull(1.2, n) * 9, 1)
    times, events = np.maximum(np.minimum(t, c), 0.01), t <= c
    ours = kaplan_meier.median(times, events)
    theirs = lifelines.KaplanMeierFitter().fit(times, events).median_survival_time_
    assert ours is not None and ours == theirs
