"""mlefit regress on a file larger than memory: the rows are read once into a column
store (regress_read: one parse of the CSV, the used columns as float64 in a temporary
file), then each Newton iteration is one pass over the store's chunks, summing the
per-chunk log-likelihood, score and X'WX of linear_model.Objective (a map-reduce): the
same sums the in-memory fit takes, so the same estimates, errors and log-likelihood.
Newton starts from the fit on a systematic subsample of the rows (and the null model
from the subsample's null), so that only the last few iterations are passes over all
the rows. Memory: a chunk, the subsample, and p x p matrices."""
import math
import os
from dataclasses import replace

import numpy as np

from .errors import ConvergenceError, DataError, UsageError
from .maximize import Point

#  families whose rows stream (the Objective of linear_model, without censoring or trials per row)
STREAMED = ("normal", "bernoulli", "poisson", "negative_binomial", "gamma", "student_t")
from .regress_read import WAY_OUT as HOW


def in_memory_needs(name, formula, censoring, prior, penalty, interval, robust, cluster, folds, information,
                    trials, positive):
    """The first option given that needs every row in memory, or None."""
    from .cli_censor import asked

    needs = [(formula is not None, "--formula"), (censoring is not None and asked(censoring), "censoring"),
             (bool(prior), "--prior"), (bool(penalty), "--penalty"), (interval != "wald", f"--interval {interval}"),
             (robust, "--robust"), (cluster is not None, "--cluster"), (folds is not None, "--folds"),
             (information != "observed", f"--information {information}"), (trials is not None, "--trials"),
             (positive is not None, "--positive")]
    return next((given for on, given in needs if on), None)


def plan(data, name, chunk_size, needs, options):
    """True where the regression is read in chunks: --chunk-size ROWS asks for it (refused
    where the model needs every row), a CSV file of more than 16 MB of text gets it when the
    model allows; --chunk-size 0 (or data that is not a file name) reads in memory."""
    if chunk_size == 0 or not isinstance(data, str):
        if chunk_size and not isinstance(data, str):
            raise UsageError("chunk_size reads a CSV file (or -) in chunks; data given as arrays is in memory")
        return False
    if chunk_size is not None:
        if chunk_size < 0:
            raise UsageError(f"--chunk-size must be a positive number of rows (got {chunk_size})")
        if name not in STREAMED:
            raise UsageError(f"the {name} regression is not fitted in chunks (those that are: "
                             f"{', '.join(STREAMED)}); {HOW}")
        if needs:
            raise UsageError(f"{needs} needs every row in memory: {HOW}")
        return True
    if name not in STREAMED or needs:
        return False
    from .cli_engine import _chunkable_file
    return _chunkable_file(data, options.encoding if options else None)


class Passes:
    """The sum over a store's chunks of linear_model.Objective: value(vec) and the Point
    (value, score, Hessian, noise) at vec, each one pass. columns: a slice of the design
    (the null model's intercept: slice(0, 1)); on_pass(): told after each pass."""

    def __init__(self, store, make, columns=None, on_pass=None):
        self.store, self.on_pass, self.passes = store, on_pass, 0
        self.parts = []
        for i, c in enumerate(store.chunks(columns)):  # a pass: each chunk's constant terms and column bounds
            self.parts.append(make(c))
            store.release(i)
        self._passed()
        first = self.parts[0]
        self.p, self.others, self.domains = first.p, first.others, first.domains

    def _passed(self):
        self.passes += 1
        if self.on_pass is not None:
            self.on_pass(self.passes)

    def value(self, vec):
        values = [part.value(vec) for part in self._each()]
        return math.fsum(values) if all(math.isfinite(v) for v in values) else -math.inf

    def __call__(self, vec):
        points = [part(vec) for part in self._each()]
        value = math.fsum(pt.value for pt in points) if all(math.isfinite(pt.value) for pt in points) else -math.inf
        return Point(value, sum(pt.grad for pt in points), sum(pt.hess for pt in points),
                     sum(pt.noise for pt in points), points[0].floor)

    def _each(self):
        for i, part in enumerate(self.parts):
            yield part
            part._last = None  # the chunk's linear predictor: recomputed at the next pass
            self.store.release(i)
        self._passed()

    def sum(self, fn):
        """fn(chunk objective) over the chunks, summed: one pass."""
        return sum(fn(part) for part in self._each())


