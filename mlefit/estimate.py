"""The one estimator every family goes through: validate, reduce to statistics,
estimate (closed form or Newton), check convergence, then inference."""
import math

import numpy as np

from . import families, inference
from .data import Column, from_values
from .errors import ConvergenceError, DataError, UsageError
from .families.base import Controls
from .result import FitResult, ParameterEstimate
from .support import accepting_families, outside

INFORMATION_KINDS = ("observed", "expected")


def fit(data, family, *, column=None, confidence=0.95, information="observed",
        max_iter=200, tol=1e-12):
    """Fit `family` to `data` by maximum likelihood and return a FitResult.

    data: a sequence or 1-d array of values (None/NaN are missing and reported), or a
        Column from mlefit.data.read_column.
    family: a family name or alias ('poisson', 'gaussian', 'nbinom', ...).
    confidence: level of the intervals, in (0, 1).
    information: 'observed' (default) or 'expected' Fisher information.
    Raises DataError for data the family cannot take, and ConvergenceError (holding the
    partial result as .result) when the optimiser does not converge.
    """
    fam = families.get(family)
    if not (isinstance(confidence, (int, float)) and 0.0 < confidence < 1.0):
        raise UsageError(f"confidence must be strictly between 0 and 1 (got {confidence}); e.g. 0.95")
    if information not in INFORMATION_KINDS:
        raise UsageError(f"information must be 'observed' or 'expected' (got '{information}')")
    if information == "expected" and fam.expected_information is None:
        raise UsageError(f"the {fam.name} family has no closed-form expected information; "
                         f"use --information observed")
    if not (isinstance(max_iter, int) and max_iter >= 1):
        raise UsageError(f"max_iter must be a positive integer (got {max_iter})")
    labels = fam.spec.support == "labels"
    col = data if isinstance(data, Column) else from_values(data, name=column, labels=labels)
    x = col.values
    _validate(fam, col, x)

    with np.errstate(all="ignore"):
        stats = fam.stats(x, None)
        if fam.check is not None:
            fam.check(stats)
        solution = fam.estimate(stats, Controls(max_iter=max_iter, tol=tol))
        theta = tuple(float(t) for t in solution.theta)
        if not all(math.isfinite(t) for t in theta):
            raise DataError(f"the {fam.name} fit to {col.label} produced a non-finite estimate "
                            f"{theta}; the data may be degenerate for this family")
        loglik = float(fam.loglik(stats, theta))
        parameters, notes = _inference(fam, stats, theta, confidence, information)

    k = _free_parameters(fam, stats)
    n = stats.n
    result = FitResult(
        family=fam.name, parameters=tuple(parameters), confidence=float(confidence),
        information=information, n=float(n), rows_read=col.rows_read, dropped=col.dropped,
        loglik=loglik, aic=2.0 * k - 2.0 * loglik, bic=k * math.log(n) - 2.0 * loglik,
        bits_per_sample=-loglik / (n * math.log(2.0)), bits_differential=not fam.spec.discrete,
        n_parameters=k,
        method=solution.method, converged=solution.converged, iterations=solution.iterations,
        column=col.name, source=col.source, message=solution.message, notes=tuple(notes),
    )
    if not solution.converged:
        raise ConvergenceError(f"the {fam.name} fit did not converge: {solution.message}; "
                               f"try a larger --max-iter, or check the data", result)
    return result


def _free_parameters(fam, stats):
    if fam.covariance is not None:
        return len(fam.names(stats)) - 1
    return len(fam.spec.params)


def _validate(fam, col, x):
    spec = fam.spec
    if x.size == 0:
        raise DataError(f"{col.label} has no values to fit ({col.rows_read} rows read, "
                        f"{sum(d.count for d in col.dropped)} missing); check the file and the column")
    if spec.support != "labels":
        bad = np.flatnonzero(outside(spec.support, x))
        if bad.size:
            shown = ", ".join(f"{col.where(i)}: {x[i]:.10g}" for i in bad[:3])
            others = [f for f in accepting_families(x) if f != fam.name]
            hint = f"families that accept this data: {', '.join(others)}" if others else \
                "no family accepts it as it is"
            raise DataError(
                f"{col.label} has {bad.size} value{'s' if bad.size > 1 else ''} outside the "
                f"support of {fam.name} ({spec.support_text}): {shown}; {hint}")
    if x.size < fam.min_n:
        raise DataError(f"too few observations: {fam.name} needs at least {fam.min_n}, "
                        f"{col.label} has only {x.size}")
    if not spec.discrete and x.size and bool(np.all(x == x[0])):
        raise DataError(f"all {x.size} values of {col.label} equal {x[0]:.10g} (zero variance); "
                        f"{fam.name} needs spread to estimate its scale")


def _inference(fam, stats, theta, confidence, information):
    """Standard errors and intervals for each parameter, and notes on how they were made."""
    names, domains = fam.names(stats), fam.domains(stats)
    notes = []
    boundary = fam.boundary(stats, theta, confidence) if fam.boundary is not None else {}
    cov = None
    if len(boundary) < len(theta):
        if fam.covariance is not None:
            cov = fam.covariance(stats, theta)
        else:
            info_fn = fam.expected_information if information == "expected" else fam.observed_information
            cov = inference.covariance_from_information(info_fn(stats, theta))
            if cov is None:
                notes.append("the information matrix is not positive definite: no standard errors")
        if fam.info_note:
            notes.append(fam.info_note)
    z = inference.z_value(confidence)
    out = []
    for i, (name, domain, est) in enumerate(zip(names, domains, theta)):
        if i in boundary:
            lo, hi, note = boundary[i]
            out.append(ParameterEstimate(name, est, None, lo, hi, "exact", note))
            continue
        se = math.sqrt(cov[i, i]) if cov is not None and cov[i, i] >= 0 else None
        if se is None or not math.isfinite(se) or se == 0:
            out.append(ParameterEstimate(name, est, None, None, None, "none",
                                         "no standard error at this estimate"))
            continue
        lo, hi, how = inference.wald_interval(est, se, domain, z)
        out.append(ParameterEstimate(name, est, se, lo, hi, how))
    return out, notes
