"""The one estimator every family goes through: validate, reduce to statistics,
estimate (closed form or Newton), check convergence, then inference."""
import math
import numbers
from dataclasses import replace
from functools import lru_cache

import numpy as np

from . import families
from .inference import information as inference, intervals
from . import numerics as nm
from .binary import as_outcomes
from .io.column import BINARY, from_values, no_values
from .data import Record, own_sides
from .errors import BoundaryError, ConvergenceError, DataError, UsageError
from .families.base import Controls, Solution
from .inference.fitted import Fitted
from .report.result import FitResult, ParameterEstimate, made
from .support import accepting_families, outside_error, outside_values
from .trials import aligned_trials, trials_family, with_trials

INFORMATION_KINDS = ("observed", "expected")


def fit(data, family=None, *, loss=None, weights=None, trials=None, fix=None, column=None,
        confidence=0.95, information="observed", max_iter=200, tol=1e-12, interval="wald",
        robust=False, derive=(), bootstrap=None, resample="parametric", seed=0, on_step=None, positive=None,
        prior=None, mle_optional=False):
    """The estimator behind mlefit.fit, whose docstring documents every option (help(mlefit.fit))."""
    data, weights, trials = own_sides(data, weights, trials)  # a record's own, unless others are given
    if prior is not None:  # MAP: the ML fit (data checked, the MLE beside), then log-prior added
        from .priors import map_fit
        map_fit.check_options(interval, robust, derive, bootstrap, data, information)
        intervals.check_options(interval, resample, bootstrap)
        ml = fit(data, family, loss=loss, weights=weights, trials=trials, fix=fix, column=column,
                 confidence=confidence, information=information, max_iter=max_iter, tol=tol, positive=positive,
                 mle_optional=True)
        if interval not in ("bootstrap", "all"):
            return map_fit.fit_map(ml, prior, max_iter, interval, derive)
        from .priors import bootstrap as map_bootstrap  # the MAP refitted to resamples, beside the Laplace (or profile) intervals
        map_bootstrap.check(ml, interval, resample)
        result = map_fit.fit_map(ml, prior, max_iter, "profile" if interval == "all" else "wald", derive)
        return map_bootstrap.extend(result, ml, prior, interval, bootstrap, resample, seed, max_iter, on_step)
    if type(data) is Record and data.censored:  # censored or truncated rows
        if trials is not None:
            raise UsageError("censored data take a family with its trials in the name (binomial:12)")
        from .censored import fit as censored_fit
        return censored_fit.fit(data, family, loss=loss, weights=weights, fix=fix, confidence=confidence,
                                information=information, max_iter=max_iter, interval=interval, robust=robust,
                                derive=derive, bootstrap=bootstrap, seed=seed, on_step=on_step,
                                resample="nonparametric" if resample == "parametric" and interval in
                                ("wald", "profile") else resample)
    fam, loss, loss_note = resolve(family, loss, trials, confidence, information, max_iter)
    stats = None
    if fam.vouches is not None and weights is None and trials is None and not fix and positive is None:
        col, stats = _vouched(fam, data, column)
    if stats is not None:
        x, w, scale = col.values, None, 1.0
    else:
        fam, col, x, w, scale, span = _checked(fam, data, column, weights, trials, positive, fix)
    try:
        if stats is None:
            with np.errstate(all="ignore"):
                try:
                    if span is not None and getattr(fam.stats, "takes_span", False):
                        stats = fam.stats(x, w, span=span)  # numerics.takes_span
                    else:
                        stats = fam.stats(x, w)
                except (ArithmeticError, ValueError, np.linalg.LinAlgError) as exc:
                    raise _too_extreme(fam, col, None, exc) from exc
        return from_stats(fam, stats, col, None, data=x, w=w, scale=scale, fix=fix, confidence=confidence,
                          information=information, max_iter=max_iter, tol=tol, loss=loss, loss_note=loss_note,
                          weights=weights, keep_data=True, interval=interval, robust=robust, derive=derive,
                          bootstrap=bootstrap, resample=resample, seed=seed, on_step=on_step,
                          mle_optional=mle_optional)
    except DataError as exc:  # weighted sums that overflow make any data look degenerate
        values = fam.split(x)[0]  # (rescaled, as the statistics saw them)
        if w is None or isinstance(exc, BoundaryError) or not values.size or values.dtype == object:
            raise
        with np.errstate(over="ignore"):
            reach = float(np.sum(w)) * max(1.0, float(np.max(np.abs(values)))) ** 2
        if math.isfinite(reach):
            raise
        raise DataError(f"the weights (total {np.sum(w):.6g}) are too large for these values: their sums of "
                        f"weight x value^2 overflow double precision; {WEIGHTS_WAY_OUT}") from exc


