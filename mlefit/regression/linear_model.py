"""Conditional maximum likelihood: one parameter of a family moves with covariates,
theta_i = link^-1(x_i'b + offset_i); the family's other parameters are shared by all
rows. The log-likelihood is the same per-row sum as an unconditional fit
(mlefit.likelihood), maximised by the same Newton iteration (mlefit.maximize) on the
family's per-row derivatives, carried to the coefficients by the chain rule:

    d l_i / d b   = s_i theta'(eta_i) x_i
    d2 l_i / d b2 = (h_i theta'(eta_i)^2 + s_i theta''(eta_i)) x_i x_i'

The intercept-only model is fitted first by the unconditional path: it gives the start
and the null log-likelihood."""
import math
from dataclasses import dataclass, field

import numpy as np

from . import links
from ..families.catalog import SPECS
from ..families.rowwise import SCALES, from_free, to_free
from ..likelihood import fit_rows, summed_by_value, total
from ..inference.information import covariance_from_information, score_outer
from ..maximize import EPS, Point, newton

@dataclass(frozen=True)
class Regressed:
    """How a family is regressed: the index of the parameter the covariates move (None:
    the categorical family's K - 1 linear predictors, softmax_model.py), its default link,
    the links allowed, and the name of the per-row record in the family's file when it
    is not DENSITY (gamma by its mean: MEAN)."""

    target: int | None
    link: str
    links: tuple
    record: str = "DENSITY"
    mean_model: bool = True  # False: not for --mean (a linear program, or a fixed shape)

    def density(self, name):
        from importlib import import_module
        return getattr(import_module(f"mlefit.families.{name}"), self.record)


# every family `regress` fits, from the families' records (Spec.regression), in their order
_REGRESSION = sorted(((spec.regression, spec.name) for spec in SPECS if spec.regression is not None),
                     key=lambda pair: pair[0].rank)
REGRESSED = {name: Regressed(r.target, r.link, r.links, r.record, r.mean_model) for r, name in _REGRESSION}
AFT = tuple(name for r, name in _REGRESSION if r.aft)  # exp(b): a time ratio
CENSORABLE = AFT + tuple(name for r, name in _REGRESSION if r.censored and not r.aft)  # normal: Tobit


@dataclass(frozen=True)
class LinearFit:
    """A fitted regression: its coefficients, the family's other parameters and their covariance."""

    names: tuple          # coefficient names
    beta: np.ndarray
    others: tuple         # (name, value) of the family's other, shared parameters
    loglik: float
    loglik_null: float | None
    covariance: np.ndarray | None  # of (b, the others on their unconstrained scale)
    other_domains: tuple
    iterations: int
    converged: bool
    message: str
    objective: object = field(default=None, repr=False, compare=False)  # for row scores
    vec: np.ndarray | None = field(default=None, repr=False, compare=False)  # (b, eta_others)
    log_prior: float | None = None  # with priors on the coefficients: their log-density at the MAP


BLOCK = 16384  # rows per block of X'WX: its scaled copy (2.7 MB at 21 columns) stays in cache (131072: 1.6x slower)
PASS_BLOCK = 4096  # rows per block of a canonical family's whole pass (X b, terms, X'g, X'WX): X's block stays in cache


def weighted_gram(X, c):
    """X' diag(c) X without a full-size copy of X: by blocks, as (X sqrt|c|)'(X sqrt|c|)
    (numpy's symmetric rank-k product) for the rows where c <= 0, less the same for c > 0.
    The blocks are scaled into one buffer, in X's own memory order."""
    p = X.shape[1]
    out = np.zeros((p, p))
    buf = _gram_buffer(X, BLOCK)
    for i in range(0, X.shape[0], BLOCK):
        _add_gram(out, X[i:i + BLOCK], c[i:i + BLOCK], buf)
    return out


def _gram_buffer(X, rows):
    return np.empty((min(rows, X.shape[0]), X.shape[1]), order="F" if X.flags.f_contiguous else "C")


def _add_gram(out, block, c, buf):
    """out += block' diag(c) block, through buf (at least block's rows)."""
    xs = np.multiply(block, np.sqrt(np.maximum(-c, 0.0))[:, None], out=buf[:block.shape[0]])
    out -= xs.T @ xs
    pos = c > 0
    if pos.any():
        rows = np.flatnonzero(pos)
        xp = block[rows] * np.sqrt(c[rows])[:, None]
        out += xp.T @ xp


