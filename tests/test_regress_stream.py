"""mlefit regress read in chunks (regress_read, regress_stream): the same fit as in memory
(estimates, standard errors, log-likelihoods to 1e-10), the rows left out counted across
the chunks as in memory, and the options that need every row refused by name."""
import json

import numpy as np
import pytest
from click.testing import CliRunner

import mlefit
from mlefit.io import regress_read
from mlefit.cli import cli
from mlefit.errors import UsageError


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """A 3000-row file of every response, with a missing cell in two columns, an 'NA'
    and two blank lines, in different chunks of 400 rows."""
    rng = np.random.default_rng(11)
    n = 3000
    X = rng.standard_normal((n, 3))
    off = rng.uniform(-0.5, 0.5, n)
    w = rng.integers(0, 4, n)
    mu = np.exp(0.3 + X @ [0.2, -0.1, 0.05] + off)
    cols = {"yn": 1 + X @ [0.5, -0.3, 0.1] + rng.standard_normal(n),
            "yb": (rng.uniform(size=n) < 1 / (1 + np.exp(-(0.2 + X @ [0.5, -0.3, 0.1])))).astype(int),
            "yp": rng.poisson(mu), "ynb": rng.negative_binomial(3, 3 / (3 + mu)), "yg": rng.gamma(2.0, mu / 2.0),
            "yt": 1 + X @ [0.5, -0.3, 0.1] + rng.standard_t(4, n)}
    path = tmp_path_factory.mktemp("stream") / "rows.csv"
    with open(path, "w") as f:
        f.write("yn,yb,yp,ynb,yg,yt,x1,x2,x3,off,w\n")
        for i in range(n):
            x = ["%.6g" % v for v in X[i]]
            if i in (17, 2500):
                x[1] = ""
            if i == 1200:
                x[2] = "NA"
            ys = [f"{cols['yn'][i]:.6g}", str(cols["yb"][i]), str(cols["yp"][i]), str(cols["ynb"][i]),
                  f"{cols['yg'][i]:.6g}", f"{cols['yt'][i]:.6g}"]
            f.write(",".join(ys + x + [f"{off[i]:.6g}", str(w[i])]) + "\n")
            if i in (100, 2900):
                f.write("\n")
    return str(path)


def both(path, *args):
    a = run("regress", path, *args, "--json", "--chunk-size", "0")
    b = run("regress", path, *args, "--json", "--chunk-size", "400")
    assert a.exit_code == 0, a.output
    assert b.exit_code == 0, b.output
    return json.loads(a.stdout), json.loads(b.stdout)


def same(a, b):
    for key in ("coefficients", "parameters"):
        assert [c["name"] for c in a[key]] == [c["name"] for c in b[key]]
        for ca, cb in zip(a[key], b[key]):
            for k in ("estimate", "se"):
                if ca[k] is not None:
                    assert cb[k] == pytest.approx(ca[k], rel=1e-10, abs=1e-13), (ca["name"], k)
    for k in ("loglik", "loglik_null", "deviance", "aic", "bic", "n"):  # None (no null model): both None
        assert b[k] == a[k] if a[k] is None else b[k] == pytest.approx(a[k], rel=1e-10), k
    assert b["rows_read"] == a["rows_read"] and b["dropped"] == a["dropped"]
    assert b["converged"]


@pytest.fixture(autouse=True)
def small_sample(monkeypatch):
    """A subsample of 500 rows: Newton then takes real steps over every row."""
    monkeypatch.setattr(regress_read, "SAMPLE_ROWS", 500)


@pytest.mark.parametrize("args", [
    ("-y", "yn", "-x", "x1,x2,x3", "-d", "normal"),
    ("-y", "yn", "-x", "x1,x2,x3", "-d", "normal", "-w", "w"),
    ("-y", "yb", "-x", "x1,x2,x3", "-d", "bernoulli"),
    ("-y", "yb", "-x", "x1,x2,x3", "-d", "bernoulli", "--link", "probit"),
    ("-y", "yp", "-x", "x1,x2,x3", "-d", "poisson", "--offset", "off", "-w", "w"),
    ("-y", "ynb", "-x", "x1,x2,x3", "-d", "negative_binomial"),
    ("-y", "ynb", "-x", "x1,x2,x3", "-d", "negative_binomial", "--offset", "off", "-w", "w"),
    ("-y", "yg", "-x", "x1,x2,x3", "-d", "gamma"),
    ("-y", "yp", "-x", "x1,x2", "-d", "poisson", "--no-intercept"),
    ("-y", "yp", "-x", "x1,x2,x3", "-d", "poisson", "--exposure", "yg"),
    ("-y", "yt", "-x", "x1,x2,x3", "-d", "student_t"),
    ("-y", "yt", "-x", "x1,x2,x3", "-d", "student_t", "--fix", "df=4"),
], ids=lambda a: " ".join(a))
def test_chunks_equal_memory(data, args):
    a, b = both(data, *args)
    same(a, b)


