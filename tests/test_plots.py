"""Plots (mlefit.report.plots) and `mlefit likelihood`: the files decode, hold the panels
drawn, and the numbers behind them are right (quantiles, plotting positions, the
profile log-likelihood, the interval and the region)."""
import math
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import mlefit
import mlefit.cli.likelihood  # registers `likelihood` on the group
from mlefit.report import plots
from mlefit.cli import cli
from mlefit.io.column import read_column

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
MICHELSON = str(SAMPLE / "michelson.csv")
HORSEKICKS = str(SAMPLE / "horsekicks.csv")


def speeds():
    return read_column([MICHELSON], column="speed")


def svg_panels(path):
    """The root tag of an SVG file and the ids of the panels mlefit tagged in it."""
    root = ET.parse(path).getroot()
    ids = [e.get("id") for e in root.iter() if (e.get("id") or "").startswith("mlefit-")]
    return root.tag, ids


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


# ------------------------------------------------------------------ no matplotlib at import
def test_importing_the_plot_modules_does_not_import_matplotlib():
    code = ("import sys, mlefit.report.plots, mlefit.cli, mlefit.cli.likelihood; "
            "sys.exit(1 if any(m.startswith('matplotlib') for m in sys.modules) else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


# ------------------------------------------------------------------ plot_fit
def test_plot_fit_continuous_png(tmp_path):
    x = np.random.default_rng(1).gamma(2.3, 1 / 1.4, 300)
    path = tmp_path / "gamma.png"
    info = plots.plot_fit(mlefit.fit(x, "gamma"), path)
    assert info == {"path": str(path), "format": "png", "kind": "fit", "axes": 3}
    import matplotlib.image
    assert matplotlib.image.imread(path).shape == (480, 1500, 4)


def test_plot_fit_discrete_svg_has_three_tagged_panels(tmp_path):
    path = tmp_path / "kicks.svg"
    info = plots.plot_fit(mlefit.fit(read_column([HORSEKICKS], column="deaths"), "poisson").fitted, path)
    tag, ids = svg_panels(path)
    assert tag.endswith("svg") and info["axes"] == 3
    assert sorted(ids) == ["mlefit-data", "mlefit-pp", "mlefit-qq"]


@pytest.mark.slow
def test_plot_fit_weighted_pdf_and_huge_counts(tmp_path):
    rng = np.random.default_rng(2)
    x, w = np.round(rng.gamma(2.0, 1.5, 80), 1), rng.integers(1, 6, 80).astype(float)
    path = tmp_path / "weighted.PDF"  # the suffix in any case
    assert plots.plot_fit(mlefit.fit(x, "gamma", weights=w), path)["axes"] == 3
    assert path.read_bytes().startswith(b"%PDF")
    counts = rng.negative_binomial(5, 5 / 505, 300).astype(float)  # a span of ~1500 values: binned
    assert plots.plot_fit(mlefit.fit(counts, "negative_binomial"), tmp_path / "nb.png")["axes"] == 3


def test_weighted_plotting_positions_are_the_midpoints_of_the_repeated_rows():
    x, w = np.array([1.0, 2.0, 5.0]), np.array([3.0, 1.0, 2.0])
    _, p, _ = plots._positions(x, w)
    repeated = (np.arange(1, 7) - 0.5) / 6  # 1, 1, 1, 2, 5, 5
    assert p == pytest.approx([repeated[:3].mean(), repeated[3], repeated[4:].mean()])
    _, p, _ = plots._positions(np.arange(4.0), np.ones(4))
    assert p == pytest.approx([0.125, 0.375, 0.625, 0.875])  # (i - 0.5)/n


@pytest.mark.parametrize("name, x", [("gamma", np.random.default_rng(3).gamma(2.0, 1.0, 50)),
                                     ("poisson", np.random.default_rng(3).poisson(4.0, 50).astype(float))])
def test_quantiles_by_bisection_equal_scipys(name, x):
    f = mlefit.fit(x, name).fitted
    x = np.sort(x)
    p = np.array([1e-6, 0.01, 0.3, 0.5, 0.77, 0.999, 1 - 1e-9])
    cdf = plots._cdf_function(f.family, f.theta, x)
    got = plots._invert(cdf, p, f.family.spec.discrete, x)
    assert got == pytest.approx(f.family.scipy(f.theta).ppf(p), rel=1e-8)  # the CDF is flat in floating point near 1


def test_huber_quantiles_from_its_integrated_density():
    x = np.sort(np.random.default_rng(4).normal(1.0, 1.0, 200))
    f = mlefit.fit(x, "huber:1.345").fitted
    cdf = plots._cdf_function(f.family, f.theta, x)
    mu = f.theta[0]
    assert cdf(np.array([mu]))[0] == pytest.approx(0.5, abs=1e-6)  # symmetric about mu
    # inside delta of mu the density is the normal's, scaled by 1/Z
    z = math.sqrt(2 * math.pi) * (2 * 0.5 * (1 + math.erf(1.345 / math.sqrt(2))) - 1) + 2 * math.exp(-1.345 ** 2 / 2) / 1.345
    inside = math.sqrt(2 * math.pi) * (0.5 * (1 + math.erf(1.0 / math.sqrt(2))) - 0.5) / z
    assert cdf(np.array([mu + 1.0]))[0] - 0.5 == pytest.approx(inside, rel=1e-6)
    q = plots._fitted_quantiles(f.family, f.theta, np.array([0.1, 0.5, 0.9]), cdf, x)
    assert q[1] == pytest.approx(mu, abs=1e-6) and q[0] - mu == pytest.approx(mu - q[2], rel=1e-5)


# ------------------------------------------------------------------ plot_likelihood
def test_one_parameter_curve_and_its_interval(tmp_path):
    x = np.random.default_rng(1).exponential(2.0, 50)
    n, total = x.size, float(x.sum())
    r = mlefit.fit(x, "exponential")
    path = tmp_path / "rate.svg"
    info = plots.plot_likelihood(r, path, grid=31)
    assert info["kind"] == "likelihood" and info["axes"] == 1 and not info["open"]
    tag, ids = svg_panels(path)
    assert tag.endswith("svg") and ids == ["mlefit-likelihood"]
    (rates,), ll = info["values"], info["loglik"]
    assert ll == pytest.approx(n * np.log(rates) - rates * total, rel=1e-12)  # nothing to profile
    assert np.all(ll <= r.loglik + 1e-9) and rates[0] < 1 / x.mean() < rates[-1]
    import scipy.optimize
    import scipy.stats
    q = scipy.stats.chi2.ppf(0.95, 1)
    hat = n / total
    dev = lambda lam: 2 * (n * math.log(hat / lam) + lam * total - n) - q
    exact = (scipy.optimize.brentq(dev, hat / 10, hat), scipy.optimize.brentq(dev, hat, hat * 10))
    assert info["interval"] == pytest.approx(exact, rel=1e-7)
    assert info["level"] == pytest.approx(q, rel=1e-12)


def test_gamma_contours_hold_the_mle_inside_the_region(tmp_path):
    from matplotlib.path import Path as Polygon
    x = np.random.default_rng(5).gamma(2.3, 1 / 1.4, 200)
    r = mlefit.fit(x, "gamma")
    f = r.fitted
    path = tmp_path / "gamma.svg"
    steps, totals = [], []
    info = plots.plot_likelihood(f, path, grid=21, on_step=lambda: steps.append(1), on_total=totals.append)
    assert info["kind"] == "contours" and info["axes"] == 2  # the contours and their colour bar
    assert sorted(svg_panels(path)[1]) == ["mlefit-colorbar", "mlefit-likelihood"]
    assert totals == [21 * 21] and len(steps) == 21 * 21
    assert info["level"] == pytest.approx(-2 * math.log(0.05), rel=1e-12)  # chi-square(2) at 95%
    assert np.all(info["loglik"] <= f.loglik + 1e-9) and not info["open"]
    X, Y = info["values"]
    for r_, c in [(0, 0), (10, 3), (20, 20)]:  # two free parameters: the plain log-likelihood
        assert info["loglik"][r_, c] == pytest.approx(f.loglik_at((X[r_, c], Y[r_, c])), rel=1e-12)
    assert any(Polygon(p).contains_point(f.theta) for p in info["region"])
    assert not any(Polygon(p).contains_point((X[0, 0], Y[0, 0])) for p in info["region"])


def test_strongly_correlated_parameters_get_a_grid_along_the_ridge(tmp_path):
    from matplotlib.path import Path as Polygon
    f = mlefit.fit(speeds(), "gamma").fitted  # shape 116: corr(shape, rate) = 0.998
    info = plots.plot_likelihood(f, tmp_path / "ridge.png", grid=21)
    _, Y = info["values"]
    assert not np.allclose(Y, Y[:, :1])  # the rows follow the ridge, not a box
    assert np.all(info["loglik"] <= f.loglik + 1e-9) and not info["open"]
    inside = [p for p in info["region"] if Polygon(p).contains_point(f.theta)]
    assert inside and len(inside[0]) > 40  # resolved: a smooth closed curve, not a few cells


@pytest.mark.slow
def test_student_t_two_shown_one_profiled_out(tmp_path):
    from matplotlib.path import Path as Polygon
    f = mlefit.fit(speeds(), "student_t").fitted
    info = plots.plot_likelihood(f, tmp_path / "t.png", grid=13)
    import matplotlib.image
    assert matplotlib.image.imread(tmp_path / "t.png").shape == (640, 860, 4)
    assert info["params"] == ("mu", "sigma") and "df profiled out" in info["description"]
    ll, (X, Y) = info["loglik"], info["values"]
    assert np.all(ll <= f.loglik + 1e-7)
    assert any(Polygon(p).contains_point(f.theta[:2]) for p in info["region"])
    # the profile is the maximum over df: at least the best of a fine df grid
    dfs = np.geomspace(0.5, 1e7, 120)
    brute = np.array([[max(f.loglik_at((X[r_, c], Y[r_, c], d)) for d in dfs) for c in range(13)]
                      for r_ in range(13)])
    assert np.all(ll >= brute - 1e-7)


def test_contour_refits_from_the_mle_only_where_the_warm_start_is_far(tmp_path, monkeypatch):
    """Each grid point is fitted from its neighbour's solution; a second fit from the MLE
    only where that start lies far out (df drifting up the ridge towards the normal), not
    at every point: the same profile at about half the inner fits."""
    f = mlefit.fit(speeds(), "student_t").fitted
    fits, points = [], []
    inner, at = plots._Profile._fit, plots._Profile.at
    monkeypatch.setattr(plots._Profile, "_fit", lambda self, *a: fits.append(1) or inner(self, *a))
    monkeypatch.setattr(plots._Profile, "at", lambda self, *a: points.append(1) or at(self, *a))
    info = plots.plot_likelihood(f, tmp_path / "t.png", grid=9)
    assert len(points) > 81 and len(fits) < 1.5 * len(points)  # 2 at (nearly) every point before
    ll, (X, Y) = info["loglik"], info["values"]
    both = np.array([[max(inner(plots._Profile(f, (0, 1)), {0: X[r, c], 1: Y[r, c]}, start)[0]
                          for start in (f.theta, (X[r, c], Y[r, c], 1e6)))
                      for c in range(9)] for r in range(9)])
    assert np.all(ll >= both - 1e-9)


def test_profile_curve_of_df_is_open_above(tmp_path):
    f = mlefit.fit(speeds(), "student_t").fitted
    info = plots.plot_likelihood(f, tmp_path / "df.png", params="df", grid=15)
    lo, hi = info["interval"]
    assert info["open"] and lo < f.theta[2] < hi and "beyond" in info["description"]
    assert np.all(info["loglik"] <= f.loglik + 1e-7)


def test_plot_likelihood_refusals(tmp_path):
    x = np.random.default_rng(6).gamma(2.0, 1.0, 60)
    fixed = mlefit.fit(x, "gamma", fix={"shape": 2.0})
    with pytest.raises(mlefit.UsageError, match=r"shape is fixed at 2, so it has no likelihood to plot; "
                                                r"the estimated parameters are: rate"):
        plots.plot_likelihood(fixed, tmp_path / "a.png", params="shape")
    with pytest.raises(mlefit.UsageError, match="gamma has no parameter 'scale'; its parameters are: shape, rate"):
        plots.plot_likelihood(fixed, tmp_path / "a.png", params=["scale"])
    full = mlefit.fit(x, "gamma")
    with pytest.raises(mlefit.UsageError, match="one or two parameters"):
        plots.plot_likelihood(full, tmp_path / "a.png", params="shape,rate,shape")
    with pytest.raises(mlefit.UsageError, match="named twice"):
        plots.plot_likelihood(full, tmp_path / "a.png", params="rate,rate")
    with pytest.raises(mlefit.UsageError, match="from 5 to 1000"):
        plots.plot_likelihood(full, tmp_path / "a.png", grid=3)
    with pytest.raises(mlefit.UsageError, match="exact interval"):
        plots.plot_likelihood(mlefit.fit(1.5 + x, "pareto"), tmp_path / "a.png", params="xm")
    with pytest.raises(mlefit.UsageError, match="tied together"):
        plots.plot_likelihood(mlefit.fit(x, "normal_mixture:1"), tmp_path / "a.png")
    with pytest.raises(mlefit.UsageError, match="name it .png, .svg or .pdf"):
        plots.plot_likelihood(full, tmp_path / "a.jpg")
    with pytest.raises(mlefit.UsageError, match="categorical fit reproduces"):
        plots.plot_fit(mlefit.fit(["a", "b", "a"], "categorical"), tmp_path / "c.png")
    with pytest.raises(mlefit.DataError, match="does not exist"):
        plots.plot_fit(full, tmp_path / "missing" / "f.png")
    (tmp_path / "dir.png").mkdir()
    with pytest.raises(mlefit.DataError, match=r"cannot write '.*dir\.png'"):
        plots.plot_fit(full, tmp_path / "dir.png")


# ------------------------------------------------------------------ mlefit likelihood
def test_cli_likelihood_writes_the_file(tmp_path):
    path = tmp_path / "L.png"
    result = run("likelihood", MICHELSON, "-c", "speed", "--dist", "gamma", "--plot", path, "--grid", "11")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""  # the line is mlefit's own, on stderr as fit --plot's (issue 19, point 10)
    assert result.stderr == (f"mlefit: wrote {path}: log-likelihood contours of shape and rate (gamma), "
                             f"95% joint confidence region\n")
    assert path.read_bytes().startswith(b"\x89PNG")
    result = run("likelihood", MICHELSON, "-c", "speed", "--dist", "gamma", "--fix", "shape=100",
                 "--plot", tmp_path / "r.svg", "--confidence", "0.9")
    assert result.exit_code == 0 and "log-likelihood of rate (gamma), 90% likelihood interval" in result.stderr
    assert "Usage:" in run("likelihood", "--help").stdout


@pytest.mark.parametrize("extra, message", [
    (["--plot", "L.jpg"], "cannot tell the format of the plot file 'L.jpg' from its suffix; name it .png, .svg or .pdf"),
    (["--plot", "L.png", "--fix", "shape=100", "--params", "shape"],
     "shape is fixed at 100, so it has no likelihood to plot; the estimated parameters are: rate"),
    (["--plot", "L.png", "--params", "shape,scale"], "gamma has no parameter 'scale'; its parameters are: shape, rate"),
])
def test_cli_likelihood_errors(tmp_path, monkeypatch, extra, message):
    monkeypatch.chdir(tmp_path)
    result = run("likelihood", MICHELSON, "-c", "speed", "--dist", "gamma", *extra)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"mlefit: error: {message}\n"
    assert not (tmp_path / "L.png").exists()


def test_cli_likelihood_needs_plot():
    result = run("likelihood", MICHELSON, "-c", "speed", "--dist", "gamma")
    assert result.exit_code == 2 and "--plot" in result.stderr
