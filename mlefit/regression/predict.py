"""A fitted regression saved as JSON (`regress --save`), and its predictions on new rows
(`mlefit predict`): the mean link^-1(x'b + offset) of each row, with a delta-method
interval on the link scale mapped back (so it stays inside the parameter's domain)."""
import json
import math

import numpy as np

from .. import __version__
from . import links
from ..errors import DataError, UsageError, plain
from ..inference.information import z_value

MODEL_KIND = "mlefit regression model"


def model_dict(result):
    """The JSON a saved model holds: the result as --json prints it, plus what predicts."""
    if result.model is None:
        raise UsageError("this result has no model to save (fit it with mlefit.regress)")
    from .linear_model import AFT
    if result.family in AFT:  # predict gives link^-1(x'b): here the time scale (or rate), not the mean
        raise UsageError(f"--save: mlefit predict gives each row's mean, and the {result.family} regression's "
                         f"linear predictor sets its time scale; accelerated failure time models cannot be "
                         f"saved for predict yet")
    return dict(result.to_dict(), kind=MODEL_KIND, mlefit_version=__version__, model_spec=result.model)


def save(result, path):
    model = model_dict(result)  # a refusal leaves no file behind
    try:
        with open(path, "w") as f:
            json.dump(model, f, indent=2)
    except OSError as exc:
        raise UsageError(f"cannot write the model to '{plain(path)}': {exc.strerror or exc}") from None


def load(path):
    """The saved model as a dict, checked to be one."""
    try:
        with open(path) as f:
            model = json.load(f)
    except FileNotFoundError:
        raise UsageError(f"model file '{plain(path)}' not found; write one with 'mlefit regress ... --save FILE'") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"'{plain(path)}' is not a saved mlefit model ({type(exc).__name__}); write one "
                        f"with 'mlefit regress ... --save FILE'") from None
    if not isinstance(model, dict) or model.get("kind") != MODEL_KIND or "model_spec" not in model:
        raise DataError(f"'{plain(path)}' is not a saved mlefit model; write one with 'mlefit regress ... --save FILE'")
    problem = _problem(model)
    if problem:
        raise DataError(f"'{plain(path)}' is not a valid saved mlefit model: {problem}; write it again with "
                        f"'mlefit regress ... --save FILE'")
    return model


def _problem(model):
    """What is wrong with a saved model's structure (an edited file), or None."""
    def names(v):
        return isinstance(v, list) and all(isinstance(x, str) for x in v)

    def number(v):
        return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    coefs = model.get("coefficients")
    if not (isinstance(coefs, list) and coefs and all(isinstance(c, dict) and isinstance(c.get("name"), str)
                                                       and number(c.get("estimate")) for c in coefs)):
        return "'coefficients' must list each coefficient's name and a finite estimate"
    spec = model["model_spec"]
    if not isinstance(spec, dict):
        return "'model_spec' must be an object"
    if model.get("link") not in links.LINKS and not (model.get("link") == "softmax" and spec.get("labels")):
        return f"unknown link {model.get('link')!r}"
    design = spec.get("design")
    if not isinstance(design, dict) or not isinstance(design.get("intercept"), bool):
        return "'model_spec.design' must say which columns and whether there is an intercept"
    if design.get("kind") == "columns":
        if not names(design.get("covariates")):
            return "'model_spec.design.covariates' must list column names"
    elif design.get("kind") == "formula":
        if not (isinstance(design.get("rhs"), str) and names(design.get("variables"))
                and isinstance(design.get("categories"), dict) and isinstance(design.get("transform_state"), dict)):
            return "'model_spec.design' must hold the formula, its variables, categories and transforms' state"
    else:
        return "'model_spec.design.kind' must be 'columns' or 'formula'"
    for key in ("offset", "exposure"):
        if spec.get(key) is not None and not isinstance(spec[key], str):
            return f"'model_spec.{key}' must be a column name or null"
    labels = spec.get("labels")
    if labels is not None and not (names(labels) and len(labels) >= 2):
        return "'model_spec.labels' must list two or more labels"
    cov = spec.get("covariance")
    k = len(coefs)
    if design.get("indexed"):  # a factor held as level indices: the covariance in blocks
        from .indexed_predict import problem
        return problem(spec, k)
    if cov is not None and not (isinstance(cov, list) and len(cov) == k and all(
            isinstance(row, list) and len(row) == k and all(number(v) for v in row) for row in cov)):
        return f"'model_spec.covariance' must be a {k} x {k} matrix of numbers (one row per coefficient)"
    return None


