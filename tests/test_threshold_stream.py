"""weibull3, gamma3 and lognormal3 read chunk by chunk (issue 21: every family in bounded
memory): the fit from chunks equals the in-memory one (estimates, SEs, intervals and
log-likelihood to 1e-10; method, notes and the errors of a profile with no interior
maximum exactly), on small samples (the profile over all the values) and large ones
(its grid searched on a subset, refined on a larger one, then Newton on all the values,
a pass a step); no chunk larger than asked is held, and the passes over the values are
few; in memory the sums go block by block, with no temporary as long as the data."""
import tracemalloc

import numpy as np
import pytest

import mlefit
from mlefit.io import chunks as ch
from mlefit.io import stream
from mlefit.io.column import read_column
from mlefit.families import threshold, threshold_data

from test_censored_stream import fit_json, run

SAMPLERS = {
    "weibull3": lambda rng, n: 5.0 + 3.0 * rng.weibull(1.5, n),  # shape below 2: its maximum near min x
    "gamma3": lambda rng, n: 5.0 + rng.gamma(3.0, 2.0, n),
    "lognormal3": lambda rng, n: 10.0 + rng.lognormal(1.0, 0.4, n),
}
NAMES = sorted(SAMPLERS)


def write(path, values):
    path.write_text("x\n" + "\n".join(f"{v:.10g}" for v in values) + "\n")
    return str(path)


def same(streamed, memory):
    for p, q in zip(streamed["parameters"], memory["parameters"]):
        assert p["name"] == q["name"] and p["interval"] == q["interval"]
        for field in ("estimate", "se", "ci_lower", "ci_upper"):
            assert p[field] == pytest.approx(q[field], rel=1e-10), (p["name"], field)
    for key in ("loglik", "aic", "bic"):
        assert streamed[key] == pytest.approx(memory[key], rel=1e-12)
    for key in ("family", "n", "rows_read", "n_dropped", "dropped", "method", "converged", "column"):
        assert streamed[key] == memory[key], key
    assert [n for n in streamed["notes"] if "chunks" not in n] == memory["notes"]
    assert any("read in chunks" in n for n in streamed["notes"])


@pytest.mark.parametrize("name", NAMES)
def test_a_small_file_in_chunks_is_the_in_memory_fit(tmp_path, name):
    path = write(tmp_path / "x.csv", SAMPLERS[name](np.random.default_rng(4), 3000))
    same(fit_json("fit", path, "-d", name, "--chunk-size", 97), fit_json("fit", path, "-d", name, "--chunk-size", 0))


@pytest.fixture
def small_subsets(monkeypatch):
    """Subsets and sample scaled down, so that 12,000 values take the large-sample path
    (the grid on ~250 values, the climb and Brent on ~1,000, Newton on all) with a
    sample of every 4th value."""
    monkeypatch.setattr(threshold, "THIN", 250)
    monkeypatch.setattr(threshold, "REFINE", 1000)
    monkeypatch.setattr(ch, "SAMPLE_SIZE", 4000)


@pytest.mark.parametrize("name", NAMES)
def test_a_large_file_in_chunks_is_the_in_memory_fit_with_few_passes(tmp_path, name, small_subsets, monkeypatch):
    passes = []

    class Counting(ch.LocalChunks):
        def map_sum(self, fn):
            largest = []
            passes.append(largest)
            return super().map_sum(lambda x: largest.append(x.size) or fn(x))

    monkeypatch.setattr(stream, "LocalChunks", Counting)
    x = SAMPLERS[name](np.random.default_rng(8), 12000)
    path = write(tmp_path / "x.csv", x)
    streamed, memory = fit_json("fit", path, "-d", name, "--chunk-size", 700), \
        fit_json("fit", path, "-d", name, "--chunk-size", 0)
    same(streamed, memory)
    assert max(max(p) for p in passes) <= 700
    # the mean and spread, Newton's steps (one more pass than steps), the note on the edge
    assert len(passes) <= streamed["iterations"] + 4
    monkeypatch.setattr(threshold, "REFINE", 10 ** 9)  # the profile over all the values, then Newton
    whole = mlefit.fit(read_column(path), name)
    assert [p["estimate"] for p in memory["parameters"]] == pytest.approx(
        [p.estimate for p in whole.parameters], rel=1e-9)
    assert memory["loglik"] == pytest.approx(whole.loglik, rel=1e-13)


def test_the_in_memory_sample_is_the_one_chunks_keep(small_subsets):
    """threshold_data.in_memory takes the values chunks.LocalChunks keeps as its sample
    (every stride-th, the stride a power of 2): the subsets searched are the same values."""
    x = np.random.default_rng(1).gamma(2.0, 1.0, 9001)
    with ch.LocalChunks(500) as held:
        for i in range(0, x.size, 777):
            held.append(x[i:i + 777])
        assert np.array_equal(threshold_data.in_memory(x, None).sample, held.sample())
        assert np.array_equal(threshold_data.on_chunks(held).sample, held.sample())


