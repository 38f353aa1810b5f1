"""mlefit.regress: a family whose mean moves with covariates, fitted by maximum likelihood
on the per-row likelihood core (linear_model.fit_linear). This module checks the data
and the design, and turns the fit into a RegressionResult; no maths of its own."""
import math
from dataclasses import replace

import numpy as np

from . import families, links
from .errors import ConvergenceError, DataError, UsageError
from .inference import z_value
from .linear_model import REGRESSED, fit_linear
from .regression_result import Coefficient, RegressionResult
from .result import Drop

LOG_LINKS = ("log", "logit", "softmax")
SHOWN = 5  # how many offending rows a message names


def regress(data, response=None, covariates=(), *, formula=None, dist=None, loss=None, link=None,
            weights=None, trials=None, offset=None, exposure=None, intercept=True, positive=None,
            robust=False, cluster=None, fix=None, confidence=0.95, max_iter=100, options=None):
    """Fit `dist` (or the family whose NLL `loss` is) to the column `response` with its
    mean moving with the numeric `covariates`: theta_i = link^-1(Intercept + x_i'b + offset_i).

    data: a CSV path (or '-'), a dict of arrays, or a pandas DataFrame.
    formula: instead of response and covariates, 'y ~ x1 + C(group) + x1:x2' (Wilkinson
        notation, expanded by formulaic after a check of its grammar: mlefit.formula).
    link: the default is the family's canonical one (logit, log, identity).
    weights, offset, exposure: column names (offset enters the linear predictor with
        coefficient 1; exposure E enters as log E). trials: binomial's trials, a number
        or a column name. positive: for a two-label bernoulli response, the label that
        counts as 1 (default: the second in sorted order). options: how to read a CSV
        (mlefit.readers.ReadOptions).
    robust: sandwich (HC0) standard errors, robust to a wrong family; cluster: a column
        whose values group the rows: cluster-robust errors (rows of a cluster may be
        correlated), with R's sandwich::vcovCL adjustment G/(G-1).
    fix: {name: value} of the family's other parameters held fixed (student_t's df, the
        negative binomial's size, normal's sigma), shown as fixed and not counted in AIC.
    Rows with a missing value in any column used are left out and reported. Raises
    DataError for data the model cannot take, UsageError for bad options, and
    ConvergenceError (with the partial result) when the fit does not converge.
    """
    name, loss_label, note = _family(dist, loss)
    target, default_link, allowed, *record = REGRESSED[name]
    link = link or default_link
    if link not in allowed:
        raise UsageError(f"the {name} family takes the link{'s' if len(allowed) > 1 else ''} "
                         f"{', '.join(allowed)} (got '{link}')")
    if not (0.0 < confidence < 1.0):
        raise UsageError(f"confidence must be strictly between 0 and 1 (got {confidence})")
    rhs = None
    if formula is not None:
        if response is not None or covariates:
            raise UsageError("give --formula, or --response with --covariates, not both")
        from .formula import parse
        response, rhs, covariates = parse(formula)
    covariates = [c for c in covariates]
    if response is None:
        raise UsageError("name the response column: --response/-y NAME (or give --formula)")
    trials_column = trials if isinstance(trials, str) and _not_number(trials) else None
    extra = [c for c in (weights, trials_column, offset, exposure, cluster) if c is not None]
    if name == "categorical" and (trials is not None or offset is not None or exposure is not None):
        raise UsageError("--trials, --offset and --exposure do not apply to the categorical family")
    table = _read(data, [response] + covariates + extra, labels=name in ("bernoulli", "categorical"),
                  options=options, refused=() if rhs is not None else covariates)
    y = table.columns[table.names[0]]
    notes = list(table.notes) + ([note] if note else [])
    labels = None
    if name == "categorical":
        y, labels, positive_note = _labels(y, table)
    else:
        y, positive_note = _response(name, y, table, positive)
    notes += [positive_note] if positive_note else []
    cols = dict(zip([response] + covariates + extra, table.names))
    w = _weights(table, cols[weights]) if weights else None
    shapes = ()
    if name == "binomial":
        shapes = (_trials(table, trials, cols.get(trials_column), y),)
    off = None
    if offset is not None:
        off = table.columns[cols[offset]]
    if exposure is not None:
        e = table.columns[cols[exposure]]
        if np.any(~(e > 0)):
            raise DataError(f"--exposure column '{exposure}' must be positive (row {table.place(int(np.argmax(~(e > 0))))})")
        off = np.log(e) if off is None else off + np.log(e)
    X, names, layout = _design(table, [cols[c] for c in covariates], intercept, rhs)
    where = names.index("Intercept") if "Intercept" in names else None
    if name == "categorical":
        from .softmax_model import fit_softmax
        if fix:
            raise UsageError("the categorical family has no other parameter to fix")
        dens, fixed = None, {}
        fit = fit_softmax(y, X, names, labels, w=w, intercept=where, max_iter=max_iter)
    else:
        dens, _ = families.density(name)
        if record:  # the family by its mean (gamma)
            dens = getattr(__import__(f"mlefit.families.{name}", fromlist=[record[0]]), record[0])
        fixed = _fixed(dens, target, fix)
        fit = fit_linear(dens, y, X, names, target=target, link=link, w=w, shapes=shapes, offset=off,
                         intercept=where, fixed=fixed, max_iter=max_iter)
    if name in ("bernoulli", "binomial"):
        _separation(fit, X, names, y, shapes[0] if shapes else None)
    cov, how = fit.covariance, "wald"
    if robust or cluster is not None:
        from .linear_model import sandwich
        groups = table.columns[cols[cluster]] if cluster is not None else None
        count = len(np.unique(groups)) if cluster is not None else 0
        if cluster is not None and count < 2:
            raise DataError(f"--cluster '{cluster}' puts every row in one cluster; cluster-robust errors need two or more")
        cov = sandwich(fit, w, groups)
        if cluster is not None:
            how = f"wald, cluster-robust ({count} clusters of '{cluster}')"
            notes.append(f"standard errors robust to correlation within the {count} clusters of '{cluster}' "
                         f"(sandwich with the adjustment G/(G-1)); with few clusters they are themselves uncertain")
        else:
            how = "wald, sandwich"
            notes.append("sandwich (HC0) standard errors: valid even where the family is wrong")
    result = _result(name, link, dens, fit, table, y, X, w, shapes, off, confidence, notes,
                     loss_label, weights, offset or exposure, cov, how, fixed)
    k = len(fit.names)
    result = replace(result, model={"family": name, "link": link, "response": response, "design": layout,
                                    "offset": offset, "exposure": exposure, "labels": labels,
                                    "covariance": None if fit.covariance is None
                                    else fit.covariance[:k, :k].tolist()})
    if not fit.converged:
        raise ConvergenceError(f"the {name} regression did not converge: {fit.message}; try a larger "
                               f"--max-iter, or check the design", result)
    return result


