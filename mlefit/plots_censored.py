"""The picture of a censored fit: the fitted survival function over the nonparametric
MLE of the same rows, and the fitted against the nonparametric probabilities (a P-P plot
that censoring leaves defined). For rows seen or right-censored that is Kaplan-Meier,
drawn with its pointwise band; with left- or interval-censored rows, Turnbull's estimate
(mlefit.turnbull), known at the ends of its innermost intervals only (dashed within
them, where the data do not say how the mass lies). Truncated rows are refused: the
nonparametric estimates would need the truncation too."""
import numpy as np

from . import kaplan_meier, turnbull
from .errors import UsageError
from .plots import _figure, _fitted, _save, _subtitle, check_path


def survival_rows(fitted):
    """(lo, hi) of a censored fit's rows, for a continuous family without truncation;
    UsageError otherwise."""
    x = np.asarray(fitted.x, dtype=np.float64)
    if np.isfinite(x[:, 2]).any() or np.isfinite(x[:, 3]).any():
        raise UsageError("--plot of a censored fit is not drawn for truncated rows (the nonparametric "
                         "curve would need the truncation too)")
    if fitted.family.spec.discrete:
        raise UsageError("--plot of a censored fit is drawn for continuous families only")
    return x[:, 0], x[:, 1]


def plot_survival(result, path, title=None):
    """Write the figure to `path` (.png, .svg or .pdf): left, the nonparametric curve
    (Kaplan-Meier with its band at the fit's confidence, or Turnbull's) and the fitted
    survival 1 - F(t); right, the fitted against the nonparametric survival. Returns
    {"path", "format", "kind": "survival", "axes"}."""
    fitted = _fitted(result)
    fmt = check_path(path)
    lo, hi = survival_rows(fitted)
    fam = fitted.family
    finite = np.concatenate([lo[np.isfinite(lo)], hi[np.isfinite(hi)]])
    grid = np.linspace(min(0.0, finite.min()), finite.max(), 400)
    fig = _figure(11, 4.8)
    curve_ax, pp_ax = fig.subplots(1, 2)
    curve_ax.set_gid("mlefit-survival")
    pp_ax.set_gid("mlefit-pp")
    with np.errstate(all="ignore"):
        curve_ax.plot(grid, 1.0 - np.asarray(fam.cdf_values(grid, fitted.theta)), color="tab:blue",
                      linewidth=2.5, alpha=0.6, label=f"fitted {fam.name}")
        if np.all((lo == hi) | np.isposinf(hi)):
            at, empirical = _kaplan_meier(curve_ax, lo, lo == hi, fitted, grid[0])
            name = "Kaplan-Meier"
        else:
            at, empirical = _turnbull(curve_ax, lo, hi, fitted)
            name = "Turnbull"
        model = 1.0 - np.asarray(fam.cdf_values(at, fitted.theta), dtype=np.float64)
    curve_ax.set_xlabel("value")
    curve_ax.set_ylabel("survival, P(X > value)")
    curve_ax.set_ylim(0.0, 1.02)
    curve_ax.legend(loc="upper right", fontsize="small")
    pp_ax.plot([0, 1], [0, 1], color="grey", linewidth=0.8)
    pp_ax.plot(empirical, model, ".", color="tab:blue")
    pp_ax.set_xlabel(f"{name} survival")
    pp_ax.set_ylabel(f"fitted {fam.name} survival")
    pp_ax.set_title("P-P" + (" at the event times" if name == "Kaplan-Meier" else " at the intervals' ends"))
    fig.suptitle((title or f"{fam.name} fit to censored data by maximum likelihood") + "\n" + _subtitle(fitted))
    _save(fig, path, fmt)
    return {"path": str(path), "format": fmt, "kind": "survival", "axes": len(fig.axes),
            "nonparametric": name}


def _kaplan_meier(ax, times, seen, fitted, first):
    """Draw Kaplan-Meier with its band and the censored rows; (event times, S there)."""
    t, s, lower, upper = kaplan_meier.curve(times, seen, fitted.w, confidence=fitted.confidence)
    ax.step(np.r_[first, t, times.max()], np.r_[1.0, s, s[-1] if s.size else 1.0], where="post",
            color="black", label="Kaplan-Meier")
    ax.fill_between(np.r_[first, t], np.r_[1.0, lower], np.r_[1.0, upper], step="post", alpha=0.25,
                    color="grey", label=f"{round(100 * fitted.confidence)}% band (log-log Greenwood)")
    censored = ~seen
    if censored.any():
        km_at = np.interp(times[censored], np.r_[first, t], np.r_[1.0, s], left=1.0)
        ax.plot(times[censored], km_at, "|", color="tab:red", markersize=6, label="censored")
    return t, s


def _turnbull(ax, lo, hi, fitted):
    """Draw Turnbull's NPMLE: flat between its innermost intervals, dashed across each
    (the mass inside is not placed by the data); (right ends, S there)."""
    q, p, s = turnbull.survival(lo, hi, fitted.w)
    before = np.r_[1.0, s[:-1]]
    for j in range(q.size):
        if j:
            ax.plot([p[j - 1], q[j]], [before[j], before[j]], color="black", linewidth=1.2)
        ax.plot([q[j], p[j]], [before[j], s[j]], color="black", linestyle="--", linewidth=0.8)
    ax.plot([], [], color="black", label="Turnbull NPMLE (dashed: inside its intervals)")
    finite = np.isfinite(p)
    return p[finite], s[finite]
