"""regress --folds K: held-out bits per sample of a regression by k-fold cross-validation.

The same model (family, link, design, offset/exposure/trials, weights, censoring, prior or
penalty) is fitted on k - 1 folds, and each row of the k-th is scored by its own
log-likelihood under that fit: held-out bits per sample = sum_i w_i (-log2 f(y_i | fit
without fold(i))) / sum_i w_i, its standard error across rows beside it. The folds are
compare-losses' (mlefit.folds). The design is built once on every row (its levels, and the
centre and scale of center()/scale()), so a level of a factor that only the held-out fold
has is a column that is 0 in every training row: that fold fails, and says so. A fold
whose fit fails is reported by number with the reason, and the bits are over the other
folds' rows (said); every fold failing is an error."""
import math

import numpy as np

from . import links, rows as rows, separation
from ..errors import DataError, MlefitError
from ..families.catalog import edges, support
from ..folds import indices

LN2 = math.log(2.0)


def held_out(d, name, dens, target, link, intercept, fixed, max_iter, prior, penalty, folds, seed):
    """The dict regress reports as `held_out`: folds, seed, bits_per_sample, se, rows
    scored, and per fold its rows and bits (or the error that stopped its fit)."""
    n = d.y.size
    per_fold, bits, weights = [], [], []
    for i, test in enumerate(indices(n, folds, seed), 1):
        train = np.setdiff1d(np.arange(n), test, assume_unique=True)
        entry = {"fold": i, "rows": int(test.size)}
        try:
            with np.errstate(all="ignore"):
                fit = _fold_fit(d.take(train), d, test, name, dens, target, link, intercept, fixed, max_iter,
                                prior, penalty)
                ll = row_logliks(fit, d.take(test), name, dens, target, link, fixed)
            if np.any(np.isnan(ll)):
                raise DataError("the fit on the other folds gives a held-out row parameters outside the "
                                f"{name} family's domain (a {link} link's mean out of range)")
        except (MlefitError, ArithmeticError, np.linalg.LinAlgError, ValueError) as exc:
            entry["error"] = _reason(exc)
            per_fold.append(entry)
            continue
        w = np.ones(test.size) if d.w is None else d.w[test]
        b = -ll / LN2
        entry["bits_per_sample"] = _mean(b, w)
        per_fold.append(entry)
        bits.append(b)
        weights.append(w)
    failed = [f for f in per_fold if "error" in f]
    if len(failed) == folds:
        raise DataError(f"held-out bits: the fit fails on every training set of the {folds} folds "
                        f"(fold 1: {failed[0]['error']}); see the full fit without --folds, or use fewer folds")
    b, w = np.concatenate(bits), np.concatenate(weights)
    out = {"folds": folds, "seed": seed, "bits_per_sample": _mean(b, w), "se": _se(b, w),
           "rows_scored": int(b.size), "rows": n, "per_fold": per_fold}
    if failed:
        why = "; ".join(f"fold {f['fold']} of {folds}: {f['error']}" for f in failed)
        out["note"] = f"{why}; the held-out bits are over the other folds' {b.size} of {n} rows"
    return out


def _mean(b, w):
    return float(np.sum(w * b) / np.sum(w))


def _se(b, w):
    """The standard error of the (weighted) mean of the rows' bits: a row of weight k
    counts as k rows, as everywhere in mlefit."""
    total = float(np.sum(w))
    if total <= 1 or not np.all(np.isfinite(b)):
        return math.inf if not np.all(np.isfinite(b)) else None
    var = float(np.sum(w * (b - _mean(b, w)) ** 2)) / (total - 1.0)
    return math.sqrt(var / total)


def _reason(exc):
    if isinstance(exc, MlefitError):
        return str(exc).split("; ")[0]
    return f"the fit breaks down ({type(exc).__name__})"


def _fold_fit(train, d, test, name, dens, target, link, intercept, fixed, max_iter, prior, penalty):
    """The fit of the training rows, or a DataError saying why there is none."""
    from .model import _coef_prior, _fit_rows
    unseen = np.flatnonzero(np.all(train.X == 0, axis=0) & np.any(d.X[test] != 0, axis=0))
    if unseen.size:
        cols = ", ".join(f"'{d.names[j]}'" for j in unseen)
        raise DataError(f"the design column{'s' if unseen.size > 1 else ''} {cols} {'are' if unseen.size > 1 else 'is'} "
                        f"0 in every training row (a level only the held-out rows have)")
    if support(name) == "labels":
        missing = [f"'{d.labels[k]}'" for k in range(len(d.labels)) if not np.any(train.y == k)]
        if missing:
            raise DataError(f"the label{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                            f"{'have' if len(missing) > 1 else 'has'} no training row")
    coef_prior = _coef_prior(prior, penalty, name, link, train, "wald", False, None, "observed")
    every = coef_prior is not None and not coef_prior.firth and coef_prior.covers_every_slope(d.names)
    if not every:
        if train.y.size <= train.X.shape[1]:
            raise DataError(f"only {train.y.size} training rows for {train.X.shape[1]} coefficients")
        rows._check_rank(train.X, d.names)
    fit = _fit_rows(dens, train, name, target, link, intercept, fixed, max_iter, coef_prior)
    if edges(name) == "both" and not (coef_prior is not None and coef_prior.covers_every_slope(d.names)):
        separation.check(fit, d.names, train.rows)
    sigma = dict(fit.others).get("sigma")
    if sigma is not None and sigma <= 1e-10 * float(np.std(train.y)):
        raise DataError("the covariates give the training rows' response exactly (sigma's estimate is 0)")
    if not fit.converged:
        raise DataError(f"the fit did not converge ({fit.message})")
    return fit


def row_logliks(fit, d, name, dens, target, link, fixed):
    """Each row's log-likelihood (unweighted) under the fitted coefficients and other
    parameters: log f(y_i | theta_i), a censored row's log-probability (its truncation
    subtracted), a label's log-probability for softmax."""
    if support(name) == "labels":
        from .softmax_model import Softmax
        return Softmax(d.rows, len(d.labels)).parts(fit.vec)[0]
    from .linear_model import parts
    y, X, _, shapes, offset = parts(d.rows, d.shape)  # the held-out rows' record, read as the objectives read it
    eta = X @ fit.beta + (0.0 if offset is None else offset)
    theta = [None] * dens.k
    theta[target] = links.inverse(link)(eta)[0]
    for pname, value in fit.others:
        theta[dens.params.index(pname)] = value
    for index, value in (fixed or {}).items():
        theta[index] = value
    if d.censored is not None:
        from ..censored import terms as ct
        from ..censored.fit import rows_array, terms_of
        discrete = dens.discrete
        terms = terms_of(rows_array(d.censored, discrete), None, discrete, shared=False)
        return ct.per_row(dens, terms, theta, (), d.censored.n)
    return np.asarray(dens.logpdf(y, *theta, *shapes), dtype=np.float64) * np.ones(y.size)