def _not_number(text):
    try:
        float(text)
    except ValueError:
        return True
    return False


def _family(dist, loss):
    """(canonical family, loss label, note on the loss)."""
    if (dist is None) == (loss is None):
        raise UsageError("give a family (--dist, e.g. bernoulli) or a loss (--loss, e.g. bce), not both"
                         if dist is not None else "give a family (--dist, e.g. poisson) or a loss (--loss, e.g. mse)")
    note = label = None
    if loss is not None:
        from . import losses
        spec, value = losses.resolve(loss)
        dist = losses.family_name(spec, value)
        label = spec.label(value)
        note = f"loss {label} = {spec.formula} is the NLL of the {dist} family with {spec.dropped} dropped"
    name = families.resolve(dist)
    if name is None:
        families.get(dist)  # the error naming the nearest family
    if name not in REGRESSED:
        raise UsageError(f"regress fits the families {', '.join(REGRESSED)}; '{dist}' is not one of them yet")
    return name, label, note


def _read(data, names, labels, options, refused):
    """The columns, aligned; a text column among `refused` (covariates given by -x) is
    refused, pointing to --formula; other text columns are kept (categories, clusters)."""
    from .frame import frame_of, refuse_text

    def on_text(name, cell):
        if name in refused:
            refuse_text(name, cell)
    if len(set(names)) != len(names):
        raise UsageError(f"a column is named twice among {', '.join(names)}")
    return frame_of(data, names, text_first=labels, options=options, on_text=on_text)


