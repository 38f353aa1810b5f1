"""Pictures of one fit, drawn from a Fitted (mlefit.inference.fitted):

plot_fit         the data with the fitted density or mass, a Q-Q plot and a P-P plot;
plot_likelihood  the (profile) log-likelihood of one parameter with its likelihood
                 interval, or contours of it over two parameters with the joint
                 confidence region, the other parameters profiled out.

matplotlib is imported inside the functions (never by `mlefit --help`). Figures are
built as matplotlib.figure.Figure objects and saved through the Agg canvas, without
pyplot: nothing global (the pyplot backend of a notebook, the list of open figures)
is touched, and nothing needs closing.

The categorical family is refused by both: its MLE is the observed proportions, so
there is no fit to look at, and its probabilities (tied to sum to one) cannot be
profiled one at a time; the same holds for normal_mixture's likelihood. Binomial
fits with trials per row are refused by plot_fit (each row has its own distribution).
"""
import math
import textwrap
from pathlib import Path

import numpy as np

from ..constrained import _from_free, _to_free
from ..errors import DataError, UsageError, plain
from ..inference.information import percent
from ..limits import MAX_CONTOUR_GRID
from ..inference.profile_engine import Held, WarmPath, search_side, se_step

FORMATS = (".png", ".svg", ".pdf")
MAX_POINTS = 2000      # points drawn in a Q-Q or P-P plot
MAX_BARS = 60          # discrete values shown one by one; beyond, bins of several
SEARCH_STEPS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)  # in standard errors
LOG_REACH = math.log(1e3)  # how far (a factor) a positive or unit parameter is followed


# ------------------------------------------------------------------ files and figures
def check_path(path):
    """The format ('png', 'svg' or 'pdf') of a plot file, from its suffix; UsageError
    for another suffix, DataError when its folder does not exist."""
    p = Path(path)
    if p.suffix.lower() not in FORMATS:
        raise UsageError(f"cannot tell the format of the plot file '{plain(path)}' from its suffix; "
                         f"name it .png, .svg or .pdf")
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise DataError(f"cannot write '{plain(path)}': the folder '{plain(folder)}' does not exist; "
                        f"create it or choose another path")
    return p.suffix.lower()[1:]


def _figure(width, height):
    from matplotlib.figure import Figure
    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _save(fig, path, fmt):
    try:
        fig.savefig(path, format=fmt)
    except OSError as exc:
        raise DataError(f"cannot write '{plain(path)}': {exc.strerror or exc}; check that the "
                        f"folder is writable") from None


def _fitted(obj):
    """A Fitted from a Fitted or a FitResult."""
    fitted = getattr(obj, "fitted", obj)
    if fitted is None:
        raise DataError("this fit keeps no data to plot (its values were beyond about 1e+-100 and "
                        "were rescaled); rescale the column and fit again")
    return fitted


def _subtitle(fitted):
    w = fitted.w
    size = f"n = {fitted.n:.10g}" if w is None else f"{np.size(fitted.x)} rows, total weight {fitted.n:.6g}"
    values = ", ".join(f"{name} = {v:.4g}" + (" (fixed)" if i in fitted.fixed else "")
                       for i, (name, v) in enumerate(zip(fitted.names, fitted.theta)))
    return textwrap.fill(f"{values} ({size})", 130)


