"""regress --interval bootstrap: percentile intervals of a regression's coefficients and other
parameters from B case resamples of its rows, each refitted.

The resamples are fit's nonparametric ones (mlefit.inference.resample), row by row: n row numbers drawn
uniformly with replacement (their counts become the refit's weights); with whole-number
frequency weights a row of weight k is k rows (a multinomial over the rows with probabilities
w/sum(w) and total sum(w)); with fractional weights the rows are drawn uniformly and keep their
weights (a row drawn j times weighs j w). With --cluster the clusters are drawn instead (the
cluster bootstrap: G of the G clusters with replacement, every row of a cluster drawn j times
counting j times), so the resamples keep the correlation within a cluster. The generator is
numpy's default_rng([seed, crc32('regress/rows')]) (or 'regress/clusters'): the same seed gives
the same resamples.

Each resample is refitted from the full data's estimate by the same Newton iteration (a few
steps; median and quantile regression: their linear program; a MAP fit: the same prior, once
per resample). A resample whose fit does not exist or does not converge (separation of a binary
response in it, a label or a factor level it lacks, a Newton run that does not converge) is
counted by reason and left out, and the output says how many; the percentile interval of a
coefficient is the (1-level)/2 and (1+level)/2 quantiles of the refitted values (numpy's
linear interpolation), the other parameters' likewise on their own scale."""
import math
import zlib
from dataclasses import replace

import numpy as np

from ..inference import resample as rs
from ..errors import DataError, UsageError
from ..families.catalog import edges, support
from ..families.rowwise import from_free
from ..inference.intervals import DEFAULT_SAMPLES, check_options
from ..report.result import Interval

FAILED_SHARE = rs.FAILED_SHARE


def generator(seed, clusters=False):
    """The resamples' random generator for `seed` (documented above, for tests that redraw them)."""
    return np.random.default_rng([int(seed), zlib.crc32(b"regress/clusters" if clusters else b"regress/rows")])


def drawer(rows):
    """rng -> counts: how often each row of the Record `rows` is in one resample (times its
    weight where the weights are fractional), by the scheme of the module docstring: its
    weights and clusters are the record's."""
    n, w, clusters = rows.n, rows.weights, rows.clusters
    if clusters is not None:
        groups, index = np.unique(clusters, return_inverse=True)
        scale = 1.0 if w is None else w
        return lambda rng: rs.uniform_counts(rng, groups.size)[index] * scale
    if w is None:
        return lambda rng: rs.uniform_counts(rng, n)
    if not np.all(w == np.round(w)):
        return lambda rng: rs.uniform_counts(rng, n) * w
    total, p = int(np.rint(w.sum())), w / w.sum()
    return lambda rng: rng.multinomial(total, p).astype(np.float64)


def intervals(result, fit, d, how, *, samples=None, seed=0, on_step=None, headline=True):
    """`result` with bootstrap percentile intervals beside its others (the headline ones with
    `headline`, as --interval bootstrap; else beside the profile headline, as --interval all):
    `how` is the Refit of the model (its family, link and prior), fit the full data's
    LinearFit, d its Rows."""
    check_options("bootstrap", "nonparametric", samples)
    samples = DEFAULT_SAMPLES if samples is None else int(samples)
    draw = drawer(d.rows)
    rng = generator(seed, d.clusters is not None)
    values, failed = [], {}
    for _ in range(samples):
        counts = draw(rng)
        with np.errstate(all="ignore"):
            try:
                values.append(how.refit(d, counts, fit))
            except (DataError, ArithmeticError, ValueError, np.linalg.LinAlgError, _Failed) as exc:
                reason = str(exc).split(";")[0] if isinstance(exc, (_Failed, DataError)) else \
                    f"the fit breaks down ({type(exc).__name__})"
                failed[reason] = failed.get(reason, 0) + 1
        if on_step is not None:
            on_step()
    values = np.array(values, dtype=np.float64).reshape(len(values), len(fit.names) + len(fit.others))
    return _with_intervals(result, values, samples, failed, seed, how.map_fit, d, fit, headline)