def _response(name, y, table, positive):
    """The response as floats, checked for the family; a two-label bernoulli response
    mapped to 0/1 with a note saying which label is 1."""
    label = f"response '{table.names[0]}'"
    if y.dtype.kind in "OUS":
        if name != "bernoulli":
            raise DataError(f"the {label} is text; the {name} family needs numbers")
        levels = sorted(set(y.tolist()))
        if len(levels) != 2:
            raise DataError(f"the {label} has {len(levels)} labels ({', '.join(map(str, levels[:5]))}); "
                            f"bernoulli needs two (or 0/1)")
        one = positive if positive is not None else levels[1]
        if one not in levels:
            raise UsageError(f"--positive '{one}' is not a label of the {label} ({', '.join(levels)})")
        return (y == one).astype(np.float64), f"the {label} is 1 for '{one}' and 0 for " \
                                                 f"'{levels[0] if one == levels[1] else levels[1]}'"
    y = np.asarray(y, dtype=np.float64)
    if name == "bernoulli":
        _refuse(table, y, (y != 0) & (y != 1), label, "bernoulli needs 0 or 1 (or two labels)")
    elif name in ("poisson", "negative_binomial", "binomial"):
        _refuse(table, y, (y < 0) | (y != np.floor(y)), label, f"{name} needs counts: whole numbers >= 0")
    elif name == "gamma":
        _refuse(table, y, ~(y > 0), label, "gamma needs values > 0")
    if positive is not None:
        raise UsageError("--positive is for a bernoulli response of two labels")
    return y, None


def _labels(y, table):
    """(codes 0..K-1 of the response's labels in sorted order, the labels, a note): the
    first label is the reference of the softmax."""
    values = y.tolist()
    labels = sorted(set(values), key=lambda v: (isinstance(v, str), v))
    if len(labels) < 2:
        raise DataError(f"the response '{table.names[0]}' has one label ({labels[0] if labels else 'none'}); "
                        f"categorical regression needs two or more")
    index = {v: i for i, v in enumerate(labels)}
    codes = np.fromiter((index[v] for v in values), dtype=np.int64, count=len(values))
    shown = [str(v) if not isinstance(v, float) or v != int(v) else str(int(v)) for v in labels]
    return codes, shown, (f"the response '{table.names[0]}' has {len(labels)} labels; each coefficient "
                          f"'label:term' compares that label with the reference '{shown[0]}'")


def _refuse(table, y, bad, label, need):
    if np.any(bad):
        where = np.flatnonzero(bad)
        shown = ", ".join(f"{table.place(int(i))}: {y[i]:.10g}" for i in where[:SHOWN])
        raise DataError(f"the {label} has {where.size} value{'s' if where.size > 1 else ''} "
                        f"outside the support ({shown}); {need}")


def _weights(table, column):
    w = np.asarray(table.columns[column], dtype=np.float64)
    bad = ~(np.isfinite(w) & (w >= 0))
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(f"weight column '{column}' has {int(bad.sum())} negative or infinite values "
                        f"({table.place(i)}: {w[i]:.6g}); frequency weights must be finite and >= 0")
    return w


def _trials(table, trials, column, y):
    if trials is None:
        raise UsageError("the binomial family needs its trials: --trials N or --trials COLUMN")
    t = table.columns[column].astype(np.float64) if column else np.full(y.size, float(trials))
    bad = ~((t >= 1) & (t == np.floor(t)) & (t < 2.0 ** 53))
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(f"trials must be whole numbers >= 1 ({table.place(i)}: {t[i]:.10g})")
    over = y > t
    if over.any():
        i = int(np.argmax(over))
        raise DataError(f"{int(over.sum())} responses exceed their trials ({table.place(i)}: {y[i]:.10g} of {t[i]:.10g})")
    return t


def _design(table, columns, intercept, rhs=None):
    """X (float64, n x p) and its column names, from the columns or the formula's terms
    `rhs`; text covariates (outside a formula) and collinear columns refused."""
    if rhs is not None:
        from .formula import design
        X, names, state = design(rhs, {c: table.columns[c] for c in columns}, intercept)
        _check_design(table, X, names)
        return X, names, dict(state, kind="formula", variables=list(columns))
    parts, names = [], []
    if intercept:
        parts.append(np.ones(table.n))
        names.append("Intercept")
    for c in columns:
        v = table.columns[c]
        if v.dtype.kind in "OUS":
            from .frame import refuse_text
            refuse_text(c, v[0] if v.size else "")
        parts.append(np.asarray(v, dtype=np.float64))
        names.append(c)
    X = np.empty((table.n, len(parts)), order="F")  # filled by columns: contiguous writes
    for j, part in enumerate(parts):
        X[:, j] = part
    _check_design(table, X, names)
    return X, tuple(names), {"kind": "columns", "covariates": list(columns), "intercept": bool(intercept)}


