"""--plot of a censored fit (issue 17, point 4): the fitted survival over Kaplan-Meier or
Turnbull's NPMLE, and Q-Q and P-P plots against it (fitdistrplus's qqcompcens and
ppcompcens). The numbers drawn are read back from the figure's artists and compared with
an independent computation: scipy.stats' quantiles and CDFs, lifelines' Kaplan-Meier,
and the NPMLE's closed form on disjoint intervals (the observed frequencies)."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.stats as st

import mlefit
from mlefit.censored import rows as censoring
from mlefit.errors import UsageError
from mlefit.report.plots_censored import ENTRY, figure, plot_survival

ROOT = Path(__file__).resolve().parent.parent


def panels(result):
    fig, info = figure(result)
    axes = {ax.get_gid(): ax for ax in fig.axes}
    assert set(axes) == {"mlefit-survival", "mlefit-qq", "mlefit-pp"} and info["axes"] == 3
    return axes, info


def points(ax):
    """(x, y) of the nonparametric estimate's points in a panel."""
    (line,) = [a for a in ax.lines if a.get_gid() == "mlefit-npmle"]
    return line.get_xdata(), line.get_ydata()


def boxes(ax):
    """(x0, x1, y0, y1) of the rectangles in a panel."""
    (coll,) = [c for c in ax.collections if c.get_gid() == "mlefit-npmle"]
    v = np.array([p.vertices[:4] for p in coll.get_paths()])
    return v[:, 0, 0], v[:, 1, 0], v[:, 0, 1], v[:, 2, 1]


def at_plotting_positions(axes, x, law):
    """The Q-Q points are (law's quantile at (i - 0.5)/n, x_(i)), the P-P points (law's CDF
    at x_(i), (i - 0.5)/n), for sorted distinct values x all seen."""
    p = (np.arange(1, x.size + 1) - 0.5) / x.size
    qx, qy = points(axes["mlefit-qq"])
    assert np.allclose(qx, law.ppf(p), rtol=1e-8) and np.array_equal(qy, x)
    px, py = points(axes["mlefit-pp"])
    assert np.allclose(px, law.cdf(x), atol=1e-10) and np.allclose(py, p, atol=1e-12)


def test_with_nothing_censored_the_points_are_the_plotting_positions():
    """Kaplan-Meier without censoring steps 1/n at each value: the Q-Q points are
    (Q((i - 0.5)/n), x_(i)) and the P-P points (F(x_(i)), (i - 0.5)/n), as for an
    uncensored fit."""
    x = np.sort(np.random.default_rng(4).gamma(3.0, 2.0, 60))
    r = mlefit.fit(censoring.from_event(x, np.ones(x.size)), "gamma")
    axes, info = panels(r)
    assert info["nonparametric"] == "Kaplan-Meier"
    at_plotting_positions(axes, x, st.gamma(r.estimates["shape"], scale=1 / r.estimates["rate"]))


def test_kaplan_meier_points_against_lifelines_and_scipy():
    lifelines = pytest.importorskip("lifelines")
    rng = np.random.default_rng(12)
    t = rng.weibull(1.4, 200) * 20.0
    c = rng.uniform(0, 40.0, t.size)
    y, event = np.round(np.minimum(t, c), 1), t <= c  # ties, as real data have
    r = mlefit.fit(censoring.from_event(y, event), "weibull")
    axes, _ = panels(r)
    km = lifelines.KaplanMeierFitter().fit(y, event)
    times = np.unique(y[event])
    after = 1.0 - km.survival_function_at_times(times).to_numpy()
    middle = (np.r_[0.0, after[:-1]] + after) / 2
    law = st.weibull_min(r.estimates["shape"], scale=r.estimates["scale"])
    qx, qy = points(axes["mlefit-qq"])
    assert np.allclose(qx, law.ppf(middle), rtol=1e-9) and np.array_equal(qy, times)
    px, py = points(axes["mlefit-pp"])
    assert np.allclose(px, law.cdf(times), rtol=1e-12) and np.allclose(py, middle, atol=1e-12)