def parts(rows, shape=()):
    """(y, X, w, shapes, offset) of a regression's Record `rows`: the response (values),
    the design (covariates), the weights, the density's trailing arguments (the trials
    where the record has them, else the fixed `shape`: huber's delta) and the offset. The
    one place an objective or a fitter reads them."""
    y = np.asarray(rows.values, dtype=np.float64)
    return y, rows.covariates, rows.weights, ((rows.trials,) if rows.trials is not None else tuple(shape)), rows.offset


class Objective:
    """sum_i w_i log f(y_i | theta_i) as a function of the vector (b, eta_others), over
    the Record `rows` (its values, covariates, weights, trials and offset: parts); shape:
    a fixed trailing argument of the density (huber's delta) where there are no trials."""

    def __init__(self, dens, rows, target, link, shape=(), fixed=None, constant=None):
        y, X, w, shapes, offset = parts(rows, shape)
        self.data, self.shape = rows, tuple(shape)
        self.dens, self.y, self.X, self.target, self.w, self.shapes = dens, y, X, target, w, shapes
        self.link, self.inverse = link, links.inverse(link)
        # a one-parameter family on its canonical link: the per-row terms in eta itself
        self.canonical = dens.canonical[1] if dens.canonical and dens.canonical[0] == link and dens.k == 1 else None
        self.constant = 0.0  # the log-density's part free of eta, summed once (-sum log y!; a censored fit's: aft_scale)
        if self.canonical is not None and constant is not None:
            self.constant = constant  # the same rows' constant, summed by an objective over another design
        elif self.canonical is not None:
            with np.errstate(all="ignore"):
                self.constant = summed_by_value(dens.canonical[2], y, w) if not shapes else \
                    total(dens.canonical[2](y, *shapes), w, y.size)
        self.offset = offset
        self.shift = 0.0  # what the offset holds beyond the caller's (a censored fit's divided times: aft_scale)
        self.fixed = dict(fixed or {})
        self.others = tuple(i for i in range(dens.k) if i != target and i not in self.fixed)
        self.domains = tuple(dens.domains[i] for i in self.others)
        self.p = X.shape[1]
        self._last = None
        self._col_max = None

    @property
    def col_max(self):
        """The largest |x| of each column (the gradient's rounding is at most eps |x| sum |g_i|):
        taken from the blocks by the first blocked pass (in cache), else by a pass of its own."""
        if self._col_max is None:
            X = self.X
            self._col_max = np.maximum(X.max(axis=0), -X.min(axis=0)) if X.shape[0] else np.zeros(self.p)
        return self._col_max

    @col_max.setter
    def col_max(self, value):
        self._col_max = value

    def _blocks(self):
        """(rows, X's block) by PASS_BLOCK rows; the columns' largest |x| taken on the way
        when not yet known."""
        X, n = self.X, self.y.size
        top = np.zeros(self.p) if self._col_max is None else None
        for i in range(0, n, PASS_BLOCK):
            block = X[i:i + PASS_BLOCK]
            if top is not None:
                np.maximum(top, np.maximum(block.max(axis=0), -block.min(axis=0)), out=top)
            yield slice(i, i + PASS_BLOCK), block
        if top is not None:
            self._col_max = top

    def rows(self, which):
        """The same objective over the rows `which` (a slice or an index array) of its
        record, copied (contiguous; the design column-major)."""
        part = self.data.but(clusters=None).take(which)
        copied = {side: np.ascontiguousarray(getattr(part, side)) for side in ("weights", "trials", "offset")
                  if getattr(part, side) is not None and np.ndim(getattr(part, side)) > 0}
        part = part.but(values=np.ascontiguousarray(part.values), covariates=np.asfortranarray(part.covariates),
                        **copied)
        return Objective(self.dens, part, self.target, self.link, shape=self.shape, fixed=self.fixed)

    def theta(self, vec):
        t, d1, d2 = self.inverse(self.eta(vec))
        theta = [None] * self.dens.k
        theta[self.target] = t
        for i, v in zip(self.others, from_free(vec[self.p:], self.domains)):
            theta[i] = v
        for i, v in self.fixed.items():
            theta[i] = v
        return theta, d1, d2

    def eta(self, vec):
        """X b + offset, kept for the last b (the line search's accepted trial is where
        the next derivatives are taken)."""
        b = vec[:self.p]
        if self._last is not None and np.array_equal(self._last[0], b):
            return self._last[1]
        eta = self.X @ b
        eta = eta if self.offset is None else eta + self.offset
        self._last = (b.copy(), eta)
        return eta

    def value(self, vec):
        with np.errstate(all="ignore"):
            if self.canonical is not None:
                v = self._canonical_value(vec)
            else:
                theta, _, _ = self.theta(vec)
                v = total(self.row_values(theta), self.w, self.y.size) + self.constant
        return v if math.isfinite(v) else -math.inf

    def row_values(self, theta):
        """Each row's log-likelihood term at the per-row parameters theta (unweighted)."""
        return self.dens.logpdf(self.y, *theta, *self.shapes)

    def row_derivs(self, theta):
        """(values, score, hessian) of each row's term in the family's parameters."""
        return self.dens.derivs(self.y, *theta, *self.shapes)

    def _noise(self, g_row, curv, eta):
        """The rounding of the coefficients' gradient, bounded by columns: each row's score
        is rounded (eps |g_i|), and so is its linear predictor eta_i = x_i'b (eps |eta_i|,
        which moves the score by |curvature_i| eps |eta_i|: at an intercept of 1e12 that
        is far above the score's own rounding)."""
        return EPS * self.col_max * float(np.sum(np.abs(g_row) + np.abs(curv) * np.abs(eta)))

    def _canonical_point(self, vec):
        """The Point of a one-parameter family on its canonical link, in one pass over X by
        blocks of PASS_BLOCK rows (each block's X b, terms, X'g and X'WX while it is in
        cache): a third less time than four passes over all of X."""
        X, w, n, p = self.X, self.w, self.y.size, self.p
        b = vec[:p]
        eta = np.empty(n)
        grad, hess = np.zeros(p), np.zeros((p, p))
        values, spread = [], 0.0
        buf = _gram_buffer(X, PASS_BLOCK)
        with np.errstate(all="ignore"):
            for rows, block in self._blocks():
                e = np.matmul(block, b, out=eta[rows])
                if self.offset is not None:
                    e += self.offset[rows]
                ll, d1, d2 = self.canonical(self.y[rows], e, *(v if np.ndim(v) == 0 else v[rows] for v in self.shapes))
                wi = None if w is None else w[rows]
                g_row = d1 if wi is None else wi * d1
                curv = d2 if wi is None else wi * d2
                values.append(total(ll, wi, e.size))
                grad += g_row @ block
                _add_gram(hess, block, curv, buf)
                spread += float(np.sum(np.abs(g_row))) + float(np.abs(curv) @ np.abs(e))
            value = math.fsum(values) + self.constant
        self._last = (b.copy(), eta)
        return Point(value if math.isfinite(value) else -math.inf, grad, hess, EPS * self.col_max * spread)

    def score(self, vec):
        """A canonical family's gradient in b alone (no X'WX: a third of a Newton point's
        time), by the blocks of _canonical_point."""
        w, b, grad = self.w, vec[:self.p], np.zeros(self.p)
        with np.errstate(all="ignore"):
            for rows, block in self._blocks():
                e = block @ b
                if self.offset is not None:
                    e += self.offset[rows]
                d1 = self.canonical(self.y[rows], e, *(v if np.ndim(v) == 0 else v[rows] for v in self.shapes))[1]
                grad += (d1 if w is None else w[rows] * d1) @ block
        return grad

    def _canonical_value(self, vec):
        """The value as _canonical_point sums it (by the same blocks), for the line search."""
        ll = self.canonical(self.y, self.eta(vec), *self.shapes)[0]
        w, n = self.w, self.y.size
        return math.fsum(total(ll[i:i + PASS_BLOCK], None if w is None else w[i:i + PASS_BLOCK],
                               min(PASS_BLOCK, n - i)) for i in range(0, n, PASS_BLOCK)) + self.constant

    def row_scores(self, vec):
        """Each row's score (unweighted) in the vector (b, eta_others): an n x (p + k)
        array, for sandwich covariances."""
        with np.errstate(all="ignore"):
            if self.canonical is not None:
                d1 = self.canonical(self.y, self.eta(vec), *self.shapes)[1]
                return self.X * d1[:, None]
            theta, d1, _ = self.theta(vec)
            score = self.row_derivs(theta)[1]
            n = self.y.size
            cols = [self.X * (np.broadcast_to(score[self.target], (n,)) * d1)[:, None]]
            for j, dom in zip(self.others, self.domains):
                cols.append((np.broadcast_to(score[j], (n,)) * SCALES[dom][1](theta[j]))[:, None])
        return np.hstack(cols)

    def __call__(self, vec):
        if self.canonical is not None:
            return self._canonical_point(vec)
        X, w, n, t = self.X, self.w, self.y.size, self.target
        with np.errstate(all="ignore"):
            theta, d1, d2 = self.theta(vec)
            ll, score, hess = self.row_derivs(theta)
            value = total(ll, w, n) + self.constant
            ww = np.ones(n) if w is None else w
            s_t = np.broadcast_to(score[t], (n,))
            g_row = ww * s_t * d1
            grad = [X.T @ g_row]
            curv = ww * (np.broadcast_to(hess[t][t], (n,)) * d1 * d1 + s_t * d2)
            noise = [self._noise(g_row, curv, self.eta(vec))]
            blocks = [[weighted_gram(X, curv)]]
            cross = []
            for j, dom in zip(self.others, self.domains):
                g1 = SCALES[dom][1](theta[j])
                s_j = total(score[j], w, n)
                grad.append(np.array([s_j * g1]))
                shift = np.abs(np.broadcast_to(hess[t][j], (n,)) * d1) * np.abs(self.eta(vec))  # eta's rounding
                noise.append(np.array([EPS * total(np.abs(score[j]) + shift, None if w is None else np.abs(w), n)
                                       * abs(g1)]))
                cross.append((X.T @ (ww * np.broadcast_to(hess[t][j], (n,)) * d1)) * g1)
            k = len(self.others)
            other_block = np.zeros((k, k))
            for a, (j, dom_j) in enumerate(zip(self.others, self.domains)):
                ga = SCALES[dom_j][1](theta[j])
                for b, (m, dom_m) in enumerate(zip(self.others, self.domains)):
                    other_block[a, b] = total(hess[j][m], w, n) * ga * SCALES[dom_m][1](theta[m])
                other_block[a, a] += total(score[j], w, n) * SCALES[dom_j][2](theta[j])
        h = np.block([[blocks[0][0], np.column_stack(cross) if cross else np.zeros((self.p, 0))],
                      [np.vstack(cross) if cross else np.zeros((0, self.p)), other_block]])
        floor = np.r_[np.zeros(self.p), [0.0 if d == "real" else EPS for d in self.domains]]
        return Point(value if math.isfinite(value) else -math.inf, np.concatenate(grad), h,
                     np.concatenate(noise), floor)