class _Failed(Exception):
    """A resample whose estimate does not exist or was not reached (its reason)."""


class Refit:
    """How to refit one resample of the model: its family and link (objective(rows): what
    Newton maximises; tau: a linear program's quantile, refitted by quantile_regress
    instead), the fixed parameters, the coefficients' prior (MAP) and max_iter."""

    def __init__(self, name, dens, target, link, fixed, max_iter, prior, labels=None, tau=None):
        self.name, self.dens, self.target, self.link = name, dens, target, link
        self.fixed, self.max_iter, self.prior, self.labels, self.tau = fixed, max_iter, prior, labels, tau
        self.map_fit = prior is not None
        self.rare = None  # _rare's rows, found once

    RARE = 64  # a column nonzero in more rows is in a resample of them but with probability < e^-64

    def _rare(self, d):
        """The rows where each column nonzero in at most RARE rows is nonzero (a dummy of a
        rare level): a resample that draws none of them cannot estimate its coefficient."""
        if self.rare is None:
            nonzero = d.X != 0
            self.rare = [np.flatnonzero(nonzero[:, j]) for j in np.flatnonzero(nonzero.sum(axis=0) <= self.RARE)]
        return self.rare

    def objective(self, b):
        if support(self.name) == "labels":
            from .softmax_model import Softmax
            return Softmax(b.rows, len(self.labels))
        if b.censored is not None:
            from ..censored import regress as censored_regress
            from .. import families
            make, ordered, _ = censored_regress.objective_maker(self.dens, families.get(self.name), b.censored,
                                                                target=self.target, link=self.link, fixed=self.fixed)
            return make(ordered)
        from .linear_model import Objective
        return Objective(self.dens, b.rows, self.target, self.link, shape=b.shape, fixed=self.fixed)

    def refit(self, d, counts, fit):
        """The coefficients and other parameters (natural scale) of the resample whose row
        counts are `counts`, refitted from `fit`'s estimate; _Failed where there is none."""
        if any(not np.any(counts[rows] > 0) for rows in self._rare(d)):
            raise _Failed("a design column is 0 in every row drawn (a level of a factor not drawn)")
        b = d.drawn(counts)
        if support(self.name) == "labels" and np.unique(b.y).size < len(self.labels):
            raise _Failed("a label of the response was not drawn")
        p = len(d.names)
        if self.tau is not None:
            from .quantile import fit as lp
            found = lp(self.name, b.rows, d.names, self.tau)
            return np.r_[found.beta, [v for _, v in found.others]]
        from .linear_model import maximise
        objective = self.objective(b)
        found = maximise(objective, fit.vec.copy(), self.prior, self.max_iter)[1]
        if not found.converged:
            raise _Failed("the refit did not converge")
        if not (self.prior is not None and self.prior.covers_every_slope(d.names)):
            self._exists(found, b, d.names, p)
        if support(self.name) == "labels":
            return found.eta.copy()
        return np.r_[found.eta[:p], from_free(found.eta[p:], objective.domains)]


    def _exists(self, found, b, names, p):
        """The resample's MLE exists (a prior on every slope aside): DataError where its rows
        separate (binary, softmax) or its zero counts do (poisson, negative_binomial)."""
        from types import SimpleNamespace

        from . import separation
        at = SimpleNamespace(converged=True, beta=found.eta if support(self.name) == "labels" else found.eta[:p])
        if edges(self.name) == "both":
            separation.check(at, names, b.rows)
        elif support(self.name) == "labels":
            separation.check_softmax(at, names, b.rows, len(self.labels))
        elif edges(self.name) == "zero" and self.link == "log" \
                and getattr(b, "censored", None) is None:
            separation.check_counts(at, names, b.rows)


