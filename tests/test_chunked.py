"""Families fitted in passes over chunks (Family.chunked_stats, mlefit.io.chunks): weibull,
student_t, logistic, cauchy, gumbel and log_logistic read a file chunk by chunk into a
temporary file, then their estimators sum score and Hessian chunk by chunk; the fit
equals the in-memory one, the refusals are the same, the temporary file is deleted and
no more than one chunk is held at a time."""
import os
import weakref

import numpy as np
import pytest

import mlefit
from mlefit.io import chunks as ch
from mlefit import families
from mlefit.io import stream
from mlefit.io.chunks import InMemory, LocalChunks, OnChunks
from mlefit.io.column import read_column
from mlefit.errors import DataError

from cases import CASES

CHUNKED = ["weibull", "student_t", "logistic", "cauchy", "gumbel", "log_logistic"]


def write(path, values):
    path.write_text("x\n" + "\n".join(repr(float(v)) for v in values) + "\n")
    return str(path)


def same_fit(chunked, whole, est=1e-9, se=1e-6):
    a, b = chunked.to_dict(), whole.to_dict()
    assert a["loglik"] == pytest.approx(b["loglik"], rel=1e-12)
    for p, q in zip(a["parameters"], b["parameters"]):
        assert p["name"] == q["name"] and p["interval"] == q["interval"]
        assert p["estimate"] == pytest.approx(q["estimate"], rel=est), p["name"]
        for key in ("se", "ci_lower", "ci_upper"):
            if q[key] is None or isinstance(q[key], str):
                assert p[key] == q[key], (p["name"], key)
            else:
                assert p[key] == pytest.approx(q[key], rel=se), (p["name"], key)
        assert p["note"] == q["note"]
    for key in ("family", "n", "rows_read", "n_dropped", "dropped", "method", "converged", "column"):
        assert a[key] == b[key], key
    assert [n for n in a["notes"] if "chunks" not in n] == [n for n in b["notes"] if "chunks" not in n]
    assert any("read in chunks" in n for n in a["notes"])


class Recording(LocalChunks):
    """LocalChunks that remember their instances, and check in every map_sum that each
    chunk is at most chunk_rows values and that the previous chunk has been released
    before the next is handed out."""

    made = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        Recording.made.append(self)
        self.largest, self.passes = 0, 0

    def map_sum(self, fn):
        previous = []

        def checked(x):  # (arrays are freed by reference counting: no gc needed)
            assert all(ref() is None for ref in previous), "two chunks held at once"
            previous.append(weakref.ref(x))
            self.largest = max(self.largest, x.size)
            return fn(x)
        self.passes += 1
        return super().map_sum(checked)


@pytest.fixture
def recording(monkeypatch):
    Recording.made = []
    monkeypatch.setattr(stream, "LocalChunks", Recording)
    return Recording.made


def test_the_six_families_stream():
    for name in CHUNKED:
        fam = families.get(name)
        assert fam.chunked_stats is not None and stream.streams(fam)
    assert stream.streams(families.get("normal_mixture:2"))  # by its table of distinct values


@pytest.mark.parametrize("name", CHUNKED)
def test_chunked_fit_equals_the_in_memory_fit(tmp_path, name, recording):
    sampler, _ = CASES[name]
    path = write(tmp_path / "x.csv", sampler(np.random.default_rng(7), 2003))
    chunked = stream.fit_file(path, name, chunk_rows=97)
    same_fit(chunked, mlefit.fit(read_column(path), name))
    (held,) = recording
    assert held.closed and held.n == 2003 and 0 < held.largest <= 97 and held.passes >= 1  # (at least the pass that checks the gradient on all the values)


@pytest.mark.parametrize("name", CHUNKED)
def test_start_values_from_a_subsample_reach_the_same_maximum(tmp_path, name, monkeypatch):
    """With more values than the sample holds, centre, spread and the starts come from a
    systematic subsample; Newton still converges to the in-memory MLE."""
    monkeypatch.setattr(ch, "SAMPLE_SIZE", 256)
    sampler, _ = CASES[name]
    path = write(tmp_path / "x.csv", sampler(np.random.default_rng(11), 5000))
    same_fit(stream.fit_file(path, name, chunk_rows=700), mlefit.fit(read_column(path), name))


