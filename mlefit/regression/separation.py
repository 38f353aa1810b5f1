"""Separation in binary regression: some combination of the covariates puts every row
where all trials succeeded on one side and every row where none did on the other, so
the maximum likelihood estimate does not exist (a coefficient runs to infinity). Found
by linear programs (Konis 2007), only when a fit shows signs of it."""
import numpy as np

from ..errors import DataError


SIGNS = 18.0  # |linear predictor| from which the counts' and the softmax's checks run their program


def check(fit, names, rows):
    """Refuse a binary fit whose MLE does not exist: some direction b separates the rows
    (x'b >= 0 where every trial succeeded, <= 0 where none did, = 0 in between, and not
    all zero), found by linear programs (Konis 2007), run when the fit shows signs of it
    (no convergence, or a linear predictor beyond +-30). rows: the regression's Record
    (the response with its trials and weights, the design as its covariates; names: the
    design's columns). The covariates named are those that separate on their own (with
    the intercept), else those of a separating b. Rows of weight 0 do not count."""
    X, y, w = rows.covariates, rows.values, rows.weights
    if fit.converged and np.all(np.abs(_xb(fit, X)) < 30):
        return
    t = np.ones_like(y) if rows.trials is None else rows.trials
    if w is not None:
        keep = w > 0
        X, y, t = X[keep], y[keep], t[keep]
    s = np.where(y >= t, 1.0, np.where(y <= 0, -1.0, 0.0))
    which, base = _separators(X, s, names)
    if which is None:
        return
    kind = "complete" if _margin(X[:, [names.index(n) for n in which] + base] if which else X, s) > 1e-9 \
        else "quasi-complete"
    raise DataError(f"{kind} separation: {', '.join(which) or 'the intercept'} "
                    f"{'separate' if len(which) > 1 else 'separates'} the outcomes, so the maximum "
                    f"likelihood estimate does not exist (a coefficient goes to infinity); drop or "
                    f"merge {'those covariates' if len(which) > 1 else 'that covariate'}, or fit with --prior jeffreys "
                    f"(Firth's penalised likelihood, finite under separation)")


def _xb(fit, X):
    """X b at the fit's b: the linear predictor its objective kept there, less the offset,
    where the objective's design is X (no pass over X), else X @ b."""
    obj = getattr(fit, "objective", None)
    last = getattr(obj, "_last", None)
    if last is not None and getattr(obj, "X", None) is X and np.array_equal(last[0], fit.beta):
        return last[1] if obj.offset is None else last[1] - obj.offset
    return X @ fit.beta


def check_counts(fit, names, rows):
    """Refuse a count (poisson, negative_binomial) fit on a log link whose MLE does not
    exist: a direction b with x_i'b = 0 on every row with a count above 0 and x_i'b <= 0,
    not all 0, on the rows whose count is 0 (a level of a factor, or a side of a covariate,
    where every count is 0): along it the likelihood rises as those rows' mean goes to 0.
    The same linear program as check(), run when the fit shows signs of it (no
    convergence, or a linear predictor below -SIGNS: Newton stops where the rows' mean,
    going to 0, no longer moves the sum, near a linear predictor of -30). rows, names: as
    check()'s."""
    X, y, w = rows.covariates, rows.values, rows.weights
    if fit.converged and np.all(_xb(fit, X) > -SIGNS):
        return
    if w is not None:
        X, y = X[w > 0], y[w > 0]
    which, _ = _separators(X, np.where(y <= 0, -1.0, 0.0), names)
    if which is None:
        return
    raise DataError(f"the zero counts are separated: {', '.join(which) or 'the intercept'} "
                    f"{'pick' if len(which) > 1 else 'picks'} out rows whose counts are all 0, so the maximum "
                    f"likelihood estimate does not exist (a coefficient goes to -infinity, their mean to 0); drop "
                    f"or merge {'those covariates' if len(which) > 1 else 'that covariate'} (or the level of a "
                    f"factor with no count above 0), or fit with a prior on the coefficients "
                    f"(--prior 'coef ~ normal(0, 2.5)')")


def check_softmax(fit, names, rows, k):
    """Refuse a softmax (categorical) fit whose MLE does not exist (Albert and Anderson
    1984): coefficient vectors b_1..b_{K-1} (b_0 = 0 for the reference) not all zero with
    x_i'(b_{y_i} - b_j) >= 0 for every row i and every other label j: each row's own label
    is (weakly) the most probable along that direction, so moving along it never lowers
    the likelihood. Found by one linear program over every row and label pair, run when
    the fit shows signs of it; named as check() names them. rows: as check()'s, the
    response the labels' codes 0..k-1."""
    X, codes, w = rows.covariates, rows.values, rows.weights
    p = X.shape[1]
    if fit.converged and np.all(np.abs(X @ fit.beta.reshape(k - 1, p).T) < SIGNS):
        return
    if w is not None:
        X, codes = X[w > 0], codes[w > 0]
    found = _separating(_label_pairs(X, codes, k), np.ones(X.shape[0] * (k - 1)))
    if found is None:
        return
    base = [j for j, n in enumerate(names) if n == "Intercept"]
    alone = [n for j, n in enumerate(names) if n != "Intercept" and
             _separating(_label_pairs(X[:, base + [j]], codes, k), np.ones(X.shape[0] * (k - 1))) is not None]
    moved = np.abs(found.reshape(k - 1, p)).max(axis=0) > 1e-7
    which = alone or [n for n, m in zip(names, moved) if m and n != "Intercept"]
    raise DataError(f"separation: {', '.join(which) or 'the intercepts'} "
                    f"{'separate' if len(which) > 1 else 'separates'} the labels, so the maximum likelihood "
                    f"estimate does not exist (a coefficient goes to infinity); drop or merge "
                    f"{'those covariates' if len(which) > 1 else 'that covariate'} or labels, or fit with a "
                    f"prior on the coefficients (--prior 'coef ~ normal(0, 2.5)')")


def _separators(X, s, names):
    """(the covariates that separate, the intercept's columns) of the signs s, or (None,
    those columns) where no direction separates: those that separate on their own (with
    the intercept), else those of a separating direction."""
    base = [j for j, n in enumerate(names) if n == "Intercept"]
    found = _separating(X, s)
    if found is None:
        return None, base
    alone = [n for j, n in enumerate(names) if n != "Intercept" and _separating(X[:, base + [j]], s) is not None]
    return alone or [n for n, v in zip(names, found) if abs(v) > 1e-7 and n != "Intercept"], base


def _label_pairs(X, codes, k):
    """The rows x_i'(b_{y_i} - b_j) >= 0 of check_softmax's program, one per row and other
    label j, over the coefficients (b_1, ..., b_{K-1}) flattened."""
    n, p = X.shape
    out = np.zeros((n * (k - 1), (k - 1) * p))
    other = np.array([[m for m in range(k) if m != c] for c in range(k)])  # the k - 1 other labels of each label
    for t in range(k - 1):
        block = out[t * n:(t + 1) * n]
        mine, theirs = codes, other[codes, t]
        for label, sign in ((mine, 1.0), (theirs, -1.0)):
            for c in range(1, k):
                at = label == c
                block[at, (c - 1) * p:c * p] += sign * X[at]
    return out


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
