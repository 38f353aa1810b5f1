"""Separation in binary regression: some combination of the covariates puts every row
where all trials succeeded on one side and every row where none did on the other, so
the maximum likelihood estimate does not exist (a coefficient runs to infinity). Found
by linear programs (Konis 2007), only when a fit shows signs of it."""
import numpy as np

from .errors import DataError


def check(fit, X, names, y, trials, w=None):
    """Refuse a binary fit whose MLE does not exist: some direction b separates the rows
    (x'b >= 0 where every trial succeeded, <= 0 where none did, = 0 in between, and not
    all zero), found by linear programs (Konis 2007), run when the fit shows signs of it
    (no convergence, or a linear predictor beyond +-30). The covariates named are those
    that separate on their own (with the intercept), else those of a separating b. Rows
    of weight 0 do not count."""
    if fit.converged and np.all(np.abs(X @ fit.beta) < 30):
        return
    t = np.ones_like(y) if trials is None else trials
    if w is not None:
        keep = w > 0
        X, y, t = X[keep], y[keep], t[keep]
    s = np.where(y >= t, 1.0, np.where(y <= 0, -1.0, 0.0))
    found = _separating(X, s)
    if found is None:
        return
    base = [j for j, n in enumerate(names) if n == "Intercept"]
    alone = [n for j, n in enumerate(names) if n != "Intercept" and _separating(X[:, base + [j]], s) is not None]
    which = alone or [n for n, v in zip(names, found) if abs(v) > 1e-7 and n != "Intercept"]
    kind = "complete" if _margin(X[:, [names.index(n) for n in which] + base] if which else X, s) > 1e-9 \
        else "quasi-complete"
    raise DataError(f"{kind} separation: {', '.join(which) or 'the intercept'} "
                    f"{'separate' if len(which) > 1 else 'separates'} the outcomes, so the maximum "
                    f"likelihood estimate does not exist (a coefficient goes to infinity); drop or "
                    f"merge {'those covariates' if len(which) > 1 else 'that covariate'}, or fit with --prior jeffreys "
                    f"(Firth's penalised likelihood, finite under separation)")


def _separating(X, s):
    """A direction b in [-1, 1]^p with s_i x_i'b >= 0 (x_i'b = 0 where s_i = 0) and
    sum s_i x_i'b > 0, or None."""
    from scipy.optimize import linprog
    edge, inner = s != 0, s == 0
    signed = X[edge] * s[edge, None]
    out = linprog(-signed.sum(axis=0), A_ub=-signed, b_ub=np.zeros(signed.shape[0]),
                  A_eq=X[inner] if inner.any() else None, b_eq=np.zeros(int(inner.sum())) if inner.any() else None,
                  bounds=[(-1, 1)] * X.shape[1], method="highs")
    return out.x if out.status == 0 and -out.fun > 1e-9 * max(1.0, float(np.abs(signed).sum())) else None


def _margin(X, s):
    """The largest t <= 1 with s_i x_i'b >= t on every row with s_i != 0, b in [-1, 1]^p
    (x'b = 0 where s_i = 0): above 0 the separation is complete."""
    from scipy.optimize import linprog
    edge, inner = s != 0, s == 0
    signed = X[edge] * s[edge, None]
    p = X.shape[1]
    a_ub = np.hstack([-signed, np.ones((signed.shape[0], 1))])
    a_eq = np.hstack([X[inner], np.zeros((int(inner.sum()), 1))]) if inner.any() else None
    out = linprog(np.r_[np.zeros(p), -1.0], A_ub=a_ub, b_ub=np.zeros(signed.shape[0]), A_eq=a_eq,
                  b_eq=np.zeros(int(inner.sum())) if inner.any() else None,
                  bounds=[(-1, 1)] * p + [(None, 1)], method="highs")
    return -out.fun if out.status == 0 else 0.0