def _vouched(fam, data, name):
    """(Record, stats) of a 1-d float64 array whose statistics the family vouches for
    (Family.vouches), computed without the pass for the extremes that from_values and
    _validate take (for normal at 1e5, one of its four passes); (None, None) for other
    data, or where the statistics do not vouch (NaN, inf, no spread, 0s and 1s, huge or
    tiny magnitudes): _checked then looks at the data as usual, with its messages."""
    if not (type(data) is np.ndarray and data.dtype == np.float64 and data.ndim == 1
            and data.size >= max(fam.min_n, 1)):
        return None, None
    stats = _vouching_stats(fam, data)
    if stats is None:
        return None, None
    return made(Record, name=name, values=data, positions=None, rows_read=data.size, dropped=()), stats


@np.errstate(all="ignore")  # as a decorator: 0.5 us a call, where a with block costs 1.1 us
def _vouching_stats(fam, data):
    """fam.stats(data) where the family vouches for them, else None."""
    try:
        stats = fam.stats(data, None)
        return stats if fam.vouches(stats, data) else None
    except (ArithmeticError, ValueError, DataError):
        return None


def _checked(fam, data, column, weights, trials, positive, fix):
    """The data as a Record, checked against the family: (family, column, data, weights,
    scale, span): the family for its trials; its data (Family.data: the values, divided by
    `scale` where they are beyond 1e+-100, or the rows (values, trials) of trials per row);
    span, the values' (min, max) (None for labels)."""
    labels = fam.spec.support == "labels" or (BINARY if fam.spec.support == "binary" else False)
    col = data if isinstance(data, Record) else from_values(data, name=column, labels=labels)
    if labels == BINARY and col.values.dtype == object:  # two text labels: which one is 1 is said
        outcomes, note = as_outcomes(col.values, col.label, positive)
        col = col.but(values=outcomes, notes=col.notes + (note,))
    elif positive is not None:
        raise UsageError("--positive (positive=) names the label that counts as 1 of a bernoulli fit to "
                         "two text labels")
    if col.weights is not None or col.trials is not None:  # the sides given (a record's own: data.own_sides)
        col = col.but(weights=None, trials=None)
    first = col
    if weights is not None:
        col = _weighted(col, weights, aligned=isinstance(data, Record))
    if trials is not None:
        col = aligned_trials(first, col, trials, aligned=isinstance(data, Record))
    x = col.values
    span = _validate(fam, col, x)
    if fam.spec.shape == "trials":
        fam, trimmed = with_trials(fam, col)
        if trimmed is not col:  # rows of zero trials were left out
            span = _validate(fam, trimmed, trimmed.values)
        col, x = trimmed, fam.data(trimmed)
    w = col.weights
    binary = _binary_note(fam, x, span)
    if binary:
        col = replace(col, notes=col.notes + (binary,))
    x, scale, span = _rescaled(fam, col, x, span) if not fix else (x, 1.0, span)
    return fam, col, x, w, scale, span


