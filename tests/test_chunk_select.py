"""Exact quantiles of values held in chunks (mlefit.chunk_select) and the families fitted by
them in chunks (laplace, asymmetric_laplace:TAU, huber:DELTA): the quantile is the in-memory
one value for value (its ties and even-n midpoint included), wherever the chunks are cut,
whether the subsample brackets it in one pass or histograms must narrow it down, and the
sums about it equal the correctly rounded sum (math.fsum) to rounding."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import mlefit
from mlefit import chunk_select
from mlefit.io import chunks, stream
from mlefit import numerics as nm
from mlefit.io.chunks import LocalChunks
from mlefit.io.column import read_column
from mlefit.families.robust import check_loss


class Counting(LocalChunks):
    """LocalChunks that count their passes."""

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.passes = 0

    def map_each(self, fn):
        self.passes += 1
        return super().map_each(fn)


def held(x, chunk_rows, sample_size=None, pieces=37):
    c = Counting(chunk_rows, sample_size=sample_size)
    for i in range(0, x.size, pieces):  # appended in pieces unrelated to the chunks read back
        c.append(x[i:i + pieces])
    return c


def data(kind, n, rng):
    return {"ties": np.round(rng.normal(3.0, 2.0, n), 0),  # a few distinct values, many ties
            "normal": rng.normal(1e6, 3.0, n),  # an offset: sums about the quantile, not about 0
            "cauchy": rng.standard_cauchy(n),
            "sorted": np.sort(rng.normal(size=n)),
            "constant_but_one": np.concatenate((np.full(n - 1, 2.5), [7.0])),
            "extreme": rng.choice([-1e300, -1.0, 0.0, 5e-324, 1.0, 1e300], n)}[kind]


def check(x, tau, chunks):
    want = nm.weighted_quantile(x, None, tau)
    q, total = chunk_select.quantile(chunks, tau, lambda u: check_loss(u, tau), 1.0 - tau, tau)
    assert q == want  # exactly: the same order statistics, the same midpoint
    exact = math.fsum(check_loss(x - want, tau).tolist())
    assert total == pytest.approx(exact, rel=1e-14, abs=1e-300)
    return q


@pytest.mark.parametrize("kind", ["ties", "normal", "cauchy", "sorted", "constant_but_one", "extreme"])
@pytest.mark.parametrize("n", [1, 2, 3, 10, 11, 1000, 1001])
@pytest.mark.parametrize("tau", [0.5, 0.1, 0.9, 1 / 3, 0.25])
def test_the_quantile_is_the_in_memory_one(kind, n, tau):
    x = data(kind, n, np.random.default_rng(n))
    with np.errstate(over="ignore", invalid="ignore"):  # (1e300 - (-1e300) overflows both ways alike)
        if not np.isfinite(check_loss(x - nm.weighted_quantile(x, None, tau), tau)).all():
            pytest.skip("the loss itself overflows")
        for rows in (1, 7, 97):
            check(x, tau, held(x, rows))  # the sample holds every value: computed from it
            check(x, tau, held(x, rows, sample_size=16))  # a bracket from 16 values or fewer


def test_one_pass_when_the_sample_brackets_the_ranks():
    x = np.random.default_rng(1).normal(size=20_000)
    for n in (20_000, 19_999):
        c = held(x[:n], 997, sample_size=2000)
        check(x[:n], 0.5, c)
        assert c.passes == 1


def test_a_bracket_of_one_tied_value_collects_nothing(monkeypatch):
    """Counts whose median value holds most of the data: the bracket is that one value,
    counted, not collected (the tie would be millions of values in a large file)."""
    x = np.random.default_rng(3).permutation(np.repeat([1.0, 2.0, 3.0], [3000, 10001, 3000]))
    monkeypatch.setattr(chunk_select, "COLLECT", 10)  # more than this collected would narrow
    for tau in (0.5, 0.3, 0.7):
        c = held(x, 997, sample_size=2000)
        assert check(x, tau, c) == 2.0 and c.passes == 1


@pytest.mark.parametrize("collect", [1, 50, 1 << 22])
def test_narrowing_when_the_sample_misleads_or_the_bracket_is_too_full(monkeypatch, collect):
    """A file periodic in the sample's stride (the systematic sample sees only one phase),
    and brackets holding more values than COLLECT: histogram passes narrow the range (a
    value of its own for every cut point: a tied value ends in a bin of its own)."""
    monkeypatch.setattr(chunk_select, "COLLECT", collect)
    rng = np.random.default_rng(2)
    periodic = np.where(np.arange(4096) % 16 == 0, 100.0, rng.normal(size=4096))
    ties = np.repeat([1.0, 2.0, 3.0, 4.0], [900, 1300, 1200, 700])
    for x in (periodic, periodic[:-1], ties, ties[:-1], rng.standard_cauchy(3001)):
        for tau in (0.5, 0.2, 0.93):
            c = held(x, 61, sample_size=256)
            check(x, tau, c)
    c = held(periodic, 61, sample_size=256)
    check(periodic, 0.5, c)
    assert c.passes >= 2  # the bracket of the misled sample missed: narrowed, then summed


def write(path, x):
    path.write_text("x\n" + "\n".join(repr(float(v)) for v in x) + "\n")
    return str(path)


@pytest.mark.parametrize("name", ["laplace", "asymmetric_laplace:0.5", "asymmetric_laplace:0.9",
                                  "asymmetric_laplace:0.25", "huber:1.345", "huber:0.5"])
@pytest.mark.parametrize("n", [2000, 2001])
@pytest.mark.parametrize("sample_size", [None, 64])
def test_the_fit_in_chunks_is_the_in_memory_fit(tmp_path, monkeypatch, name, n, sample_size):
    """With the default subsample (every value of these files) the quantile families'
    fit is the in-memory one bit for bit; with a subsample of 64 the quantile still is, the
    sums about it equal to rounding."""
    if sample_size:
        monkeypatch.setattr(chunks, "SAMPLE_SIZE", sample_size)
    rng = np.random.default_rng(n)
    for x in (np.round(rng.normal(10.0, 3.0, n), 1), rng.standard_cauchy(n) + 50.0):
        path = write(tmp_path / "x.csv", x)
        for rows in (7, 97):
            got = stream.fit_file(path, name, chunk_rows=rows).to_dict()
            want = mlefit.fit(read_column(path), name).to_dict()
            if sample_size is None and not name.startswith("huber"):
                assert got["parameters"] == want["parameters"] and got["loglik"] == want["loglik"]
            for p, q in zip(got["parameters"], want["parameters"]):
                if p["name"] in ("mu",) and not name.startswith("huber"):
                    assert p["estimate"] == q["estimate"]  # the quantile itself
                else:  # sums in another order (huber: a Newton step on them)
                    assert p["estimate"] == pytest.approx(q["estimate"], rel=1e-14, abs=1e-14)
                assert p["se"] == pytest.approx(q["se"], rel=1e-13)
            assert got["loglik"] == pytest.approx(want["loglik"], rel=1e-14)
            assert got["iterations"] == want["iterations"] and got["n"] == n
            assert any("read in chunks" in note for note in got["notes"])


def test_laplace_in_chunks_is_scipys(tmp_path):
    """An independent reference: scipy.stats.laplace.fit is the median and the mean
    absolute deviation about it."""
    from scipy import stats
    x = np.random.default_rng(4).laplace(-2.0, 0.5, 3000)
    d = stream.fit_file(write(tmp_path / "x.csv", x), "laplace", chunk_rows=101).to_dict()
    loc, scale = stats.laplace.fit(x)
    assert d["parameters"][0]["estimate"] == np.median(x) == loc
    assert d["parameters"][1]["estimate"] == pytest.approx(scale, rel=1e-14)


@pytest.mark.parametrize("name, fix, want", [
    ("laplace", {"mu": 9.0}, lambda x: (9.0, np.mean(np.abs(x - 9.0)))),
    ("laplace", {"b": 2.0}, lambda x: (np.median(x), 2.0)),
    ("asymmetric_laplace:0.3", {"mu": 9.0}, lambda x: (9.0, np.mean(check_loss(x - 9.0, 0.3)))),
    ("asymmetric_laplace:0.3", {"sigma": 1.0}, lambda x: (nm.weighted_quantile(x, None, 0.3), 1.0)),
])
def test_fix_has_the_closed_form_in_chunks_and_in_memory(tmp_path, name, fix, want):
    """--fix: the other parameter in closed form (Family.given), not by an optimiser over
    the kinks (which stopped 1e-4 from the median, and took a pass over the chunks per step)."""
    x = np.round(np.random.default_rng(6).normal(10.0, 3.0, 1000), 1)
    path = write(tmp_path / "x.csv", x)
    got = stream.fit_file(path, name, chunk_rows=33, fix=fix)
    whole = mlefit.fit(read_column(path), name, fix=fix)
    for r in (got, whole):
        est = [p.estimate for p in r.parameters]
        assert est[0] == want(x)[0] and est[1] == pytest.approx(want(x)[1], rel=1e-14)
    assert got.loglik == pytest.approx(whole.loglik, rel=1e-14)


@settings(max_examples=150, deadline=None)
@given(x=st.lists(st.one_of(st.integers(-3, 3).map(float),
                            st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)), min_size=1, max_size=300),
       tau=st.floats(0.01, 0.99), rows=st.integers(1, 50), sample_size=st.integers(1, 64),
       collect=st.sampled_from([1, 3, 40, 1 << 22]))
def test_any_values_any_chunks_any_bracket(x, tau, rows, sample_size, collect):
    """Whatever the values (ties, signs, sizes), the chunks, the subsample and the limit on
    what is collected: the in-memory quantile, and the loss sum to rounding."""
    x = np.array(x)
    saved, chunk_select.COLLECT = chunk_select.COLLECT, collect
    try:
        q = check(x, tau, held(x, rows, sample_size=sample_size, pieces=7))
    finally:
        chunk_select.COLLECT = saved
    assert q == nm.weighted_quantile(x, None, tau)


def test_the_sum_about_a_quantile_far_from_the_sample_cancels_nothing():
    """A subsample that misplaces the quantile (here one value, 22310.8, of a file whose
    1/64-quantile is 0): the sum about the quantile is still the correctly rounded one.
    It was taken about the sample's value and corrected, and the correction cancelled
    two sums of about 66,000 to give 348.6, off by 2e-14 relative (found by hypothesis)."""
    x = np.array([22310.839871904347, 0.0, 0.0, 0.0])
    for rows in (1, 2, 4):
        check(x, 1 / 64, held(x, rows, sample_size=1, pieces=7))
