"""The picture of a censored fit: the fitted survival function over the Kaplan-Meier
estimate, with Kaplan-Meier's pointwise band, and the fitted against the Kaplan-Meier
probabilities (a P-P plot that censoring leaves defined). Kaplan-Meier is the
nonparametric MLE for rows seen or right-censored; left- and interval-censored rows
would need Turnbull's estimate, which is not built yet (refused with a usage error)."""
import numpy as np

from . import kaplan_meier
from .errors import UsageError
from .plots import _figure, _fitted, _save, _subtitle, check_path


def survival_rows(fitted):
    """(times, seen) of a censored fit whose rows are seen or right-censored, with no
    truncation; UsageError otherwise."""
    x = np.asarray(fitted.x, dtype=np.float64)
    lo, hi, tlo, thi = x[:, 0], x[:, 1], x[:, 2], x[:, 3]
    seen = lo == hi
    if not np.all(seen | np.isposinf(hi)) or np.isfinite(tlo).any() or np.isfinite(thi).any():
        raise UsageError("--plot draws censored fits over Kaplan-Meier, which needs rows seen or "
                         "right-censored without truncation; Turnbull's estimate for left- and "
                         "interval-censored rows is not built yet")
    if fitted.family.spec.discrete:
        raise UsageError("--plot of a censored fit is drawn for continuous families only")
    return lo, seen


def plot_survival(result, path, title=None):
    """Write the figure to `path` (.png, .svg or .pdf): left, the Kaplan-Meier step curve
    with its band at the fit's confidence and the fitted survival 1 - F(t); right, the
    fitted against the Kaplan-Meier survival at each event time. Returns {"path",
    "format", "kind": "survival", "axes"}."""
    fitted = _fitted(result)
    fmt = check_path(path)
    times, seen = survival_rows(fitted)
    t, s, lower, upper = kaplan_meier.curve(times, seen, fitted.w, confidence=fitted.confidence)
    fam = fitted.family
    grid = np.linspace(0.0 if times.min() >= 0 else times.min(), times.max(), 400)
    with np.errstate(all="ignore"):
        fitted_sf = 1.0 - np.asarray(fam.cdf_values(grid, fitted.theta), dtype=np.float64)
        at_events = 1.0 - np.asarray(fam.cdf_values(t, fitted.theta), dtype=np.float64)
    fig = _figure(11, 4.8)
    curve_ax, pp_ax = fig.subplots(1, 2)
    curve_ax.set_gid("mlefit-survival")
    pp_ax.set_gid("mlefit-pp")
    start = [grid[0]]
    steps_t = np.r_[start, t, times.max()]
    curve_ax.step(steps_t, np.r_[1.0, s, s[-1] if s.size else 1.0], where="post", color="black",
                  label="Kaplan-Meier")
    curve_ax.fill_between(np.r_[start, t], np.r_[1.0, lower], np.r_[1.0, upper], step="post", alpha=0.25,
                          color="grey", label=f"{round(100 * fitted.confidence)}% band (log-log Greenwood)")
    curve_ax.plot(grid, fitted_sf, color="tab:blue", label=f"fitted {fam.name}")
    censored = ~seen
    if censored.any():
        km_at = np.interp(times[censored], np.r_[start, t], np.r_[1.0, s], left=1.0)
        curve_ax.plot(times[censored], km_at, "|", color="tab:red", markersize=6, label="censored")
    curve_ax.set_xlabel("value")
    curve_ax.set_ylabel("survival, P(X > value)")
    curve_ax.set_ylim(0.0, 1.02)
    curve_ax.legend(loc="upper right", fontsize="small")
    pp_ax.plot([0, 1], [0, 1], color="grey", linewidth=0.8)
    pp_ax.plot(s, at_events, ".", color="tab:blue")
    pp_ax.set_xlabel("Kaplan-Meier survival")
    pp_ax.set_ylabel(f"fitted {fam.name} survival")
    pp_ax.set_title("P-P at the event times")
    fig.suptitle((title or f"{fam.name} fit to censored data by maximum likelihood") + "\n" + _subtitle(fitted))
    _save(fig, path, fmt)
    return {"path": str(path), "format": fmt, "kind": "survival", "axes": len(fig.axes)}
