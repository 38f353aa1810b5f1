"""mlefit regress on a file larger than memory: the rows are read once into a column
store (regress_read: one parse of the CSV, the used columns as float64 in a temporary
file), then each Newton iteration is one pass over the store's chunks, summing the
per-chunk log-likelihood, score and X'WX of linear_model.Objective (a map-reduce): the
same sums the in-memory fit takes, so the same estimates, errors and log-likelihood.
Newton starts from the fit on a systematic subsample of the rows (and the null model
from the subsample's null), so that only the last few iterations are passes over all
the rows. Memory: a chunk, the subsample, and p x p matrices."""
import copy
import math
import os
from dataclasses import replace

import numpy as np

from . import links
from ..errors import ConvergenceError, DataError, UsageError
from ..families.catalog import support
from ..maximize import Point

from ..io.regress_read import WAY_OUT as HOW
from ..families.negative_binomial import size_runs_off

#  families whose rows stream (the Objective of linear_model, without censoring or trials per row)
STREAMED = ("normal", "bernoulli", "poisson", "negative_binomial", "gamma", "student_t")


def in_memory_needs(name, formula, censoring, prior, penalty, interval, robust, cluster, folds, information,
                    trials, positive):
    """The first option given that needs every row in memory, or None."""
    from ..censored.request import asked

    needs = [(formula is not None, "--formula"), (censoring is not None and asked(censoring), "censoring"),
             (bool(prior), "--prior"), (bool(penalty), "--penalty"), (interval != "wald", f"--interval {interval}"),
             (robust, "--robust"), (cluster is not None, "--cluster"), (folds is not None, "--folds"),
             (information != "observed", f"--information {information}"), (trials is not None, "--trials"),
             (positive is not None, "--positive")]
    return next((given for on, given in needs if on), None)


def plan(data, name, chunk_size, needs, options, engine="local"):
    """'chunks', 'dask' or None (in memory) for this regression: --engine dask, or
    --chunk-size ROWS, asks for it (refused where the model needs every row); a CSV file of
    more than 16 MB of text is read in chunks when the model allows; --chunk-size 0 (or
    data that is not a file name) reads in memory."""
    if engine not in ("local", "dask"):
        raise UsageError(f"engine must be 'local' or 'dask' (got {engine!r})")
    if engine == "dask":
        if chunk_size == 0:
            raise UsageError("--engine dask reads in blocks: drop --chunk-size 0")
        if not isinstance(data, (str, list, tuple)):
            raise UsageError("--engine dask reads CSV files; data given as arrays is fitted in memory")
        if needs:
            raise UsageError(f"--engine dask fits from sums over the blocks: {needs} needs every row in memory; "
                             f"drop --engine dask")
        if name not in STREAMED:
            raise UsageError(f"the {name} regression is not fitted on Dask (those that are: {', '.join(STREAMED)}); "
                             f"drop --engine dask")
        return "dask"
    if chunk_size == 0 or not isinstance(data, str):
        if chunk_size and not isinstance(data, str):
            raise UsageError("chunk_size reads a CSV file (or -) in chunks; data given as arrays is in memory")
        return None
    if chunk_size is not None:
        if chunk_size < 0:
            raise UsageError(f"--chunk-size must be a positive number of rows (got {chunk_size})")
        if name not in STREAMED:
            raise UsageError(f"the {name} regression is not fitted in chunks (those that are: "
                             f"{', '.join(STREAMED)}); {HOW}")
        if needs:
            raise UsageError(f"{needs} needs every row in memory: {HOW}")
        return "chunks"
    from ..io.plan import chunkable_file
    if name in STREAMED and not needs and chunkable_file(data, options.encoding if options else None):
        return "chunks"
    return None