def fit_linear(dens, rows, names, *, target, link, shape=(), intercept=None, fixed=None, max_iter=100, make=None,
               start=None, prior=None):
    """The MLE of the coefficients (and the family's other parameters) over the Record
    `rows` (the response, its design as covariates, weights, trials, offset: parts);
    shape: a fixed trailing argument of the density (huber's delta). intercept: the
    column index of the intercept (None: there is none). With an intercept and other
    columns, the intercept-only model is fitted first: its log-likelihood is the null
    model's, and its estimate the start. fixed: {index: value} of the family's other
    parameters held fixed (student_t's df). make(rows): the objective over a record of
    the same rows with another design (default: Objective; censored rows:
    mlefit.censored.regress); start: the family's parameters to start from (default: the
    unconditional fit of the response). prior: regression_prior.CoefPriors or
    firth.Jeffreys (None: none), whose log-prior is added to the log-likelihood (MAP; its
    wrap(objective) is what Newton maximises); loglik stays the data's."""
    X = np.asarray(rows.covariates, dtype=np.float64)
    if X is not rows.covariates:
        rows = rows.but(covariates=X)
    default_rows = make is None
    if make is None:
        summed = []  # the log-density's part free of eta, summed by the first objective made

        def make(part):
            made = Objective(dens, part, target, link, shape=shape, fixed=fixed,
                             constant=summed[0] if summed else None)
            summed[:] = [made.constant]
            return made
    null = None
    if intercept is not None and X.shape[1] > 1:
        null = fit_linear(dens, rows.but(covariates=X[:, [intercept]]), (names[intercept],), target=target,
                          link=link, shape=shape, intercept=0, fixed=fixed, max_iter=max_iter, make=make, start=start)
    objective = make(rows)
    if null is not None and null.converged:
        vec0 = np.zeros(X.shape[1] + len(objective.others))
        vec0[intercept] = null.beta[0]
        vec0[X.shape[1]:] = to_free([v for _, v in null.others], objective.domains)
    else:
        vec0 = _start(dens, rows, objective, intercept, link, start, shape)
    if default_rows and prior is None:
        from .warm_start import warm_start
        vec0 = warm_start(objective, vec0, max_iter)
    search, found, cov, loglik, log_prior = maximise(objective, vec0, prior, max_iter)
    p = X.shape[1]
    others = tuple(zip((dens.params[i] for i in objective.others), from_free(found.eta[p:], objective.domains)))
    loglik_null = null.loglik if null is not None and null.converged else None
    return LinearFit(tuple(names), found.eta[:p].copy(), others, loglik, loglik_null, cov,
                     objective.domains, found.iterations, found.converged, found.message, objective, found.eta,
                     log_prior)


