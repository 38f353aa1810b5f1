"""The picture of a censored fit: the fitted survival function over the nonparametric
MLE of the same rows, and Q-Q and P-P plots against that estimate (mlefit.report.censored_qq,
as fitdistrplus's qqcompcens and ppcompcens). For rows seen or right-censored that is
Kaplan-Meier, drawn with its pointwise band; with left- or interval-censored rows,
Turnbull's estimate (mlefit.censored.turnbull), known at the ends of its innermost intervals only
(dashed within them, and rectangles in the Q-Q and P-P plots, where the data do not say
how the mass lies). Discrete families are drawn on their F-difference points (a count in
[a, b] is the interval (a - 1, b]). Rows truncated to the same (lower, upper] (constant
--truncate-lower/--truncate-upper, or one entry time for all) are a sample of the fitted
law truncated there, which the nonparametric estimate estimates: they are compared with
that law. With entry times that differ between rows, Kaplan-Meier with delayed entry
estimates the law given X > the earliest entry, and is compared with the fitted law
truncated there; left- or interval-censored rows with such entry times are refused
(Turnbull's estimate would need each row's truncation).
"""
import numpy as np

from . import censored_qq
from .. import families
from ..censored import kaplan_meier
from ..errors import UsageError
from .plots import _figure, _fitted, _save, _subtitle, _thinned, check_path


ENTRY = ("--plot is not drawn for left- or interval-censored rows with --entry times that differ between "
         "rows: Turnbull's estimate would need each row's truncation (not built yet); fit without --plot")


def check_rows(cens):
    """UsageError when the censored rows (a Record with bounds, mlefit.censored.rows) cannot
    be plotted: before the fit, so that a refused --plot costs nothing."""
    from ..censored.rows import kinds as row_kinds

    kinds = row_kinds(cens)
    if cens.entry is not None and np.unique(cens.entry).size > 1 and (kinds["left"].any() or kinds["interval"].any()):
        raise UsageError(ENTRY)


def survival_rows(fitted):
    """(lo, hi, entry, upper) of a censored fit's rows: each row's bounds (for a discrete
    family, the F-difference points: the count lies in (lo, hi]), each row's lower
    truncation point (entry: the value recorded only above it) and the upper one, shared.
    Entry times that differ need Kaplan-Meier's rows (seen or right-censored)."""
    x = np.asarray(fitted.x, dtype=np.float64)
    lo, hi, entry = x[:, 0], x[:, 1], x[:, 2]
    if np.unique(entry).size > 1 and not censored_qq.kaplan_meier_rows(lo, hi):
        raise UsageError(ENTRY)
    return lo, hi, entry, float(x[0, 3])


def plot_survival(result, path, title=None):
    """Write the figure to `path` (.png, .svg or .pdf): the nonparametric curve
    (Kaplan-Meier with its band at the fit's confidence, or Turnbull's) with the fitted
    survival 1 - F(t); a Q-Q and a P-P plot against the same nonparametric estimate
    (mlefit.report.censored_qq: points at Kaplan-Meier's steps, rectangles over Turnbull's).
    Returns {"path", "format", "kind": "survival", "axes", "nonparametric"}."""
    fmt = check_path(path)
    fig, info = figure(result, title)
    _save(fig, path, fmt)
    return {"path": str(path), "format": fmt, **info}


def figure(result, title=None):
    """(the matplotlib Figure, {"kind", "axes", "nonparametric"}) of plot_survival."""
    fitted = _fitted(result)
    lo, hi, entry, upper = survival_rows(fitted)
    lower = float(entry.min())
    entry = entry if np.unique(entry).size > 1 else None
    fam = fitted.family if fitted.family.rowwise is not None else \
        families.get(fitted.family.name)  # the family itself: the fit's own takes censored rows (a user's own
    # model has no registry entry: its fit keeps the numerical distribution function, mlefit.own.tails)
    discrete = fam.spec.discrete
    finite = np.concatenate([lo[np.isfinite(lo)], hi[np.isfinite(hi)]])
    quantile, cdf = censored_qq.truncated(*censored_qq.quantile_function(fam, fitted.theta, finite), lower, upper)
    label = f"fitted {fam.name}" + ("" if (lower, upper) == (-np.inf, np.inf) else
                                    f", truncated to ({lower:.6g}, {upper:.6g}" + ("]" if upper < np.inf else ")"))
    st = censored_qq.steps(lo, hi, fitted.w, entry)
    fig = _figure(15, 4.8)
    curve_ax, qq_ax, pp_ax = fig.subplots(1, 3)
    for ax, gid in ((curve_ax, "survival"), (qq_ax, "qq"), (pp_ax, "pp")):
        ax.set_gid(f"mlefit-{gid}")
    with np.errstate(all="ignore"):
        grid = _grid(max(min(0.0, finite.min()), lower), finite.max(), discrete)
        draw = curve_ax.step if discrete else curve_ax.plot
        draw(grid, 1.0 - cdf(grid), **({"where": "post"} if discrete else {}), color="tab:blue", linewidth=2.5,
             alpha=0.6, label=label)
        if st.name == "Kaplan-Meier":
            _kaplan_meier(curve_ax, lo, lo == hi, fitted, grid[0], entry)
        else:
            _turnbull(curve_ax, st)
        _qq_panel(qq_ax, censored_qq.qq(st, quantile), st.name, fam.name, finite)
        _pp_panel(pp_ax, censored_qq.pp(st, cdf), st.name, fam.name)
    curve_ax.set_xlabel("value")
    curve_ax.set_ylabel("survival, P(X > value)")
    curve_ax.set_ylim(0.0, 1.02)
    curve_ax.legend(loc="upper right", fontsize="small")
    fig.suptitle((title or f"{fam.name} fit to censored data by maximum likelihood") + "\n" + _subtitle(fitted))
    return fig, {"kind": "survival", "axes": len(fig.axes), "nonparametric": st.name}