# ------------------------------------------------------------------ plot_fit
def plot_fit(fitted, path, title=None):
    """Write one figure of three panels to `path` (.png, .svg or .pdf): the data with the
    fitted density (a density-scaled histogram) or mass (observed relative frequencies
    beside the fitted probabilities), a Q-Q plot (sorted data against the fitted
    quantiles at plotting positions (i - 0.5)/n, weighted: the midpoints of each row's
    share of the total weight) and a P-P plot (empirical against fitted CDF). Weights
    count as frequencies throughout. `fitted`: a Fitted or a FitResult.
    Returns {"path", "format", "kind": "fit", "axes"}."""
    fitted = _fitted(fitted)
    fmt = check_path(path)
    fam = fitted.family
    if fam.spec.support == "labels":
        raise UsageError("the categorical fit reproduces the observed proportions (p = count / n): "
                         "there is no fit to plot; 'mlefit fit' lists them with their intervals")
    if fam.sides:  # trials per row: the rows (successes, trials) are its data
        raise UsageError(f"cannot plot a {fam.name} fit with trials per row (each row has its own "
                         f"distribution); fit rows with one number of trials ({fam.name}:N)")
    x = np.asarray(fitted.x, dtype=np.float64)
    w = np.ones_like(x) if fitted.w is None else np.asarray(fitted.w, dtype=np.float64)
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    cdf = _cdf_function(fam, fitted.theta, x)

    fig = _figure(15, 4.8)
    data_ax, qq_ax, pp_ax = fig.subplots(1, 3)
    for ax, gid in ((data_ax, "data"), (qq_ax, "qq"), (pp_ax, "pp")):
        ax.set_gid(f"mlefit-{gid}")
    with np.errstate(all="ignore"):
        if fam.spec.discrete:
            _mass_panel(data_ax, fam, fitted.theta, x, w, cdf)
        else:
            _density_panel(data_ax, fam, fitted.theta, x, w)
        _qq_panel(qq_ax, fam, fitted.theta, x, w, cdf)
        _pp_panel(pp_ax, x, w, cdf, fam.spec.discrete)
    fig.suptitle((title or f"{fam.name} fit by maximum likelihood") + "\n" + _subtitle(fitted))
    _save(fig, path, fmt)
    return {"path": str(path), "format": fmt, "kind": "fit", "axes": len(fig.axes)}


def _quantiles(x, w, taus):
    """Quantiles of sorted x with weights w: the first value whose share reaches tau."""
    cum = np.cumsum(w)
    return x[np.minimum(np.searchsorted(cum, np.asarray(taus) * cum[-1]), x.size - 1)]


def _shown_range(x, w):
    """The range of values drawn, the share of the weight outside it, and the IQR: all
    of the data unless a few extreme values would squeeze the rest into one bin."""
    lo, hi = float(x[0]), float(x[-1])
    q01, q25, q75, q99 = _quantiles(x, w, (0.01, 0.25, 0.75, 0.99))
    if q75 > q25 and hi - lo > 30 * (q75 - q25):
        lo, hi = q01, q99
    outside = float(w[(x < lo) | (x > hi)].sum() / w.sum())
    return lo, hi, outside, q75 - q25


def _value_label(outside):
    return f"value ({100 * outside:.2g}% of the data lie outside this range)" if outside > 0 else "value"


def _density_panel(ax, fam, theta, x, w):
    lo, hi, outside, iqr = _shown_range(x, w)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    if fam.spec.support in ("positive", "nonnegative", "unit_open") and 0 < lo < 0.25 * (hi - lo):
        lo = 0.0  # show where the support starts
    if fam.spec.support == "unit_open" and 0 < 1 - hi < 0.25 * (hi - lo):
        hi = 1.0
    total = w.sum()
    n_eff = max(total, 2.0)
    width = 2.0 * iqr * n_eff ** (-1.0 / 3.0)  # Freedman-Diaconis, with the total weight as n
    bins = math.ceil((hi - lo) / width) if width > 0 else math.ceil(math.log2(n_eff) + 1)
    edges = np.linspace(lo, hi, min(max(bins, 5), 100) + 1)
    counts, _ = np.histogram(x, edges, weights=w)
    heights = counts / (total * np.diff(edges))
    ax.stairs(heights, edges, fill=True, alpha=0.45, color="C0", label="data")
    grid = np.linspace(lo, hi, 500)
    density = np.exp(fam.logpdf(grid, theta))
    density[~np.isfinite(density)] = np.nan  # a density unbounded at the edge (gamma, shape < 1)
    ax.plot(grid, density, color="C3", lw=2, label=f"fitted {fam.name} density")
    if np.nanmax(density) > 3 * heights.max():
        ax.set_ylim(0, 1.15 * max(heights.max(), float(np.nanpercentile(density, 95))))
    ax.set(title="data and fitted density", xlabel=_value_label(outside), ylabel="density")
    ax.legend(loc="best", fontsize=9)