def predict(model, data, *, interval=False, confidence=0.95, options=None):
    """(frame, mean, lower, upper): the fitted mean of every row of `data` that has the
    model's covariates (lower/upper None without `interval`); rows missing one are in
    frame.dropped and predicted as NaN."""
    from ..io.frame import frame_of
    spec = model["model_spec"]
    layout = spec["design"]
    variables = layout["covariates"] if layout["kind"] == "columns" else layout["variables"]
    extra = [c for c in (spec.get("offset"), spec.get("exposure")) if c]
    names = variables + extra
    if not names:
        raise UsageError("the model has no covariates: it predicts the same mean for every row "
                         f"(its Intercept, through the {model['link']} link)")
    frame = frame_of(data, names, options=options)
    n = frame.n
    X = _design(layout, frame, variables, n)
    coef = [c["name"] for c in model["coefficients"]]
    got = list(X[1])
    if spec.get("labels"):  # softmax: the design's columns once per label but the reference
        got = [f"{label}:{term}" for label in spec["labels"][1:] for term in got]
    if got != coef:
        raise DataError(f"the new rows give the design columns {', '.join(map(plain, got))}, the model has "
                        f"{', '.join(map(plain, coef))}; give the covariates the model was fitted with")
    X = X[0]
    beta = np.array([c["estimate"] for c in model["coefficients"]])
    if spec.get("labels"):  # softmax: each label's probability, its interval on the logit scale
        from .softmax_predict import probabilities
        with np.errstate(all="ignore"):
            return (frame, *probabilities(X, beta, len(spec["labels"]), _covariance(spec) if interval else None,
                                          confidence))
    eta = X @ beta
    if spec.get("offset"):
        eta = eta + frame.columns[spec["offset"]]
    if spec.get("exposure"):
        e = frame.columns[spec["exposure"]]
        if np.any(~(e > 0)):
            raise DataError(f"--exposure column '{plain(spec['exposure'])}' must be positive")
        eta = eta + np.log(e)
    inverse = links.inverse(model["link"])
    with np.errstate(all="ignore"):
        mean = inverse(eta)[0]
        lower = upper = None
        if interval:
            cov = _covariance(spec)
            if layout.get("indexed"):  # a factor held as level indices: the covariance in blocks
                from .indexed_predict import variance
                se = np.sqrt(np.maximum(variance(X, cov), 0.0))
            else:
                se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", X, cov, X), 0.0))
            z = z_value(confidence)
            a, b = inverse(eta - z * se)[0], inverse(eta + z * se)[0]
            lower, upper = np.minimum(a, b), np.maximum(a, b)  # a decreasing link (inverse) swaps them
    return frame, mean, lower, upper


def _covariance(spec):
    """The saved coefficients' covariance, for intervals."""
    if spec.get("covariance") is None:
        raise DataError("the saved model has no covariance (its information could not be inverted): no intervals")
    if spec["design"].get("indexed"):  # in blocks (mlefit.regression.indexed_predict)
        return spec["covariance"]
    return np.asarray(spec["covariance"], dtype=np.float64)


def _design(layout, frame, variables, n):
    """(X, column names) for the new rows, as the model's design was made."""
    if layout["kind"] == "columns":
        parts = ([np.ones(n)] if layout["intercept"] else []) + \
            [np.asarray(frame.columns[c], dtype=np.float64) if frame.columns[c].dtype.kind not in "OUS"
             else _text(c) for c in variables]
        names = (["Intercept"] if layout["intercept"] else []) + list(variables)
        return (np.column_stack(parts) if parts else np.empty((n, 0))), names
    from .formula import design, level_text
    columns = {c: frame.columns[c] for c in variables}
    for var, levels in layout["categories"].items():
        values = columns[var]
        known = set(levels)
        new = [i for i, v in enumerate(values.tolist()) if v not in known]
        if new:
            raise DataError(f"column '{plain(var)}' has {len(new)} value{'s' if len(new) > 1 else ''} the model "
                            f"never saw ({frame.where(new[0])}: '{plain(level_text(values[new[0]]))}'); it knows "
                            f"{', '.join(plain(level_text(v)) for v in levels[:10])}")
    X, names, _ = design(layout["rhs"], columns, layout["intercept"], state=layout, rows=n,
                         where="the model's formula")
    if layout.get("indexed"):  # the factor held as level indices
        from .indexed_predict import design as indexed
        return indexed(layout, X, names, columns[layout["indexed"]["variable"]])
    return X, list(names)


def _text(name):
    raise DataError(f"covariate '{plain(name)}' is text in the new rows; the model was fitted with numbers")


def csv_lines(frame, mean, lower, upper, labels=None):
    """The predictions as CSV lines, one per data row read (empty cells where a row
    missed a covariate), in the order of the input; with labels (softmax), one column of
    probabilities per label."""
    rows = frame.table_rows
    kept = frame.stood
    if labels:
        cols, header = [], []
        for j, label in enumerate(labels):
            for name, values in ((f"p[{label}]", mean), (f"lower[{label}]", lower), (f"upper[{label}]", upper)):
                if values is not None:
                    out = np.full(rows, np.nan)
                    out[kept] = values[:, j]
                    cols.append(out)
                    header.append(_csv_name(name))
        yield ",".join(header)
        for i in range(rows):
            yield ",".join("" if math.isnan(c[i]) else repr(float(c[i])) for c in cols)
        return
    out = np.full(rows, np.nan)
    out[kept] = mean
    cols = [out]
    header = "mean"
    if lower is not None:
        lo, hi = np.full(rows, np.nan), np.full(rows, np.nan)
        lo[kept], hi[kept] = lower, upper
        cols += [lo, hi]
        header = "mean,lower,upper"
    yield header
    for i in range(rows):
        yield ",".join("" if math.isnan(c[i]) else repr(float(c[i])) for c in cols)


def _csv_name(text):
    """A header cell, quoted where it holds a comma, a quote or a line break."""
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n\r') else text