def _check_design(table, X, names):
    if X.shape[1] == 0:
        raise UsageError("the model has no terms: give covariates or keep the intercept")
    if table.n <= X.shape[1]:
        raise DataError(f"{table.n} rows for {X.shape[1]} coefficients: the model needs more rows than coefficients")
    _check_rank(X, names)


def _check_rank(X, names):
    """Name a column that is a linear combination of the others (aliased), from the
    eigenvalues of X'X with its columns scaled to unit length: the smallest below 1e-13 of
    the largest (about R's QR tolerance of 1e-7 on X itself) means a combination that
    vanishes; the column named is the last one it involves."""
    gram = X.T @ X
    scale = np.sqrt(np.diag(gram))
    zero = [names[j] for j in np.flatnonzero(scale == 0)]
    if zero:
        raise DataError(f"covariate{'s' if len(zero) > 1 else ''} {', '.join(zero)} "
                        f"{'are' if len(zero) > 1 else 'is'} zero in every row; drop it")
    vals, vecs = np.linalg.eigh(gram / np.outer(scale, scale))
    if vals[0] > 1e-13 * vals[-1]:
        return
    v = np.abs(vecs[:, 0])
    involved = np.flatnonzero(v > 1e-6 * v.max())
    j = involved[-1]
    others = [names[k] for k in involved if k != j]
    raise DataError(f"the design is rank deficient: {names[j]} is a linear combination of "
                    f"{', '.join(others) or 'the others'} (aliased); drop one of them")


def _separation(fit, X, names, y, trials):
    """Refuse a binary fit whose MLE does not exist: some direction b separates the rows
    (x'b >= 0 where every trial succeeded, <= 0 where none did, = 0 in between, and not
    all zero), found by linear programs (Konis 2007), run when the fit shows signs of it
    (no convergence, or a linear predictor beyond +-30). The covariates named are those
    that separate on their own (with the intercept), else those of a separating b."""
    if fit.converged and np.all(np.abs(X @ fit.beta) < 30):
        return
    t = np.ones_like(y) if trials is None else trials
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
                    f"merge {'those covariates' if len(which) > 1 else 'that covariate'}, or fit with a prior")


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


def _fixed(dens, target, fix):
    """{parameter index: value} from {name: value}, checked: a parameter of the family
    other than the one the covariates move, with a value in its domain."""
    out = {}
    movable = [n for i, n in enumerate(dens.params) if i != target]
    for key, text in (fix or {}).items():
        if key not in movable:
            what = f"its other parameters are {', '.join(movable)}" if movable else "it has no other parameter"
            raise UsageError(f"--fix {key}: the {dens.name} regression cannot fix '{key}' ({what}; the "
                             f"coefficients are estimated)")
        try:
            value = float(text)
        except (TypeError, ValueError):
            raise UsageError(f"--fix {key}={text}: the value must be a number") from None
        index = dens.params.index(key)
        if not math.isfinite(value) or (dens.domains[index] == "positive" and value <= 0):
            raise UsageError(f"--fix {key}={text}: {key} must be a finite number"
                             f"{' > 0' if dens.domains[index] == 'positive' else ''}")
        out[index] = value
    return out