def _mass_panel(ax, fam, theta, x, w, cdf):
    lo, hi, outside, _ = _shown_range(x, w)
    q_lo, q_hi = _invert(cdf, np.array([0.001, 0.999]), True, x)
    span = hi - lo
    klo = math.floor(max(min(lo, q_lo), lo - span - 5))
    khi = math.ceil(min(max(hi, q_hi), hi + span + 5))
    size = math.ceil((khi - klo + 1) / 40) if khi - klo + 1 > MAX_BARS else 1
    edges = klo - 0.5 + size * np.arange(math.ceil((khi - klo + 1) / size) + 1)
    counts, _ = np.histogram(x, edges, weights=w)
    observed = counts / w.sum()
    if size == 1:
        k = edges[:-1] + 0.5
        fitted = np.nan_to_num(np.exp(fam.logpdf(k, theta)), nan=0.0)
        ax.bar(k, observed, width=0.8, alpha=0.45, color="C0", label="observed")
        ax.vlines(k, 0, fitted, color="C3", lw=1.2)
        ax.plot(k, fitted, "o", color="C3", ms=5, label=f"fitted {fam.name} mass")
        ax.set(ylabel="relative frequency")
    else:
        fitted = cdf(edges[1:] - 0.5) - cdf(edges[:-1] - 0.5)
        ax.stairs(observed, edges, fill=True, alpha=0.45, color="C0", label="observed")
        ax.plot(edges[:-1] + size / 2, fitted, "o", color="C3", ms=5, label=f"fitted {fam.name} mass")
        ax.set(ylabel=f"proportion per bin of {size} values")
    ax.set(title="observed and fitted probabilities", xlabel=_value_label(outside))
    ax.legend(loc="best", fontsize=9)


def _positions(x, w):
    """Each sorted row's plotting position: the midpoint of its share of the total
    weight, (i - 0.5)/n without weights; thinned to MAX_POINTS rows, extremes kept."""
    cum = np.cumsum(w)
    p = (cum - w / 2) / cum[-1]
    keep = _thinned(x.size)
    return x[keep], p[keep], w[keep]


def _thinned(n):
    """At most MAX_POINTS indexes of 0..n-1, evenly spread, the first and last kept."""
    return np.unique(np.round(np.linspace(0, n - 1, min(n, MAX_POINTS))).astype(int))


def _qq_panel(ax, fam, theta, x, w, cdf):
    xs, p, ws = _positions(x, w)
    q = _fitted_quantiles(fam, theta, p, cdf, x)
    ok = np.isfinite(q)
    if fam.spec.discrete:  # many rows share each (fitted, data) pair: one marker, sized by its share
        pairs, inverse = np.unique(np.column_stack([q[ok], xs[ok]]), axis=0, return_inverse=True)
        share = np.bincount(inverse.reshape(-1), weights=ws[ok])
        ax.scatter(pairs[:, 0], pairs[:, 1], s=12 + 300 * share / share.sum(), alpha=0.6, color="C0",
                   label="data (area: share of the data)")
    else:
        ax.plot(q[ok], xs[ok], "o", ms=3.5, alpha=0.6, color="C0", label="data")
    both = np.concatenate([q[ok], xs[ok]])
    ends = [both.min(), both.max()] if both.size else [0.0, 1.0]
    ax.plot(ends, ends, color="C3", lw=1.2, label="y = x")
    ax.set(title="Q-Q plot", xlabel=f"fitted {fam.name} quantile", ylabel="data quantile")
    ax.legend(loc="upper left", fontsize=9)


