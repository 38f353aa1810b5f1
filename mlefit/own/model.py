"""A user's own model: a log-density (--logpdf) or log-mass (--logpmf) written as an
expression in the data variable x and named parameters (mlefit.own.spec), fitted like a
built-in family.

The expression is parsed by mlefit.inference.expression (never Python's eval); its gradient and
Hessian in the parameters are expression trees too (mlefit.inference.symbolic), so the per-row
Density below has exact derivatives and the fit is the one Newton maximiser of the
generic path (likelihood.solve). Wrapped as an ordinary Family, everything the
estimator offers downstream works unchanged: Wald intervals on the unconstrained scale,
--interval profile, the nonparametric bootstrap, --derive with expressions, --fix,
--weights, AIC/BIC and JSON.

Before fitting: the data must lie in the support, and at the start values the density
must integrate (the mass sum) to 1 over the support, to 1e-6 (checked numerically:
scipy.integrate.quad, or a sum over the whole numbers)."""
import math
import warnings
from dataclasses import dataclass, replace

import numpy as np

from . import sampling as own_sampling, spec as own_spec, tails as own_tails
from ..inference import symbolic
from ..errors import DataError, UsageError, plain
from ..inference.expression import MODEL_FUNCTIONS, parse
from ..families.base import Family
from ..families.catalog import Param, Spec
from ..families.rowwise import Density
from ..likelihood import loglik as row_loglik
from ..likelihood import fixed_fits, solve, sums

TOLERANCE = 1e-6  # how far from 1 the integral or sum at the start may be
MAX_TERMS = 10 ** 6  # the longest sum of a mass over an unbounded support


@dataclass(frozen=True)
class Own:
    """What a Spec of a user's own model holds beyond the catalog's fields (Spec.own)."""

    own_support: own_spec.Support | None = None
    expression: str = ""
    starts: tuple = ()  # the start value of each parameter, from --params
    source: tuple = ()  # model()'s arguments (logpdf, logpmf, params, support, normalize): to rebuild it
    normalized: bool = False  # --normalize: log f minus log Z(theta), Z integrated at every step
    cost: dict | None = None  # {"integrations": of Z so far (--normalize), "unconverged": integrations short of
    # their tolerance}


class OwnSpec(Spec):
    """A Spec whose support is the user's (own_spec.Support), not a built-in kind: made with
    Own's fields as keywords, kept in Spec.own and read as the Spec's own attributes."""

    __slots__ = ()

    def __new__(cls, *args, own_support=None, expression="", starts=(), source=(), normalized=False, cost=None,
                **kwargs):
        return super().__new__(cls, *args, own=Own(own_support, expression, starts, source, normalized, cost),
                               **kwargs)

    own_support = property(lambda self: self.own.own_support)
    expression = property(lambda self: self.own.expression)
    starts = property(lambda self: self.own.starts)
    source = property(lambda self: self.own.source)
    normalized = property(lambda self: self.own.normalized)
    cost = property(lambda self: self.own.cost)

    @property
    def support_text(self):
        return self.own_support.text


@dataclass(frozen=True)
class RowStats:
    """A user's own model's rows: their total weight, values and weights."""

    n: float
    x: np.ndarray
    w: np.ndarray | None