def resolve(family, loss, trials, confidence, information, max_iter):
    """(the family, the loss label, the note on the loss) for fit()'s arguments, checked."""
    loss_note = None
    if loss is not None:
        if family is not None:
            raise UsageError("give a family or a loss, not both")
        from . import losses
        spec, value = losses.resolve(loss)
        family = losses.family_name(spec, value)
        loss = spec.label(value)
        loss_note = (f"loss {loss} = {spec.formula} is the NLL of the {family} family with "
                     f"{spec.dropped} dropped: {spec.identity}")
    elif family is None:
        raise UsageError("give a family (e.g. 'normal') or a loss (e.g. 'mse')")
    fam = families.get(family) if trials is None else trials_family(family)
    if not (type(confidence) is float and 0.0 < confidence < 1.0) and (  # the usual case without ABC checks
            isinstance(confidence, bool) or not (isinstance(confidence, numbers.Real) and 0.0 < confidence < 1.0)):
        raise UsageError(f"confidence must be strictly between 0 and 1 (got {confidence}); e.g. 0.95")
    if information not in INFORMATION_KINDS:
        raise UsageError(f"information must be 'observed' or 'expected' (got '{information}')")
    if information == "expected" and fam.expected_information is None:
        raise UsageError(f"the {fam.name} family has no closed-form expected information; "
                         f"use --information observed")
    if not (type(max_iter) is int and max_iter >= 1) and (
            isinstance(max_iter, bool) or not (isinstance(max_iter, numbers.Integral) and max_iter >= 1)):
        raise UsageError(f"max_iter must be a positive integer (got {max_iter})")
    return fam, loss, loss_note


def from_stats(fam, stats, col, span, *, data=None, w=None, scale=1.0, fix=None, confidence=0.95,
               information="observed", max_iter=200, tol=1e-12, loss=None, loss_note=None,
               weights=None, keep_data=True, interval="wald", robust=False, derive=(), bootstrap=None,
               resample="parametric", seed=0, on_step=None, mle_optional=False):
    """The fit from the family's statistics of the data: estimate, convergence, inference
    and the result. col: the Record the statistics came from (its values when keep_data,
    else only its report: a file fitted in chunks); span: (min, max) of the values, for
    messages (None: taken from col.values; a function: called only for a message); data: the family's data the statistics came
    from, where they are not col.values (rows with their trials: Family.data)."""
    fixed, solution, theta, loglik, parameters, notes, cov, exact = _estimated(
        fam, stats, col, span, fix, confidence, information, max_iter, tol, loss_note, mle_optional)
    if scale != 1.0:
        parameters, theta = _map_back(fam, parameters, theta, scale)
        if not all(math.isfinite(t) for t in theta):
            raise _too_extreme(fam, col, span, None)
        loglik -= stats.n * math.log(scale)
        notes.append(f"fitted to the values divided by 2^{int(math.log2(scale))} (an exact "
                     f"rescaling that keeps double precision), then mapped back")

    k = fam.free_parameters(stats) - len(fixed)
    n = stats.n
    result = made(  # FitResult(...), quicker
        FitResult, family=fam.name, parameters=tuple(parameters), confidence=float(confidence),
        information=information, n=float(n), rows_read=col.rows_read, dropped=col.dropped,
        loglik=loglik, aic=2.0 * k - 2.0 * loglik, bic=k * math.log(n) - 2.0 * loglik,
        bits_per_sample=-loglik / (n * math.log(2.0)), bits_differential=not fam.spec.discrete,
        n_parameters=k,
        method=solution.method, converged=solution.converged, iterations=solution.iterations,
        column=col.name, source=col.source, message=solution.message, notes=tuple(notes), loss=loss,
        weights=None if w is None else (weights if isinstance(weights, str) else col.weights_name or "given"),
        fitted=None if scale != 1.0 or not keep_data else made(  # beyond 1e+-100, Wald intervals only
            Fitted, family=fam, x=col.values if data is None else data, w=w, stats=stats, theta=theta, loglik=loglik,
            confidence=float(confidence), information=information, fixed=fixed, exact=frozenset(exact),
            cov=cov, max_iter=int(max_iter)),
    )
    if not solution.converged:
        raise ConvergenceError(f"the {fam.name} fit did not converge: {solution.message}; "
                               f"try a larger --max-iter, or check the data", result)
    if interval != "wald" or resample != "parametric" or bootstrap is not None:
        intervals.check_options(interval, resample, bootstrap)
    if intervals.asked(interval, robust, derive):
        result = intervals.extend(result, interval=interval, robust=robust, derive=derive,
                                  bootstrap=bootstrap, resample=resample, seed=seed, on_step=on_step)
    return result


