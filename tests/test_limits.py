"""The documented bounds on one run's work (docs/limits.md), and the progress line a
long stage writes off a terminal (issue 20, point 8)."""
import numpy as np
import pytest
from click.testing import CliRunner

import mlefit
from mlefit.cli import cli
from mlefit.errors import UsageError
from mlefit.limits import MAX_BOOTSTRAP

DATA = "x\n1\n2\n3.5\n4\n2.2\n"
OVER = ("mlefit: error: --bootstrap 1000000000000 is over the limit of 100000 resamples (at 100000 the Monte "
        "Carlo error of a p-value or an interval's level is under 0.002); give at most 100000")


def run(*args, input=DATA):
    return CliRunner().invoke(cli, list(args), input=input)


@pytest.mark.parametrize("args", [
    ["fit", "-", "-d", "normal", "--bootstrap", "1000000000000"],
    ["fit", "-", "-d", "normal", "--interval", "bootstrap", "--bootstrap", "1000000000000"],
    ["fit", "-", "-d", "normal", "--gof", "--bootstrap", "1000000000000"],
    ["fit", "-", "-d", "auto", "--bootstrap", "1000000000000"],
    ["select", "-", "--bootstrap", "1000000000000"],
])
def test_a_bootstrap_over_the_limit_is_refused_at_once(args):
    """--bootstrap 10**12 was accepted and ran for hours, silently off a terminal."""
    result = run(*args)
    assert result.exit_code == 2 and result.stderr.strip() == OVER and result.stdout == ""


def test_the_library_keeps_the_same_limit():
    x = [1.0, 2.0, 3.5, 4.0, 2.2]
    with pytest.raises(UsageError, match="over the limit of 100000 resamples"):
        mlefit.fit(x, "normal", interval="bootstrap", bootstrap=MAX_BOOTSTRAP + 1)
    from mlefit import families
    from mlefit.inference.gof import goodness_of_fit
    with pytest.raises(UsageError, match="over the limit"):
        goodness_of_fit(families.get("normal"), np.array(x), (2.5, 1.0), 2, bootstrap=MAX_BOOTSTRAP + 1)
    from mlefit.inference.resample import bootstrap
    fitted = mlefit.fit(x, "normal").fitted
    with pytest.raises(UsageError, match="over the limit"):
        bootstrap(fitted, MAX_BOOTSTRAP + 1)


def test_a_long_bootstrap_says_one_line_off_a_terminal(monkeypatch):
    from mlefit.report import progress
    monkeypatch.setattr(progress, "AFTER", 0.0)
    result = run("fit", "-", "-d", "normal", "--interval", "bootstrap", "--bootstrap", "50")
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("mlefit: bootstrap intervals") for line in lines)
    assert len(lines) <= 4  # no redrawn bar: a line to start and at most one per quarter
    gof = run("fit", "-", "-d", "normal", "--gof", "--bootstrap", "20")
    assert gof.stderr.splitlines()[0].startswith("mlefit: bootstrap goodness of fit")


@pytest.mark.parametrize("more", [[], ["--by", "c3"], ["-w", "c3"]])
def test_a_wide_file_without_a_column_is_answered_from_its_header(monkeypatch, more, tmp_path):
    """A 100,000-column file took 19 s and 1.8 GB to say 'choose a column': every
    column was converted to look for the only numeric one. Over GUESS_COLUMNS, the
    header alone answers, and no cell is parsed."""
    from mlefit.io import readers
    from mlefit.limits import GUESS_COLUMNS
    k = GUESS_COLUMNS + 1
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(k)) + "\n" + ",".join(["1.5"] * k) + "\n")
    converted = []
    real = readers._read_csv
    monkeypatch.setattr(readers, "_read_csv", lambda *a, **kw: converted.append(1) or real(*a, **kw))
    result = run("fit", str(path), "-d", "normal", *more)
    assert result.exit_code == 2 and converted == []
    assert result.stderr.strip() == (f"mlefit: error: the file has {k} columns (c0, c1, c2, c3, c4, c5, c6, c7, "
                                     f"c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, ... ({k - 20} "
                                     f"more)); choose one with --column NAME")


def test_a_named_column_of_a_wide_frame_converts_only_the_columns_asked_for(monkeypatch, tmp_path):
    from mlefit.io import readers
    path = tmp_path / "wide.csv"
    path.write_text("a,g,b,c\n1,u,x,y\n2,u,x,y\n4,v,x,y\n5,v,x,y\n")
    seen = []
    real = readers._read_csv
    monkeypatch.setattr(readers, "_read_csv", lambda *a: seen.append(a[-1]) or real(*a))
    result = run("fit", str(path), "-d", "normal", "-c", "a", "--by", "g", "--json")
    assert result.exit_code == 0 and seen == [["a", "g"]]


def test_contours_on_a_grid_over_the_limit_are_refused_before_any_fit_of_the_grid(tmp_path, monkeypatch):
    """likelihood --grid 1000 for student_t (a million profile fits) ran for hours."""
    from mlefit.report import plots
    from mlefit.limits import MAX_CONTOUR_GRID
    monkeypatch.setattr(plots, "_contours", lambda *a: pytest.fail("the grid was started"))
    data = "x\n1.2\n-0.3\n2.5\n0.7\n3.1\n-1.4\n0.2\n5.9\n"
    out = str(tmp_path / "l.png")
    result = run("likelihood", "-", "-d", "student_t", "--plot", out, "--grid", str(MAX_CONTOUR_GRID + 1), input=data)
    assert result.exit_code == 2 and "is 10,404 profile fits" in result.stderr
    assert f"give --grid {MAX_CONTOUR_GRID} or less" in result.stderr
    curve = run("likelihood", "-", "-d", "normal", "--params", "mu", "--plot", out, "--grid", "1000", input=data)
    assert curve.exit_code == 0, curve.output  # one parameter: 1000 points are allowed


def test_a_quantity_whose_fits_fail_far_out_gets_an_open_end_not_a_hunt():
    """--derive sd for student_t on 10 values hunted for 144 s for constrained fits that
    kept failing far above the estimate, then gave no profile interval at all; after a
    few failures beyond a point still inside the threshold, that side is open from it."""
    from mlefit.inference.profile import profile_quantity
    x = [0.3, -1.2, 2.2, 0.9, -0.4, 1.7, 3.1, -2.0]
    fitted = mlefit.fit(x, "normal").fitted
    calls = []

    def g(theta):  # the mean, undefined (NaN) from 1.2 on, where the interval would reach
        calls.append(1)
        return theta[0] if theta[0] < 1.2 else float("nan")
    lo, hi, note = profile_quantity(fitted, g)
    assert lo == pytest.approx(mlefit.fit(x, "normal", interval="profile").parameters[0].ci_lower, rel=1e-6)
    assert hi == float("inf")
    assert "beyond it the constrained fits fail" in note and "so its interval is open above: > 1." in note
    assert len(calls) < 20000