def refitter(name, dens, target, link, fixed, max_iter, prior, d):
    """The Refit of a regression `regress` fitted (its arguments, as it holds them)."""
    from .quantile import LP_FAMILIES, tau_of
    return Refit(name, dens, target, link, fixed, max_iter, prior, labels=d.labels,
                 tau=tau_of(name, d.shapes) if name in LP_FAMILIES else None)


def check(interval, samples):
    """UsageError for --bootstrap without --interval bootstrap (or all), or too few samples."""
    if samples is not None and interval not in ("bootstrap", "all"):
        raise UsageError("--bootstrap N is the number of resamples of --interval bootstrap (or all); give "
                         "--interval bootstrap with it")
    if interval in ("bootstrap", "all"):
        if samples == 0:
            raise UsageError("--interval bootstrap needs --bootstrap N of 1 or more (999 by default)")
        check_options("bootstrap", "nonparametric", samples)


def _kind(method):
    """The kind of a headline interval by its method: laplace (a MAP's), profile, else wald."""
    return "laplace" if method.startswith("laplace") else "profile" if method.startswith("profile") else "wald"


def _with_intervals(result, values, samples, failed, seed, map_fit, d, fit, headline=True):
    from .model import _exp
    lost = sum(failed.values())
    confidence = result.confidence
    cluster = d.clusters is not None
    kind = "cluster" if cluster else "nonparametric"
    method = f"{kind} bootstrap percentile"
    if map_fit:
        method = f"{kind} bootstrap of the MAP, percentile (sampling distribution, not a credible interval)"

    def with_ends(c, j):
        if not len(values):
            return c
        column = values[:, j]
        lo, hi = rs.percentile_interval(column, confidence)
        se = float(np.std(column, ddof=1)) if column.size > 1 else None
        found = list(c.intervals) or [Interval(_kind(c.interval), c.ci_lower, c.ci_upper, c.interval)]
        c = replace(c, se_bootstrap=se, intervals=tuple(found) + (Interval("bootstrap", lo, hi, method),))
        if headline:
            c = replace(c, ci_lower=lo, ci_upper=hi, interval=method)
            if c.exp_estimate is not None:
                c = replace(c, exp_ci_lower=_exp(lo), exp_ci_upper=_exp(hi))
        return c

    p = len(fit.names)
    coefs = tuple(with_ends(c, j) for j, c in enumerate(result.coefficients))
    names = [n for n, _ in fit.others]
    others = tuple(with_ends(c, p + names.index(c.name)) if c.name in names and c.interval != "fixed" else c
                   for c in result.parameters)
    notes = list(result.notes)
    what = f"{len(np.unique(d.clusters))} clusters drawn with replacement" if cluster else "rows drawn with replacement"
    notes.append(f"bootstrap intervals: percentile intervals of the fit refitted to {samples} resamples ({what}, seed "
                 f"{seed})" + ("; they describe the MAP's sampling variability and are not credible intervals"
                               if map_fit else ""))
    if lost:
        why = "; ".join(f"{count} {reason}" for reason, count in failed.items())
        share = f" ({100.0 * lost / samples:.0f}%)" if lost > FAILED_SHARE * samples else ""
        notes.append(f"{lost} of {samples} bootstrap resamples{share} could not be refitted and were left out "
                     f"({why}); the intervals describe the other {samples - lost}")
    if not len(values):
        notes.append("no resample could be refitted: no bootstrap intervals")
    need = (1.0 + confidence) / (1.0 - confidence)
    if samples < need:
        notes.append(f"{samples} bootstrap samples are too few for percentile intervals at this level: use "
                     f"--bootstrap {math.ceil(need):d} or more")
    resampling = {"samples": samples, "kind": kind, "seed": seed, "failed": lost,
                  "failed_reasons": dict(failed), "method": f"{kind} bootstrap, percentile intervals"}
    return replace(result, coefficients=coefs, parameters=others, notes=tuple(notes), resampling=resampling)