def _pp_panel(ax, x, w, cdf, discrete):
    values, first, counts = np.unique(x, return_index=True, return_counts=True)
    cum = np.cumsum(w)
    total = cum[-1]
    upper = cum[first + counts - 1] / total
    share = np.add.reduceat(w, first) / total
    empirical = upper if discrete else upper - share / 2
    keep = _thinned(values.size)
    ax.plot(cdf(values[keep]), empirical[keep], "o", ms=3.5, alpha=0.6, color="C0", label="data")
    ax.plot([0, 1], [0, 1], color="C3", lw=1.2, label="y = x")
    ax.set(title="P-P plot", xlabel="fitted CDF", ylabel="empirical CDF", xlim=(0, 1), ylim=(0, 1))
    ax.set_aspect("equal")
    ax.legend(loc="upper left", fontsize=9)


# ------------------------------------------------------------------ quantiles
def _cdf_function(fam, theta, x):
    """P(X <= v) as a vectorised function: the family's own CDF, or (for families with
    neither a CDF nor a scipy equivalent: huber) the normalised running integral of the
    density on a grid wide enough that its ends carry no visible mass."""
    if fam.cdf is not None or (callable(fam.scipy) and fam.scipy(theta) is not None):
        return lambda v: np.asarray(fam.cdf_values(np.asarray(v, dtype=np.float64), theta), dtype=np.float64)
    centre = float(np.median(x))
    half = float(x[-1] - x[0]) + 1.0
    for _ in range(40):
        grid = np.linspace(centre - half, centre + half, 40001)
        dens = np.exp(fam.logpdf(grid, theta))
        if max(dens[0], dens[-1]) < 1e-15 * dens.max():
            break
        half *= 2
    cum = np.concatenate([[0.0], np.cumsum((dens[1:] + dens[:-1]) / 2 * np.diff(grid))])
    cum /= cum[-1]
    return lambda v: np.interp(v, grid, cum, left=0.0, right=1.0)


def _fitted_quantiles(fam, theta, p, cdf, x):
    """The fitted quantiles at probabilities p: scipy's ppf where the family has a scipy
    equivalent, otherwise the family's CDF inverted by bisection."""
    frozen = fam.scipy(theta) if callable(fam.scipy) else None
    if frozen is not None:
        q = np.asarray(frozen.ppf(p), dtype=np.float64)
        if np.all(np.isfinite(q)):
            return q
    return _invert(cdf, p, fam.spec.discrete, x)


def _invert(cdf, p, discrete, x):
    """The smallest v with cdf(v) >= p, for each p (whole numbers when discrete), by
    bisection from a bracket grown out of the data's range."""
    lo, hi = float(x[0]), float(x[-1])
    width = max(hi - lo, 1.0)
    for k in range(200):  # grow the bracket until cdf(lo) < p <= cdf(hi) for every p
        low, high = cdf(np.array([lo, hi]))
        if low < p.min() and high >= p.max():
            break
        lo, hi = lo - (low >= p.min()) * width * 2 ** k, hi + (high < p.max()) * width * 2 ** k
    a, b = np.full(p.shape, math.floor(lo) - 1.0 if discrete else lo), np.full(p.shape, math.ceil(hi) if discrete else hi)
    for _ in range(2200):
        m = np.floor((a + b) / 2) if discrete else (a + b) / 2
        done = (b - a <= 1) if discrete else ((m <= a) | (m >= b))
        if done.all():
            break
        above = cdf(m) >= p
        b, a = np.where(above & ~done, m, b), np.where(~above & ~done, m, a)
    return b