def test_drops_counted_across_chunks(data):
    a, b = both(data, "-y", "yp", "-x", "x1,x2,x3", "-d", "poisson")
    assert {d["reason"]: d["count"] for d in b["dropped"]} == {
        "blank line": 2, "missing value in column 'x2'": 2, "missing value in column 'x3'": 1}
    assert b["dropped"] == a["dropped"]
    assert any("line 2503" in f for d in b["dropped"] for f in d["first"])  # the second x2, past the 6th chunk


def test_library_call_and_auto_plan(data):
    """The Python API takes chunk_size; a small file is read in memory by default."""
    r = mlefit.regress(data, "yp", ["x1", "x2", "x3"], dist="poisson", chunk_size=250)
    m = mlefit.regress(data, "yp", ["x1", "x2", "x3"], dist="poisson")
    assert any("read in chunks" in n for n in r.notes) and not any("read in chunks" in n for n in m.notes)
    assert r.loglik == pytest.approx(m.loglik, rel=1e-12)


@pytest.mark.parametrize("extra, said", [
    (("--robust",), "--robust needs every row in memory: drop --chunk-size (or give --chunk-size 0)"),
    (("--interval", "profile"), "--interval profile needs every row in memory"),
    (("--information", "expected"), "--information expected needs every row in memory"),
    (("--folds", "3"), "--folds needs every row in memory"),
])
def test_refused_with_chunk_size(data, extra, said):
    r = run("regress", data, "-y", "yp", "-x", "x1", "-d", "poisson", "--chunk-size", "100", *extra)
    assert r.exit_code == 2 and said in r.output


def test_family_not_streamed(data):
    r = run("regress", data, "-y", "yb", "-x", "x1", "-d", "categorical", "--chunk-size", "100")
    assert r.exit_code == 2 and "drop --chunk-size" in r.output
    with pytest.raises(UsageError, match="student_t|laplace"):
        mlefit.regress(data, "yn", ["x1"], dist="laplace", chunk_size=100)


def test_formula_refused(data):
    r = run("regress", data, "-f", "yp ~ x1 + x2", "-d", "poisson", "--chunk-size", "100")
    assert r.exit_code == 2
    assert "--formula needs every row in memory: drop --chunk-size (or give --chunk-size 0)" in r.output