def test_turnbull_rectangles_on_disjoint_intervals():
    """Rows in disjoint intervals (k, k + 1] (and one left-censored class, (-inf, 1]):
    the NPMLE is their frequencies, so the rectangles are known in closed form: Q-Q
    [Q(F_before), Q(F_after)] x [k, k + 1], P-P [F(k), F(k + 1)] x [F_before, F_after]."""
    rng = np.random.default_rng(3)
    k = np.floor(rng.lognormal(1.2, 0.5, 300))
    lower = np.where(k < 1, np.nan, k)
    r = mlefit.fit(censoring.from_bounds(lower, k + 1.0), "lognormal")
    axes, info = panels(r)
    assert info["nonparametric"] == "Turnbull"
    ends = np.unique(k + 1.0)
    after = np.array([np.mean(k + 1.0 <= e) for e in ends])
    before = np.r_[0.0, after[:-1]]
    left = np.where(ends <= 1.0, -np.inf, ends - 1.0)
    law = st.lognorm(r.estimates["sdlog"], scale=np.exp(r.estimates["meanlog"]))
    x0, x1, y0, y1 = boxes(axes["mlefit-pp"])
    assert np.allclose(x0, law.cdf(left), atol=1e-12) and np.allclose(x1, law.cdf(ends), atol=1e-12)
    assert np.allclose(y0, before, atol=1e-8) and np.allclose(y1, after, atol=1e-8)
    x0, x1, y0, y1 = boxes(axes["mlefit-qq"])
    low, high = axes["mlefit-qq"].get_xlim()
    inner = slice(1, -1)  # the first starts at Q(0) = 0 and the last ends at Q(1) = inf, beyond the axes
    assert np.allclose(x0[inner], law.ppf(before[inner]), rtol=1e-6)
    assert np.allclose(x1[inner], law.ppf(after[inner]), rtol=1e-6)
    assert x0[0] == 0.0 and x1[-1] > high
    assert np.array_equal(y1, ends) and np.array_equal(y0[1:], left[1:]) and y0[0] < low


def test_a_censored_count_fit_is_drawn_on_its_points():
    """A discrete family: '<2' is (-inf, 1], a count y is the step at y, '>=5' is (4, inf]:
    disjoint, so the NPMLE is the frequencies and the P-P rectangles are [F(a), F(b)] x
    [F_before, F_after] with scipy's poisson CDF."""
    y = np.random.default_rng(2).poisson(3.0, 300)
    cells = [">=5" if v >= 5 else ("<2" if v < 2 else str(v)) for v in y]
    r = mlefit.fit(censoring.from_cells(cells), "poisson")
    axes, info = panels(r)
    assert info["nonparametric"] == "Turnbull"
    classes = np.minimum(np.maximum(y, 1), 5)  # 1: below 2, 5: 5 or more
    after = np.array([np.mean(classes <= c) for c in (1, 2, 3, 4, 5)])
    law = st.poisson(r.estimates["rate"])
    x0, x1, y0, y1 = boxes(axes["mlefit-pp"])
    assert np.allclose(x0, law.cdf([-np.inf, 1, 2, 3, 4]), atol=1e-12)
    assert np.allclose(x1, [law.cdf(1), law.cdf(2), law.cdf(3), law.cdf(4), 1.0], atol=1e-12)
    assert np.allclose(y1, after, atol=1e-8) and np.allclose(y0, np.r_[0.0, after[:-1]], atol=1e-8)


def test_truncated_rows_are_compared_with_the_truncated_law():
    """Rows recorded only above 8 are a sample of the fitted normal truncated there: the
    Q-Q and P-P points are scipy's truncnorm quantiles and CDF at the plotting positions."""
    rng = np.random.default_rng(4)
    x = np.sort(rng.normal(10.0, 4.0, 3000))
    x = x[x > 8.0][:300]
    r = mlefit.fit(censoring.truncated(censoring.exact(x), lower=8.0), "normal")
    axes, _ = panels(r)
    mu, sigma = r.estimates["mu"], r.estimates["sigma"]
    at_plotting_positions(axes, x, st.truncnorm((8.0 - mu) / sigma, np.inf, loc=mu, scale=sigma))


