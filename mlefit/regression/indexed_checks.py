"""The refusals of a design with a factor held as level indices (mlefit.regression.indexed_design):
rank (a dense column that the levels reproduce, as a covariate constant within each
level), and levels whose coefficient has no finite maximum likelihood estimate (every
count 0, every trial failed or succeeded, or no row of positive weight)."""
import numpy as np

from ..errors import DataError, plain
from ..families.catalog import BY_NAME, edges

SHOWN = 5  # levels named in a message


def check_design(table, design, check_rank, aliased):
    """Refuse too few rows or an aliased column: the dense block's own rank (check_rank),
    then with the levels, by the gram of the dense columns left once each level's mean is
    taken out: Xd'Xd - B D^-1 B' (B: the columns' sums by level, D: the rows per level)."""
    n, p = design.shape
    if n <= p:
        raise DataError(f"{n} rows for {p} coefficients: the model needs more rows than coefficients")
    Xd, names = design.dense, design.dense_names
    if not names:
        return
    check_rank(Xd, names)
    gram = Xd.T @ Xd
    counts = design.level_sums(np.ones(n))
    sums = np.stack([design.level_sums(Xd[:, j]) for j in range(Xd.shape[1])])
    within = gram - (sums / counts) @ sums.T
    scale = np.sqrt(np.diag(gram))
    aliased(within / np.outer(scale, scale), names, f"the levels of {design.term}")


def check_levels(name, rows, covered=()):
    """Refuse levels whose coefficient runs to infinity: no row of positive weight; for the
    count families every count 0; for bernoulli and binomial every response 0 or every one
    at its top (1, or the trials). rows: the regression's Record (the response with its
    weights and trials, the IndexedDesign as its covariates). covered: the levels
    (coefficient indexes) with a prior, which keeps their estimate finite."""
    design, y, w, trials = rows.covariates, rows.values, rows.weights, rows.trials
    levels = design.levels[1:] if design.reference else design.levels
    ww = np.ones(y.size) if w is None else w
    weight = design.level_sums(ww)
    free = np.ones(design.size, dtype=bool)
    free[[j for j in covered if 0 <= j < design.size]] = False
    _refuse(design, levels, (weight <= 0) & free, "no row of positive weight", None, "drop the level's rows or give them weight")
    if design.reference:
        _reference(design, name, y, ww, trials)
    edge = edges(name)
    if not edge:
        return
    total = design.level_sums(ww * y)
    counts = "only zero counts" if edge == "zero" else "only responses of 0"
    _refuse(design, levels, (total <= 0) & free, counts, "-inf", "drop those rows or merge the level with another")
    if edge == "both":
        top = ww * (1.0 if trials is None else trials)
        _refuse(design, levels, (total >= design.level_sums(top)) & free, _all_top(name), "+inf",
                "drop those rows or merge the level with another")


def _all_top(name):
    return "every trial a success" if BY_NAME[name].shape == "trials" else "only responses of 1"


def _reference(design, name, y, ww, trials):
    """Refuse a reference level (the intercept's) with no row of positive weight, or whose
    responses are all at an edge of a count or binary family."""
    used = (design.codes == design.size) & (ww > 0)
    top = 1.0 if trials is None else trials[used]
    if not np.any(used):
        what = "no row of positive weight"
    elif edges(name) == "zero" and np.all(y[used] == 0):
        what = "only zero counts"
    elif edges(name) == "both" and np.all(y[used] == 0):
        what = "only responses of 0"
    elif edges(name) == "both" and np.all(y[used] == top):
        what = _all_top(name)
    else:
        return
    raise DataError(f"the reference level '{plain(str(design.levels[0]))}' of {design.term} has {what}: the "
                    f"intercept's maximum likelihood estimate is not finite; drop those rows or merge the level "
                    f"with another")