class Passes:
    """The sum over a store's chunks of linear_model.Objective: value(vec) and the Point
    (value, score, Hessian, noise) at vec, each one pass; on_pass(k): told after pass k."""

    def __init__(self, store, make, on_pass=None, saturated=None, reach=False):
        self.store, self.make, self.on_pass, self.passes = store, make, on_pass, 0
        self.chunks = store.chunks()
        # each chunk's objective (its constant terms and column bounds) is made when the first
        # pass reaches it: no pass of its own; saturated(objective): the chunk's share of the
        # saturated log-likelihood, taken then too (beta-free: poisson's); reach: keep each
        # chunk's largest |x'b| at the last b it was evaluated at (bernoulli's signs of separation)
        self.saturated, self.track = saturated, reach
        self.shares, self.reaches = [None] * len(self.chunks), [None] * len(self.chunks)
        self.parts = [None] * len(self.chunks)
        self.sums = [None] * len(self.chunks)  # each chunk's (sum w y, sum w), for canonical families
        first = self._part(0)
        store.release(0)
        self.p, self.others, self.domains = first.p, first.others, first.domains

    def _part(self, i):
        if self.parts[i] is None:
            self.parts[i] = part = self.make(self.chunks[i])
            if self.saturated is not None:
                self.shares[i] = self.saturated(part)
            if part.canonical is not None:
                self.sums[i] = (float(np.sum(part.y if part.w is None else part.w * part.y)),
                                float(part.y.size if part.w is None else np.sum(part.w)))
        return self.parts[i]

    def mean_response(self):
        """The weighted mean response over every chunk (None unless each chunk's sums were
        taken as its objective was made: a one-parameter family on its canonical link)."""
        if any(v is None for v in self.sums):
            return None
        return math.fsum(v[0] for v in self.sums) / math.fsum(v[1] for v in self.sums)

    def without_pass(self, fit, name):
        """(deviance, reach) of the fit from what the passes kept, or None where a pass is
        needed: bernoulli's deviance is -2 loglik (its saturated log-likelihood is 0) and
        its reach the chunks' at the estimate; poisson's deviance from the saturated shares."""
        if support(name) == "binary" and all(r is not None and np.array_equal(r[0], fit.beta) for r in self.reaches):
            return -2.0 * fit.loglik, max(r[1] for r in self.reaches)
        if name == "poisson" and all(v is not None for v in self.shares):
            return 2.0 * (math.fsum(self.shares) - fit.loglik), 0.0
        return None

    def _passed(self):
        self.passes += 1
        if self.on_pass is not None:
            self.on_pass(self.passes)

    def value(self, vec):
        values = self.each(lambda part: part.value(vec))
        return math.fsum(values) if all(math.isfinite(v) for v in values) else -math.inf

    def __call__(self, vec):
        return added(self.each(lambda part: part(vec)))

    def each(self, fn):
        """[fn(chunk's objective) for each chunk], in the chunks' order: one pass, shared by
        the cores (cores.in_order: the chunks' X'WX are BLAS calls and their per-row terms
        numpy loops, which release the GIL; the sums are added in the same order as on one
        thread). The objective has the chunk's y, X, w, offset and shapes."""
        from ..cores import in_order

        def visit(i):
            part = self._part(i)
            try:
                out = fn(part)
                if self.track and part._last is not None:  # x'b = eta - offset at the b just evaluated
                    b, eta = part._last
                    xb = eta if part.offset is None else eta - part.offset
                    if part.w is not None:  # rows of weight 0 do not count (as in memory)
                        xb = xb[part.w > 0]
                    self.reaches[i] = (b, float(np.max(np.abs(xb))) if xb.size else 0.0)
                return out
            finally:
                part._last = None  # the chunk's linear predictor: recomputed at the next pass
                self.store.release(i)
        out = in_order(range(len(self.parts)), visit)
        self._passed()
        return out

    def narrowed(self, columns, on_pass=None):
        """The same sums over the design's `columns` (a slice) alone: the chunks' objectives
        copied with their X narrowed (their constant terms kept: no pass once made)."""
        if any(part is None for part in self.parts):
            self.each(lambda part: None)
        out = copy.copy(self)
        out.parts = []
        for part in self.parts:
            narrow = copy.copy(part)
            narrow.X, narrow.col_max, narrow._last = part.X[:, columns], part.col_max[columns], None
            narrow.p = narrow.X.shape[1]
            out.parts.append(narrow)
        out.p, out.on_pass, out.passes = out.parts[0].p, on_pass, 0
        out.track, out.saturated, out.reaches = False, None, [None] * len(out.parts)  # the fit's own are kept
        return out