def test_zero_truncated_counts_with_censoring():
    """Counts recorded only above 0 (zero-truncated Poisson), written '<3' below 3 and
    '>=5' from 5: disjoint classes, so Turnbull's estimate is their frequencies, and the P-P
    rectangles are [F_T(a), F_T(b)] with F_T(y) = (F(y) - F(0)) / (1 - F(0)) from scipy's
    poisson."""
    y = np.random.default_rng(8).poisson(2.0, 400)
    y = y[y > 0]
    cells = [">=5" if v >= 5 else "<3" if v < 3 else str(v) for v in y]
    r = mlefit.fit(censoring.truncated(censoring.from_cells(cells), lower=0.0), "poisson")
    axes, info = panels(r)
    law = st.poisson(r.estimates["rate"])

    def f_t(v):
        return (law.cdf(v) - law.cdf(0)) / law.sf(0)
    classes = np.clip(y, 2, 5)
    after = np.array([np.mean(classes <= c) for c in (2, 3, 4, 5)])
    x0, x1, y0, y1 = boxes(axes["mlefit-pp"])
    assert info["nonparametric"] == "Turnbull"
    assert np.allclose(x0, np.r_[0.0, f_t(np.arange(2, 5))], atol=1e-12)
    assert np.allclose(x1, np.r_[f_t(np.arange(2, 5)), 1.0], atol=1e-12)
    assert np.allclose(y1, after, atol=1e-8) and np.allclose(y0, np.r_[0.0, after[:-1]], atol=1e-8)


def test_delayed_entry_against_lifelines():
    """Entry times that differ between rows: Kaplan-Meier with delayed entry (lifelines'
    KaplanMeierFitter(entry=...)) estimates the law given X > the earliest entry, so the
    P-P points are (F_T(t), its step's middle) with F_T the fitted weibull truncated there
    (scipy's weibull_min), and the Q-Q points F_T's quantiles at the middles."""
    lifelines = pytest.importorskip("lifelines")
    rng = np.random.default_rng(9)
    t = rng.weibull(1.4, 300) * 20.0
    c = rng.uniform(0, 40.0, t.size)
    y, event = np.round(np.minimum(t, c), 1), t <= c
    y, event = y[y > 2.0], event[y > 2.0]
    late = rng.random(y.size) < 0.5  # every row enters at 1, half of them later: up to 6 or half their time
    entry = np.where(late, np.round(np.clip(rng.uniform(0, 6.0, y.size), 1.0, y / 2), 1), 1.0)
    assert entry.min() == 1.0 and np.unique(entry).size > 10
    r = mlefit.fit(censoring.truncated(censoring.from_event(y, event), entry=entry), "weibull")
    axes, info = panels(r)
    assert info["nonparametric"] == "Kaplan-Meier"
    km = lifelines.KaplanMeierFitter().fit(y, event, entry=entry)
    times = np.unique(y[event])
    after = 1.0 - km.survival_function_at_times(times).to_numpy()
    middle = (np.r_[0.0, after[:-1]] + after) / 2
    law = st.weibull_min(r.estimates["shape"], scale=r.estimates["scale"])
    first = entry.min()
    px, py = points(axes["mlefit-pp"])
    assert np.allclose(px, (law.cdf(times) - law.cdf(first)) / law.sf(first), atol=1e-10)
    assert np.allclose(py, middle, atol=1e-12)
    qx, _ = points(axes["mlefit-qq"])
    assert np.allclose(qx, law.ppf(law.cdf(first) + middle * law.sf(first)), rtol=1e-8)


def test_interval_rows_with_entry_times_that_differ_are_refused_before_the_fit(tmp_path):
    lower = np.array([1.0, 2.0, 3.0, 5.0, 6.0])
    entry = np.r_[0.0, 0.5, 0.0, 1.0, 0.0]
    delayed = mlefit.fit(censoring.truncated(censoring.from_bounds(lower, lower + 1.0), entry=entry), "weibull")
    with pytest.raises(UsageError, match="--entry times that differ between rows"):
        plot_survival(delayed, tmp_path / "no.png")
    data = tmp_path / "d.csv"
    data.write_text("lo,hi,entry\n" + "".join(f"{v},{v + 1},{s}\n" for v, s in zip(lower, entry)))
    run = subprocess.run([sys.executable, "-m", "mlefit", "fit", str(data), "--lower", "lo", "--upper", "hi",
                          "--entry", "entry", "-d", "weibull", "--plot", str(tmp_path / "p.png")],
                         capture_output=True, text=True)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr == f"mlefit: error: {ENTRY}\n"
    assert not (tmp_path / "p.png").exists()


