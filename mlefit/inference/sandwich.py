"""Robust (sandwich, Godambe) standard errors and Takeuchi's information criterion.

When the family does not describe the data, the MLE still converges, to the member of
the family closest to the data (in Kullback-Leibler divergence), but its variance is no
longer the inverse information. With H = minus the Hessian of the summed log-likelihood
(the observed information) and J = sum_i w_i s_i s_i^T the outer product of the
per-observation scores s_i (w_i the frequency weights, so a weight k is k repeated rows),
the variance is V = H^-1 J H^-1, which is H^-1 again when the family is right (J ~ H).
TIC = -2 loglik + 2 trace(J H^-1) is AIC with the parameter count replaced by that same
ratio of the two curvatures.

Scores are the family's analytic per-row derivatives (its per-row record,
families.density; trials that differ by row are data, Family.sides), where it has one;
otherwise (normal_mixture) central differences of the family's per-observation log density with one
Richardson extrapolation (error O(h^4)), vectorised over the rows. The step of each
parameter is relative to its natural scale: the smaller of |theta| and the spread of one
observation's information, sqrt(n / H_jj), for parameters bounded below (and of
1 - theta for probabilities); that spread alone for real parameters, whose value carries
no scale (a mean of 0).

Which parameters: the regular ones (fitted.regular), plus those whose interval the family
gives exactly only because another parameter is a support bound (pareto's alpha, with xm
the minimum: an estimate of xm converges at rate n, so alpha is regular given it). Fixed
parameters and the other exact ones (an estimate on the boundary, a student_t df at
infinity, the bounds themselves) get none. The categorical family is saturated: for iid
labels the multinomial cannot be misspecified, so its covariance is the model's."""
import math
from dataclasses import dataclass

import numpy as np

from ..errors import DataError, UsageError
from .information import scaled_inverse, score_outer

REL_STEP = 1e-3  # the larger of the two steps, relative to the parameter's scale
RATIO_NOTE = 1.5  # a robust SE this many times the model's (or 1 / this) gets a note
DEGENERATE = 1e-6  # a robust SE under this share of the model's: the scores carry no spread


@dataclass(frozen=True)
class Robust:
    """cov: the sandwich covariance (k x k, NaN outside the parameters it covers; a 1-d
        array of variances for categorical), or None when there is none.
    se: one per parameter: a float, or None (fixed, exact, or no robust SE).
    tic: Takeuchi's information criterion, or None when H cannot be inverted.
    notes: how the errors were made and what they suggest, one sentence each."""

    cov: np.ndarray | None
    se: tuple
    tic: float | None
    notes: tuple = ()


def scores(fitted, indexes=None):
    """Per-observation scores d logpdf(x_i; theta) / d theta_j at the estimate: an array
    (rows of fitted.x, len(indexes)), for the parameters `indexes` (default: the
    regular ones), each differentiated with the others held at their values."""
    fitted = _unwrap(fitted)
    if fitted.family.logpdf is None:
        raise UsageError(f"the {fitted.family.name} family has no per-observation density to "
                         f"differentiate (it is saturated: its robust covariance is the model's)")
    idx = tuple(fitted.regular if indexes is None else indexes)
    with np.errstate(all="ignore"):
        return _scores(fitted, idx, _information(fitted))


def robust(fitted):
    """The sandwich covariance, robust standard errors and TIC of a fit: a Robust.
    `fitted` is a mlefit.inference.fitted.Fitted (or a FitResult holding one)."""
    fitted = _unwrap(fitted)
    with np.errstate(all="ignore"):
        if fitted.family.logpdf is None:
            return _saturated(fitted)
        return _sandwich(fitted)


