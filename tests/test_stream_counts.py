"""Issue 21: binomial and beta_binomial with one number of trials (--trials N), and
categorical, fitted chunk by chunk from their tables of counts: the same JSON as the
in-memory fit (estimates, standard errors, log-likelihood, rows read, used and dropped
and where), the same refusals with the same lines; --trials COLUMN still read whole."""
import json

import numpy as np
import pytest
from click.testing import CliRunner

import mlefit
from mlefit.io import chunkable, stream
from mlefit import families
from mlefit.cli import cli
from mlefit.io.column import read_column
from mlefit.errors import DataError


def invoke(args):
    return CliRunner().invoke(cli, [str(a) for a in args], env={"NO_COLOR": "1"})


def fit_json(args):
    result = invoke(list(args) + ["--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def without_chunk_note(d):
    return dict(d, notes=[n for n in d["notes"] if "read in chunks" not in n and "on Dask" not in n])


def counts_file(path, k, gaps=True):
    """One column k of counts, with a missing cell (line 7) and a blank line (line 102)."""
    lines = [str(int(v)) for v in k]
    if gaps:
        lines[5], lines[100] = "NA", ""
    path.write_text("k\n" + "\n".join(lines) + "\n")
    return str(path)


@pytest.fixture
def overdispersed(tmp_path):
    rng = np.random.default_rng(2)
    return counts_file(tmp_path / "k.csv", rng.binomial(20, rng.beta(2.0, 5.0, 100_000)))


@pytest.mark.parametrize("dist", ["binomial", "beta_binomial"])
@pytest.mark.parametrize("chunk", ["97", "1000"])
def test_trials_n_in_chunks_prints_the_in_memory_fit(overdispersed, monkeypatch, dist, chunk):
    seen = counting_blocks(monkeypatch)
    chunked = fit_json(["fit", overdispersed, "-d", dist, "--trials", "20", "--chunk-size", chunk])
    assert len(seen) >= 3
    whole = fit_json(["fit", overdispersed, "-d", dist, "--trials", "20", "--chunk-size", "0"])
    assert f"read in chunks of about {chunk} rows" in chunked["notes"]
    assert without_chunk_note(chunked) == whole
    assert whole["rows_read"] == 100_000 and whole["n_dropped"] == 2


def test_trials_n_is_streamed_unasked_for_a_large_file(overdispersed, monkeypatch):
    monkeypatch.setattr(chunkable, "AUTO_BYTES", 1000)
    d = fit_json(["fit", overdispersed, "-d", "binomial", "--trials", "20"])
    assert any("read in chunks" in n for n in d["notes"])
    assert stream.streams(families.get("beta_binomial:20"))


@pytest.mark.parametrize("bad, message", [
    ({50: "21", 40_000: "25", 70_000: "30", 99_000: "22"},
     "column 'k' has 4 values above the number of trials (line 52: 21 > 20, line 40002: 25 > 20, line 70002: "
     "30 > 20); the binomial family counts successes: 0 <= x <= trials"),
    ({50: "21", 99_500: "-1"}, "column 'k' has 1 value outside the support of binomial:20 (non-negative integers "
                               "0, 1, 2, ...): line 99502: -1"),
])
def test_values_beyond_the_trials_are_refused_as_in_memory(tmp_path, monkeypatch, bad, message):
    seen = counting_blocks(monkeypatch)
    rng = np.random.default_rng(4)
    lines = [str(v) for v in rng.binomial(20, 0.3, 100_000)]
    for i, v in bad.items():
        lines[i] = v
    path = tmp_path / "bad.csv"
    path.write_text("k\n" + "\n".join(lines) + "\n")
    errors = []
    for chunk in ("0", "100"):
        result = invoke(["fit", path, "-d", "binomial", "--trials", "20", "--chunk-size", chunk])
        assert result.exit_code == 1 and "Traceback" not in result.stderr
        errors.append(result.stderr)
    assert len(seen) >= 3 and errors[0] == errors[1] and message in errors[0]


def test_trials_per_row_still_need_every_value(tmp_path, monkeypatch):
    rng = np.random.default_rng(3)
    t = rng.integers(1, 30, 500)
    path = tmp_path / "tc.csv"
    path.write_text("k,t\n" + "".join(f"{a},{b}\n" for a, b in zip(rng.binomial(t, 0.4), t)))
    base = ["fit", path, "-c", "k", "-d", "binomial", "--trials", "t"]
    result = invoke(base + ["--chunk-size", "100"])
    assert result.exit_code == 2
    assert "--trials COLUMN needs every value in memory: drop --chunk-size" in result.stderr
    result = invoke(base + ["--engine", "dask"])
    assert result.exit_code == 2 and "--trials COLUMN needs every value in memory; drop --engine dask" in result.stderr
    monkeypatch.setattr(chunkable, "AUTO_BYTES", 100)
    d = fit_json(base)
    assert not any("chunks" in n for n in d["notes"]) and d["n"] == 500


def test_library_fit_file_equals_fit(overdispersed, tmp_path):
    chunked = stream.fit_file(overdispersed, "beta_binomial:20", chunk_rows=50).to_dict()
    whole = mlefit.fit(read_column(overdispersed), "beta_binomial:20").to_dict()
    assert without_chunk_note(chunked) == whole
    with pytest.raises(DataError, match="not overdispersed"):
        stream.fit_file(counts_file(tmp_path / "b.csv", 6 + np.random.default_rng(5).integers(-1, 2, 2000)),
                        "beta_binomial:20", chunk_rows=50)


LABELS = ["b", "a", "10", "2", "c d", " x", "2.0", "02", "\u00e9", '"q,r"']


@pytest.fixture
def labels_file(tmp_path):
    """200,000 labels (numbers as text, spaces, a quoted comma, UTF-8), with missing cells
    (NA, blank, spaces, null) and blank lines on either side of the chunks' cuts."""
    rng = np.random.default_rng(1)
    cells = list(rng.choice(LABELS, 200_000))
    cells[3], cells[50], cells[70], cells[150_000] = "NA", "", "  ", "null"
    path = tmp_path / "labels.csv"
    path.write_text("lab\n" + "\n".join(cells[:100_000]) + "\n\n" + "\n".join(cells[100_000:]) + "\n\n",
                    encoding="utf-8")
    return str(path)


def counting_blocks(monkeypatch):
    """A list that grows by one for every run of lines the chunked reader reads."""
    seen, blocks = [], stream._blocks

    def counted(fh, size, *rest):
        for block in blocks(fh, size, *rest):
            seen.append(len(block))
            yield block
    monkeypatch.setattr(stream, "_blocks", counted)
    return seen


@pytest.mark.parametrize("how", [["-d", "categorical"], ["--loss", "cross_entropy"]])
def test_labels_in_chunks_print_the_in_memory_fit(labels_file, monkeypatch, how):
    seen = counting_blocks(monkeypatch)
    chunked = fit_json(["fit", labels_file, *how, "--chunk-size", "1000"])
    assert len(seen) >= 10
    whole = fit_json(["fit", labels_file, *how, "--chunk-size", "0"])
    assert without_chunk_note(chunked) == whole
    assert [p["name"] for p in whole["parameters"]][:5] == ["p[02]", "p[2]", "p[2.0]", "p[10]", "p[ x]"]
    assert whole["rows_read"] == 200_002 and whole["n_dropped"] == 6
    drops = {d["reason"]: d["first"] for d in chunked["dropped"]}
    assert drops == {"blank line": ["line 52", "line 100002", "line 200003"],
                     "missing value (blank, NA, NaN, null, None)": ["line 5", "line 72", "line 150003"]}


def test_labels_are_streamed_unasked_for_a_large_file(labels_file, monkeypatch):
    monkeypatch.setattr(chunkable, "AUTO_BYTES", 1000)
    d = fit_json(["fit", labels_file, "-d", "categorical"])
    assert any("read in chunks" in n for n in d["notes"])
    for memory in (["--weights", "w"], ["--chunk-size", "0"]):
        result = invoke(["fit", labels_file, "-d", "categorical", *memory])
        assert "read in chunks" not in result.stdout, memory


@pytest.mark.parametrize("text, dist", [("x\nNA\n\nnull\n", "categorical"), ("x\n", "categorical"),
                                        ("x\nNA\n\nnull\n", "poisson"), ("x\na\n\nNA\nb\n", "categorical")])
def test_refusals_in_chunks_say_what_memory_says(tmp_path, text, dist):
    path = tmp_path / "few.csv"
    path.write_text(text)
    for strict in ([], ["--strict"]):
        said = []
        for extra in (["--chunk-size", "0"], ["--chunk-size", "2"]):
            result = invoke(["fit", path, "-d", dist, *strict, *extra])
            assert "Traceback" not in result.stderr
            table = [line for line in result.stdout.splitlines() if "read in chunks" not in line]
            said.append((result.exit_code, result.stderr, table))
        assert said[0] == said[1]
        assert said[0][0] == 0 or "no values to fit" in said[0][1] or "--strict refuses them" in said[0][1]


def test_labels_one_chunk_at_a_time_as_library(labels_file):
    chunked = stream.fit_file(labels_file, "categorical", chunk_rows=5000).to_dict()
    whole = mlefit.fit(read_column(labels_file, labels=True), "categorical").to_dict()
    assert without_chunk_note(chunked) == whole


@pytest.mark.slow
def test_labels_and_trials_on_dask(tmp_path, labels_file, overdispersed):
    pytest.importorskip("distributed")
    import pyarrow as pa
    import pyarrow.parquet as pq

    from mlefit.io.dask_engine import fit_dask

    second = tmp_path / "more.csv"
    second.write_text("lab\nz\n\nNA\na\n")
    got = fit_dask([labels_file, str(second)], "categorical", block_bytes=1 << 16).to_dict()
    want = mlefit.fit(read_column([labels_file, str(second)], labels=True), "categorical").to_dict()
    assert without_chunk_note(got) == want
    table = pa.table({"lab": pa.array([1.0, 2.5, None, 1.0, 3.0] * 300), "s": ["u", None, "v", "u", "w"] * 300})
    pq.write_table(table, tmp_path / "x.parquet", row_group_size=400)
    for column in ("lab", "s"):
        got = fit_dask(str(tmp_path / "x.parquet"), "categorical", column=column).to_dict()
        want = mlefit.fit(read_column(str(tmp_path / "x.parquet"), column=column, labels=True),
                          "categorical").to_dict()
        assert without_chunk_note(got) == want
    got = fit_dask(overdispersed, "beta_binomial:20", block_bytes=4096).to_dict()
    assert without_chunk_note(got) == mlefit.fit(read_column(overdispersed), "beta_binomial:20").to_dict()


@pytest.mark.slow
@pytest.mark.parametrize("family, bad", [("binomial:20", ["21", "25", "30", "22"]), ("poisson", ["-1", "2.5", "-3", "4.5"]),
                                         ("gamma", ["-1", "0", "-3", "-4"])])
def test_dask_counts_bad_values_over_every_block(tmp_path, family, bad):
    """The values outside the support (or above the trials) are counted over every block
    and refused by the driver with the in-memory message: the count of the whole file,
    the first three by their lines, not one block's."""
    pytest.importorskip("distributed")
    from mlefit.io.dask_engine import fit_dask

    lines = [str(v) for v in np.random.default_rng(6).binomial(20, 0.3, 3000) + 1]
    for i, v in zip((50, 1400, 2000, 2900), bad):
        lines[i] = v
    path = tmp_path / "bad.csv"
    path.write_text("k\n" + "\n".join(lines) + "\n")
    with pytest.raises(DataError) as memory:
        mlefit.fit(read_column(str(path)), family)
    with pytest.raises(DataError) as dask:
        fit_dask(str(path), family, block_bytes=1024)
    assert str(dask.value) == str(memory.value)
    assert "has 4 values" in str(memory.value)


def test_positive_is_never_ignored_in_chunks(tmp_path, monkeypatch):
    """--positive (which of bernoulli's two text labels is 1) was dropped silently when
    the file was read in chunks: it needs the labels in memory, like --weights."""
    path = tmp_path / "yn.csv"
    path.write_text("x\n" + "yes\nno\nno\n" * 200)
    result = invoke(["fit", path, "-d", "bernoulli", "--positive", "no", "--chunk-size", "100"])
    assert result.exit_code == 2 and "--positive needs every value in memory: drop --chunk-size" in result.stderr
    monkeypatch.setattr(chunkable, "AUTO_BYTES", 100)
    d = fit_json(["fit", path, "-d", "bernoulli", "--positive", "no"])
    assert d["parameters"][0]["estimate"] == pytest.approx(2 / 3, rel=1e-15)
    assert any("given by --positive" in n for n in d["notes"])


@pytest.fixture
def yes_no(tmp_path):
    """bernoulli's two text labels, spaced and missing here and there, 150,000 rows."""
    rng = np.random.default_rng(4)
    cells = list(rng.choice(["yes", "no", " yes", "no  "], 150_000))
    cells[10], cells[20], cells[90_000] = "NA", "", "  "
    path = tmp_path / "yn.csv"
    path.write_text("id,ans\n" + "".join(f"{i},{v}\n" for i, v in enumerate(cells)))
    return path, cells


@pytest.mark.parametrize("change", [{}, {140_000: "maybe"}, {5: "0", 6: "1"},
                                    {i: str(i % 2) for i in range(60_000)}])  # runs of numbers first
def test_bernoulli_text_labels_in_chunks_are_the_in_memory_fit(yes_no, monkeypatch, change):
    """A yes/no column over 16 MB was read in chunks as numbers and refused ('non-numeric
    values'): its labels are now counted (the file read again from the start once a run
    holds text), with the in-memory note saying which is 1, or its error (three labels)."""
    path, cells = yes_no
    for i, v in change.items():
        cells[i] = v
    path.write_text("id,ans\n" + "".join(f"{i},{v}\n" for i, v in enumerate(cells)))
    seen = counting_blocks(monkeypatch)
    said = []
    for extra in (["--chunk-size", "1000"], ["--chunk-size", "0"]):
        result = invoke(["fit", path, "-c", "ans", "-d", "bernoulli", "--json", *extra])
        said.append((result.exit_code, result.stderr,
                     without_chunk_note(json.loads(result.stdout)) if result.exit_code == 0 else None))
    assert len(seen) >= 3 and said[0] == said[1]
    if not change:
        d = said[0][2]
        assert d["n"] == 149_997 and d["dropped"][0]["first"] == ["line 12", "line 22", "line 90002"]
        assert "column 'ans' is 1 for 'yes' and 0 for 'no' (the second in sorted order; --positive LABEL to " \
               "choose)" in d["notes"]
    else:
        assert said[0][0] == 1 and "labels (" in said[0][1]


def test_bernoulli_text_labels_on_standard_input_in_chunks(yes_no):
    path, _ = yes_no
    result = CliRunner().invoke(cli, ["fit", "-", "-c", "ans", "-d", "bernoulli", "--chunk-size", "1000"],
                                input=path.read_text(), env={"NO_COLOR": "1"})
    assert result.exit_code == 1
    assert result.stderr == ("mlefit: error: column 'ans' holds text labels (line 2: 'yes'): bernoulli on text "
                             "labels reads standard input whole; give --chunk-size 0, or pass the file's name\n")


@pytest.mark.slow
def test_bernoulli_text_labels_on_dask_are_refused_as_such(yes_no):
    pytest.importorskip("distributed")
    from mlefit.io.dask_engine import fit_dask

    path, _ = yes_no
    with pytest.raises(DataError) as found:
        fit_dask(str(path), "bernoulli", column="ans", block_bytes=1 << 16)
    assert str(found.value) == ("column 'ans' holds text labels (line 2: 'yes'): bernoulli on text labels is not "
                                "fitted on Dask; fit it without --engine dask")


def test_text_that_is_all_numbers_is_read_as_numbers():
    """A bernoulli column sent to the labels reader whose text is numbers after all ('+1',
    ' 0': pyarrow reads such columns as numbers, so this is the reader's guard) is fitted
    as numbers, as in memory; numbers other than 0 and 1 are refused, named."""
    from mlefit.io.column import Record
    from mlefit.io.readers import ReadOptions
    from mlefit.io.stream_labels import _outcomes

    report = Record("x", np.empty(0), None, 3, ())
    x, same = _outcomes(np.array(["+1", " 0", "1.0"], dtype=object), report, ReadOptions())
    assert x.tolist() == [1.0, 0.0, 1.0] and same is report
    with pytest.raises(DataError, match=r"column 'x' has values outside the support of bernoulli \(0 or 1\): '2'; "
                                        r"drop --chunk-size \(or give --chunk-size 0\) to see their lines"):
        _outcomes(np.array(["1", "2"], dtype=object), report, ReadOptions())


@pytest.mark.parametrize("dist", ["binomial", "beta_binomial"])
def test_trials_fits_import_no_scipy(overdispersed, dist):
    """The constant log C(t, x) of their log-likelihood comes from gamma_arrays.log_beta:
    scipy.special (0.2-0.5 s to import) is not loaded, streamed or in memory."""
    from test_startup import loaded

    for extra in ([], ["--chunk-size", "0"]):
        mods = loaded(["mlefit", "fit", overdispersed, "-d", dist, "--trials", "20", "--json", *extra])
        assert "mlefit.families.counts" in mods
        assert not {"scipy", "scipy.special", "scipy.stats", "pandas"} & set(mods)


def test_coded_counts_are_value_counts_of_the_decoded_cells():
    """Chunks with their own dictionaries (a label in several, in different places), nulls
    in some: the same distinct values and counts as pyarrow's value_counts of the text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from mlefit.io.stream_labels import _coded_counts

    rng = np.random.default_rng(5)
    words = ["b", "a", " b ", "NA", "c", "10"]
    chunks = []
    for size in (0, 7, 1, 300, 40):
        cells = [None if rng.random() < 0.1 else str(rng.choice(words[:rng.integers(1, 7)])) for _ in range(size)]
        chunks.append(pc.dictionary_encode(pa.array(cells, pa.string())))
    coded = pa.chunked_array(chunks, pa.dictionary(pa.int32(), pa.string()))
    values, tally = _coded_counts(coded)
    want = pc.value_counts(pc.cast(coded, pa.string()))
    got = dict(zip(values.to_pylist(), tally.tolist()))
    assert got == dict(zip(want.field("values").to_pylist(), want.field("counts").to_pylist()))
    assert len(got) == len(values)
    assert tally.dtype == np.float64 and None in got
    unused = pa.chunked_array([pa.DictionaryArray.from_arrays(pa.array([0, 2, 0, None], pa.int32()),
                                                              pa.array(["a", "zzz", "b"]))])
    values, tally = _coded_counts(unused)  # a dictionary value no row has (a Parquet category) is no label
    assert values.to_pylist() == ["a", "b", None] and tally.tolist() == [2.0, 1.0, 1.0]


def test_a_parquet_category_no_row_has_is_no_label_on_dask(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "cat.parquet"
    cells = pa.DictionaryArray.from_arrays(pa.array([0, 1, 0, 0], pa.int32()), pa.array(["a", "b", "zzz"]))
    pq.write_table(pa.table({"k": cells}), path)
    runner = CliRunner()
    dask = json.loads(runner.invoke(cli, ["fit", str(path), "-d", "categorical", "--engine", "dask", "--json"]).stdout)
    memory = json.loads(runner.invoke(cli, ["fit", str(path), "-d", "categorical", "--json"]).stdout)
    assert [p["name"] for p in dask["parameters"]] == ["p[a]", "p[b]"] == [p["name"] for p in memory["parameters"]]
    assert dask["aic"] == memory["aic"]


def test_labels_in_chunks_are_counted_from_their_codes(labels_file, monkeypatch):
    """The chunked reader parses labels dictionary-encoded and counts the codes (not the
    text cell by cell): the fit it prints is the in-memory one."""
    from mlefit.io import stream_labels

    calls = []
    coded = stream_labels._coded_counts
    monkeypatch.setattr(stream_labels, "_coded_counts", lambda cells: calls.append(len(cells)) or coded(cells))
    chunked = fit_json(["fit", labels_file, "-d", "categorical", "--chunk-size", "1000"])
    assert len(calls) >= 10 and sum(calls) == 199_999  # every cell but the empty one (a blank line)
    assert without_chunk_note(chunked) == fit_json(["fit", labels_file, "-d", "categorical", "--chunk-size", "0"])