def added(points):
    """The Point of a sum, from the Points of its parts (the chunks')."""
    value = math.fsum(pt.value for pt in points) if all(math.isfinite(pt.value) for pt in points) else -math.inf
    return Point(value, sum(pt.grad for pt in points), sum(pt.hess for pt in points),
                 sum(pt.noise for pt in points), points[0].floor)


class Maker:
    """make(chunk): linear_model.Objective of a chunk's rows (picklable, for Dask workers)."""

    def __init__(self, dens, target, link, fixed):
        self.dens, self.target, self.link, self.fixed = dens, target, link, fixed

    def __call__(self, c):
        from .linear_model import Objective
        return Objective(self.dens, c.rows, self.target, self.link, fixed=self.fixed)


def fit_store(store, objective, dens, target, link, fixed, max_iter, on_pass=None):
    """The LinearFit of the rows of `store` (its names and subsample) whose summed
    objective over every chunk is `objective` (Passes, or regress_dask.DaskPasses): Newton
    passes from the fit on the subsample (the null model likewise, on
    objective.narrowed); on_pass(text) is told of each pass."""
    from .linear_model import LinearFit, fit_linear, maximise
    from ..families.rowwise import from_free

    s, names = store.sample, store.names
    p = len(names)
    intercept = 0 if names[0] == "Intercept" else None
    common = dict(target=target, link=link, fixed=fixed, max_iter=max_iter)

    def on_subsample(X, cols):
        try:
            with np.errstate(all="ignore"):
                fit = fit_linear(dens, s.rows.but(covariates=X), cols, intercept=intercept, **common)
            return fit if fit.converged and np.all(np.isfinite(fit.vec)) else None
        except (ArithmeticError, ValueError, np.linalg.LinAlgError):
            return None

    def fit_null():  # the intercept-only model over every row, from its fit on the subsample
        start = on_subsample(s.X[:, :1], names[:1])
        alone = objective.narrowed(slice(0, 1),
                                   on_pass and (lambda k: on_pass(f"the intercept-only model, pass {k}")))
        vec0 = start.vec if start is not None else _simple_start(dens, s, alone, link, 0)
        mean = _null_mean(alone)
        if mean is not None:  # the intercept-only MLE itself: Newton certifies it in one pass
            vec0 = np.array([links.link_of(link, mean)])
        return maximise(alone, vec0, None, max_iter)[1]

    with_null = intercept is not None and p > 1
    start, null = on_subsample(s.X, names), None
    if start is not None:
        vec0 = chord(objective, start, store.n_weighted)
    else:
        null = fit_null() if with_null else None
        if null is not None and null.converged:
            vec0 = np.zeros(p + len(objective.others))
            vec0[0], vec0[p:] = null.eta[0], null.eta[1:]
        else:
            vec0 = _simple_start(dens, s, objective, link, intercept)
    search, found, cov, loglik, _ = maximise(objective, vec0, None, max_iter)
    if with_null and null is None:
        null = fit_null()
    others = tuple(zip((dens.params[i] for i in objective.others), from_free(found.eta[p:], objective.domains)))
    # the iterations over every row (those on the subsample too where it held every row)
    iterations = found.iterations + (start.iterations if start is not None and s.y.size == store.n else 0)
    return LinearFit(tuple(names), found.eta[:p].copy(), others, loglik,
                     null.value if null is not None and null.converged else None, cov, objective.domains,
                     iterations, found.converged, found.message, objective, found.eta)


CHORD_STEPS = 3