@np.errstate(all="ignore")  # as a decorator: 0.5 us a call, where a with block costs 1.1 us
def _estimated(fam, stats, col, span, fix, confidence, information, max_iter, tol, loss_note, mle_optional):
    """from_stats' estimate and inference, floating-point warnings off: (fixed, solution,
    theta, loglik, parameters, notes, cov, exact)."""
    try:
        controls = _controls(int(max_iter), float(tol), bool(mle_optional))
        fixed = {}
        if fix:
            from .constrained import fit_fixed, parse_fixed
            fixed = parse_fixed(fam, fix, stats)
        solution = _unconstrained(fam, stats, controls, fixed)
        if fixed:
            solution = fit_fixed(fam, stats, fixed, solution.theta, controls)
        theta = tuple(map(float, solution.theta))
        at = solution.at  # (loglik, observed information) from the estimator's last step
        loglik = float(fam.loglik(stats, theta) if at is None else at[0])
    except (ArithmeticError, ValueError, np.linalg.LinAlgError) as exc:
        raise _too_extreme(fam, col, span, exc) from exc
    domains = fam.domains(stats)
    if not all(map(math.isfinite, theta)) or not math.isfinite(loglik) or any(
            t < 0 for t, dom in zip(theta, domains) if dom == "positive"):
        raise _too_extreme(fam, col, span, None)
    try:
        parameters, notes, cov, exact = _inference(fam, stats, theta, confidence, information, fixed,
                                                   None if at is None else at[1], domains)
    except (ArithmeticError, ValueError, np.linalg.LinAlgError) as exc:
        raise _too_extreme(fam, col, span, exc) from exc
    notes = list(col.notes) + ([loss_note] if loss_note else []) + notes + \
        (list(fam.estimate_notes(stats, theta)) if fam.estimate_notes is not None else [])
    return fixed, solution, theta, loglik, parameters, notes, cov, exact


@lru_cache(maxsize=16)
def _controls(max_iter, tol, mle_optional):
    """The estimators' Controls (a frozen record: one per setting serves every fit)."""
    return Controls(max_iter=max_iter, tol=tol, mle_optional=mle_optional)


WEIGHTS_WAY_OUT = "divide them all by one constant (the estimates stay; the standard errors grow as the total shrinks)"


def _unconstrained(fam, stats, controls, fixed):
    """The family's own estimate (the start of a fit with parameters `fixed`); where it
    is on an edge that a fixed parameter keeps out of reach (negative_binomial's size to
    infinity, with the size fixed), the edge's start instead."""
    try:
        if fam.check is not None:
            fam.check(stats)
        return fam.estimate(stats, controls)
    except BoundaryError as exc:
        names = fam.names(stats)
        if exc.start is None or not any(names.index(p) in fixed for p in exc.going):
            raise
        return Solution(tuple(exc.start), "start at the edge")