@pytest.mark.slow
def test_cli_plot_of_interval_data(tmp_path):
    out = tmp_path / "salinity.svg"
    run = subprocess.run([sys.executable, "-m", "mlefit", "fit", str(ROOT / "sample_data" / "salinity.csv"),
                          "--lower", "left", "--upper", "right", "-d", "lognormal", "--json", "--plot", str(out)],
                         capture_output=True, text=True, check=True)
    assert json.loads(run.stdout)["censoring"]["interval"] == 29
    assert "over Turnbull, Q-Q and P-P plots" in run.stderr
    svg = out.read_text()
    assert all(svg.count(f'id="mlefit-{gid}"') == 1 for gid in ("survival", "qq", "pp"))


FAMILIES = ["poisson", "geometric", "negative_binomial", "binomial:10", "zero_inflated_poisson", "normal", "laplace",
            "exponential", "gamma", "lognormal", "weibull", "student_t", "logistic", "cauchy", "gumbel",
            "log_logistic", "inverse_gaussian", "half_normal", "rayleigh", "huber:1.345", "asymmetric_laplace:0.3"]


@pytest.mark.parametrize("name", FAMILIES)
def test_every_family_that_takes_censored_rows_is_drawn(name):
    """Right-censored rows of every family that fits them: the Q-Q points' fitted CDF is
    the Kaplan-Meier middle they were drawn at (scipy's CDF where the family has one; huber
    has none and is inverted on its own integrated density)."""
    rng = np.random.default_rng(6)
    fam = mlefit.families.get(name)
    x = rng.negative_binomial(3, 0.3, 150).astype(float) if fam.spec.discrete else rng.gamma(4.0, 2.0, 150)
    if name.startswith("binomial"):
        x = rng.binomial(10, 0.4, 150).astype(float)
    event = rng.random(x.size) < 0.7
    r = mlefit.fit(censoring.from_event(x, event), name)
    axes, info = panels(r)
    assert info["nonparametric"] == "Kaplan-Meier"
    qx, qy = points(axes["mlefit-qq"])
    _, middle = points(axes["mlefit-pp"])
    frozen = fam.scipy(r.fitted.theta) if callable(fam.scipy) else None
    if frozen is not None:
        cdf = frozen.cdf
    elif fam.cdf is not None:  # zero_inflated_poisson: its own CDF
        cdf = lambda v: fam.cdf_values(v, r.fitted.theta)  # noqa: E731
    else:
        assert name.startswith("huber")
        return
    if fam.spec.discrete:  # the smallest count whose CDF reaches the probability
        assert np.all(cdf(qx) >= middle - 1e-12) and np.all(cdf(qx - 1) < middle)
    else:
        assert np.allclose(cdf(qx), middle, atol=1e-8)


def test_kaplan_meier_with_delayed_entry_and_its_band_against_lifelines():
    lifelines = pytest.importorskip("lifelines")
    from mlefit.censored import kaplan_meier
    rng = np.random.default_rng(9)
    t = np.round(rng.weibull(1.4, 300) * 20.0, 1) + 1.0
    c = rng.uniform(0, 40.0, t.size) + 1.0
    y, event = np.minimum(t, c), t <= c
    entry = np.where(rng.random(y.size) < 0.5, np.round(np.minimum(rng.uniform(0, 6.0, y.size), y / 2), 1), 0.0)
    w = rng.integers(1, 4, y.size).astype(float)
    times, s, lower, upper = kaplan_meier.curve(y, event, w, confidence=0.95, entry=entry)
    km = lifelines.KaplanMeierFitter().fit(y, event, entry=entry, weights=w)
    assert np.allclose(s, km.survival_function_at_times(times).to_numpy(), atol=1e-12)
    band = km.confidence_interval_survival_function_.loc[times].to_numpy()
    assert np.allclose(lower, band[:, 0], atol=1e-12) and np.allclose(upper, band[:, 1], atol=1e-12)


def test_many_kaplan_meier_steps_are_thinned_to_the_uncensored_plots_limit():
    from mlefit.report.plots import MAX_POINTS
    rng = np.random.default_rng(1)
    y = rng.exponential(5.0, 3 * MAX_POINTS)
    event = rng.random(y.size) < 0.8
    axes, _ = panels(mlefit.fit(censoring.from_event(y, event), "exponential"))
    times = np.unique(y[event])
    for gid in ("mlefit-qq", "mlefit-pp"):
        _, drawn = points(axes[gid])
        assert drawn.size == MAX_POINTS
    _, qy = points(axes["mlefit-qq"])
    assert qy[0] == times[0] and qy[-1] == times[-1]
