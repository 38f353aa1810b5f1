"""normal_mixture:K at large n (issue 21): its table of distinct values merges chunk by
chunk (a file streams, with the in-memory fit), every pass over the data is taken block
by block (no array as large as the data), and the best runs are polished on a
quantile sketch before the last steps on all the values, reaching the same maximum."""
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import mlefit
from mlefit import families
from mlefit.io import stream
from mlefit.io.column import read_column
from mlefit.families import mixture_em as em
from mlefit.families import mixture_stats

TWO = (0.3, 0.0, 1.0, 0.7, 5.0, 2.0)


def draw(theta, n, seed, digits=None):
    x = families.get(f"normal_mixture:{len(theta) // 3}").draw(np.random.default_rng(seed), n, theta)
    return x if digits is None else np.round(x, digits)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-30, 30), min_size=1, max_size=80), st.integers(1, 6), st.booleans())
def test_merged_tables_are_the_whole_datas_table(ints, parts, weighted):
    """Values repeated within and across the parts; the merged table is the whole data's
    exactly (values, summed weights, hence the EM's standardized view), n exact, the
    moments as the normal family pools them."""
    x = np.array(ints, dtype=np.float64) / 4.0
    w = np.arange(1.0, x.size + 1.0) if weighted else None
    stats = mixture_stats.stats(2)
    whole = stats(x, w)
    merged = None
    for idx in np.array_split(np.arange(x.size), parts):
        if idx.size:
            s = stats(x[idx], None if w is None else w[idx])
            merged = s if merged is None else mixture_stats.merge(merged, s)
    assert np.array_equal(merged.values, whole.values) and np.array_equal(merged.counts, whole.counts)
    assert merged.n == whole.n
    if whole.values.size > 1:
        assert np.array_equal(merged.y, whole.y) and (merged.centre, merged.scale, merged.floor) == \
            (whole.centre, whole.scale, whole.floor)
    assert merged.mean == pytest.approx(whole.mean, rel=1e-12, abs=1e-12)
    assert merged.m2 == pytest.approx(whole.m2, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("k, theta", [(2, TWO), (3, (0.2, 5.0, 1.0, 0.5, -3.0, 0.8, 0.3, 0.5, 0.6))])
def test_a_file_streams_to_the_in_memory_fit(tmp_path, k, theta):
    x = draw(theta, 6000, seed=k, digits=2)  # values repeat within and across chunks
    path = tmp_path / "x.csv"
    path.write_text("x\n" + "\n".join(repr(float(v)) for v in x) + "\n")
    chunked = stream.fit_file(str(path), f"normal_mixture:{k}", chunk_rows=700).to_dict()
    whole = mlefit.fit(read_column(str(path)), f"normal_mixture:{k}").to_dict()
    assert chunked["loglik"] == whole["loglik"] and chunked["iterations"] == whole["iterations"]
    assert chunked["parameters"] == whole["parameters"]
    assert chunked["method"] == whole["method"] and chunked["converged"] and chunked["n"] == 6000
    assert [n for n in chunked["notes"] if "chunks" not in n] == whole["notes"]


def test_the_command_line_streams_a_large_file(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from mlefit.io import chunkable
    from mlefit.cli import cli

    monkeypatch.setattr(chunkable, "AUTO_BYTES", 1000)  # a "large" file: read in chunks automatically
    path = tmp_path / "x.csv"
    path.write_text("x\n" + "\n".join(repr(float(v)) for v in draw(TWO, 3000, seed=4, digits=3)) + "\n")
    out = CliRunner().invoke(cli, ["fit", str(path), "-d", "normal_mixture:2", "--json"])
    assert out.exit_code == 0, out.output
    import json

    got = json.loads(out.output[out.output.index("{"):])
    assert any("read in chunks" in n for n in got["notes"])
    want = mlefit.fit(read_column(str(path)), "normal_mixture:2").to_dict()
    assert [p["estimate"] for p in got["parameters"]] == [p["estimate"] for p in want["parameters"]]


def test_passes_are_block_by_block(monkeypatch):
    """The derivatives summed over blocks equal those of one block (the whole data at
    once), and a pass over a million values holds no array as large as the data."""
    x = draw(TWO, 5000, seed=1)
    fam = families.get("normal_mixture:2")
    s = fam.stats(x, None)
    p = em.inside(s, TWO)
    monkeypatch.setattr(em, "BLOCK", 1 << 30)
    one = em.derivatives(s.y, s.counts, p)
    e_one = em._e_pass(s.y, s.counts, p)
    monkeypatch.setattr(em, "BLOCK", 64)
    many = em.derivatives(s.y, s.counts, p)
    e_many = em._e_pass(s.y, s.counts, p)
    assert many[0] == pytest.approx(one[0], rel=1e-14) and e_many[0] == pytest.approx(one[0], rel=1e-14)
    np.testing.assert_allclose(many[1], one[1], rtol=1e-9, atol=1e-9 * np.abs(one[1]).max())
    np.testing.assert_allclose(many[2], one[2], rtol=1e-11)
    for a, b, c in zip(many[3], one[3], e_many[1]):
        np.testing.assert_allclose(a, b, rtol=1e-11)
        np.testing.assert_allclose(c, b, rtol=1e-11)
    monkeypatch.undo()
    y, c = np.linspace(-4.0, 4.0, 1_000_000), np.ones(1_000_000)
    tracemalloc.start()
    try:
        em.derivatives(y, c, p)
        em._e_pass(y, c, p)
        em.loglik_inside(y, c, p)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20  # 8 MB is one array of the data: blocks of em.BLOCK values stay far below


@pytest.mark.slow
def test_a_sketch_stage_reaches_the_same_maximum(monkeypatch):
    """With over 2 x MID distinct values the best two runs are polished on a MID-quantile
    sketch before all the data: the fit is the one without that stage, to the precision of
    the stopping rule (estimates within 1e-5 of a standard error, the same log-likelihood)."""
    x = draw(TWO, 2 * em.MID + 5000, seed=9)
    staged, mid = mlefit.fit(x, "normal_mixture:2"), em.MID
    monkeypatch.setattr(em, "MID", x.size)
    direct = mlefit.fit(x, "normal_mixture:2")
    assert staged.converged and direct.converged
    assert f"the best two then on a {mid}-quantile one" in staged.method and "best two then" not in direct.method
    assert staged.loglik == pytest.approx(direct.loglik, rel=1e-13)
    for p, q in zip(staged.parameters, direct.parameters):
        assert abs(p.estimate - q.estimate) < 1e-5 * q.se, p.name
        assert p.se == pytest.approx(q.se, rel=1e-6)