@pytest.mark.parametrize("name", ["student_t", "logistic", "cauchy", "log_logistic"])
def test_newton_on_chunks_starts_from_the_samples_fit(tmp_path, name, monkeypatch, recording):
    """Values in chunks: Newton's first steps are taken on their sample, so on data the
    family does not fit (gamma draws: the quantile starts are far from the MLE) the steps
    over all the values are fewer than in memory, and student_t's four starts are tried
    on the sample, not in passes, and its log-likelihood and information come from the
    last step (it made 15 passes here, 5 of them Newton steps), as log_logistic's do now
    (it made 9, 5 of them steps); the fit is the in-memory one."""
    monkeypatch.setattr(ch, "SAMPLE_SIZE", 4096)
    path = write(tmp_path / "x.csv", np.random.default_rng(11).gamma(2.5, 2.0, 20000))
    chunked, whole = stream.fit_file(path, name, chunk_rows=3000), mlefit.fit(read_column(path), name)
    same_fit(chunked, whole)
    (held,) = recording
    if name == "student_t":  # the moments, the ties, the start, then a pass a Newton step
        assert held.passes <= chunked.iterations + 3
    else:
        assert chunked.iterations < whole.iterations
    if name == "log_logistic":  # the sum of the logs, the start, a pass a step (no loglik, no information)
        assert held.passes <= chunked.iterations + 2


@pytest.mark.parametrize("name", ["weibull", "student_t", "gumbel"])
def test_expected_information_and_fixed_parameters(tmp_path, name):
    sampler, _ = CASES[name]
    path = write(tmp_path / "x.csv", sampler(np.random.default_rng(3), 800))
    col = read_column(path)
    same_fit(stream.fit_file(path, name, chunk_rows=64, information="expected"),
             mlefit.fit(col, name, information="expected"))
    free = mlefit.fit(col, name)
    first, last = free.parameters[0], free.parameters[-1]
    for fix in ({first.name: first.estimate * 1.05}, {last.name: last.estimate * 0.9}):
        same_fit(stream.fit_file(path, name, chunk_rows=64, fix=fix), mlefit.fit(col, name, fix=fix),
                 est=1e-7, se=1e-5)  # (Brent/BFGS on the held fits stop at their own tolerance)


def test_student_t_at_the_normal_limit(tmp_path):
    """Normal data lighter-tailed than the normal: df = 1e30 and the normal fit, with the
    profile lower bound for df, in chunks as in memory."""
    for seed in range(10):
        x = np.random.default_rng(seed).normal(3.0, 2.0, 3000)
        whole = mlefit.fit(x, "student_t")
        if whole.estimates["df"] == 1e30:
            break
    else:
        pytest.fail("no seed gave the normal limit")
    path = write(tmp_path / "x.csv", x)
    chunked = stream.fit_file(path, "student_t", chunk_rows=250)
    assert chunked.estimates["df"] == 1e30
    normal = mlefit.fit(x, "normal")
    assert chunked.loglik == pytest.approx(normal.loglik, rel=1e-13)
    same_fit(chunked, mlefit.fit(read_column(path), "student_t"))
    df = chunked.parameters[2]
    assert df.se is None and "normal limit" in df.note and df.ci_upper == np.inf and df.ci_lower > 1.0


def test_ties_are_refused_as_in_memory(tmp_path, recording):
    rng = np.random.default_rng(2)
    tied = np.concatenate([np.full(300, 1.25), rng.standard_cauchy(250)])
    rng.shuffle(tied)
    path = write(tmp_path / "tied.csv", tied)
    with pytest.raises(DataError) as whole:
        mlefit.fit(read_column(path), "cauchy")
    with pytest.raises(DataError) as chunked:
        stream.fit_file(path, "cauchy", chunk_rows=50)
    assert str(chunked.value) == str(whole.value) and "300 of the 550 values equal 1.25" in str(whole.value)
    half = write(tmp_path / "half.csv", np.concatenate([np.full(100, 2.0), np.linspace(3, 4, 100)]))
    for name in ("cauchy", "student_t"):  # exactly half: refused by cauchy only
        try:
            expected = str(mlefit.fit(read_column(half), name).estimates)
        except DataError as exc:
            expected = str(exc)
        try:
            got = str(stream.fit_file(half, name, chunk_rows=30).estimates)
        except DataError as exc:
            got = str(exc)
        if name == "cauchy":
            assert got == expected and "half or more" in got
        else:
            assert "values equal" not in got and "values equal" not in expected
    two = write(tmp_path / "two.csv", [1.0, 5.0] * 40)
    with pytest.raises(DataError, match="only two distinct values") as whole:
        mlefit.fit(read_column(two), "student_t")
    with pytest.raises(DataError) as chunked:
        stream.fit_file(two, "student_t", chunk_rows=7)
    assert str(chunked.value) == str(whole.value)
    assert recording and all(c.closed for c in recording)  # deleted on the error paths too