def chord(objective, sub, n_weighted):
    """The start moved by CHORD_STEPS steps of the chord method: the full score (a pass
    without X'WX, a third of a Newton pass) against the subsample's information scaled to
    every row, for a one-parameter family on its canonical link (poisson, bernoulli's
    logit) read locally; each step cuts the distance to the estimate by about the
    subsample's relative error in X'WX, so Newton then needs two passes, not four. A step
    that is not finite, or longer than the start's distance could be (10 standard errors),
    leaves the start as it was: Newton's line search does the rest."""
    from .warm_start import chord as steps
    part = objective.parts[0] if getattr(objective, "parts", None) else None
    if part is None or part.canonical is None or sub.covariance is None or sub.vec.size != objective.p:
        return sub.vec
    weight = float(sub.objective.y.size if sub.objective.w is None else np.sum(sub.objective.w))
    cov = sub.covariance * (weight / n_weighted)  # the full rows' covariance, as the subsample sees it
    return steps(lambda vec: sum(objective.each(lambda c: c.score(vec))), sub.vec.copy(), cov, CHORD_STEPS)


def _null_mean(alone):
    """The intercept-only model's fitted mean where it is the weighted mean response (a
    one-parameter family on its canonical link, no offset: its score sum w (y - mu) is then
    0), known from the chunks' sums; None elsewhere."""
    part = alone.parts[0] if getattr(alone, "parts", None) else None
    if part is None or part.canonical is None or part.offset is not None or part.others:
        return None
    mean = alone.mean_response()
    return mean if mean is not None and 0.0 < mean < (1.0 if part.link == "logit" else math.inf) else None


def _simple_start(dens, s, objective, link, intercept):
    from .linear_model import _start
    return _start(dens, s.rows, objective, intercept, link)


class Share:
    """Of one chunk (an objective over its rows): (its share of the deviance, as
    regression._deviance gives it with a log-likelihood of 0, its largest |x'b|)."""

    def __init__(self, fit, name, dens, link):
        self.zero, self.name, self.dens, self.link = replace(fit, loglik=0.0, objective=None), name, dens, link

    def __call__(self, c):
        from .model import _deviance
        with np.errstate(all="ignore"):
            return (_deviance(self.name, self.dens, self.zero, c.data, self.link),  # (c: the chunk's objective)
                    float(np.max(np.abs(c.X @ self.zero.beta))))


def deviance_and_reach(fit, objective, name, dens, link):
    """(the deviance as regression._deviance gives it in memory, the largest |x'b|), from
    one pass over the chunks: each chunk's share of the saturated sums (or of the squared
    residuals) added up; none where the passes kept what it takes (Passes.without_pass)."""
    kept = getattr(objective, "without_pass", None)
    known = kept(fit, name) if kept is not None else None
    if known is not None:
        return known
    shares = objective.each(Share(fit, name, dens, link))
    reach = max(r for _, r in shares)
    if any(v is None for v, _ in shares):
        return None, reach
    dev = math.fsum(v for v, _ in shares)
    return (dev - 2.0 * fit.loglik if name in ("bernoulli", "poisson", "negative_binomial") else dev), reach


def _saturated(dens):
    """A chunk's share of the poisson saturated log-likelihood (likelihood.saturated_loglik,
    as regression._deviance takes it)."""
    def share(c):
        from ..likelihood import saturated_loglik
        return saturated_loglik(dens, c.y, c.w)
    return share


def gram(objective):
    """X'X over every chunk (one pass)."""
    return sum(objective.each(_gram_of))


def _gram_of(c):
    return c.X.T @ c.X