def maximise(objective, vec0, prior=None, max_iter=100):
    """(what was maximised, its Maximum, the covariance, the data's log-likelihood there,
    the log-prior there or None) of `objective` from vec0, with the coefficient priors
    `prior` (regression_prior.CoefPriors, firth.Jeffreys, or None) added: Newton, or with
    laplace priors proximal Newton (exact zeros; no SE for a coefficient on its kink)."""
    search = objective if prior is None else prior.wrap(objective)
    kinks = getattr(prior, "kinks", ())
    if kinks:
        from ..priors.lasso import maximise as proximal, on_kink
        w, c = np.zeros(vec0.size), np.zeros(vec0.size)
        for j, weight, centre in kinks:
            w[j], c[j] = w[j] + weight, centre
        found = proximal(search, vec0, w, c, max_iter=max_iter)
        cov = on_kink(found, w, c)
    else:
        found = newton(search, search.value, vec0, max_iter=max_iter)
        cov = covariance_from_information(-found.hess)  # None unless positive definite
    loglik = found.value if prior is None else objective.value(found.eta)
    return search, found, cov, loglik, None if prior is None else search.value(found.eta) - loglik


def sandwich(fit, rows):
    """The robust covariance H^-1 J H^-1 of (b, eta_others), J = sum_i w_i s_i s_i' (HC0),
    or with clusters J = sum_c S_c S_c', S_c = sum over the cluster's rows of w_i s_i, times
    G/(G-1) (the cluster adjustment of R's sandwich::vcovCL): the weights and clusters
    those of the fit's Record `rows`, in the rows' order (a censored objective's own record
    is sorted by kind; its row scores are given back in the rows' order). None without a
    covariance."""
    if fit.covariance is None:
        return None
    jay = score_outer(fit.objective.row_scores(fit.vec), rows.weights, rows.clusters)
    return fit.covariance @ jay @ fit.covariance