def model(logpdf=None, logpmf=None, params=None, support=None, normalize=False, anchors=(), cost=None):
    """The Family of the user's model: one of logpdf / logpmf (expression text), params
    (--params text), support (--support text or None). normalize: the expression is
    known only up to its normalising constant Z(theta), which is then integrated (summed)
    numerically at every parameter value; anchors: values always among the integration's
    cut points (where the data lie: anchored() puts them there); cost: the dict counting
    the integrations of Z (a new one by default)."""
    if (logpdf is None) == (logpmf is None):
        raise UsageError("give one of --logpdf EXPR (a density) or --logpmf EXPR (a mass function)")
    discrete = logpmf is not None
    text = logpmf if discrete else logpdf
    option = "--logpmf" if discrete else "--logpdf"
    plist = own_spec.parameters(params)
    where = own_spec.support(support, discrete)
    names = tuple(p.name for p in plist)
    expr = parse(text, names, MODEL_FUNCTIONS, data=(own_spec.DATA,))
    unused = [n for n in names if n not in expr.names]
    if unused:
        raise UsageError(f"the parameter{'s' if len(unused) > 1 else ''} {', '.join(unused)} of --params "
                         f"{'do' if len(unused) > 1 else 'does'} not appear in {option} "
                         f"'{plain(text, 60)}': the data say nothing about {'them' if len(unused) > 1 else 'it'}")
    if support is None and not discrete:
        where = own_spec.inferred(where, expr.tree, names, tuple(p.start for p in plist))
    cost = {"integrations": 0, "unconverged": 0} if cost is None else cost
    dens = _density(option[2:], expr.tree, plist, discrete, where, cost, bool(normalize), tuple(anchors))
    spec = OwnSpec(option[2:], tuple(Param(p.name, p.domain, "a parameter of the expression") for p in plist),
                   "real", discrete, False, str(text), "", "", not_selected="a user's own model",
                   own_support=where, expression=str(text), starts=tuple(p.start for p in plist),
                   source=(logpdf, logpmf, params, support, normalize), normalized=bool(normalize), cost=cost)
    scaled = " / Z(theta), Z numerical" if normalize else ""

    def chunked(chunks):
        from . import chunks as own_chunks
        return own_chunks.stats(chunks, spec, lambda cuts: model(logpdf, logpmf, params, support, normalize,
                                                                  cuts, cost))

    fam = family(spec, dens, f"own model: {spec.name} = {plain(spec.expression, 200)}{scaled} on {where.text}",
                 f"Newton on the unconstrained scale with exact derivatives of the {spec.name} expression",
                 chunked)
    def expected(s, theta):  # n times the variance of one row's score, integrated (summed) under the model
        return s.n * getattr(s, "dens", dens).between.__self__.fisher(tuple(float(t) for t in theta))

    return replace(fam, cdf=lambda x, theta: np.exp(dens.logcdf(np.asarray(x, dtype=np.float64), *theta)),
                   expected_information=expected)


def anchored(fam, values):
    """The model again, its integrations cut at the data's quantiles (so that the mass
    of a density on the whole real line is never missed between cut points)."""
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if not finite.size:
        return fam
    cuts = tuple(float(v) for v in np.unique(np.quantile(finite, np.linspace(0.0, 1.0, 9))))
    return model(*fam.spec.source, anchors=cuts, cost=fam.spec.cost)


def _density(name, tree, plist, discrete, where, cost, normalize=False, anchors=()):
    """The per-row Density of the expression: log f, its gradient and Hessian trees."""
    names = tuple(p.name for p in plist)
    grad = [symbolic.derivative(tree, a) for a in names]
    hess = [[symbolic.derivative(grad[i], names[j]) for j in range(i + 1)] for i in range(len(names))]
    flat = [tree] + grad + [h for row in hess for h in row]
    start = tuple(p.start for p in plist)

    def env(y, theta):
        return {own_spec.DATA: np.asarray(y, dtype=np.float64), **dict(zip(names, theta))}

    def logpdf(y, *theta):
        y = np.asarray(y, dtype=np.float64)
        return symbolic.evaluate([tree], env(y, theta))[0] + np.zeros(y.shape)

    def pieces(y, theta, order=2):
        """(log f, gradient, the Hessian's lower triangle row by row) at y."""
        if not order:
            return logpdf(y, *theta), (), ()
        zero = np.zeros(np.shape(y))
        values = [v + zero for v in symbolic.evaluate(flat, env(y, theta))]
        k = len(names)
        return values[0], values[1:1 + k], values[1 + k:]

    def derivs(y, *theta):
        value, g, low = pieces(y, theta)
        k = len(names)
        it = iter(low)
        rows = [[next(it) for _ in range(i + 1)] for i in range(k)]
        h = [[rows[i][j] if j <= i else rows[j][i] for j in range(k)] for i in range(k)]
        return value, g, h

    tails = own_tails.Tails(own_tails.components(pieces, len(names)), len(names), where, discrete, anchors, cost)
    row_logpdf, row_derivs = _normalized(logpdf, derivs, tails, cost) if normalize else (logpdf, derivs)
    return Density(name, names, tuple(p.domain for p in plist), row_logpdf, tails.logcdf, tails.logsf,
                   lambda y, w=None: start, own_sampling.sampler(tails, row_logpdf), lambda *t: None,
                   derivs=row_derivs, discrete=discrete, between=tails.between, threads=False)


