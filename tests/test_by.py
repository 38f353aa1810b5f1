"""--by: one fit per group, as a table, one JSON object, or NDJSON lines."""
import json

import numpy as np
import pytest
from click.testing import CliRunner

import mlefit
from mlefit.cli import cli

TEXT = "g,x,w\na,1.2,1\na,2.3,2\na,0.7,1\nb,5.1,1\nb,4.2,1\nb,6.3,3\n10,3,1\n2,4.5,1\n2,5.5,1\n,4,1\n"


def run(*args, input=TEXT):
    return CliRunner().invoke(cli, list(args), input=input)


def test_json_groups_equal_separate_fits():
    result = run("fit", "-", "-c", "x", "--by", "g", "-d", "normal", "--json")
    assert result.exit_code == 1  # group '10' has one row: it is reported, the others fit
    out = json.loads(result.stdout)
    assert out["by"] == "g" and out["n_dropped"] == 1 and out["dropped"][0]["reason"] == "missing group (g)"
    groups = {g["group"]: g for g in out["groups"]}
    assert list(groups) == ["2", "10", "a", "b"]  # numbers in numeric order, then text
    assert "too few observations" in groups["10"]["error"]
    for label, xs in (("a", [1.2, 2.3, 0.7]), ("b", [5.1, 4.2, 6.3]), ("2", [4.5, 5.5])):
        alone = mlefit.fit(xs, "normal").to_dict()
        assert groups[label]["parameters"] == alone["parameters"]
        assert groups[label]["loglik"] == alone["loglik"]
    assert "1 of 4 groups could not be fitted (10)" in result.stderr


def test_ndjson_one_line_per_group_and_weights():
    result = run("fit", "-", "-c", "x", "--by", "g", "-w", "w", "-d", "gamma", "--format", "ndjson")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["group"] for d in lines] == ["2", "10", "a", "b"]
    a = next(d for d in lines if d["group"] == "a")
    ref = mlefit.fit([1.2, 2.3, 0.7], "gamma", weights=[1, 2, 1])
    assert a["weights"] == "w" and a["n"] == 4
    assert [p["estimate"] for p in a["parameters"]] == pytest.approx(list(ref.estimates.values()), rel=1e-12)


def test_table_and_all_groups_fitting():
    text = "g,x\na,1\na,2\nb,0\nb,3\nb,1\n"
    result = run("fit", "-", "-c", "x", "--by", "g", "-d", "poisson", input=text)
    assert result.exit_code == 0 and result.stderr == ""
    assert "rate (SE)" in result.stdout and " a " in result.stdout and " b " in result.stdout
    cat = run("fit", "-", "-c", "x", "--by", "g", "-d", "categorical", "--json", input=text)
    assert cat.exit_code == 0 and len(json.loads(cat.stdout)["groups"]) == 2


def test_by_errors():
    result = run("fit", "-", "-", "-c", "x", "--by", "g", "-d", "normal")
    assert result.exit_code == 2 and "--by reads one file" in result.stderr
    result = run("fit", "-", "-c", "x", "--by", "nope", "-d", "normal")
    assert result.exit_code == 2 and "no column 'nope'" in result.stderr


def test_library_fit_by():
    from mlefit.groups import fit_by
    rows = fit_by(np.array([1.0, 2.0, 3.0, 5.0]), ["u", "u", "v", "v"], "exponential")
    assert [r["group"] for r in rows] == ["u", "v"] and rows[0]["parameters"][0]["estimate"] == pytest.approx(1 / 1.5)


@pytest.mark.parametrize("options,said", [
    (["--chunk-size", "10"], "--by needs every value in memory: drop --chunk-size"),
    (["--engine", "dask"], "--by needs every value in memory; drop --engine dask"),
    (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler goes with --engine dask"),
])
def test_by_refuses_the_chunked_and_dask_engines(options, said):
    """Issue 19, point 4: --by fits in memory; the engine options were silently ignored (exit 0)."""
    result = run("fit", "-", "-c", "x", "--by", "g", "-d", "normal", *options)
    assert result.exit_code == 2 and said in result.stderr and result.stdout == ""


def test_grouping_in_one_pass_equals_the_label_by_label_rows():
    from mlefit.groups import grouped
    rng = np.random.default_rng(1)
    groups = rng.choice(["b", "a", "10", "2", "x\x1b", "-1.5"], 500)
    labels, members = grouped(groups)
    assert labels == ["-1.5", "2", "10", "a", "b", "x\x1b"]  # numbers in numeric order, then text
    for label, rows in zip(labels, members):
        assert rows.tolist() == np.flatnonzero(groups == label).tolist()  # in file order
    assert grouped(np.array([3, 1, 3, 2]))[0] == ["1", "2", "3"]


def test_ndjson_lines_are_written_as_each_group_is_fitted(monkeypatch):
    """Issue 20, point 8: NDJSON waited for every group; a run stopped after two groups
    has written their two lines."""
    import mlefit.estimate
    real, calls = mlefit.estimate.fit, []

    def fit_then_stop(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)
    monkeypatch.setattr(mlefit.estimate, "fit", fit_then_stop)
    result = run("fit", "-", "-c", "x", "--by", "g", "-d", "normal", "--format", "ndjson")
    assert result.exit_code == 130
    lines = result.stdout.splitlines()
    assert [json.loads(line)["group"] for line in lines[:2]] == ["2", "10"]
    assert '"group":"a"' not in result.stdout  # then the interruption's JSON error object


def test_progress_off_a_terminal_is_one_line_for_the_groups(monkeypatch):
    """Issue 21, point 10: --by with many groups said nothing on stderr off a terminal;
    past progress.AFTER (0 here) it says what it is doing, on stderr only."""
    from mlefit.report import progress
    monkeypatch.setattr(progress, "AFTER", 0.0)
    result = run("fit", "-", "-c", "x", "--by", "g", "-d", "normal", "--format", "ndjson")
    lines = result.stderr.splitlines()
    assert lines[0].startswith("mlefit: fitting 4 groups")
    assert "1 of 4 groups could not be fitted" in lines[-1]
    assert len(result.stdout.splitlines()) == 4