def _start(dens, rows, objective, intercept, link, theta=None, shape=()):
    """The start without a null model: the unconditional fit of the record `rows` (its
    target parameter through the link as the intercept) where there is no offset, else the
    family's simple start (theta: a start given by the caller). A one-parameter family on
    its canonical link starts from its moment start, which is already the unconditional
    MLE (a mean)."""
    y, _, w, shapes, offset = parts(rows, shape)
    if theta is None:
        theta = dens.start(y, w, *shapes)
        if offset is None and objective.canonical is None:  # a canonical family's start is its MLE
            rows = fit_rows(dens, y, w=w, shapes=shapes)
            theta = rows.theta if rows.converged and not rows.edges else theta  # an edge has no finite link
    vec = np.zeros(objective.p + len(objective.others))
    if intercept is not None:  # theta is the objective's rows' (times divided by e^shift: aft_scale)
        vec[intercept] = (links.link_of(link, theta[objective.target]) if offset is None else 0.0) + objective.shift
    vec[objective.p:] = to_free([theta[i] for i in objective.others], objective.domains)
    return vec


def expected_covariance(fit):
    """The covariance with the coefficients' block from the expected (Fisher) information,
    X' diag(w_i I(theta_i) theta'(eta_i)^2) X, I the family's expected information of the
    parameter the covariates move (Regressed target), and the family's other parameters
    from the observed information (their cross terms with the coefficients vanish in
    expectation for these families); None where the family has no expected information."""
    obj = fit.objective
    if fit.covariance is None or getattr(obj, "dens", None) is None or obj.dens.expected is None:
        return None
    with np.errstate(all="ignore"):
        theta, d1, _ = obj.theta(fit.vec)
        info_t = obj.dens.expected(*theta, *obj.shapes)[obj.target]
        if info_t is None:
            return None
        c = np.broadcast_to(info_t, d1.shape) * d1 * d1
        if obj.w is not None:
            c = c * obj.w
        block = covariance_from_information(-weighted_gram(obj.X, -c))
    if block is None:
        return None
    p = obj.p
    cov = fit.covariance.copy()
    cov[:p, :p] = block
    cov[:p, p:] = cov[p:, :p] = 0.0
    return cov
