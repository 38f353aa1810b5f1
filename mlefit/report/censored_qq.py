"""The numbers behind the Q-Q and P-P plots of a censored fit (drawn by
mlefit.report.plots_censored), as fitdistrplus's qqcompcens and ppcompcens draw them.

The nonparametric MLE of the rows is a list of steps: the distribution function rises
from `before` to `after` somewhere in (left, right]. Kaplan-Meier (rows seen or
right-censored) steps at the event times, so left == right; Turnbull's NPMLE (with
left- or interval-censored rows) steps across its innermost intervals, where the data do
not say how the mass lies. Hence:

- Q-Q: each step is the rectangle [Q(before), Q(after)] x [left, right], Q the fitted
  quantile function; Kaplan-Meier's are points (Q((before + after)/2), t), which with
  nothing censored are exactly the uncensored plot's (Q((i - 0.5)/n), x_(i));
- P-P: each step is the rectangle [F(left), F(right)] x [before, after], F the fitted
  CDF; Kaplan-Meier's are points (F(t), (before + after)/2).

For a discrete family the rows' bounds are the F-difference points (a, b] of
mlefit.censored.rows (a count in [2, 4] is (1, 4]), which is Turnbull's convention, and an
exact count y is the step at y."""
from dataclasses import dataclass

import numpy as np

from ..censored import kaplan_meier, turnbull

NEGLIGIBLE = 1e-9  # a Turnbull interval with less mass than this (of 1) is not a step


@dataclass(frozen=True)
class Steps:
    """The nonparametric estimate as steps: F goes from before[j] to after[j] in
    (left[j], right[j]]; name: "Kaplan-Meier" or "Turnbull"."""

    name: str
    left: np.ndarray
    right: np.ndarray
    before: np.ndarray
    after: np.ndarray

    @property
    def middle(self):
        return (self.before + self.after) / 2


def kaplan_meier_rows(lo, hi):
    """Whether every row is seen or right-censored (Kaplan-Meier's rows)."""
    return bool(np.all((lo == hi) | np.isposinf(hi)))


def steps(lo, hi, weights=None, entry=None):
    """The steps of the NPMLE of rows (lo, hi] (lo == hi: a value seen; lo = -inf:
    left-censored; hi = +inf: right-censored). entry: per-row entry times, for rows seen
    or right-censored only (Kaplan-Meier with delayed entry)."""
    lo = np.asarray(lo, dtype=np.float64)
    hi = np.asarray(hi, dtype=np.float64)
    if kaplan_meier_rows(lo, hi):
        t, s = kaplan_meier.curve(lo, lo == hi, weights, entry=entry)
        after = 1.0 - s
        return Steps("Kaplan-Meier", t, t.copy(), np.r_[0.0, after[:-1]], after)
    q, p, mass, _, _ = turnbull.npmle(lo, hi, weights)
    keep = mass > NEGLIGIBLE
    q, p, mass = q[keep], p[keep], mass[keep]
    after = np.cumsum(mass) / mass.sum()
    after[-1] = 1.0
    return Steps("Turnbull", q, p, np.r_[0.0, after[:-1]], after)


@dataclass(frozen=True)
class Boxes:
    """Rectangles [x0, x1] x [y0, y1] (for Kaplan-Meier: degenerate, with points (px, py)
    at their middles)."""

    x0: np.ndarray
    x1: np.ndarray
    y0: np.ndarray
    y1: np.ndarray
    px: np.ndarray
    py: np.ndarray


def qq(st, quantile):
    """Q-Q: fitted quantiles (x) against the data's steps (y). quantile(p) is the fitted
    quantile function for probabilities in [0, 1] (infinite where the support is)."""
    x0, x1 = quantile(st.before), quantile(st.after)
    return Boxes(x0, x1, st.left, st.right, quantile(st.middle), st.right)


def pp(st, cdf):
    """P-P: fitted probabilities (x) against the nonparametric ones (y)."""
    x0, x1 = cdf(st.left), cdf(st.right)
    return Boxes(x0, x1, st.before, st.after, cdf(st.right), st.middle)


def quantile_function(fam, theta, values):
    """The fitted quantile function on [0, 1]: scipy's ppf where the family has one (its
    support's ends at 0 and 1), else the CDF inverted by bisection inside (0, 1) and -inf /
    +inf at the ends. values: the data's finite bounds (a bracket to start from)."""
    from .plots import _cdf_function, _fitted_quantiles

    x = np.sort(np.asarray(values, dtype=np.float64))
    cdf = _cdf_function(fam, theta, x)
    frozen = fam.scipy(theta) if callable(fam.scipy) else None

    def q(p):
        p = np.asarray(p, dtype=np.float64)
        out = np.where(p <= 0, -np.inf, np.inf)
        if frozen is not None:
            with np.errstate(all="ignore"):
                ends = np.asarray(frozen.ppf(np.clip(p, 0.0, 1.0)), dtype=np.float64)
            out = np.where((p <= 0) | (p >= 1), ends, out)
        inner = (p > 0) & (p < 1)
        if inner.any():
            out[inner] = _fitted_quantiles(fam, theta, p[inner], cdf, x)
        return out
    return q, cdf


def truncated(quantile, cdf, lower, upper):
    """The quantile function and CDF of the fitted law truncated to (lower, upper]: the law
    truncated rows were drawn from, which their Kaplan-Meier or Turnbull estimate
    estimates (with the same truncation for every row). F_T(v) = (F(v) - F(lower)) /
    (F(upper) - F(lower)); Q_T(p) = Q(F(lower) + p (F(upper) - F(lower)))."""
    if lower == -np.inf and upper == np.inf:
        return quantile, cdf
    f_lo = 0.0 if lower == -np.inf else float(cdf(np.array([lower]))[0])
    f_hi = 1.0 if upper == np.inf else float(cdf(np.array([upper]))[0])
    mass = f_hi - f_lo

    def q(p):
        return np.clip(quantile(f_lo + np.asarray(p, dtype=np.float64) * mass), lower, upper)

    def f(v):
        return np.clip((cdf(v) - f_lo) / mass, 0.0, 1.0)
    return q, f