# ------------------------------------------------------------------ plot_likelihood
def plot_likelihood(fitted, path, params=None, grid=41, on_step=None, on_total=None):
    """Write the log-likelihood of a fit to `path` (.png, .svg or .pdf).

    One parameter (params: one name, or the only estimated parameter): its log-likelihood
    on a grid, maximised over the other estimated parameters (a profile), with the MLE
    and the likelihood interval {deviance <= chi2_1 quantile at fitted.confidence} shaded.
    Two parameters (params: two names, default the first two estimated ones): filled
    contours of the deviance 2(max - loglik) on a grid x grid lattice, the others
    profiled out at every point (warm-started from a neighbour), the MLE marked and the
    joint confidence region {deviance <= chi2_2 quantile} drawn bold.
    The range of each parameter reaches where its profile deviance is twice that
    quantile (so the interval or region lies inside), followed at most a factor 1000
    from the MLE for positive and unit parameters and 64 SE for real ones; grids are
    even on the natural scale (geometric, with a log axis, for a positive parameter
    whose range spans more than a factor 20). Parameters held fixed stay fixed, exact
    ones (on the edge of their space) stay at their estimate; neither can be plotted.
    Contours take at most MAX_CONTOUR_GRID points a side (a UsageError beyond).
    on_total(n) is called once with the number of grid points, on_step() after each.

    Returns {"path", "format", "kind" ("likelihood" or "contours"), "axes", "params",
    "values" (the grid: (values,) for one parameter, (X, Y) for two, n x n arrays with
    rows along the second), "loglik" (the profile values on the grid),
    "max_loglik", "level" (the deviance cut), "confidence", "interval" (one parameter)
    or "region" (two: the polygons of the bold contour), "open" (the interval or region
    does not close within the range followed), "description"}."""
    import scipy.special

    fitted = _fitted(fitted)
    fmt = check_path(path)
    shown = _shown_params(fitted, params)
    if isinstance(grid, bool) or not isinstance(grid, (int, np.integer)) or not 5 <= grid <= 1000:
        raise UsageError(f"the grid must be a whole number of points from 5 to 1000 (got {grid})")
    if len(shown) == 2 and grid > MAX_CONTOUR_GRID:
        raise UsageError(f"a grid of {grid} for the contours of two parameters is {grid * grid:,} profile fits "
                         f"(each a fit of the other parameters, up to some ms); give --grid {MAX_CONTOUR_GRID} "
                         f"or less ({MAX_CONTOUR_GRID ** 2:,} fits), or one parameter (--params NAME) for up "
                         f"to 1000 points")
    level = float(scipy.special.chdtri(len(shown), 1.0 - fitted.confidence))
    with np.errstate(all="ignore"):
        if len(shown) == 1:
            return _curve(fitted, path, fmt, shown[0], int(grid), level, on_step, on_total)
        return _contours(fitted, path, fmt, shown, int(grid), level, on_step, on_total)


def _shown_params(fitted, params):
    fam, names = fitted.family, fitted.names
    if fam.param_names is not None:
        raise UsageError(f"the {fam.name} family's parameters are tied together and cannot be held "
                         f"one at a time, so its likelihood cannot be plotted")
    estimated = ", ".join(names[i] for i in fitted.regular) or "none"
    if params is None:
        if not fitted.regular:
            raise UsageError(f"this {fam.name} fit has no estimated parameter with a likelihood to plot "
                             f"(each is fixed or exact)")
        return fitted.regular[:2]
    if isinstance(params, str):
        params = [p.strip() for p in params.split(",") if p.strip()]
    params = list(params)
    if not 1 <= len(params) <= 2:
        raise UsageError(f"give one or two parameters to plot (got {len(params)}); "
                         f"the estimated ones are: {estimated}")
    if len(params) == 2 and params[0] == params[1]:
        raise UsageError(f"'{plain(params[0])}' is named twice; give two different parameters")
    out = []
    for name in params:
        if name not in names:
            raise UsageError(f"{fam.name} has no parameter '{plain(name)}'; its parameters are: "
                             f"{', '.join(names)}")
        i = names.index(name)
        if i in fitted.fixed:
            raise UsageError(f"{name} is fixed at {fitted.fixed[i]:.10g}, so it has no likelihood to "
                             f"plot; the estimated parameters are: {estimated}")
        if i in fitted.exact:
            raise UsageError(f"{name} = {fitted.theta[i]:.10g} has an exact interval (it sits on the edge "
                             f"of its space), not a likelihood one, so it cannot be plotted; the "
                             f"estimated parameters are: {estimated}")
        out.append(i)
    return tuple(out)