def _weighted(col, weights, aligned):
    """col with its weights (col.weights) for the values it holds, checked: finite and
    >= 0. Missing weights and zero weights leave their rows out, reported like missing
    cells (Record.without)."""
    if isinstance(weights, str):
        raise UsageError("weights must be numbers, one per value (from the command line, "
                         "use --weights COLUMN)")
    try:
        w = np.asarray(weights, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise DataError("weights must be numbers (frequency weights, one per value)") from None
    expected = col.values.size if aligned else col.rows_read
    if w.size != expected:
        raise UsageError(f"there are {w.size} weights for {expected} values; give one weight per value")
    if not aligned and (col.positions is not None or col.values.shape[0] != w.size):  # rows were left
        w = w[col.stood]  # out (a missing value): theirs go too; else every row stood where it is
    bad = np.flatnonzero(np.isinf(w) | (w < 0))
    if bad.size:
        shown = ", ".join(f"{col.where(i)}: {w[i]:.6g}" for i in bad[:3])
        raise DataError(f"{bad.size} weight{'s are' if bad.size > 1 else ' is'} negative or infinite "
                        f"({shown}); frequency weights must be finite and >= 0")
    col = col.but(weights=w).without((np.isnan(w), "missing weight"), (w == 0, "zero weight"))
    w = col.weights
    with np.errstate(over="ignore"):
        total = float(np.sum(w))
    if not math.isfinite(total):
        i = int(np.argmax(w))
        raise DataError(f"the weights add up to more than 1.8e308, the largest double (the largest: "
                        f"{w[i]:.6g}, {col.where(i)}); {WEIGHTS_WAY_OUT}")
    return col


def _rescaled(fam, col, x, span):
    """Data of scale-equivariant families whose magnitude is beyond 1e+-100 are divided
    by a power of two (exact in floating point) so that squares and information
    matrices neither overflow nor underflow; the estimates are mapped back afterwards.
    span: (min x, max x) from _validate (None for labels). Returns (x, scale, span),
    span for the values returned."""
    if fam.rescale is None or x.size == 0 or span is None:
        return x, 1.0, span
    lo, hi = span
    big = max(abs(lo), abs(hi))
    if big == 0.0 or 1e-100 <= big <= 1e100:
        return x, 1.0, span
    scale = math.ldexp(1.0, math.frexp(big)[1] - 1)  # the power of two just below big
    scaled = x / scale
    if fam.spec.support == "positive" and lo / scale == 0.0:  # the smallest underflows
        raise DataError(f"{col.label} spans too many orders of magnitude for double precision "
                        f"(from {lo:.6g} to {big:.6g}); {fam.name} cannot use both ends")
    return scaled, scale, (lo / scale, hi / scale)  # division is monotonic: the extremes of scaled


def _map_back(fam, parameters, theta, scale):
    """Estimates, SEs and interval bounds of the rescaled fit, in the original unit."""
    mult, shift = fam.rescale(scale)
    out = []
    for p, m, c in zip(parameters, mult, shift):
        move = (lambda v, m=m, c=c: None if v is None else v * m + c)
        out.append(replace(p, estimate=move(p.estimate), se=None if p.se is None else p.se * m,
                           ci_lower=move(p.ci_lower), ci_upper=move(p.ci_upper)))
    return out, tuple(t * m + c for t, m, c in zip(theta, mult, shift))


def _too_extreme(fam, col, span, exc):
    """span: (min, max), a function giving it (work done only for the message), or None: col.values'."""
    lo, hi = span() if callable(span) else span if span is not None else (float(np.min(col.values)),
                                                                          float(np.max(col.values)))
    why = f" ({type(exc).__name__}: {exc})" if exc is not None else ""
    return DataError(f"the {fam.name} fit to {col.label} breaks down in double precision: the values "
                     f"(from {lo:.6g} to {hi:.6g}) are too extreme or too concentrated for it{why}; "
                     f"rescale them (change the unit) or choose another family")


def _binary_note(fam, x, span):
    """What was fitted when a density meets a column of 0/1 outcomes (a user after the
    probability of a 1, or logistic regression, who typed 'logistic'), or None."""
    if fam.spec.discrete or fam.spec.support == "labels" or span is None or tuple(span) != (0.0, 1.0) \
            or not bool(np.all((x == 0.0) | (x == 1.0))):
        return None
    what = fam.spec.on_outcomes or f"{fam.name}, a continuous density,"
    return (f"every value is 0 or 1: {what} was fitted to them, and its bits are differential; for the "
            f"probability of a 1 use --dist bernoulli, and for a probability that moves with covariates "
            f"'mlefit regress -d bernoulli' (logistic regression)")


def _named(fam, col):
    """The family's name as the fit would give it: base:T where the record's trials are one
    number T (the family of trials per row is named by with_trials, after this check)."""
    if fam.spec.shape != "trials" or col.trials is None:
        return fam.name
    t = np.unique(col.trials)
    return f"{fam.spec.base}:{t[0]:.10g}" if t.size == 1 else fam.name


def _validate(fam, col, x):
    """Refuse data the family cannot take; return their (min, max) (None for labels),
    which _rescaled and the families' stats use rather than take them again."""
    spec = fam.spec
    if x.size == 0:
        raise no_values(col)
    span = None
    if spec.support != "labels":
        lo, hi = span = col.extremes if col.extremes is not None and col.values is x else nm.extremes(x)
        bad = outside_values(spec.support, x, lo, hi, col.whole and col.values is x)
        if len(bad):
            shown = ", ".join(f"{col.where(i)}: {x[i]:.10g}" for i in bad[:3])
            raise outside_error(fam, col.label, bad.size, shown, accepting_families(x), _named(fam, col))
    if x.size < fam.min_n:
        raise DataError(f"too few observations: {fam.name} needs at least {fam.min_n}, "
                        f"{col.label} has only {x.size}")
    if fam.needs_spread and (lo == hi if spec.support != "labels" else bool(np.all(x == x[0]))):
        raise DataError(f"all {x.size} values of {col.label} equal {x[0]:.10g} (zero variance); "
                        f"{fam.name} needs spread to estimate its scale")
    return span


def _inference(fam, stats, theta, confidence, information, fixed=None, observed=None, domains=None):
    """Standard errors and intervals for each parameter, and notes on how they were made.
    With parameters `fixed`, the free ones' covariance inverts their block of the
    information (the information given the fixed values). observed: the observed
    information at theta when the estimator has it (None: the family computes it);
    domains: fam.domains(stats) where the caller has them."""
    names = fam.names(stats)
    if domains is None:
        domains = fam.domains(stats)
    fixed = fixed or {}
    notes = []
    if fixed:
        boundary = fam.conditional(stats, fixed, confidence)[1] if fam.conditional is not None else {}
    else:
        boundary = fam.boundary(stats, theta, confidence) if fam.boundary is not None else {}
    edged = {}
    if not fixed and fam.profile is not None and any(t in (0.0, 1.0) for t in theta):  # the generic path's maximum on an edge
        from .inference.profile_engine import edge_verdicts
        edged = edge_verdicts(fam, stats, theta, domains, confidence, boundary)
        boundary = {**edged, **boundary}
    free = [i for i in range(len(theta)) if i not in fixed and i not in edged] if fixed or edged else range(len(theta))
    cov = None
    if (free and not boundary) or any(i not in boundary for i in free):
        try:
            if fam.covariance is not None and not fixed and not edged:
                cov = fam.covariance(stats, theta)  # None where it cannot be inverted
                if cov is not None and not np.all(np.isfinite(cov)):
                    cov = None
            else:  # a covariance from the information is finite, or None
                if information == "expected":
                    info = fam.expected_information(stats, theta)
                else:
                    info = fam.observed_information(stats, theta) if observed is None else observed
                if not (type(info) is np.ndarray and info.ndim == 2):
                    info = np.atleast_2d(info)
                if fixed or edged:  # the free parameters' block (those on an edge held there)
                    info = info[np.ix_(free, free)]
                cov = block = inference.covariance_from_information(info)
                if block is not None and (fixed or edged):
                    cov = np.full((len(theta), len(theta)), np.nan)
                    cov[np.ix_(free, free)] = block
        except (ArithmeticError, ValueError, np.linalg.LinAlgError):
            cov = None
        if cov is None:
            notes.append("the information matrix cannot be inverted at this estimate: no standard errors")
        if fam.info_note:
            notes.append(fam.info_note)
    z = inference.z_value(confidence)
    variances = None if cov is None else (cov if cov.ndim == 1 else cov.diagonal()).tolist()  # the method: 1 us less
    out = []
    for i, (name, domain, est) in enumerate(zip(names, domains, theta)):
        if i in fixed:
            out.append(ParameterEstimate(name, est, None, None, None, "fixed", "fixed, not estimated"))
            continue
        if i in boundary:
            lo, hi, note, *how = boundary[i]  # how: the kind of interval, when not exact
            out.append(ParameterEstimate(name, est, None, lo, hi, how[0] if how else "exact", note))
            continue
        var = None if variances is None else variances[i]
        se = math.sqrt(var) if var is not None and var >= 0 else None
        if se is None or not math.isfinite(se) or se == 0 or (domain != "real" and est <= 0):
            out.append(ParameterEstimate(name, est, None, None, None, "none",
                                         "no standard error at this estimate"))
            continue
        lo, hi, how = inference.interval(fam, stats, i, est, se, domain, z)
        note = None
        if domain == "positive" and se > est:
            note = "standard error above the estimate: the likelihood is nearly flat in this parameter"
        if not (math.isfinite(lo) and math.isfinite(hi)):
            note = "the interval is unbounded at this level: the likelihood is nearly flat here"
        out.append(made(ParameterEstimate, name=name, estimate=est, se=se, ci_lower=lo, ci_upper=hi,
                        interval=how, note=note))
    return out, notes, cov, boundary.keys()