# ---------------------------------------------------------------- the sandwich
def _sandwich(f):
    k, names = len(f.theta), f.names
    info = _information(f)
    idx = _covered(f, info)
    a = _constraint(f, idx)
    # free parameters without a sandwich (pareto's xm) count 1 each in TIC, as in AIC
    dimension = len(idx) - (0 if a is None else a.shape[0] - a.shape[1])
    others = max(f.family.free_parameters(f.stats) - len(f.fixed) - dimension, 0)
    notes = []
    left = [names[i] for i in f.free if i not in idx]
    if left:
        notes.append(f"no robust standard error for {', '.join(left)}: not a regular parameter "
                     f"(its estimate is on an edge: a bound of the support or a limit of the family)" + (f"; TIC counts {others} such parameter"
                                                   f"{'s' if others > 1 else ''} as AIC does" if others else ""))
    if not idx:
        return Robust(None, (None,) * k, _plain(-2.0 * f.loglik + 2.0 * others), tuple(notes))
    if info is None or not np.all(np.isfinite(info[np.ix_(idx, idx)])):
        return _fail(k, notes, "the observed information cannot be computed at this estimate: "
                                    "no robust standard errors")
    s = _scores(f, idx, info)
    bad = ~np.all(np.isfinite(s), axis=1)
    if bad.any():
        return _fail(k, notes, f"the scores of {int(bad.sum())} observation(s) are not finite at "
                                    f"this estimate: no robust standard errors")
    jay = score_outer(s, f.w)
    aitch = info[np.ix_(idx, idx)]
    if a is not None:  # the sum-to-one weights of a mixture: work in the free parameters
        jay, aitch = a.T @ jay @ a, a.T @ aitch @ a
    inv = scaled_inverse(aitch)
    if inv is None:
        return _fail(k, notes, "the observed information cannot be inverted at this estimate: "
                                    "no robust standard errors")
    v = inv @ jay @ inv
    penalty = float(np.trace(jay @ inv))
    if a is not None:
        v = a @ v @ a.T
    cov = np.full((k, k), np.nan)
    cov[np.ix_(idx, idx)] = v
    se = [None] * k
    for j, i in enumerate(idx):
        var = float(v[j, j])
        se[i] = math.sqrt(var) if math.isfinite(var) and var > 0 else None
    model = _model_variances(f, idx, inv, a)
    flat = [i for i in idx if se[i] is not None and model.get(i, 0) > 0
            and se[i] < DEGENERATE * math.sqrt(model[i])]
    if flat:  # n = 2 under the normal: every row's sigma score is 0 at the MLE
        for i in flat:
            se[i] = None
            cov[i, :] = cov[:, i] = math.nan
        notes.append(f"no robust standard error for {', '.join(f.names[i] for i in flat)}: the "
                     f"observations' scores are all zero at the estimate (too few observations "
                     f"to measure their spread), and no TIC")
    notes.extend(_ratio_notes(f, idx, se, model))
    tic = None if flat else -2.0 * f.loglik + 2.0 * (penalty + others)
    return Robust(cov, tuple(se), None if tic is None else _plain(tic), tuple(notes))


def _fail(k, notes, why):
    """No robust errors (nor TIC), and why."""
    return Robust(None, (None,) * k, None, tuple(notes) + (why,))


def _saturated(f):
    """categorical: the multinomial of iid labels holds whatever the labels' distribution,
    so the sandwich equals the model covariance; TIC equals AIC."""
    k = len(f.theta)
    cov = None if f.cov is None else np.array(f.cov, dtype=np.float64)
    se = [None] * k
    if cov is not None:
        diag = cov if cov.ndim == 1 else np.diag(cov)
        for i in f.regular:
            var = float(diag[i])
            se[i] = math.sqrt(var) if math.isfinite(var) and var > 0 else None
    free = f.family.free_parameters(f.stats) - len(f.fixed)
    note = (f"the {f.family.name} family is saturated (it cannot be misspecified for independent "
            f"labels): the robust covariance is the model's, and TIC is AIC")
    return Robust(cov, tuple(se), _plain(2.0 * free - 2.0 * f.loglik), (note,))


def _ratio_notes(f, idx, se, model):
    """A note for each robust SE over 1.5 times (or under 1/1.5 of) the model-based one
    (model: {index: model-based variance})."""
    out = []
    for i in idx:
        var = model.get(i)
        if se[i] is None or var is None or not var > 0:
            continue
        ratio = se[i] / math.sqrt(var)
        if ratio > RATIO_NOTE or ratio < 1.0 / RATIO_NOTE:
            kind = "overdispersion" if ratio > 1.0 else "underdispersion"
            out.append(f"the robust standard error of {f.names[i]} is {ratio:.3g} times the "
                       f"model-based one: the {f.family.name} family does not describe the spread "
                       f"of the data (e.g. {kind}); prefer the robust error, or another family")
    return out


def _model_variances(f, idx, inv, a):
    """{index: the model-based variance}: the fit's own covariance where it has one, the
    inverse of the observed information of the covered parameters otherwise."""
    own = None if f.cov is None else np.asarray(f.cov, dtype=np.float64)
    block = inv if a is None else a @ inv @ a.T
    out = {}
    for j, i in enumerate(idx):
        var = float(own[i, i]) if own is not None and own.ndim == 2 else math.nan
        out[i] = var if math.isfinite(var) else float(block[j, j])
    return out