def _normalized(logpdf, derivs, tails, cost):
    """logpdf and derivs of the expression divided by Z(theta), the integral (sum) over
    the support: log f - log Z, g - d log Z, h - d2 log Z; log Z taken once per
    parameter value (the last one kept), each integration counted in cost."""
    last = {}

    def log_z(theta, order):
        key = (tuple(float(t) for t in theta), order)
        if key not in last:
            if order == 0 and (key[0], 2) in last:
                return last[(key[0], 2)][0]
            cost["integrations"] += 1
            last.clear()
            last[key] = tails.log_total(theta, order)
        return last[key]

    def scaled_logpdf(y, *theta):
        return logpdf(y, *theta) - log_z(theta, 0)

    def scaled_derivs(y, *theta):
        value, g, h = derivs(y, *theta)
        z, dz, d2z = log_z(theta, 2)
        k = len(g)
        return (value - z, [g[j] - dz[j] for j in range(k)],
                [[h[i][j] - d2z[i][j] for j in range(k)] for i in range(k)])

    return scaled_logpdf, scaled_derivs


def family(spec, dens, note, how, chunked=None):
    """The Family over rows x (values, or a 2-D array of a response and its covariates:
    mlefit.regression.mean_model) of a per-row Density with exact derivatives, fitted from
    dens.start by likelihood.solve; `note` is said with every fit. chunked: the
    Family.chunked_stats of a model that streams (mlefit.own.chunks), or None."""
    from . import chunks as own_chunks

    def stats(x, w=None):
        x = np.asarray(x, dtype=np.float64)
        return RowStats(float(len(x) if w is None else np.sum(w)), x, w)

    def loglik(s, theta):
        if isinstance(s, own_chunks.ChunkStats):
            return own_chunks.loglik(s, theta)
        return row_loglik(dens, s.x, theta, s.w)

    def summed(s, theta):
        if isinstance(s, own_chunks.ChunkStats):
            return own_chunks.summed(s, theta)
        return sums(dens, s.x, theta, s.w)

    def estimate(s, controls):
        return solve(getattr(s, "dens", dens), lambda t: loglik(s, t), lambda t: summed(s, t),
                     dens.start(getattr(s, "x", None)), controls.max_iter, how)

    def observed(s, theta):
        return -summed(s, theta)[2]

    def logpdf(x, theta):
        return dens.logpdf(np.asarray(x, dtype=np.float64), *theta)

    def notes(s, theta):
        if not isinstance(s, own_chunks.ChunkStats):
            return (note,)
        return (note,) + s.notes + tuple(_cost_notes(spec, s.before))

    given, profile = fixed_fits(dens, loglik, summed)
    return Family(spec=spec, stats=stats, estimate=estimate, loglik=loglik, logpdf=logpdf,
                  observed_information=observed, scipy=lambda theta: None, given=given, profile=profile,
                  sample=lambda rng, n, theta: dens.sample(rng, n, *theta), estimate_notes=notes,
                  rowwise=(dens, ()), chunked_stats=chunked)


# ---------------------------------------------------------------- checks before the fit
def check_rows(fam, col):
    """DataError if a value lies outside the support, or the log-density is not a number
    (or is -inf: impossible) at a value under the start values."""
    where = fam.spec.own_support
    x = col.values
    bad = np.flatnonzero(where.outside(x))
    if bad.size:
        shown = ", ".join(f"{col.where(i)}: {x[i]:.10g}" for i in bad[:3])
        raise DataError(f"{col.label} has {bad.size} value{'s' if bad.size > 1 else ''} outside the support of "
                        f"the model ({where.text}): {shown}; check the data or --support")
    with np.errstate(all="ignore"):
        values = fam.logpdf(x, fam.spec.starts)
    for test, what in ((np.isnan, "is not a number"), (np.isposinf, "is +inf"),
                       (np.isneginf, "is -inf (the value is impossible)")):
        bad = np.flatnonzero(test(values))
        if bad.size:
            shown = ", ".join(f"{col.where(i)}: x = {x[i]:.10g}" for i in bad[:3])
            raise DataError(f"the log-{'mass' if fam.spec.discrete else 'density'} {what} at {bad.size} "
                            f"value{'s' if bad.size > 1 else ''} under the start values ({shown}); check the "
                            f"expression, the start values and --support")


