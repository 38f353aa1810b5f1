"""Fitting a family to censored and truncated rows (a mlefit.data.Record with bounds, built
by mlefit.censored.rows).

The family keeps its name, parameters and inference; what changes is the data record and
the likelihood: the rows are held as an (n, 4) array of F-difference points (lo, hi) and
per-row truncation points (tlo, thi), and the log-likelihood is the sum of
mlefit.censored.terms, maximised by the one Newton maximiser of the generic path
(likelihood.maximize_sum). Everything downstream (Wald and profile intervals, derived
quantities, --fix, the nonparametric bootstrap, selection by AIC) sees an ordinary Family
whose statistics are these rows, so it works unchanged."""
import math
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from . import rows as censoring, terms as ct
from .. import families
from ..errors import DataError, UsageError
from ..families.base import Controls, Solution
from ..likelihood import fixed_fits, solve

SUBSAMPLE = 1 << 16  # rows of the subsample whose fit starts a censored Newton on many more

REFUSED = {"categorical": "its parameters are label probabilities",
           "normal_mixture": "it is fitted by EM on seen values"}


@dataclass(frozen=True)
class CensoredStats:
    """The censored rows a fit works on: their total weight, terms and bounds."""

    n: float  # total weight of the rows
    terms: ct.Terms
    x: np.ndarray  # (rows, 4): lo, hi, tlo, thi
    w: np.ndarray | None
    starter: object  # () -> a starting theta from the rows' surrogate values

    @cached_property
    def start(self):
        """Taken when first asked: a family's own shortcut needs none."""
        return self.starter()


def density_of(fam):
    """(Density, shapes) of a family that censoring can use, or UsageError."""
    base = fam.spec.base
    if base in REFUSED:
        raise UsageError(f"censored data cannot be fitted with {fam.name}: {REFUSED[base]}")
    dens, shapes = families.density(fam if fam.rowwise is not None else fam.name)
    if dens.extreme:
        names = ", ".join(dens.params[i] for i in dens.extreme)
        raise UsageError(f"censored data cannot be fitted with {fam.name}: the MLE of its {names} is a "
                         f"sample extreme, which a censored value does not give; choose another family")
    return dens, shapes


def rows_array(cens, discrete):
    """The (n, 4) array of F-difference points and truncation points of the censored rows
    `cens` (a Record), column by column in memory (Fortran order): what reads it takes
    whole columns, which are then contiguous."""
    lo, hi = censoring.points(cens, discrete)
    trunc = censoring.truncation_points(cens, discrete)
    x = np.empty((lo.size, 4), order="F")
    if trunc is None:
        x[:, 0], x[:, 1] = lo, hi
        x[:, 2], x[:, 3] = -math.inf, math.inf
        return x
    # a truncated row was recorded, so its value lies in the region too: its bounds are
    # those of both (">= 2000" recorded only at or below 5000 is P(2000 <= Y <= 5000) / F(5000);
    # S(2000) / F(5000) would count values that could not be recorded, and exceed 1)
    x[:, 0], x[:, 1] = np.maximum(lo, trunc[0]), np.minimum(hi, trunc[1])
    x[:, 2], x[:, 3] = trunc
    empty = np.flatnonzero((lo != hi) & (x[:, 0] >= x[:, 1]))
    if empty.size:
        i = empty[0]
        raise DataError(f"{empty.size} censored row{'s hold' if empty.size > 1 else ' holds'} no value the "
                        f"truncation region could record ({cens.where(i)}: {censoring.describe(cens, i)}); "
                        f"check --truncate-lower/--truncate-upper and --entry")
    return x