def _result(name, link, dens, fit, table, y, X, w, shapes, off, confidence, notes, loss_label,
            weights, offset, cov, how, fixed=None):
    """The RegressionResult of a fit (dens: the family's per-row record; None for the
    categorical family's softmax)."""
    z = z_value(confidence)
    p = len(fit.names)
    coefs = []
    for j, (cname, b) in enumerate(zip(fit.names, fit.beta)):
        se = math.sqrt(cov[j, j]) if cov is not None else None
        lo, hi = (b - z * se, b + z * se) if se is not None else (None, None)
        zval = b / se if se else None
        pval = math.erfc(abs(zval) / math.sqrt(2.0)) if zval is not None else None
        expo = {}
        if link in LOG_LINKS and se is not None:
            expo = dict(exp_estimate=_exp(b), exp_ci_lower=_exp(lo), exp_ci_upper=_exp(hi))
        coefs.append(Coefficient(cname, float(b), se, zval, pval, lo, hi, how, **expo))
    params = []
    for j, ((pname, value), dom) in enumerate(zip(fit.others, fit.other_domains)):
        se_free = math.sqrt(cov[p + j, p + j]) if cov is not None else None
        free = float(_to_free(value, dom))
        if se_free is None:
            params.append(Coefficient(pname, value, None, None, None, None, None, "none"))
            continue
        lo, hi = _from_free(free - z * se_free, dom), _from_free(free + z * se_free, dom)
        se = se_free * (value if dom == "positive" else value * (1 - value) if dom == "unit" else 1.0)
        scale = "" if dom == "real" else f", {'log' if dom == 'positive' else 'logit'} scale"
        params.append(Coefficient(pname, value, se, None, None, lo, hi, how + scale))
    for index, value in (fixed or {}).items():
        params.append(Coefficient(dens.params[index], value, None, None, None, None, None, "fixed"))
    n = float(y.size if w is None else np.sum(w))
    k = p + len(fit.others)
    discrete = dens is None or dens.discrete
    ll = fit.loglik
    lr = df = lr_p = r2 = None
    if fit.loglik_null is not None and p > 1:
        from scipy.special import chdtrc
        lr, df = max(0.0, 2.0 * (ll - fit.loglik_null)), p - 1
        lr_p = float(chdtrc(df, lr))
        r2 = 1.0 - ll / fit.loglik_null if discrete and fit.loglik_null < 0 else None
    deviance = _deviance(name, dens, fit, y, X, w, shapes, off, link)
    method = (f"Newton on the per-row {name} log-likelihood with analytic derivatives "
              f"({link} link), observed information")
    return RegressionResult(
        family=name, link=link, response=table.names[0], coefficients=tuple(coefs), parameters=tuple(params),
        confidence=float(confidence), n=n, rows_read=table.rows_read, dropped=table.dropped,
        loglik=ll, loglik_null=fit.loglik_null, lr_statistic=lr, lr_df=df, lr_p_value=lr_p,
        deviance=deviance, aic=2.0 * k - 2.0 * ll, bic=k * math.log(n) - 2.0 * ll,
        bits_per_sample=-ll / (n * math.log(2.0)), bits_differential=not discrete, pseudo_r2=r2,
        n_parameters=k, converged=fit.converged, iterations=fit.iterations, method=method,
        source=table.source, loss=loss_label, weights=weights, offset=offset, message=fit.message,
        notes=tuple(notes))


def _exp(v):
    return math.exp(v) if v < 709.0 else math.inf


def _to_free(value, dom):
    return math.log(value) if dom == "positive" else math.log(value / (1 - value)) if dom == "unit" else value


def _from_free(v, dom):
    if dom == "positive":
        return _exp(v)
    return 1.0 / (1.0 + math.exp(-v)) if dom == "unit" else v


def _deviance(name, dens, fit, y, X, w, shapes, off, link):
    """2 (saturated log-likelihood - log-likelihood) for the count and binary families
    (the saturated model puts each row's mean at its response, other parameters as
    fitted); the residual sum of squares for normal, as R's glm reports it."""
    if name == "categorical":  # the saturated model gives each row its label: log-likelihood 0
        return -2.0 * fit.loglik
    eta = X @ fit.beta + (0.0 if off is None else off)
    mean = links.inverse(link)(eta)[0]
    ww = 1.0 if w is None else w
    if name == "normal":
        return float(np.sum(ww * (y - mean) ** 2))
    if name == "gamma":  # R's glm: 2 sum ((y - mu)/mu - log(y/mu)), without the shape
        return float(2.0 * np.sum(ww * ((y - mean) / mean - np.log(y / mean))))
    if name not in ("bernoulli", "binomial", "poisson", "negative_binomial"):
        return None
    theta = dict(fit.others)
    sat = y / shapes[0] if name == "binomial" else y
    args = {"bernoulli": (sat,), "binomial": (sat,), "poisson": (sat,),
            "negative_binomial": (theta.get("size"), sat)}[name]
    with np.errstate(all="ignore"):
        terms = dens.logpdf(y, *args, *shapes)
    return float(2.0 * (np.sum(ww * terms) - fit.loglik))