def regress_file(path, name, response, covariates, *, dens, target, link, fix, intercept, weights, offset,
                 exposure, options, chunk_rows, max_iter, confidence, notes, loss_label, progress=None,
                 engine="chunks", scheduler=None):
    """The RegressionResult of a regression whose rows are read from `path` in chunks
    (engine 'dask': from one or more CSV files on a Dask cluster, the scheduler's address
    or None for a local one)."""
    from . import model as R
    from .rows import check_rank, check_roles

    fixed = R._fixed(dens, target, fix)
    check_roles(response, covariates, None, {"--weights": weights, "--offset": offset, "--exposure": exposure})
    make = Maker(dens, target, link, fixed)
    size = os.path.getsize(path) if isinstance(path, str) and path != "-" and os.path.isfile(path) else 0
    with (progress or _quiet)("reading on Dask" if engine == "dask" else "reading in chunks", size) as bar:
        def said(what):
            return None if bar is None else (lambda text: bar.stage(f"fitting {name}: {what(text)}"))
        if engine == "dask":
            from .dask import read_on_dask
            store, objective, close = read_on_dask(path, name, response, covariates, intercept, weights, offset,
                                                   exposure, options, chunk_rows, scheduler, make,
                                                   said(lambda k: f"pass {k}"))
        else:
            from ..io.regress_read import read_store
            store = read_store(path, name, response, covariates, intercept, weights=weights, offset=offset,
                               exposure=exposure, options=options, chunk_rows=chunk_rows,
                               on_bytes=None if bar is None else bar.update)
            close = store.close
        try:
            if store.n <= len(store.names):
                raise DataError(f"{store.n} rows for {len(store.names)} coefficients: the model needs more rows "
                                f"than coefficients")
            if bar is not None:
                bar.stage(f"fitting {name}: passes over the chunks")
            if engine != "dask":
                objective = Passes(store, make, said(lambda k: f"pass {k}"), reach=support(name) == "binary",
                                   saturated=_saturated(dens) if name == "poisson" else None)
            check_rank(store.names, lambda: gram(objective), store.sample.X)
            fit = fit_store(store, objective, dens, target, link, fixed, max_iter, said(lambda text: text))
            deviance, reach = deviance_and_reach(fit, objective, name, dens, link)
            if engine != "dask" and support(name) == "binary" and not (fit.converged and reach < 30) \
                    and _separation_in_memory(store, fit):
                reach = 0.0  # signs, but the linear programs over every row find no separation
        finally:
            close()
    _refusals(name, fit, reach, store)
    said = list(notes) + list(store.notes) + [
        f"Newton passes over the chunks from the fit on a subsample of {store.sample.y.size} rows "
        f"({objective.passes} pass{'es' if objective.passes != 1 else ''} over the {store.n} rows)"]
    if not intercept:
        said.append(R.NO_INTERCEPT)
    result = R._result(name, link, dens, fit, _Rows(store), confidence, said, loss_label, weights,
                       offset or exposure, fit.covariance, "wald", fixed, summed=(store.n_weighted, deviance))
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


SEPARATION_BYTES = 1 << 30  # the rows' columns up to this size are loaded for separation's programs


def _separation_in_memory(store, fit):
    """Where a bernoulli fit in chunks shows signs of separation, the linear programs of
    separation.check over every row, when their columns take at most SEPARATION_BYTES:
    DataError naming the covariates where they separate; True where they do not, False
    where the rows are too many to load (the signs then refuse the fit)."""
    if store.n * store.width * 8 > SEPARATION_BYTES:
        return False
    from . import separation
    from ..data import Record
    parts = store.chunks()
    y = np.concatenate([c.y for c in parts])
    w = None if not store.has_w else np.concatenate([c.w for c in parts])
    X = np.concatenate([c.X for c in parts])
    separation.check(fit, list(store.names), Record(None, y, None, y.size, (), weights=w, covariates=X))
    return True


def _refusals(name, fit, reach, store):
    """The in-memory fit's refusals that look at the whole fit: separation (found in
    memory by linear programs over every row: here only its signs are seen), sigma at 0,
    a negative binomial without overdispersion."""
    if support(name) == "binary" and not (fit.converged and reach < 30):
        raise DataError("the bernoulli fit shows signs of separation (a linear predictor beyond +-30, or no "
                        "convergence); the covariates that separate are found in memory: give --chunk-size 0")
    sigma = dict(fit.others).get("sigma")
    spread = float(np.std(store.sample.y))
    if sigma is not None and sigma <= 1e-10 * spread:
        raise DataError(f"the covariates give the response exactly (residual scale {sigma:.3g} against a spread "
                        f"of {spread:.3g}): sigma's maximum likelihood estimate is 0 and the "
                        f"likelihood is unbounded; check for a covariate that copies the response")
    if name == "negative_binomial" and size_runs_off(dict(fit.others).get("size", 0), fit.converged):
        raise DataError("the negative binomial's size runs to infinity: the counts are not overdispersed "
                        "(their variance is no more than their mean), so the fit is the poisson regression; "
                        "use --dist poisson")


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