# ---------------------------------------------------------------- which parameters
def _covered(f, info):
    """The regular parameters, and the exact ones that are regular given a support bound
    (a parameter whose information is undefined, NaN): finite, strictly inside their
    domain, with a finite positive information of their own."""
    idx = list(f.regular)
    if info is None:
        return tuple(idx)
    diag = np.diag(info)
    bounds = [j for j in range(len(f.theta)) if (j in f.exact or j in f.fixed) and math.isnan(diag[j])]
    for i in sorted(f.exact):
        if i in f.fixed or not bounds or i in bounds:
            continue
        t, dom = f.theta[i], f.domains[i]
        inside = math.isfinite(t) and (dom == "real" or t > 0) and (dom != "unit" or t < 1)
        if inside and math.isfinite(diag[i]) and diag[i] > 0:
            idx.append(i)
    return tuple(sorted(idx))


def _constraint(f, idx):
    """The map from the free parameters to all of a normal_mixture:K (K >= 2), whose
    weights sum to one, or None for families without such a constraint."""
    if f.family.constraint is None or len(idx) == f.family.free_parameters(f.stats):
        return None
    return f.family.constraint(f.stats)


# ---------------------------------------------------------------- numerics
def _information(f):
    """The observed information (k x k), or None when the family cannot give it here."""
    try:
        info = np.atleast_2d(np.asarray(f.family.observed_information(f.stats, f.theta), dtype=np.float64))
    except (ArithmeticError, ValueError, np.linalg.LinAlgError):
        return None
    return info if info.shape == (len(f.theta), len(f.theta)) else None


def _analytic(f):
    """(the per-row record of the fit's family, its shapes, the values): the shapes fixed in
    the name, or taken row by row from the data (trials per row: Family.sides); None where
    the family has no per-row record (normal_mixture) or no derivatives."""
    from .. import families
    try:
        dens, shapes = families.density(f.family)
    except (ImportError, AttributeError):
        return None
    y, sides = f.family.split(f.x)
    shapes = shapes + sides
    if dens.derivs is None or (f.family.spec.shape is not None and not shapes):
        return None
    return dens, shapes, y


def _scores(f, idx, info):
    theta = np.asarray(f.theta, dtype=np.float64)
    x = f.x
    out = np.empty((np.shape(x)[0], len(idx)))
    found = _analytic(f)
    if found is not None:
        dens, shapes, y = found
        score = dens.derivs(y, *theta, *shapes)[1]
        for col, i in enumerate(idx):  # one score per row (y: the rows of a mean model's matrix)
            out[:, col] = np.broadcast_to(score[i], out.shape[:1])
        return out

    def derivative(i, h):
        up, down = theta.copy(), theta.copy()
        up[i] += h
        down[i] -= h
        lp_up = np.asarray(f.family.logpdf(x, tuple(up)), dtype=np.float64)
        lp_down = np.asarray(f.family.logpdf(x, tuple(down)), dtype=np.float64)
        return (lp_up - lp_down) / (up[i] - down[i])  # the steps as represented

    for col, i in enumerate(idx):
        h = REL_STEP * _scale(f, i, info)
        out[:, col] = (4.0 * derivative(i, h / 2.0) - derivative(i, h)) / 3.0
    return out


def _scale(f, i, info):
    """The natural scale of parameter i (see the module's docstring)."""
    t, dom = float(f.theta[i]), f.domains[i]
    spread = math.nan
    if info is not None and info[i, i] > 0 and math.isfinite(info[i, i]):
        spread = math.sqrt(f.n / info[i, i])
    if dom == "real":
        scale = spread if math.isfinite(spread) else max(abs(t), 1.0)
        return max(scale, 1e-10 * abs(t))  # never below the rounding of theta
    bound = abs(t) if dom == "positive" else min(t, 1.0 - t)
    return min(bound, spread) if math.isfinite(spread) else bound


def _plain(value):
    value = float(value)
    return value if math.isfinite(value) else None


def _unwrap(fitted):
    """The Fitted of a FitResult (or the Fitted itself)."""
    inner = getattr(fitted, "fitted", fitted)
    if inner is None:
        raise DataError("robust standard errors need the data of the fit, which a fit of values "
                        "beyond 1e+-100 (rescaled to fit) does not keep; change the unit of the data")
    if not hasattr(inner, "theta") or not hasattr(inner, "family"):
        raise UsageError("robust standard errors take a fit (mlefit.fit(...) or its .fitted)")
    return inner