_Profile = Held  # the name tests/test_plots.py counts inner fits by
RTOL = 4.0 * 2.0 ** -52  # brentq's default relative tolerance


def _reach(fitted, i, target, hold=None):
    """((lo, hi), (open_lo, open_hi)): where the profile deviance of parameter i reaches
    `target` below and above the MLE, or the end of the search (then open); `hold`:
    {index: value} held as well (a section through the MLE rather than a profile)."""
    profile = Held(fitted, (i,), hold)
    (lo, open_lo), (hi, open_hi) = (_reach_side(fitted, profile, i, target, s) for s in (-1.0, 1.0))
    return (lo, hi), (open_lo, open_hi)


def _reach_side(fitted, profile, i, target, sign):
    """(value, open) on one side (sign -1 below, +1 above): outward in steps of SE on the
    unconstrained scale (SEARCH_STEPS, to LOG_REACH or 64 SE) until the deviance passes
    `target`, then Brent's root between (the profile engine's search)."""
    dom, h = fitted.domains[i], se_step(fitted, i)
    u0 = _to_free(fitted.theta[i], dom)
    limit = 64 * h if dom == "real" else LOG_REACH
    path = WarmPath(u0, fitted.theta)

    def excess(u):
        value, theta = profile.at({i: _from_free(u, dom)}, path.start(u))
        path.keep(u, theta)
        return min(2.0 * (fitted.loglik - value), 1e6) - target

    steps = sorted({min(k * h, limit) for k in SEARCH_STEPS})
    root, inside = search_side(excess, u0, sign, steps, 1e-6 * h, RTOL, 100)  # in d: not relative to |u0|
    return _from_free(inside if root is None else root, dom), root is None


def _axis(lo, hi, dom, n):
    """n grid values from lo to hi, geometric for a positive range wider than a factor 20."""
    if dom == "positive" and hi > 20 * lo:
        return np.geomspace(lo, hi, n), True
    return np.linspace(lo, hi, n), False


def _outward(n, centre):
    """Indexes 0..n-1 from `centre` outward, each with its neighbour towards the centre
    (None for the centre itself): the order that warm-starts each fit from the last."""
    return ([(centre, None)] + [(j, j - 1) for j in range(centre + 1, n)]
            + [(j, j + 1) for j in range(centre - 1, -1, -1)])


def _curve(fitted, path, fmt, i, n, level, on_step, on_total):
    name, dom, t0, top = fitted.names[i], fitted.domains[i], fitted.theta[i], fitted.loglik
    (lo, hi), _ = _reach(fitted, i, 2 * level)
    interval, interval_open = _reach(fitted, i, level)
    values, log_axis = _axis(lo, hi, dom, n)
    profile = Held(fitted, (i,))
    loglik, thetas = np.full(n, -math.inf), [None] * n
    if on_total:
        on_total(n)
    for j, prev in _outward(n, int(np.argmin(np.abs(values - t0)))):
        loglik[j], thetas[j] = profile.at({i: float(values[j])}, fitted.theta if prev is None else thetas[prev])
        if on_step:
            on_step()

    fig = _figure(8, 5.2)
    ax = fig.add_subplot()
    ax.set_gid("mlefit-likelihood")
    ok = np.isfinite(loglik)
    kind, held = _profiled(fitted, profile)
    ax.plot(values[ok], loglik[ok], color="C0", lw=2, label=kind)
    ax.axhline(top - level / 2, color="0.3", ls="--", lw=1,
               label=f"cut: maximum - {level / 2:.3g} (chi-square(1) {percent(fitted.confidence)} / 2)")
    a, b = interval
    ends = (f"below {a:.4g}" if interval_open[0] else f"{a:.4g}") + " to " + (
        f"beyond {b:.4g}" if interval_open[1] else f"{b:.4g}")
    open_text = " (open: it does not close within the range followed)" if any(interval_open) else ""
    ax.axvspan(a, b, color="C2", alpha=0.18, label=f"{percent(fitted.confidence)} likelihood interval: {ends}")
    ax.plot([t0], [top], "o", color="C3", ms=8, label=f"MLE {name} = {t0:.4g}")
    if ok.any():
        low = float(loglik[ok].min())
        ax.set_ylim(low - 0.05 * (top - low + 1e-9), top + 0.12 * (top - low + 1e-9))
    if log_axis:
        ax.set_xscale("log")
    ax.set(xlabel=name, ylabel=kind, xlim=(values[0], values[-1]))
    ax.legend(loc="lower center", fontsize=9)
    fig.suptitle(f"{fitted.family.name}: {kind} of {name}{held}\n{_subtitle(fitted)}")
    _save(fig, path, fmt)
    description = (f"{kind} of {name} ({fitted.family.name}{held}), {percent(fitted.confidence)} "
                   f"likelihood interval {ends}{open_text}")
    return {"path": str(path), "format": fmt, "kind": "likelihood", "axes": len(fig.axes),
            "params": (name,), "values": (values,), "loglik": loglik, "max_loglik": top,
            "level": level, "confidence": fitted.confidence, "interval": (a, b),
            "open": any(interval_open), "description": description}