def _grid(lo, hi, discrete):
    if not discrete:
        return np.linspace(lo, hi, 400)
    whole = np.arange(np.floor(lo), np.ceil(hi) + 1.0)
    return whole if whole.size <= 2000 else np.unique(np.floor(np.linspace(whole[0], whole[-1], 2000)))


def _qq_panel(ax, boxes, name, family, finite):
    """Q-Q: Kaplan-Meier's steps as points, Turnbull's as rectangles (fitdistrplus's
    qqcompcens); infinite ends drawn to beyond the axes."""
    inner = np.concatenate([boxes.x0[1:], boxes.x1[:-1], finite])
    inner = inner[np.isfinite(inner)]
    low, high = inner.min(), inner.max()
    pad = 0.05 * (high - low) if high > low else 0.5
    low, high = low - pad, high + pad
    if name == "Kaplan-Meier":
        keep = _thinned(boxes.px.size)
        ok = keep[np.isfinite(boxes.px[keep])]
        ax.plot(boxes.px[ok], boxes.py[ok], "o", ms=3.5, alpha=0.6, color="tab:blue", gid="mlefit-npmle",
                label="Kaplan-Meier steps (middles)")
    else:
        _boxes(ax, boxes, (low - 10 * pad, high + 10 * pad), "Turnbull intervals")
    ax.plot([low, high], [low, high], color="tab:red", lw=1.2, label="y = x")
    ax.set(xlim=(low, high), ylim=(low, high), title=f"Q-Q plot against {name}",
           xlabel=f"fitted {family} quantile", ylabel="data quantile")
    ax.legend(loc="upper left", fontsize=9)


def _pp_panel(ax, boxes, name, family):
    if name == "Kaplan-Meier":
        keep = _thinned(boxes.px.size)
        ax.plot(boxes.px[keep], boxes.py[keep], "o", ms=3.5, alpha=0.6, color="tab:blue", gid="mlefit-npmle",
                label="Kaplan-Meier steps (middles)")
    else:
        _boxes(ax, boxes, (0.0, 1.0), "Turnbull intervals")
    ax.plot([0, 1], [0, 1], color="tab:red", lw=1.2, label="y = x")
    ax.set(xlim=(0, 1), ylim=(0, 1), title=f"P-P plot against {name}", xlabel=f"fitted {family} CDF",
           ylabel=f"{name} CDF")
    ax.set_aspect("equal")
    ax.legend(loc="upper left", fontsize=9)


def _boxes(ax, boxes, reach, label):
    """The rectangles, their infinite ends clipped to `reach`."""
    from matplotlib.collections import PolyCollection
    x0, x1, y0, y1 = (np.clip(v, *reach) for v in (boxes.x0, boxes.x1, boxes.y0, boxes.y1))
    verts = np.stack([np.column_stack(c) for c in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))], axis=1)
    ax.add_collection(PolyCollection(verts, facecolors="lightgrey", edgecolors="tab:blue", linewidths=1.0,
                                     gid="mlefit-npmle", label=label))


def _kaplan_meier(ax, times, seen, fitted, first, entry):
    """Draw Kaplan-Meier with its band and the censored rows; (event times, S there)."""
    t, s, lower, upper = kaplan_meier.curve(times, seen, fitted.w, confidence=fitted.confidence, entry=entry)
    ax.step(np.r_[first, t, times.max()], np.r_[1.0, s, s[-1] if s.size else 1.0], where="post",
            color="black", label="Kaplan-Meier")
    ax.fill_between(np.r_[first, t], np.r_[1.0, lower], np.r_[1.0, upper], step="post", alpha=0.25,
                    color="grey", label=f"{round(100 * fitted.confidence)}% band (log-log Greenwood)")
    censored = ~seen
    if censored.any():
        km_at = np.interp(times[censored], np.r_[first, t], np.r_[1.0, s], left=1.0)
        ax.plot(times[censored], km_at, "|", color="tab:red", markersize=6, label="censored")
    return t, s


def _turnbull(ax, st):
    """Draw Turnbull's NPMLE: flat between its innermost intervals, dashed across each
    (the mass inside is not placed by the data)."""
    before, after = 1.0 - st.before, 1.0 - st.after
    for j in range(st.left.size):
        if j:
            ax.plot([st.right[j - 1], st.left[j]], [before[j], before[j]], color="black", linewidth=1.2)
        ax.plot([st.left[j], st.right[j]], [before[j], after[j]], color="black", linestyle="--", linewidth=0.8)
    ax.plot([], [], color="black", label="Turnbull NPMLE (dashed: inside its intervals)")