def fit_store(store, dens, target, link, fixed, max_iter, on_pass=None):
    """The LinearFit of the rows in `store`: Newton passes over the chunks from the fit on
    the subsample (the null model likewise); on_pass(text) is told of each pass."""
    from .linear_model import LinearFit, Objective, fit_linear, maximise
    from .families.rowwise import from_free

    s, names = store.sample, store.names
    p = len(names)
    intercept = 0 if names[0] == "Intercept" else None
    common = dict(target=target, link=link, fixed=fixed, max_iter=max_iter)

    def make(c):
        return Objective(dens, c.y, c.X, target, link, w=c.w, offset=c.offset, fixed=fixed)

    def on_subsample(X, cols):
        try:
            with np.errstate(all="ignore"):
                fit = fit_linear(dens, s.y, X, cols, w=s.w, offset=s.offset, intercept=intercept, **common)
            return fit if fit.converged and np.all(np.isfinite(fit.vec)) else None
        except (ArithmeticError, ValueError, np.linalg.LinAlgError):
            return None

    null = None
    if intercept is not None and p > 1:
        start = on_subsample(s.X[:, :1], names[:1])
        said = on_pass and (lambda k: on_pass(f"the intercept-only model, pass {k}"))
        objective = Passes(store, make, slice(0, 1), said)
        vec0 = start.vec if start is not None else _simple_start(dens, s, objective, link, 0)
        null = maximise(objective, vec0, None, max_iter)[1]
    objective = Passes(store, make, None, on_pass and (lambda k: on_pass(f"pass {k}")))
    start = on_subsample(s.X, names)
    if start is not None:
        vec0 = start.vec
    elif null is not None and null.converged:
        vec0 = np.zeros(p + len(objective.others))
        vec0[0], vec0[p:] = null.eta[0], null.eta[1:]
    else:
        vec0 = _simple_start(dens, s, objective, link, intercept)
    search, found, cov, loglik, _ = maximise(objective, vec0, None, max_iter)
    others = tuple(zip((dens.params[i] for i in objective.others), from_free(found.eta[p:], objective.domains)))
    return LinearFit(tuple(names), found.eta[:p].copy(), others, loglik,
                     null.value if null is not None and null.converged else None, cov, objective.domains,
                     found.iterations, found.converged, found.message, objective, found.eta)


def _simple_start(dens, s, objective, link, intercept):
    from .linear_model import _start
    return _start(dens, s.y, s.w, (), objective, intercept, link, s.offset)


def deviance_and_reach(fit, store, name, dens, link):
    """(the deviance as regression._deviance gives it in memory, the largest |x'b|), from
    one pass over the chunks: each chunk's share of the saturated sums (or of the squared
    residuals) added up."""
    from .regression import _deviance

    zero = replace(fit, loglik=0.0)
    parts, reach = [], 0.0
    for i, c in enumerate(store.chunks()):
        with np.errstate(all="ignore"):
            parts.append(_deviance(name, dens, zero, c, link))
            if name == "bernoulli":
                reach = max(reach, float(np.max(np.abs(c.X @ fit.beta))))
        store.release(i)
    if any(v is None for v in parts):
        return None, reach
    dev = math.fsum(parts)
    return (dev - 2.0 * fit.loglik if name in ("bernoulli", "poisson", "negative_binomial") else dev), reach


