"""order_stats: the bracketed selection gives exactly numpy's median and quantiles, on
random, tied, sorted and adversarial arrays, through the sample's bracket and through
its fall-back to a whole partition."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hs
from hypothesis.extra import numpy as hnp

from mlefit import order_stats as osx

QS = [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0, 1.0 / 3.0]


@pytest.fixture
def small_sample(monkeypatch):
    """Take the bracketed path on arrays of a few hundred values (a 64-value sample)."""
    monkeypatch.setattr(osx, "SMALL", 64)
    monkeypatch.setattr(osx, "SAMPLE", 64)


def check_equal(x):
    assert osx.median(x) == np.median(x)
    assert osx.quantiles(x, QS) == [float(v) for v in np.quantile(x, QS)]


@pytest.mark.parametrize("n", [1, 2, 3, 10, 11, 200_000, 200_001])
@pytest.mark.parametrize("kind", ["normal", "rounded", "sorted", "reversed", "constant"])
def test_equals_numpy(n, kind):
    r = np.random.default_rng(n)
    x = {"normal": lambda: r.normal(size=n),
         "rounded": lambda: np.round(r.normal(size=n), 1),  # many ties
         "sorted": lambda: np.sort(r.normal(size=n)),
         "reversed": lambda: np.sort(r.normal(size=n))[::-1].copy(),
         "constant": lambda: np.full(n, 2.5)}[kind]()
    check_equal(x)


@given(hnp.arrays(np.float64, hs.integers(65, 600),
                  elements=hs.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False)))
def test_bracketed_path_equals_numpy(x):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(osx, "SMALL", 64)
        mp.setattr(osx, "SAMPLE", 64)
        check_equal(x)


def test_a_misleading_sample_falls_back_to_a_partition(small_sample, monkeypatch):
    # every value the strided sample sees is far below the rest: the bracket around the
    # sample's median holds none of the middle ranks
    n = 1000
    x = np.random.default_rng(1).normal(size=n)
    x[::n // 64] = -1e9
    calls = []
    real = np.partition

    def spy(a, kth):
        calls.append(np.asarray(a).size)
        return real(a, kth)
    monkeypatch.setattr(osx.np, "partition", spy)
    check_equal(x)
    assert n in calls  # the whole array was partitioned


def test_order_statistics_in_the_order_asked(small_sample):
    x = np.random.default_rng(2).permutation(500).astype(float)
    assert osx.order_statistics(x, [499, 0, 250, 250]) == [499.0, 0.0, 250.0, 250.0]
    assert osx.order_statistics(x, []) == []
    with pytest.raises(IndexError):
        osx.order_statistics(x, [500])


@given(hnp.arrays(np.float64, hs.integers(2, 300), elements=hs.floats(-1e6, 1e6, allow_nan=False)),
       hs.floats(0.0, 1.0))
def test_neighbouring_ranks_equal_the_sorted_values(x, where):
    k = min(int(where * (x.size - 1)), x.size - 2)
    assert osx.order_statistics(x, [k + 1, k]) == [float(v) for v in np.sort(x)[[k + 1, k]]]


def test_an_even_median_takes_one_partition_about_one_rank(monkeypatch):
    """numpy's partition about a list of ranks costs six times one about a single rank:
    the two middle values come from one partition about the upper and the max below it."""
    x = np.random.default_rng(3).normal(size=100_000)
    calls = []
    real = np.partition
    monkeypatch.setattr(osx.np, "partition", lambda a, kth: calls.append(kth) or real(a, kth))
    assert osx.median(x) == np.median(x)
    assert calls == [50_000]