def check_total(fam, start, data):
    """The integral of exp(logpdf) over the support (the sum of exp(logpmf)) at `start`:
    UsageError if it is not 1 to TOLERANCE; a note (or None) if the check is less
    accurate than that."""
    where = fam.spec.own_support
    with np.errstate(all="ignore"):
        total, error = (_sum if fam.spec.discrete else _integral)(fam, start, where, data)
    what = "mass sums" if fam.spec.discrete else "density integrates"
    shown = ", ".join(f"{n}={t:g}" for n, t in zip((p.name for p in fam.spec.params), start))
    kind = "mass" if fam.spec.discrete else "density"
    hint = "; if the data are positive, say so: --support 'x>0'" if not fam.spec.discrete and \
        where.lo == -math.inf and float(np.min(data)) > 0 else ""
    if not math.isfinite(total):
        bad = _not_a_number(fam, start, where, data) if math.isnan(total) else None
        at = f"is not a number at x = {bad:.6g}" if bad is not None else \
            f"{'sums' if fam.spec.discrete else 'integrates'} to {total}"
        raise UsageError(f"the {kind} is not a proper {kind} over {where.text} at the start values ({shown}): "
                         f"it {at}; check the expression and --support{hint}")
    if abs(total - 1.0) > max(TOLERANCE, 10.0 * error):
        raise UsageError(f"the {what} to {total:.10g}, not 1, over {where.text} at the start values ({shown}); "
                         f"check the expression's normalising constant and --support{hint}")
    if 10.0 * error > TOLERANCE:
        return (f"the {what} to {total:.10g} at the start values, checked only to +-{error:.2g} "
                f"(numerical integration)")
    return None


def _not_a_number(fam, theta, where, data):
    """A value of the support (near the data) where the log-density is NaN, or None."""
    lo, hi = float(np.min(data)), float(np.max(data))
    span = max(hi - lo, abs(hi), abs(lo), 1.0)
    grid = np.linspace(lo - 10.0 * span, hi + 10.0 * span, 4001)
    if fam.spec.discrete:
        grid = np.unique(np.floor(grid))
    grid = grid[~where.outside(grid)]
    with np.errstate(all="ignore"):
        bad = grid[np.isnan(fam.logpdf(grid, theta))]
    return float(bad[0]) if bad.size else None


def _integral(fam, theta, where, data):
    """quad over the support, split at the data's extremes and median (where the mass is)."""
    from scipy.integrate import quad

    lo, hi = where.lo, where.hi
    cuts = sorted({float(v) for v in np.quantile(data, [0.0, 0.5, 1.0]) if lo < v < hi})
    edges = [lo] + cuts + [hi]

    def f(t):
        return float(np.exp(fam.logpdf(np.array([t]), theta)[0]))

    total = error = 0.0
    with warnings.catch_warnings():  # quad's accuracy is judged by its error estimate
        warnings.simplefilter("ignore")
        for a, b in zip(edges[:-1], edges[1:]):
            part, err = quad(f, a, b, limit=200, epsabs=1e-12, epsrel=1e-10)
            total, error = total + part, error + err
    return total, error


def _sum(fam, theta, where, data):
    """The mass summed over the whole numbers of the support, in blocks until the rest is
    negligible (at most MAX_TERMS terms beyond the data)."""
    first = math.floor(where.lo) + 1 if where.lo_open or where.lo != math.floor(where.lo) else where.lo
    last = where.hi if not math.isfinite(where.hi) else \
        math.ceil(where.hi) - 1 if where.hi_open or where.hi != math.ceil(where.hi) else where.hi
    total, at, block = 0.0, first, 4096
    reach = max(float(np.max(data)), first) + MAX_TERMS
    while at <= last:
        end = min(at + block - 1, last)
        part = float(np.sum(np.exp(fam.logpdf(np.arange(at, end + 1, dtype=np.float64), theta))))
        total += part
        at = end + 1
        if not math.isfinite(total):
            return total, 0.0
        if at > float(np.max(data)) and part <= 1e-17 * max(total, 1e-300):
            return total, 0.0
        if at > reach:
            return total, part  # not converged: the last block stands for what is left
        block = min(2 * block, 1 << 18)
    return total, 0.0


# ---------------------------------------------------------------- the fit
def fit(data, fam, *, weights=None, interval="wald", resample="nonparametric", bootstrap=None, **settings):
    """Fit the own-model Family `fam` (from model()) to `data` (a Record or values, or
    censored and truncated rows: a Record with bounds, mlefit.censored.rows): a FitResult like
    mlefit.fit's. A parametric bootstrap (and --gof's) draws by inverse-CDF sampling of
    the numerical distribution function (mlefit.own.sampling), said in a note."""
    from ..censored import rows as censoring
    from ..data import Record, own_sides
    from ..io.column import from_values
    from ..estimate import fit as fit_column

    data, weights, _ = own_sides(data, weights)  # a Record's (censored rows') own, unless others are given
    settings = dict(settings, weights=weights, interval=interval, resample=resample, bootstrap=bootstrap)
    before = dict(fam.spec.cost)
    if type(data) is Record and data.censored:
        fam = anchored(fam, censoring.bounds(data))
        return _costed(fam, before, lambda: _fit_censored(data, fam, **settings))
    col = from_values(data)
    fam = anchored(fam, col.values)
    if interval in ("bootstrap", "all") and resample == "parametric":
        col = replace(col, notes=col.notes + (f"parametric bootstrap: {sampling(fam)}",))
    if fam.spec.normalized:  # Z first: an infinite one would make every row look impossible
        _check_total(fam, col.values)
    check_rows(fam, col)
    note = _check_total(fam, col.values)
    if note:
        col = replace(col, notes=col.notes + (note,))
    return _costed(fam, before, lambda: fit_column(col, fam, **settings))