def terms_of(x, w, discrete=False, shared=True):
    """The groups of terms of the rows x (rows_array's shape) with weights w. shared: a
    truncation the same for every row is one term weighted by their total (False: one
    term per row, as a regression needs, each row's parameters its own)."""
    lo, hi, tlo, thi = x[:, 0], x[:, 1], x[:, 2], x[:, 3]
    n = lo.size
    weight = None if w is None else np.asarray(w, dtype=np.float64)
    exact = lo == hi
    left = (lo == -np.inf) & ~exact
    right = (hi == np.inf) & ~exact
    groups = []
    for kind, mask in (("exact", exact), ("left", left), ("right", right),
                       ("interval", ~(exact | left | right))):
        idx = np.flatnonzero(mask)
        if idx.size:
            groups.append(ct.Group(kind, lo[idx] if kind != "left" else None, hi[idx] if kind != "right" else None,
                                   None if weight is None else weight[idx], idx))
    has_lo, has_hi = np.isfinite(tlo), np.isfinite(thi)
    if has_lo.any() or has_hi.any():
        same = shared and np.all(tlo == tlo[0]) and np.all(thi == thi[0])
        if same:  # one term for all rows, weighted by their total
            kind = _truncation_kind(has_lo[0], has_hi[0])
            total = float(n if weight is None else np.sum(weight))
            groups.append(ct.Group(kind, tlo[:1], thi[:1], np.array([-total]), None))
        else:
            for a, b in ((True, False), (False, True), (True, True)):
                idx = np.flatnonzero((has_lo == a) & (has_hi == b))
                if idx.size:
                    minus = -np.ones(idx.size) if weight is None else -weight[idx]
                    groups.append(ct.Group(_truncation_kind(a, b), tlo[idx], thi[idx], minus, idx))
    step = max(1, n // 20000)  # the spread from a strided sample: a unit, not an estimate
    sample = np.concatenate([lo[::step], hi[::step]])
    finite = sample[np.isfinite(sample)]
    spread = 0.0
    if finite.size > 1:  # on values divided by a power of two (exact), so 1e200s do not overflow their squares
        unit = 2.0 ** math.frexp(float(np.max(np.abs(finite))))[1]
        spread = float(np.std(finite / unit)) * unit
    return ct.Terms(tuple(groups), spread if spread > 0 and math.isfinite(spread) else 1.0)


def refuse_unseen(terms, name):
    """Every row right-censored (or every row left-censored): the MLE does not exist."""
    kinds = {g.kind for g in terms.groups if g.w is None or np.all(g.w > 0)}
    if not kinds & {"exact", "interval"} and kinds and kinds <= {"right"}:
        raise every_right_censored(name)
    if not kinds & {"exact", "interval"} and kinds and kinds <= {"left"}:
        raise DataError(f"every row is left-censored: with no value seen, the {name} likelihood "
                        f"keeps rising as the distribution moves below all the bounds, so the MLE "
                        f"does not exist; the data need some observed values")


def every_right_censored(name):
    return DataError(f"every row is right-censored: with no value seen, the {name} likelihood "
                     f"keeps rising as the distribution moves beyond all the bounds, so the MLE "
                     f"does not exist; the data need some observed values")


def _truncation_kind(has_lo, has_hi):
    """Recorded above tlo: the term is log S(tlo), a 'right' group; below thi: log F."""
    return "interval" if has_lo and has_hi else "right" if has_lo else "left"


def surrogate(x, discrete):
    """One stand-in value per row for the start: the value seen, the bound of a censored
    row, the midpoint of an interval."""
    lo, hi = x[:, 0], x[:, 1]
    if discrete:  # back from F-difference points to the counts' own bounds
        lo = np.where(lo == hi, lo, lo + 1.0)
    y = censoring.stand_in(lo, hi)
    return np.floor(y) if discrete else y


def censored_family(fam, dens, shapes):
    """The family `fam` over censored rows: an ordinary Family for the estimator."""
    discrete = fam.spec.discrete
    numeric_tails = dens.sf_derivs is None

    def stats(x, w=None):
        x = np.asarray(x, dtype=np.float64)
        terms = terms_of(x, w, discrete)
        n = float(x.shape[0] if w is None else np.sum(w))
        return CensoredStats(n, terms, x, w, lambda: start_theta(dens, shapes, x, w, fam.spec.support, discrete))

    def loglik(s, theta):
        with np.errstate(all="ignore"):
            return ct.loglik(dens, s.terms, theta, shapes)

    def estimate(s, controls):
        def run(theta, how, stop=None):  # stop(theta): end a run that reaches an edge's neighbourhood
            return solve(dens, lambda t: loglik(s, t), lambda t: ct.sums(dens, s.terms, t, shapes), theta,
                         controls.max_iter, how, stop=stop)

        def from_start(start, how):
            """Newton from `start`; for a family with an edge (Density.limit), a run that comes
            near it ends there and the limit decides (a moment start at the edge moved inside)."""
            edge = dens.limit
            if edge is None:
                return run(start, how)
            if edge.near(start):
                start = edge.inside(start)
            sol = run(start, how, stop=edge.near)
            found = _at_the_limit(edge, shapes, s, sol, loglik, controls)
            if found is sol and not sol.converged:  # the limit is less likely: a far maximum, run on to it
                return run(sol.theta, how)
            return found

        if dens.threshold is not None:  # a threshold family: its own profile of the threshold first
            found = dens.threshold(s.x, s.w, controls)
            return run(found.theta, f"{found.method}, then Newton on all three")
        shortcut = _right_censored_shortcut(dens, s, controls)
        near = _subsample_start(s, controls) if shortcut is None else None
        start = shortcut.theta if shortcut is not None else near or s.start
        if shortcut is not None:
            how = f"{shortcut.method} (right-censored rows), confirmed by the censored log-likelihood's score"
        else:
            how = ("Newton on the censored log-likelihood: analytic derivatives of log f" +
                   (", of log F and log S under the integral" if dens.between is not None else
                    ", numeric ones of log F and log S" if numeric_tails else ", log F and log S"))
        found = from_start(start, how)
        if near is not None and not found.converged:  # the subsample misled: from the data's own start
            found = from_start(s.start, how)
        return found

    def _subsample_start(s, controls):
        """The MLE of every k-th row (SUBSAMPLE of them) where there are many more: the
        full data's Newton then starts within the sampling error of its optimum and
        takes two or three passes over every row, not five or six. None where that fit
        fails (the full data's own start then)."""
        n = s.x.shape[0]
        if n < 4 * SUBSAMPLE:
            return None
        step = n // SUBSAMPLE
        sub = stats(s.x[::step], None if s.w is None else s.w[::step])
        try:
            refuse_unseen(sub.terms, fam.name)
            sol = solve(dens, lambda t: loglik(sub, t), lambda t: ct.sums(dens, sub.terms, t, shapes),
                        sub.start, controls.max_iter, "")
        except (ArithmeticError, ValueError, np.linalg.LinAlgError, DataError):
            return None
        return tuple(sol.theta) if sol.converged and all(math.isfinite(t) for t in sol.theta) else None

    given, profile = fixed_fits(dens, loglik, lambda s, t: ct.sums(dens, s.terms, t, shapes))

    def boundary(s, theta, confidence):
        edge = dens.limit
        if edge is None or edge.index is None or edge.lift is None or theta[edge.index] < edge.lift(theta)[edge.index]:
            return {}
        lower = _lower_end(lambda v: profile(s, edge.index, v, theta, Controls())[0], loglik(s, theta), confidence)
        return {edge.index: (lower, math.inf, edge.why, "profile likelihood")}

    def observed(s, theta):
        _, _, h, _ = ct.sums(dens, s.terms, theta, shapes)
        return -h

    def logpdf(x, theta):
        x = np.asarray(x, dtype=np.float64)
        return ct.per_row(dens, terms_of(x, None, discrete), theta, shapes, x.shape[0])

    def check(s):
        refuse_unseen(s.terms, fam.name)

    return replace(fam, stats=stats, estimate=estimate, loglik=loglik, logpdf=logpdf,
                   observed_information=observed, expected_information=None, check=check, boundary=boundary,
                   covariance=None, rescale=None, conditional=None, refine=None, merge=None,
                   chunked_stats=None, profile=profile, given=given, needs_spread=False, min_n=1)


def _at_the_limit(edge, shapes, s, sol, loglik, controls):
    """The fit `sol`, or the family's limit when the fit heads there (or stops short) and
    the limit's censored fit is as likely: its theta lifted to the edge (student_t's df =
    1e30), or a BoundaryError where the edge is no finite MLE (the shapes of a
    beta_binomial, a negative_binomial's size). On its own scale the Newton run only
    creeps toward an edge at infinity, on a likelihood ever flatter there: the run from
    inside the space stops once it is near the edge, and the limit decides."""
    from ..errors import BoundaryError

    if sol.converged and not edge.near(sol.theta):
        return sol
    name = edge.family(*shapes)
    lim_dens, lim_shapes = families.density(name)
    lim = solve(lim_dens, lambda t: ct.loglik(lim_dens, s.terms, t, lim_shapes),
                lambda t: ct.sums(lim_dens, s.terms, t, lim_shapes),
                start_theta(lim_dens, lim_shapes, s.x, s.w, families.get(name).spec.support, lim_dens.discrete),
                controls.max_iter, sol.method)
    if not lim.converged:
        return sol
    top = loglik(s, sol.theta) if all(math.isfinite(t) for t in sol.theta) else -math.inf
    if ct.loglik(lim_dens, s.terms, lim.theta, lim_shapes) < top - 1e-9 * max(1.0, abs(top)):
        return sol  # the family does better than its limit: its own maximum
    if edge.lift is None:
        going = " and ".join(edge.going)
        raise BoundaryError(f"the censored fit's {going} {'have' if len(edge.going) > 1 else 'has'} no finite MLE "
                            f"here: {edge.why}",
                            limit=name.split(":")[0], going=edge.going, start=edge.start(lim.theta))
    return Solution(edge.lift(lim.theta), f"{sol.method}: {edge.going[0]} -> infinity, the {name} limit",
                    sol.iterations + lim.iterations, True, "")


def _lower_end(profile_at, top, confidence):
    """The lower end of a one-sided profile-likelihood interval for a parameter whose MLE
    is at +infinity: where the profile deviance reaches z^2, searched down on the log scale
    from 1e15 (the profile engine's edge_end; 0 when even 1e-3 is within reach)."""
    from ..inference.information import z_value
    from ..inference.profile_engine import edge_end

    end = edge_end(profile_at, top, z_value(confidence) ** 2, math.log(1e15), math.log(1e-3), math.exp)
    return 0.0 if end is None else end


def _right_censored_shortcut(dens, s, controls):
    """The family's own estimator for rows seen and right-censored, with no truncation
    (weibull's profile in the shape, the exponential's closed form), or None."""
    groups = s.terms.groups
    if dens.right_censored is None or any(g.kind not in ("exact", "right") or g.rows is None for g in groups):
        return None
    seen = [g for g in groups if g.kind == "exact"]
    if not seen:
        return None
    every = np.concatenate([g.lo for g in groups])
    weights = None if all(g.w is None for g in groups) else np.concatenate(
        [np.ones(g.size) if g.w is None else g.w for g in groups])
    keep = every > 0  # a time at risk of 0 adds nothing
    if not keep.all():
        every, weights = every[keep], None if weights is None else weights[keep]
    with np.errstate(all="ignore"):
        try:
            sol = dens.right_censored(seen[0].lo, seen[0].w, every, weights, controls)
        except (ArithmeticError, ValueError):
            return None
    if sol is None or not sol.converged or not all(math.isfinite(t) and t > 0 for t in sol.theta):
        return None
    return sol


def start_theta(dens, shapes, x, w, support, discrete):
    """A starting theta from the family's moment start on the rows' surrogate values
    inside its support (a bound of 0 for a positive family says nothing to a start)."""
    from ..support import outside

    y = surrogate(x, discrete)
    ok = np.isfinite(y)
    ok[ok] = ~outside(support, y[ok])
    if ok.sum() < 2:
        raise DataError("fewer than two rows have a value or a bound inside the family's support: "
                        "there is nothing to fit")
    with np.errstate(all="ignore"):
        return tuple(float(t) for t in dens.start(y[ok], None if w is None else w[ok], *shapes))


def fit(data, family=None, *, loss=None, weights=None, fix=None, confidence=0.95, information="observed",
        max_iter=200, interval="wald", robust=False, derive=(), bootstrap=None, resample="nonparametric",
        seed=0, on_step=None, notes=()):
    """Fit `family` to censored rows `data` (a Record with bounds: mlefit.censored.rows) by
    maximum likelihood: a FitResult like mlefit.fit's, with .censoring counting the rows
    of each kind. weights: frequency weights, one per row. The nonparametric bootstrap
    resamples rows with their censoring (a parametric one would need the censoring
    mechanism). The report (rows read, left out, the source) is the record's, as for any
    Record; notes: said beside its own."""
    from ..data import own_sides
    from ..estimate import from_stats, resolve

    data, weights, _ = own_sides(data, weights)  # the record's own, unless others are given
    fam, loss, loss_note = resolve(family, loss, None, confidence, information, max_iter)
    if information == "expected":
        raise UsageError("censored fits use the observed information (the expected one depends on the "
                         "censoring mechanism); drop --information expected")
    if interval in ("bootstrap", "all") and resample == "parametric":
        raise UsageError("a parametric bootstrap would need the censoring mechanism, which the data do not "
                         "give; use --resample nonparametric (rows resampled with their censoring)")
    dens, shapes = density_of(fam)
    cens, w = _weighted(data, weights)
    if cens.n == 0:
        raise DataError(f"{_label(cens)} has no rows to fit; check the file and the columns")
    x = rows_array(cens, fam.spec.discrete)
    cfam = censored_family(fam, dens, shapes)
    stats = cfam.stats(x, w)
    _check_rows(dens, shapes, stats, cens, fam)
    col = cens.but(values=x, notes=tuple(cens.notes) + tuple(notes), **censoring.FIELDS)  # the rows: x, whole
    result = from_stats(cfam, stats, col, lambda: span_of(cens), w=w, fix=fix, confidence=confidence,
                        information=information, max_iter=max_iter, loss=loss, loss_note=loss_note,
                        weights=weights, interval=interval, robust=robust, derive=derive, bootstrap=bootstrap,
                        resample=resample, seed=seed, on_step=on_step)
    kinds = censoring.kinds(cens)
    return replace(result, censoring={**censoring.counts(cens, kinds), **_medians(cens, kinds, w, result, dens,
                                                                                   shapes)})


def span_of(rows):
    """(smallest, largest) of the censored rows' finite bounds: what a message says the data
    span (the rows array holds infinities and, for a discrete family, F-difference points)."""
    b = censoring.bounds(rows)
    return float(np.min(b)), float(np.max(b))


def _medians(cens, kinds, w, result, dens, shapes):
    """The Kaplan-Meier median beside the fitted one, for rows that are exact or
    right-censored without truncation (where Kaplan-Meier is the NPMLE); {} otherwise."""
    from . import kaplan_meier

    if kinds["left"].any() or kinds["interval"].any() or cens.entry is not None or \
            censoring.truncated_everywhere(cens):
        return {}
    return {"kaplan_meier_median": kaplan_meier.median(cens.lower, kinds["exact"], w),
            "fitted_median": fitted_median(dens, result.fitted.theta, shapes, cens.lower)}


def fitted_median(dens, theta, shapes, values):
    """The family's median at theta: where log S crosses log 1/2 (the smallest count
    with F >= 1/2 for a discrete family), by bisection on its own logsf from a bracket
    grown about the data (no scipy.stats), 64 cells a step for a continuous family (one
    vectorised call each: a few calls where halving takes fifty, which matters where
    logsf is a numerical integration). None where S does not cross 1/2 in range."""
    half = -math.log(2.0)
    finite = values[np.isfinite(values)]
    a, b = float(finite.min()), float(finite.max())
    width = max(b - a, abs(b), 1.0)

    def above(v):  # S(v) > 1/2
        with np.errstate(all="ignore"):
            return bool(dens.logsf(np.array([v]), *theta, *shapes)[0] > half)
    for _ in range(200):  # a: S(a) > 1/2
        if above(a):
            break
        a -= width
        width *= 2.0
    width = max(b - a, 1.0)
    for _ in range(200):
        if not above(b):
            break
        b += width
        width *= 2.0
    if not above(a) or above(b) or not (math.isfinite(a) and math.isfinite(b)):
        return None
    if dens.discrete:
        a, b = math.floor(a), math.ceil(b)
        while b - a > 1:
            m = (a + b) // 2
            a, b = (m, b) if above(m) else (a, m)
        return float(b)
    for _ in range(40):  # 64 cells a step (one vectorised call): a few steps reach the float grid
        grid = np.linspace(a, b, 65)
        with np.errstate(all="ignore"):
            up = dens.logsf(grid, *theta, *shapes) > half
        i = int(np.flatnonzero(up).max()) if up.any() else 0  # S(grid[i]) > 1/2 >= S(grid[i + 1])
        if i >= 64 or (grid[i] == a and grid[i + 1] == b):
            break
        a, b = float(grid[i]), float(grid[i + 1])
        if not a < 0.5 * (a + b) < b:
            break
    return b


def _label(cens):
    from ..io.column import column_label
    return column_label(cens.name)


def _weighted(cens, weights):
    """(the rows of nonzero weight, those left out counted as a Record counts them; their weights)."""
    if weights is None:
        return cens, None
    w = np.asarray(weights, dtype=np.float64).reshape(-1)
    if w.size != cens.n:
        raise UsageError(f"there are {w.size} weights for {cens.n} rows; give one weight per row")
    bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
    if bad.size:
        raise DataError(f"{bad.size} weight{'s are' if bad.size > 1 else ' is'} negative, infinite or missing "
                        f"({cens.where(bad[0])}: {w[bad[0]]:.6g}); frequency weights must be finite and >= 0")
    zero = w == 0
    return cens.without((zero, "zero weight")), w[~zero] if zero.any() else w


# each support's (low, low reached, high, high reached): where a row's range must meet it
EDGES = {"real": (-np.inf, False, np.inf, False), "positive": (0.0, False, np.inf, False),
         "nonnegative": (0.0, True, np.inf, False), "count": (0.0, True, np.inf, False),
         "binary": (0.0, True, 1.0, True), "unit_open": (0.0, False, 1.0, False)}


def _check_rows(dens, shapes, stats, cens, fam):
    """Every row must be possible under the family: a value outside its support, or a
    censored range (lo, hi] that misses it, is an error naming the rows (from the bounds
    alone: no pass of the family's functions)."""
    from ..support import outside

    x = stats.x
    lo, hi = x[:, 0], x[:, 1]
    low, low_in, high, _ = EDGES.get(fam.spec.support, EDGES["real"])
    support_text = fam.spec.support_text
    if fam.spec.shape == "trials":  # binomial:N, beta_binomial:N: counts up to N
        high = float(shapes[0])
        support_text = f"whole numbers from 0 to {shapes[0]:g}"
    seen = lo == hi
    with np.errstate(invalid="ignore"):
        misses = ~((hi > low) | ((hi == low) & low_in)) | ~(lo < high)
        bad = np.where(seen, outside(fam.spec.support, lo) | (lo > high), misses)  # whole arrays: no masked copies
    if bad.any():
        refuse_impossible(np.where(bad, -np.inf, 0.0), cens, fam.name, support_text)


def refuse_impossible(terms, cens, name, support_text, way_out="choose a family whose support holds them"):
    """A row whose term is not finite (a value outside the family's support, or a
    censored range that misses it) is an error naming the rows."""
    bad = np.flatnonzero(~np.isfinite(terms))
    if bad.size:
        shown = ", ".join(f"{cens.where(i)}: {censoring.describe(cens, i)}" for i in bad[:3])
        raise impossible(bad.size, shown, _label(cens), name, support_text, way_out)


def impossible(count, shown, label, name, support_text, way_out="choose a family whose support holds them"):
    """The error of `count` rows of `label` that cannot occur under the family (shown: the first few)."""
    return DataError(f"{count} row{'s' if count > 1 else ''} of {label} cannot occur under "
                     f"{name} ({support_text}): {shown}; {way_out}")