def regress_file(path, name, response, covariates, *, dens, target, link, fix, intercept, weights, offset,
                 exposure, options, chunk_rows, max_iter, confidence, notes, loss_label, progress=None):
    """The RegressionResult of a regression whose rows are read from `path` in chunks."""
    from . import regression as R
    from .regress_read import read_store
    from .regression_rows import check_rank, check_roles

    fixed = R._fixed(dens, target, fix)
    check_roles(response, covariates, None, {"--weights": weights, "--offset": offset, "--exposure": exposure})
    size = os.path.getsize(path) if path != "-" and os.path.isfile(path) else 0
    with (progress or _quiet)("reading in chunks", size) as bar:
        store = read_store(path, name, response, covariates, intercept, weights=weights, offset=offset,
                           exposure=exposure, options=options, chunk_rows=chunk_rows,
                           on_bytes=None if bar is None else bar.update)
        try:
            if store.n <= len(store.names):
                raise DataError(f"{store.n} rows for {len(store.names)} coefficients: the model needs more rows "
                                f"than coefficients")
            check_rank(store.names, lambda: _gram(store), store.sample.X)
            if bar is not None:
                bar.stage(f"fitting {name}: passes over the chunks")
            fit = fit_store(store, dens, target, link, fixed, max_iter,
                            None if bar is None else (lambda said: bar.stage(f"fitting {name}: {said}")))
            deviance, reach = deviance_and_reach(fit, store, name, dens, link)
        finally:
            store.close()
    passes = fit.objective.passes
    _refusals(name, fit, reach, store)
    said = list(notes) + list(store.notes) + [
        f"Newton passes over the chunks from the fit on a subsample of {store.sample.y.size} rows "
        f"({passes} passes over the {store.n} rows)"]
    shim = _Rows(store)
    result = R._result(name, link, dens, fit, shim, confidence, said, loss_label, weights, offset or exposure,
                       fit.covariance, "wald", fixed, summed=(store.n_weighted, deviance))
    result = replace(result, information="observed", censoring=None)
    k = len(fit.names)
    cov = fit.covariance
    result = replace(result, model={"family": result.family, "link": link, "response": response,
                                    "design": {"kind": "columns", "covariates": list(covariates),
                                               "intercept": bool(intercept)},
                                    "offset": offset, "exposure": exposure, "labels": None,
                                    "covariance": None if cov is None else R._saved(cov[:k, :k])})
    if not fit.converged:
        raise ConvergenceError(f"the {name} regression did not converge: {fit.message}; try a larger "
                               f"--max-iter, or check the design", result)
    return result


def _refusals(name, fit, reach, store):
    """The in-memory fit's refusals that look at the whole fit: separation (found in
    memory by linear programs over every row: here only its signs are seen), sigma at 0,
    a negative binomial without overdispersion."""
    if name == "bernoulli" and not (fit.converged and reach < 30):
        raise DataError("the bernoulli fit shows signs of separation (a linear predictor beyond +-30, or no "
                        "convergence); the covariates that separate are found in memory: give --chunk-size 0")
    sigma = dict(fit.others).get("sigma")
    spread = float(np.std(store.sample.y))
    if sigma is not None and sigma <= 1e-10 * spread:
        raise DataError(f"the covariates give the response exactly (residual scale {sigma:.3g} against a spread "
                        f"of {spread:.3g}): sigma's maximum likelihood estimate is 0 and the "
                        f"likelihood is unbounded; check for a covariate that copies the response")
    if name == "negative_binomial" and not fit.converged and dict(fit.others).get("size", 0) > 1e6:
        raise DataError("the negative binomial's size runs to infinity: the counts are not overdispersed "
                        "(their variance is no more than their mean), so the fit is the poisson regression; "
                        "use --dist poisson")


def _gram(store):
    """X'X over every chunk (one pass)."""
    out = 0.0
    for i, c in enumerate(store.chunks()):
        out = out + c.X.T @ c.X
        store.release(i)
    return out


class _Table:
    def __init__(self, store, response):
        self.names = (response,)
        self.rows_read, self.dropped, self.source = store.rows_read, store.dropped, store.source


class _Rows:
    """What regression._result reads of the rows: the table's report; no censoring."""

    def __init__(self, store):
        self.table = _Table(store, store.response)
        self.censored = None


class _quiet:
    def __init__(self, *args):
        pass

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False