CASES = [  # (family, data, the error or note both fits give)
    ("gamma3", -np.random.default_rng(0).gamma(3.0, 1.0, 400), "keeps rising as the threshold goes to -infinity"),
    ("lognormal3", 10.0 + np.random.default_rng(3).lognormal(0.0, 2.0, 20), "for every sample (Hill 1963)"),
    ("gamma3", 10.0 + np.random.default_rng(0).gamma(0.6, 1.0, 100), "shape falls below 1"),
    ("weibull3", 10.0 + 5.0 * np.random.default_rng(5).weibull(1.0, 100), None),
]


@pytest.mark.parametrize("name,x,error", CASES)
def test_errors_and_notes_in_chunks_are_those_in_memory(tmp_path, name, x, error):
    path = write(tmp_path / "x.csv", x)
    if error is None:  # an interior maximum with the likelihood unbounded at min x: the notes
        streamed, memory = (fit_json("fit", path, "-d", name, "--chunk-size", k) for k in (7, 0))
        same(streamed, memory)
        assert any("unbounded as the threshold approaches" in n for n in memory["notes"])
        return
    streamed, memory = run("fit", path, "-d", name, "--chunk-size", 7), run("fit", path, "-d", name, "--chunk-size", 0)
    assert streamed.exit_code == memory.exit_code == 1
    assert streamed.stderr == memory.stderr and error in memory.stderr


@pytest.mark.parametrize("name", NAMES)
def test_fixed_threshold_and_weights_in_memory(tmp_path, name):
    """--fix in chunks is the in-memory --fix (Newton on the others, by the summed derivatives:
    to 1e-10); integer weights equal repeated rows."""
    x = SAMPLERS[name](np.random.default_rng(2), 400)
    path = write(tmp_path / "x.csv", x)
    fixed = [fit_json("fit", path, "-d", name, "--fix", "threshold=4.5", "--chunk-size", k) for k in (50, 0)]
    for p, q in zip(fixed[0]["parameters"], fixed[1]["parameters"]):
        assert p["estimate"] == pytest.approx(q["estimate"], rel=1e-10)
    w = np.random.default_rng(3).integers(1, 4, x.size)
    weighted, repeated = mlefit.fit(x, name, weights=w.astype(float)), mlefit.fit(np.repeat(x, w), name)
    assert [p.estimate for p in weighted.parameters] == pytest.approx([p.estimate for p in repeated.parameters],
                                                                      rel=1e-8)
    assert weighted.loglik == pytest.approx(repeated.loglik, rel=1e-11)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_in_memory_sums_hold_no_temporary_as_long_as_the_data(name):
    """2e6 values (16 MB): the old fit held a dozen arrays of them (x - c, logs, each
    derivative); now the largest allocation while fitting is a fraction of the data."""
    x = SAMPLERS[name](np.random.default_rng(9), 2_000_000)
    mlefit.fit(x[:30000], name)  # (the modules it imports are not counted)
    tracemalloc.start()
    try:
        mlefit.fit(x, name)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 0.5 * x.nbytes


@pytest.mark.slow
def test_on_dask_the_block_functions_travel_and_the_fit_is_the_in_memory_one(tmp_path):
    """On Dask the block functions are sent to the workers holding the values: none may
    carry the statistics (their client cannot be pickled; gamma3's careful pass did)."""
    pytest.importorskip("distributed")
    from mlefit.io.dask_engine import fit_dask
    path = write(tmp_path / "x.csv", SAMPLERS["lognormal3"](np.random.default_rng(1), 5000))
    for name in NAMES:
        on_dask, memory = fit_dask([path], name, block_bytes=20000), mlefit.fit(read_column(path), name)
        assert [p.estimate for p in on_dask.parameters] == pytest.approx([p.estimate for p in memory.parameters],
                                                                         rel=1e-10)
        assert on_dask.loglik == pytest.approx(memory.loglik, rel=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_where_newton_from_the_subsets_fails_the_full_profile_gives_the_same_fit(name, small_subsets, monkeypatch):
    """The large-sample path's Newton over all the values not converging (made to fail
    here) falls back to the profile over all the values, climbed and refined there, then
    Newton: the same maximum. (Newton on half the sample comes first.)"""
    x = SAMPLERS[name](np.random.default_rng(8), 12000)
    usual = mlefit.fit(x, name)
    real, calls = threshold._polish, []

    def first_fails(shift, s, theta, floor, controls, how):
        calls.append((s.view.x.size, floor))
        if s.view.x.size == x.size and len([c for c in calls if c[0] == x.size]) == 1:
            return None
        return real(shift, s, theta, floor, controls, how)

    monkeypatch.setattr(threshold, "_polish", first_fails)
    fallback = mlefit.fit(x, name)
    # half the sample (of every 4th value), all the values (failing), all again from the full profile
    assert [c[0] for c in calls] == [1501, x.size, x.size] and calls[1][1] == -np.inf and np.isfinite(calls[2][1])
    assert [p.estimate for p in fallback.parameters] == pytest.approx([p.estimate for p in usual.parameters], rel=1e-9)
    assert fallback.loglik == pytest.approx(usual.loglik, rel=1e-13)