def test_ties_found_through_a_subsample(tmp_path, monkeypatch):
    monkeypatch.setattr(ch, "SAMPLE_SIZE", 100)
    rng = np.random.default_rng(5)
    x = np.concatenate([np.full(3000, -0.5), rng.standard_cauchy(2000)])
    rng.shuffle(x)
    path = write(tmp_path / "tied.csv", x)
    with pytest.raises(DataError) as whole:
        mlefit.fit(read_column(path), "cauchy")
    with pytest.raises(DataError) as chunked:
        stream.fit_file(path, "cauchy", chunk_rows=333)
    assert str(chunked.value) == str(whole.value)


def _open_temporary_files():
    """The process's open files that are deleted or anonymous (O_TMPFILE)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if "(deleted)" in target or "#" in os.path.basename(target):
            found.append(target)
    return found


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
def test_the_temporary_file_is_removed_after_the_fit(tmp_path, monkeypatch, recording):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    path = write(tmp_path / "x.csv", CASES["weibull"][0](np.random.default_rng(1), 500))
    before = _open_temporary_files()
    with LocalChunks() as c:  # the check sees such a file while it is open
        c.append(np.ones(3))
        assert len(_open_temporary_files()) == len(before) + 1
    assert _open_temporary_files() == before
    stream.fit_file(path, "weibull", chunk_rows=50)
    assert recording[0].closed
    assert _open_temporary_files() == before
    assert os.listdir(tmp_path / "tmp") == []


# ------------------------------------------------------------------ the protocol itself
def test_local_chunks_map_sum_and_sample():
    rng = np.random.default_rng(0)
    parts = [rng.normal(size=k) for k in (5, 0, 17, 1, 40, 3)]
    x = np.concatenate(parts)
    with LocalChunks(chunk_rows=8) as c:
        for p in parts:
            c.append(p)
        assert (c.n, c.lo, c.hi) == (x.size, x.min(), x.max())
        total, count, squares = c.map_sum(lambda v: (float(v.sum()), float(v.size), v[:1] ** 2))
        assert total == pytest.approx(x.sum(), rel=1e-14) and count == x.size
        assert squares == pytest.approx(sum(x[i] ** 2 for i in range(0, x.size, 8)))
        assert c.map_sum(lambda v: float(v.max() > -10)) == 9.0  # ceil(66 / 8) chunks
        assert np.array_equal(c.map_sum(lambda v: np.array([v.size, 1.0])), [66.0, 9.0])
        np.testing.assert_array_equal(c.sample(), x)  # fewer values than the sample holds: all of them
        sizes = []
        c.map_sum(lambda v: sizes.append(v.size) or 0.0)
        assert sizes == [8] * 8 + [2]
    assert c.closed


def test_the_sample_is_systematic_and_bounded():
    x = np.arange(10_000, dtype=np.float64)
    with LocalChunks(chunk_rows=1000, sample_size=700) as c:
        for start in range(0, x.size, 333):
            c.append(x[start:start + 333])
        s = c.sample()
        assert 350 <= s.size <= 700
        stride = int(s[1] - s[0])
        assert stride & (stride - 1) == 0  # a power of two
        np.testing.assert_array_equal(s, x[::stride])
        assert np.median(s) == pytest.approx(np.median(x), rel=0.01)


def test_local_chunks_hold_one_chunk_at_a_time():
    """Memory bounded by the chunk size: each chunk handed to fn is at most chunk_rows
    values, and the previous one is released before the next is read."""
    with LocalChunks(chunk_rows=1000) as c:
        for _ in range(20):
            c.append(np.ones(777))
        alive, sizes = [], []

        def fn(v):
            alive.append(sum(ref() is not None for ref in refs))
            refs.append(weakref.ref(v))
            sizes.append(v.size)
            return float(v.sum())
        refs = []
        assert c.map_sum(fn) == 20 * 777.0
        assert max(alive) == 0 and max(sizes) == 1000 and len(sizes) == 16


def test_the_data_views_agree():
    """InMemory and OnChunks give the same sums, transforms, moments and bounds."""
    x = np.random.default_rng(9).gamma(2.0, 3.0, 1001)
    with LocalChunks(chunk_rows=64) as c:
        c.append(x)
        mem, on = InMemory(x), OnChunks(c)
        assert on.n == mem.n == 1001.0
        for view in (lambda d: d, lambda d: d.map(np.log, increasing=True)):
            a, b = view(mem), view(on)
            assert b.sum(lambda v, w: float(np.sum(v))) == pytest.approx(a.sum(lambda v, w: float(np.sum(v))),
                                                                          rel=1e-13)
            np.testing.assert_allclose(b.mean_and_m2(), a.mean_and_m2(), rtol=1e-13)
            assert b.bounds() == a.bounds()
            np.testing.assert_array_equal(b.sample()[0], a.sample()[0])
        with pytest.raises(ValueError):
            on.map(np.sin).bounds()


def test_weibull_in_chunks_holds_the_logs_and_makes_few_passes(tmp_path, recording):
    """The file's chunks hold log x, taken once as it is read (no log at any pass); the
    fit makes one pass for the moments of the logs and one per Newton step, and takes the
    scale, the log-likelihood and the information from the last step's sums (it made
    ten passes, each taking logs)."""
    path = write(tmp_path / "x.csv", 3.0 * np.random.default_rng(5).weibull(1.5, 3001))
    chunked = stream.fit_file(path, "weibull", chunk_rows=500)
    same_fit(chunked, mlefit.fit(read_column(path), "weibull"))
    (held,) = recording
    assert held.logs and held.centre in set(read_column(path).values.tolist())  # a value of the first chunk
    assert held.passes <= 1 + chunked.iterations


def test_gumbel_in_chunks_starts_from_the_samples_root_and_makes_few_passes(tmp_path, monkeypatch, recording):
    """gumbel on values in chunks: the profile equation is solved on the sample first, the
    mean of y is summed in the first pass with the power sums, the estimate is the last
    point evaluated, and the log-likelihood and information come from its power sums (it
    made eight passes at 1e7 values: the mean, four steps, mu, the log-likelihood and the
    information); all equal to the in-memory fit and to the direct sums at the estimate."""
    from scipy import stats as sst

    from mlefit.estimate import Controls
    from mlefit.families import gumbel

    monkeypatch.setattr(ch, "SAMPLE_SIZE", 4096)
    x = np.random.default_rng(13).gumbel(8.5, 3.0, 40000)
    path = write(tmp_path / "x.csv", x)
    chunked = stream.fit_file(path, "gumbel", chunk_rows=5000)
    whole = mlefit.fit(read_column(path), "gumbel")
    same_fit(chunked, whole)
    (held,) = recording
    assert chunked.converged and held.passes <= 3
    theta = tuple(p.estimate for p in whole.parameters)
    s = gumbel.GUMBEL.stats(read_column(path).values, None)
    assert whole.loglik == pytest.approx(gumbel.GUMBEL.loglik(s, theta), rel=1e-14)
    assert whole.loglik == pytest.approx(float(np.sum(sst.gumbel_r.logpdf(x, *theta))),
                                         rel=1e-13)
    solution = gumbel.GUMBEL.estimate(s, Controls(max_iter=200, tol=1e-12))
    np.testing.assert_allclose(solution.at[1], gumbel.GUMBEL.observed_information(s, theta), rtol=1e-12)


def test_blockwise_sums_are_the_blocks_sums_in_order():
    """A chunk's sum is taken a block at a time, the transform applied to each block, and
    the blocks' results added in order (floats by fsum); numpy's errstate holds."""
    import warnings

    x = np.random.default_rng(4).standard_normal(50_000)
    x[123] = 0.0

    def fn(v, w):
        return float(np.sum(1.0 / v)), np.array([v.sum(), float(v.size)])

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(divide="ignore"):
            got = ch.blockwise(x, fn, 1000, lambda v: v * 2.0)
    assert got[0] == np.inf
    assert got[1][1] == x.size and got[1][0] == pytest.approx(2.0 * x.sum(), rel=1e-12)
    y = x.copy()
    y[123] = 1.0
    assert ch.blockwise(y, lambda v, w: float(np.sum(v)), 1000) == ch.total(
        [float(np.sum(y[i:i + 1000])) for i in range(0, y.size, 1000)])


def test_moments_kept_as_the_file_is_read(tmp_path, recording):
    """LocalChunks(moments=True) sums what it holds as it is appended: the mean and spread
    (of the logs, for chunks holding logs) and the sum of the logs come from those sums,
    equal to the passes' to rounding, and student_t, weibull and log_logistic make no pass
    for them (each made one as the file was read): their passes are their Newton steps
    (and student_t's ties)."""
    rng = np.random.default_rng(21)
    for logs in (False, True):
        x = rng.gamma(3.0, 2.0, 5000) + (1e6 if logs else 0.0)  # (logs clustered far from 0)
        with LocalChunks(chunk_rows=300, moments=True, logs=logs) as kept, LocalChunks(chunk_rows=300, logs=logs) as plain:
            for part in np.array_split(x, 7):
                kept.append(part)
                plain.append(part)
            views = ((ch.LogsOnChunks(kept, 1e6), ch.LogsOnChunks(plain, 1e6)) if logs else
                     (OnChunks(kept), OnChunks(plain)))
            got, want = views[0].mean_and_m2(), views[1].mean_and_m2()
            np.testing.assert_allclose(got, want, rtol=1e-12)
            assert views[0].total() == pytest.approx(views[1].total(), rel=1e-13, abs=1e-9)
            assert kept.held_sums() is not None and plain.held_sums() is None
    for name, sampler in (("student_t", lambda r: r.standard_t(5, 6000)), ("weibull", lambda r: r.weibull(1.5, 6000)),
                          ("log_logistic", lambda r: np.exp(r.logistic(1.0, 0.4, 6000)))):
        Recording.made.clear()
        path = write(tmp_path / f"{name}.csv", sampler(rng))
        chunked = stream.fit_file(path, name, chunk_rows=700)
        same_fit(chunked, mlefit.fit(read_column(path), name))
        (held,) = Recording.made
        assert held.moments and held.passes <= chunked.iterations + (1 if name == "student_t" else 0), name


def test_weibull_in_chunks_starts_from_the_samples_shape(tmp_path, monkeypatch, recording):
    """The shape is first fitted on the chunks' sample, and Newton on all the values
    starts there (from the moments start it made four passes at 1e7 values, now three):
    the fit is the in-memory one."""
    from mlefit.families import weibull

    monkeypatch.setattr(ch, "SAMPLE_SIZE", 16384)
    shapes, power_sums = [], weibull._weibull_power_sums

    def spy(s, k, *args):
        shapes.append((s.ys.in_memory, k))
        return power_sums(s, k, *args)
    monkeypatch.setattr(weibull, "_weibull_power_sums", spy)
    path = write(tmp_path / "x.csv", 3.0 * np.random.default_rng(8).weibull(1.7, 40000))
    chunked = stream.fit_file(path, "weibull", chunk_rows=5000)
    same_fit(chunked, mlefit.fit(read_column(path), "weibull"))
    (held,) = recording
    first = next(k for in_memory, k in shapes if not in_memory)
    assert first == pytest.approx(mlefit.fit(held.sample(), "weibull").parameters[0].estimate, rel=1e-9)
    assert chunked.converged and held.passes == chunked.iterations <= 3


def test_chunks_are_mapped_copy_on_write(monkeypatch):
    """LocalChunks.map_sum maps each chunk from the temporary file (no copy): a fn that
    overwrites its chunk changes nothing held (the next pass sees the values), chunks at
    offsets that are not page multiples are mapped whole, and the sums equal those of the
    chunks read into a buffer (the path where the file cannot be mapped)."""
    x = np.random.default_rng(6).standard_normal(5003)
    with LocalChunks(chunk_rows=333) as c:
        c.append(x)

        def spoil(v):
            out = float(np.sum(v)), float(v.size)
            v *= 0.0
            return out
        first, second = c.map_sum(spoil), c.map_sum(spoil)
        assert first == second and first[1] == 5003.0 and first[0] == pytest.approx(x.sum(), rel=1e-12)
        mapped = c.map_sum(lambda v: v[::50].copy().sum())
        monkeypatch.setattr(LocalChunks, "_map", lambda self, start, size: (None, 0))
        assert c.map_sum(lambda v: v[::50].copy().sum()) == mapped
        assert c.map_sum(spoil) == first


def test_logs_are_shifted_a_block_at_a_time_not_in_the_mapped_chunk(monkeypatch):
    """LogsOnChunks over chunks that hold logs subtracts log(ref / centre) block by block
    (LocalChunks.log_shift), equal to the shift of the whole chunk, and leaves the
    mapped chunk unwritten (an in-place shift copied its pages one fault at a time)."""
    x = np.random.default_rng(12).weibull(1.5, 7001) + 0.5
    with LocalChunks(chunk_rows=1000, logs=True) as c:
        c.append(x)
        seen = []
        real = c.map_sum

        def watched(fn):
            def check(z):
                before = z.copy()
                out = fn(z)
                seen.append(np.array_equal(before, z))
                return out
            return real(check)
        monkeypatch.setattr(c, "map_sum", watched)
        got = ch.LogsOnChunks(c, 2.0).sum(lambda y, w: (float(np.sum(y)), float(np.sum(y * y))), 500)
        want = ch.total([(float(np.sum(b)), float(np.sum(b * b)))
                         for b in (np.log(x / 2.0)[i:i + 500] for i in range(0, x.size, 500))])
        assert got == pytest.approx(want, rel=1e-12) and seen and all(seen)
        assert c.log_shift(2.0) == pytest.approx(np.log(2.0 / c.centre), rel=1e-15)