def _profiled(fitted, profile):
    """What the curve or the contours show, and which parameters were profiled out."""
    others = [fitted.names[k] for k in profile.others]
    if not others:
        return "log-likelihood", ""
    return "profile log-likelihood", f", {', '.join(others)} profiled out"


def _correlation(fitted, i, j):
    cov = fitted.cov
    if cov is None or np.ndim(cov) != 2:
        return math.nan
    return float(cov[i, j] / math.sqrt(cov[i, i] * cov[j, j]))


def _lattice(fitted, shown, a, level):
    """The grid points (X, Y: n x n, rows along the second parameter), whether the second
    axis is logarithmic, whether its search stayed open, and the row through the MLE.
    A box (the same values of b in every column) unless the parameters are strongly
    correlated (|corr| > 0.9), where a box would leave the region between two grid
    lines: then a band that follows the ridge b*(a) (b maximising the likelihood at
    each a), as wide as the section through the MLE needs, scaled along the ridge
    for a positive b."""
    (ia, ib), n = shown, a.size
    dom, tb = fitted.domains[ib], fitted.theta[ib]
    X = np.broadcast_to(a, (n, n))
    if not abs(_correlation(fitted, ia, ib)) > 0.9:
        (lo, hi), opens = _reach(fitted, ib, 2 * level)
        b, log_axis = _axis(lo, hi, dom, n)
        return X, np.broadcast_to(b[:, None], (n, n)), log_axis, any(opens), int(np.argmin(np.abs(b - tb)))
    (lo, hi), opens = _reach(fitted, ib, 2 * level, hold={ia: fitted.theta[ia]})
    ridge, thetas = np.full(n, tb), [None] * n
    profile = Held(fitted, (ia,))
    for c, prev in _outward(n, int(np.argmin(np.abs(a - fitted.theta[ia])))):
        _, thetas[c] = profile.at({ia: float(a[c])}, fitted.theta if prev is None else thetas[prev])
        ridge[c] = thetas[c][ib]
    offsets = np.linspace(lo, hi, n)
    if dom == "positive":
        Y = ridge[None, :] * (offsets / tb)[:, None]
    else:
        Y = ridge[None, :] + (offsets - tb)[:, None]
        if dom == "unit":
            Y = np.clip(Y, 1e-12, 1 - 1e-12)
    return X, Y, False, any(opens), int(np.argmin(np.abs(offsets - tb)))