def _refuse(design, levels, bad, what, estimate, fix):
    where = np.flatnonzero(bad)
    if not where.size:
        return
    shown = ", ".join(f"'{plain(str(levels[i]))}'" for i in where[:SHOWN]) + (", ..." if where.size > SHOWN else "")
    many = where.size > 1
    if estimate is None:
        why = f"nothing estimates {'their coefficients' if many else 'its coefficient'}"
    elif estimate in ("-inf", "+inf"):
        whose = "their coefficients'" if many else "its coefficient's"
        why = (f"{whose} maximum likelihood estimate is {estimate} "
               f"(the likelihood keeps rising as {'they go' if many else 'it goes'} there)")
    raise DataError(f"{where.size} level{'s' if many else ''} of {design.term} ({shown}) "
                    f"{'have' if many else 'has'} {what}: {why}; {fix}")


def check_separation(fit, rows):
    """As separation.check for a binary fit over level indices (the IndexedDesign as the
    covariates of the regression's Record `rows`): on signs of separation (no
    convergence, or a linear predictor beyond +-30), one sparse linear program over the
    dense columns and the levels' indicators (never dense); a dense covariate that
    separates on its own (with the intercept) is named, else the combination's covariates
    and the levels."""
    design, y, w = rows.covariates, rows.values, rows.weights
    if fit.converged and np.all(np.abs(design @ fit.beta) < 30):
        return
    import scipy.sparse as sp
    from . import separation
    t = np.ones_like(y) if rows.trials is None else rows.trials
    keep = np.ones(y.size, dtype=bool) if w is None else w > 0
    s = np.where(y >= t, 1.0, np.where(y <= 0, -1.0, 0.0))[keep]
    codes = design.codes[keep]
    has = codes < design.size  # the reference level's rows have no indicator
    rows = np.flatnonzero(has)
    levels = sp.csr_array((np.ones(rows.size), (rows, codes[has])), shape=(codes.size, design.size))
    X = sp.hstack([sp.csr_array(design.dense[keep]), levels], format="csr")
    found = _separating(X, s)
    if found is None:
        return
    names = design.dense_names
    base = [j for j, n in enumerate(names) if n == "Intercept"]
    dense = design.dense[keep]
    alone = [n for j, n in enumerate(names) if n != "Intercept"
             and separation._separating(dense[:, base + [j]], s) is not None]
    level_columns = list(range(len(names), X.shape[1]))
    with_levels = [n for j, n in enumerate(names) if n != "Intercept" and not alone
                   and _separating(X[:, base + [j] + level_columns], s) is not None]
    which = alone or (with_levels or [n for n, v in zip(names, found) if abs(v) > 1e-7 and n != "Intercept"]) + \
        ([f"the levels of {design.term}"] if np.any(np.abs(found[len(names):]) > 1e-7) else [])
    raise DataError(f"separation: {', '.join(which) or 'the intercept'} "
                    f"{'separate' if len(which) > 1 else 'separates'} the outcomes, so the maximum likelihood "
                    f"estimate does not exist (a coefficient goes to infinity); drop or merge "
                    f"{'those covariates' if len(which) > 1 else 'that covariate'}")


def _separating(X, s):
    """separation._separating over a sparse design: a direction b in [-1, 1]^p with
    s_i x_i'b >= 0 (= 0 where s_i = 0) and sum s_i x_i'b > 0, or None."""
    import scipy.sparse as sp
    from scipy.optimize import linprog
    edge, inner = s != 0, s == 0
    signed = sp.diags_array(s[edge]) @ X[edge]
    total = np.asarray(signed.sum(axis=0)).ravel()
    out = linprog(-total, A_ub=-signed, b_ub=np.zeros(signed.shape[0]),
                  A_eq=X[inner] if inner.any() else None, b_eq=np.zeros(int(inner.sum())) if inner.any() else None,
                  bounds=[(-1, 1)] * X.shape[1], method="highs")
    return out.x if out.status == 0 and -out.fun > 1e-9 * max(1.0, float(np.abs(signed).sum())) else None