def sampling(fam):
    """How an own model's samples are drawn, for the notes."""
    return own_sampling.SUM_SAMPLER_METHOD if fam.spec.discrete else own_sampling.SAMPLER_METHOD


def _costed(fam, before, run):
    """run()'s fit, with what --normalize cost said in a note, and a warning when some
    integration ran out of halvings (the counts in fam.spec.cost since `before`)."""
    result = run()
    notes = _cost_notes(fam.spec, before)
    return replace(result, notes=result.notes + tuple(notes)) if notes else result


def _cost_notes(spec, before):
    """What --normalize cost since the counts `before`, and a warning when some
    integration ran out of halvings."""
    cost, notes = spec.cost, []
    if spec.normalized:
        how = own_tails.SUM_METHOD if spec.discrete else own_tails.METHOD
        notes.append(f"normalised numerically (--normalize): log Z(theta) over {spec.support_text} by {how}, "
                     f"once per parameter value visited (with its gradient and Hessian at each Newton step): "
                     f"{cost['integrations'] - before['integrations']} integrations in this fit")
    missed = cost["unconverged"] - before["unconverged"]
    if missed:
        notes.append(f"warning: {missed} numerical integration{'s' if missed > 1 else ''} of the density stopped "
                     f"at {own_tails.ROUNDS} halvings short of {own_tails.REL:g} (a singularity or a very heavy "
                     f"tail?): the distribution function{' and Z' if spec.normalized else ''} may be less "
                     f"accurate than that")
    return notes


def _check_total(fam, data):
    """check_total at the start values; with --normalize, that the integral there is
    finite and positive (what can be normalised)."""
    if not fam.spec.normalized:
        return check_total(fam, fam.spec.starts, data)
    with np.errstate(all="ignore"):
        log_z = float(fam.rowwise[0].between.__self__.log_total(fam.spec.starts))
    if not math.isfinite(log_z):
        shown = ", ".join(f"{p.name}={t:g}" for p, t in zip(fam.spec.params, fam.spec.starts))
        kind = "sum of the mass" if fam.spec.discrete else "integral of the density"
        raise UsageError(f"--normalize: the {kind} over {fam.spec.support_text} is {math.exp(log_z):g} at the "
                         f"start values ({shown}), which cannot be normalised; check the expression, the start "
                         f"values and --support")
    return None


def _fit_censored(cens, fam, *, notes=(), **settings):
    """Censored and truncated rows (mlefit.censored.fit): each censored row's probability
    by numerical integration of the density (or a sum of the mass), said in the notes."""
    from ..censored import fit as censored_fit, rows as censoring

    bounds = censoring.bounds(cens)
    if fam.spec.normalized:
        _check_total(fam, bounds)
    exact = cens.lower == cens.upper
    seen = cens.take(exact, rows_read=int(exact.sum()), dropped=(), source=None).but(values=cens.lower[exact])
    if seen.values.size:
        check_rows(fam, seen)
    data = bounds
    if data.size == 0:
        raise DataError(f"{censored_fit._label(cens)} has no finite value or bound to fit")
    note = _check_total(fam, data)
    dens = fam.rowwise[0]
    with np.errstate(all="ignore"):
        terms = censored_fit.censored_family(fam, dens, ()).logpdf(censored_fit.rows_array(cens, dens.discrete),
                                                                   fam.spec.starts)
    censored_fit.refuse_impossible(np.where(np.isnan(terms), 0.0, terms), cens, fam.name, fam.spec.support_text,
                                   "check the bounds, the expression and --support")
    how = own_tails.SUM_METHOD if dens.discrete else own_tails.METHOD
    told = (f"censored and truncated rows: the distribution function by {how}, at every step",)
    return censored_fit.fit(cens, fam, notes=tuple(notes) + told + ((note,) if note else ()), **settings)