def test_text_covariate_and_response(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("y,x,g\n" + "".join(f"{i % 2},{i * 0.1},{'ab'[i % 2]}\n" for i in range(50)))
    r = run("regress", p, "-y", "y", "-x", "x,g", "-d", "bernoulli", "--chunk-size", "10")
    assert r.exit_code == 1 and "covariate 'g' is text (e.g. 'a')" in r.output
    r = run("regress", p, "-y", "g", "-x", "x", "-d", "bernoulli", "--chunk-size", "10")
    assert r.exit_code == 2 and "holds text labels" in r.output


def test_rank_deficient_and_edge(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("y,a,b\n" + "".join(f"{i % 3},{i},{2 * i}\n" for i in range(60)))
    r = run("regress", p, "-y", "y", "-x", "a,b", "-d", "poisson", "--chunk-size", "10")
    assert r.exit_code == 1 and "rank deficient: b is a linear combination of a" in r.output
    p.write_text("y,a\n" + "".join(f"0,{i}\n" for i in range(60)))
    r = run("regress", p, "-y", "y", "-x", "a", "-d", "poisson", "--chunk-size", "10")
    assert r.exit_code == 1 and "every count is 0 in 'y'" in r.output


@pytest.mark.parametrize("args", [
    ("-y", "yp", "-x", "x1,x2,x3", "-d", "poisson", "--offset", "off", "-w", "w"),
    ("-y", "yb", "-x", "x1,x2,x3", "-d", "bernoulli"),
], ids=lambda a: " ".join(a))
def test_dask_equals_memory(data, args):
    """--engine dask: each block parsed on a worker, each Newton iteration a map-reduce
    over the blocks (small blocks: several of them); the rows left out placed by line."""
    pytest.importorskip("distributed")
    a = json.loads(run("regress", data, *args, "--json", "--chunk-size", "0").stdout)
    r = run("regress", data, *args, "--json", "--engine", "dask", "--chunk-size", "400")
    assert r.exit_code == 0, r.output
    b = json.loads(r.stdout)
    same(a, b)
    assert any("read on Dask in" in n for n in b["notes"])


def test_dask_refusals(data):
    r = run("regress", data, "-y", "yp", "-x", "x1", "-d", "poisson", "--engine", "dask", "--robust")
    assert r.exit_code == 2
    assert "--engine dask fits from sums over the blocks: --robust needs every row in memory" in r.output
    r = run("regress", data, "-y", "yp", "-x", "x1", "-d", "poisson", "--scheduler", "tcp://127.0.0.1:1")
    assert r.exit_code == 2 and "--scheduler goes with --engine dask" in r.output


def test_separation_refused_in_chunks(tmp_path, monkeypatch):
    """In chunks the passes see the signs of separation; the linear programs then run over
    every row from the store, as in memory, and name the covariate. Rows too many to load
    for them: one line asks for the in-memory fit."""
    from mlefit.regression import stream as regress_stream
    p = tmp_path / "s.csv"
    p.write_text("y,x\n" + "".join(f"{int(i >= 30)},{i}\n" for i in range(60)))
    for size in ("10", "0"):
        r = run("regress", p, "-y", "y", "-x", "x", "-d", "bernoulli", "--chunk-size", size)
        assert r.exit_code == 1 and "complete separation: x separates" in r.output
    monkeypatch.setattr(regress_stream, "SEPARATION_BYTES", 100)
    r = run("regress", p, "-y", "y", "-x", "x", "-d", "bernoulli", "--chunk-size", "10")
    assert r.exit_code == 1 and "signs of separation" in r.output and "--chunk-size 0" in r.output


def test_a_strong_effect_in_chunks_is_not_separation(tmp_path):
    """A linear predictor beyond 30 without separation (x up to 40, slope 1), and rows of
    weight 0 far out: fitted in chunks as in memory (both were refused as signs)."""
    rng = np.random.default_rng(15)
    x = rng.uniform(-40, 40, 3000)
    y = (rng.random(3000) < 1 / (1 + np.exp(-x))).astype(int)
    w = np.where(np.arange(3000) % 50 == 0, 0, 1)
    xe = np.where(w == 0, 80.0, x)
    p = tmp_path / "strong.csv"
    p.write_text("y,x,w,xe\n" + "".join(f"{a},{b},{c},{d}\n" for a, b, c, d in zip(y, x, w, xe)))
    for cols, extra in (("x", ()), ("xe", ("-w", "w"))):
        est = []
        for size in ("300", "0"):
            r = run("regress", p, "-y", "y", "-x", cols, *extra, "-d", "bernoulli", "--chunk-size", size, "--json")
            assert r.exit_code == 0, r.output
            est.append([c["estimate"] for c in json.loads(r.output)["coefficients"]])
        np.testing.assert_allclose(est[0], est[1], rtol=1e-9)


def test_chunks_name_a_missing_response_and_say_why_there_is_no_null_model(tmp_path):
    """As in memory: the response's missing rows counted under its name, and without an
    intercept the note on the missing null model."""
    rng = np.random.default_rng(16)
    x = rng.normal(size=400)
    y = rng.poisson(np.exp(0.3 + 0.5 * x)).astype(str).astype(object)
    y[[5, 77]] = ""
    p = tmp_path / "m.csv"
    p.write_text("yp,x1\n" + "".join(f"{a},{b}\n" for a, b in zip(y, x)))
    got = []
    for size in (50, 0):
        r = mlefit.regress(str(p), "yp", ["x1"], dist="poisson", intercept=False, chunk_size=size)
        assert {d.reason: d.count for d in r.dropped} == {"missing value in column 'yp'": 2}
        assert any(n.startswith("no intercept: no null") for n in r.notes)
        got.append([c.estimate for c in r.coefficients])
    np.testing.assert_allclose(got[0], got[1], rtol=1e-10)


@pytest.mark.parametrize("args", [("-y", "yp", "-x", "x1,x2,x3", "-d", "poisson", "-w", "w"),
                                  ("-y", "yb", "-x", "x1,x2,x3", "-d", "bernoulli")], ids=lambda a: a[5])
def test_the_null_model_in_chunks_takes_one_pass(data, args, monkeypatch):
    """A one-parameter family on its canonical link without offset: the intercept-only MLE is
    the weighted mean response (summed as each chunk's objective is made), so Newton
    certifies it in one pass over the chunks (it took four from the subsample's null)."""
    from mlefit.regression import stream as regress_stream
    passes = []
    real = regress_stream.Passes.each

    def each(self, fn):
        passes.append(self.p)
        return real(self, fn)
    monkeypatch.setattr(regress_stream.Passes, "each", each)
    a, b = both(data, *args)
    assert passes.count(1) == 1, passes
    same(a, b)