def _contours(fitted, path, fmt, shown, n, level, on_step, on_total):
    import scipy.special
    from matplotlib.lines import Line2D

    (ia, ib), top = shown, fitted.loglik
    (lo, hi), opens = _reach(fitted, ia, 2 * level)
    a, log_a = _axis(lo, hi, fitted.domains[ia], n)
    X, Y, log_b, open_b, cb = _lattice(fitted, shown, a, level)
    band = not np.all(Y == Y[:, :1])  # the rows follow the ridge
    profile = Held(fitted, shown)
    loglik = np.full((n, n), -math.inf)
    thetas = {}
    if on_total:
        on_total(n * n)
    for r, prev_row in _outward(n, cb):
        for c, prev in _outward(n, int(np.argmin(np.abs(a - fitted.theta[ia])))):
            if prev is not None:
                start = thetas[r, prev]
            else:
                start = fitted.theta if prev_row is None else thetas[prev_row, c]
            loglik[r, c], thetas[r, c] = profile.at({ia: float(X[r, c]), ib: float(Y[r, c])}, start)
            if on_step:
                on_step()

    deviance = np.ma.masked_invalid(np.maximum(2.0 * (top - loglik), 0.0))
    fig = _figure(8.6, 6.4)
    ax = fig.add_subplot()
    ax.set_gid("mlefit-likelihood")
    if band:
        ax.set_facecolor("0.92")
    levels_at = sorted({0.5, 0.8, 0.9, 0.95, 0.99, 0.999, fitted.confidence})
    cuts = [float(scipy.special.chdtri(2, 1.0 - c)) for c in levels_at]
    filled = ax.contourf(X, Y, deviance, levels=[0.0] + cuts, cmap="viridis_r", extend="max", alpha=0.9)
    ax.contour(X, Y, deviance, levels=cuts, colors="0.25", linewidths=0.5)
    bold = ax.contour(X, Y, deviance, levels=[level], colors="black", linewidths=2.4)
    bar = fig.colorbar(filled, ax=ax, ticks=cuts)
    bar.ax.set_gid("mlefit-colorbar")
    bar.ax.set_yticklabels([f"{d:.3g} ({percent(c)})" for d, c in zip(cuts, levels_at)])
    bar.set_label("deviance 2(max - loglik)  (joint confidence level)")
    names = [fitted.names[i] for i in shown]
    ta, tb = (fitted.theta[i] for i in shown)
    handles = [Line2D([], [], color="black", lw=2.4,
                      label=f"{percent(fitted.confidence)} joint confidence region (deviance {level:.3g})"),
               ax.plot([ta], [tb], "X", color="C3", ms=10, mec="white",
                       label=f"MLE {names[0]} = {ta:.4g}, {names[1]} = {tb:.4g}")[0]]
    ax.legend(handles=handles, loc="upper right" if _correlation(fitted, ia, ib) <= 0 else "upper left",
              fontsize=9, framealpha=0.9)
    if log_a:
        ax.set_xscale("log")
    if log_b:
        ax.set_yscale("log")
    ax.set(xlabel=names[0], ylabel=names[1])
    kind, held = _profiled(fitted, profile)
    grid_note = ("\n(grid along the ridge of the likelihood: the parameters are strongly correlated)"
                 if band else "")
    fig.suptitle(f"{fitted.family.name}: {kind} of {names[0]} and {names[1]}{held}\n"
                 f"{_subtitle(fitted)}{grid_note}")
    _save(fig, path, fmt)
    region = [poly for p in bold.get_paths() for poly in p.to_polygons()]
    edge = np.ma.concatenate([deviance[0], deviance[-1], deviance[:, 0], deviance[:, -1]])
    is_open = any(opens) or open_b or bool(np.ma.any(edge < level))
    open_text = " (open: it does not close within the range plotted)" if is_open else ""
    description = (f"{kind} contours of {names[0]} and {names[1]} ({fitted.family.name}{held}), "
                   f"{percent(fitted.confidence)} joint confidence region{open_text}")
    return {"path": str(path), "format": fmt, "kind": "contours", "axes": len(fig.axes),
            "params": tuple(names), "values": (X, Y), "loglik": loglik, "max_loglik": top,
            "level": level, "confidence": fitted.confidence, "region": region, "open": is_open,
            "description": description}
