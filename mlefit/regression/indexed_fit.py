"""Newton on a design with a factor held as level indices (mlefit.regression.indexed_design). The
vector is (dense coefficients, level coefficients, the family's other parameters on their
free scale); the information J = -Hessian is held in blocks: A over the dense
coefficients and the other parameters (q x q), B their cross terms with the levels
(q x levels, one bincount per column), and the levels' block, a diagonal D (a bincount of
the rows' curvatures). The Newton step solves J s = g by the Schur complement
S = A - B D^-1 B' (q x q): s_a = S^-1 (g_a - B D^-1 g_d), s_d = D^-1 (g_d - B' s_a). The
covariance is S^-1 for the a block, and for each level 1/D + diag(C' S^-1 C), C = B D^-1;
never a levels x levels matrix.

Convergence: negative definite information and a Newton decrement lambda^2 = g'J^-1 g
whose promised rise (lambda^2/2) is below the rounding of the log-likelihood itself
(8 eps (|l| + 1)); that last step is taken (Newton is then within rounding of the
optimum: the next step would be of the order of the square of this one)."""
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..families.rowwise import SCALES
from .linear_model import Objective, weighted_gram
from ..maximize import backtrack

EPS = np.finfo(float).eps


@dataclass(frozen=True)
class Blocks:
    """The log-likelihood, its gradient (g_a over the a block, g_d over the levels) and the
    information's blocks A, B, D at one point."""

    value: float
    g_a: np.ndarray
    g_d: np.ndarray
    A: np.ndarray
    B: np.ndarray
    D: np.ndarray


class IndexedObjective(Objective):
    """sum_i w_i log f(y_i | theta_i) over an IndexedDesign: the row terms as Objective
    computes them, summed into the information's blocks."""

    def __init__(self, dens, rows, target, link, shape=(), fixed=None):
        design = rows.covariates  # the IndexedDesign: its dense part is the Objective's X
        super().__init__(dens, rows.but(covariates=design.dense), target, link, shape=shape, fixed=fixed)
        self.X = self.design = design
        self.pd, self.m = design.dense.shape[1], design.size
        self.p = self.pd + self.m

    def a_index(self):
        """The vector's indexes of the a block: the dense coefficients, then the others."""
        return np.r_[np.arange(self.pd), np.arange(self.p, self.p + len(self.others))]

    def rows(self, vec, expected=False):
        """(value, g_row, curv, [cross_j], other grads, other block, other scales, theta, d1):
        each row's weighted score and curvature in eta, each other parameter's per-row cross
        term with eta (free scale), and their sums. expected: the curvature from the
        family's expected information (Fisher scoring)."""
        n, w, t = self.y.size, self.w, self.target
        ww = np.ones(n) if w is None else w
        with np.errstate(all="ignore"):
            if self.canonical is not None and not expected:
                ll, d1, d2 = self.canonical(self.y, self.eta(vec), *self.shapes)
                value = float(np.sum(ll * ww)) + self.constant
                return value, ww * d1, ww * d2, [], [], np.zeros((0, 0)), None, np.ones(n)
            theta, d1, d2 = self.theta(vec)
            ll, score, hess = self.row_derivs(theta)
            value = float(np.sum(ll * ww))
            s_t = np.broadcast_to(score[t], (n,))
            g_row = ww * s_t * d1
            if expected:
                info = np.broadcast_to(self.dens.expected(*theta, *self.shapes)[t], (n,))
                curv = -ww * info * d1 * d1
            else:
                curv = ww * (np.broadcast_to(hess[t][t], (n,)) * d1 * d1 + s_t * d2)
            k = len(self.others)
            scale = [SCALES[dom][1](theta[j]) for j, dom in zip(self.others, self.domains)]
            cross = [np.zeros(n) if expected else ww * np.broadcast_to(hess[t][j], (n,)) * d1 * g
                     for j, g in zip(self.others, scale)]  # expected: no cross terms (linear_model's)
            grads = [float(np.sum(ww * score[j])) * g for j, g in zip(self.others, scale)]
            block = np.zeros((k, k))
            for a, (j, dom) in enumerate(zip(self.others, self.domains)):
                for b, m in enumerate(self.others):
                    block[a, b] = float(np.sum(ww * np.broadcast_to(hess[j][m], (n,)))) * scale[a] * scale[b]
                block[a, a] += float(np.sum(ww * score[j])) * SCALES[dom][2](theta[j])
        return value, g_row, curv, cross, grads, block, theta, d1

    def sandwich(self, fit, rows):
        """The robust covariance of `fit`, with the weights and clusters of its Record `rows`
        (regression._covariance calls it as linear_model.sandwich)."""
        return None if fit.covariance is None else sandwich(self, fit.vec, fit.covariance, rows.weights,
                                                            rows.clusters)

    def blocks(self, vec, expected=False):
        value, g_row, curv, cross, grads, block, _, _ = self.rows(vec, expected)
        Xd, design = self.design.dense, self.design
        k = len(cross)
        A = np.zeros((self.pd + k, self.pd + k))
        A[:self.pd, :self.pd] = -weighted_gram(Xd, curv)
        B = np.empty((self.pd + k, self.m))
        for j in range(self.pd):
            B[j] = -design.level_sums(Xd[:, j] * curv)
        for a, c in enumerate(cross):
            A[:self.pd, self.pd + a] = A[self.pd + a, :self.pd] = -(Xd.T @ c)
            B[self.pd + a] = -design.level_sums(c)
        A[self.pd:, self.pd:] = -block
        g_a = np.concatenate([Xd.T @ g_row, np.asarray(grads, dtype=np.float64)])
        return Blocks(value if math.isfinite(value) else -math.inf, g_a, design.level_sums(g_row), A, B,
                      -design.level_sums(curv))


class IndexedPenalised:
    """An IndexedObjective with the coefficients' log-prior added (regression_prior's
    smooth priors: independent, so their Hessian is diagonal and falls on A's diagonal and
    on D): what Newton maximises for a MAP fit over level indices."""

    def __init__(self, base, priors):
        from ..priors.regression import PenalisedObjective
        self.base, self.penalised = base, PenalisedObjective(base, priors)
        self.pd, self.m, self.p, self.design = base.pd, base.m, base.p, base.design

    def a_index(self):
        return self.base.a_index()

    def value(self, vec):
        return self.penalised.value(vec)

    def blocks(self, vec, expected=False):
        bl = self.base.blocks(vec, expected)
        g, h = np.zeros(vec.size), np.zeros(vec.size)
        _, g[:self.p], h[:self.p] = self.penalised.priors.derivs(vec[:self.p])
        lp, terms = self.penalised._others(vec)
        for j, d1, d2 in terms:  # priors on the family's other parameters (sigma, size)
            g[j], h[j] = g[j] + d1, h[j] + d2
        a, lv = self.a_index(), np.arange(self.pd, self.p)
        A = bl.A - np.diag(h[a])
        value = bl.value + self.penalised.priors.log_prior(vec[:self.p]) + lp if math.isfinite(bl.value) else bl.value
        return Blocks(value, bl.g_a + g[a], bl.g_d + g[lv], A, bl.B, bl.D - h[lv])


def step(bl):
    """(step over the a block, step over the levels, lambda^2, definite): the Newton step
    by the Schur complement; where J is not positive definite, its diagonal floored and S's
    eigenvalues reflected and floored (a modified Newton step, as maximize.newton_direction)."""
    D = bl.D
    top = float(np.max(np.abs(D))) if D.size else 1.0
    definite = bool(np.all(D > 0))
    Dm = D if definite else np.maximum(np.abs(D), 1e-8 * top if top > 0 else 1.0)
    C = bl.B / Dm
    S = bl.A - C @ bl.B.T
    rhs = bl.g_a - C @ bl.g_d
    d = np.abs(np.diag(S))
    d = 1.0 / np.sqrt(np.where((d > 0) & np.isfinite(d), d, 1.0))
    scaled = S * np.outer(d, d)
    try:
        chol = np.linalg.cholesky(scaled)
        s_a = d * np.linalg.solve(chol.T, np.linalg.solve(chol, rhs * d))
    except np.linalg.LinAlgError:
        definite = False
        vals, vecs = np.linalg.eigh(scaled)
        big = float(np.max(np.abs(vals))) if vals.size else 1.0
        vals = np.maximum(np.abs(vals), 1e-8 * big)
        s_a = d * (vecs @ ((vecs.T @ (rhs * d)) / vals))
    s_d = (bl.g_d - bl.B.T @ s_a) / Dm
    return s_a, s_d, float(bl.g_a @ s_a + bl.g_d @ s_d), definite


@dataclass(frozen=True)
class Found:
    """Where the indexed fit's optimiser stopped."""

    vec: np.ndarray
    value: float
    blocks: Blocks
    iterations: int
    converged: bool
    message: str


def newton(objective, vec0, max_iter=100):
    """Maximise the objective from vec0 (never raises for a failed search: Found says)."""
    a = objective.a_index()
    lv = np.arange(objective.pd, objective.p)
    vec = np.asarray(vec0, dtype=np.float64).copy()
    bl = objective.blocks(vec)
    if not math.isfinite(bl.value):
        return Found(vec, bl.value, bl, 0, False, "the log-likelihood is not finite at the start values")
    lam2 = math.inf
    for it in range(1, max_iter + 1):
        if not all(np.all(np.isfinite(x)) for x in (bl.g_a, bl.g_d, bl.A, bl.B, bl.D)):
            return Found(vec, bl.value, bl, it - 1, False, "the derivatives are not finite")
        s_a, s_d, lam2, definite = step(bl)
        direction = np.empty_like(vec)
        direction[a], direction[lv] = s_a, s_d
        if definite and (lam2 <= 1e-24 or 0.5 * lam2 <= 8.0 * EPS * (abs(bl.value) + 1.0)):
            vec = vec + direction
            return Found(vec, *_value_blocks(objective, vec), it, True, "")
        full = objective.blocks(vec + direction)  # the full step is taken most often: its blocks at once
        if math.isfinite(full.value) and full.value >= bl.value + 1e-4 * lam2:
            vec, bl = vec + direction, full
            continue
        trial = backtrack(objective.value, vec, direction, bl.value, lam2)
        if trial is None:
            return Found(vec, bl.value, bl, it, False, f"the line search found no rise (Newton decrement {lam2:.3g})")
        vec = trial
        bl = objective.blocks(vec)
    return Found(vec, bl.value, bl, max_iter, False,
                 f"no convergence in {max_iter} iterations (Newton decrement {lam2:.3g})")


def _value_blocks(objective, vec):
    bl = objective.blocks(vec)
    return bl.value, bl


@dataclass(frozen=True)
class SchurCovariance:
    """The covariance of (dense coefficients, levels, others) without its levels x levels
    block: `a` over the a block (q x q), `cross` between the a block and the levels
    (q x levels), `levels` the levels' variances. cov[j, j] is coordinate j's variance."""

    a: np.ndarray
    cross: np.ndarray
    levels: np.ndarray
    pd: int
    expected: bool = False  # the coefficients' blocks from the expected information (the sandwich's bread too)

    @cached_property
    def diagonal(self):
        da = np.diag(self.a)
        return np.concatenate([da[:self.pd], self.levels, da[self.pd:]])

    def __getitem__(self, key):
        i, j = key
        if i != j:
            raise IndexError("a SchurCovariance gives variances only (cov[j, j])")
        return self.diagonal[i]

    def saved(self):
        """The coefficients' part for --save and predict's intervals (JSON-ready)."""
        return {"dense": self.a[:self.pd, :self.pd].tolist(), "cross": self.cross[:self.pd].tolist(),
                "levels": self.levels.tolist()}


def covariance(bl, pd):
    """The inverse information as a SchurCovariance (pd: the dense coefficients' count), or
    None unless J is positive definite."""
    if not (np.all(bl.D > 0) and np.all(np.isfinite(bl.D))):
        return None
    from ..inference.information import covariance_from_information
    C = bl.B / bl.D
    s_inv = covariance_from_information(bl.A - C @ bl.B.T) if bl.A.size else np.zeros((0, 0))
    if s_inv is None:
        return None
    levels = 1.0 / bl.D + np.einsum("im,ij,jm->m", C, s_inv, C)
    return SchurCovariance(s_inv, -s_inv @ C, levels, pd)


def sandwich(objective, vec, cov, w=None, clusters=None):
    """The robust covariance J^-1 M J^-1 as a SchurCovariance: M = sum_i w_i s_i s_i' (HC0),
    or with clusters sum_c S_c S_c' times G/(G-1), S_c the sum of w_i s_i over the cluster
    (as linear_model.sandwich). With u = J^-1 S_c: u_a = S^-1 (S_a - C S_d), u_d = D^-1 S_d -
    C' u_a, whose squares are summed by level through the (cluster, level) pairs."""
    design = objective.design
    _, g_row, _, cross, _, _, theta, d1 = objective.rows(vec)
    ww = np.ones(objective.y.size) if objective.w is None else objective.w
    with np.errstate(all="ignore"):
        g = np.where(ww > 0, g_row / np.where(ww > 0, ww, 1.0), 0.0)  # the unweighted row score in eta
        others = [np.broadcast_to(objective.row_derivs(theta)[1][j], g.shape) * SCALES[dom][1](theta[j])
                  for j, dom in zip(objective.others, objective.domains)]
    rows_a = np.column_stack([design.dense * g[:, None]] + [o[:, None] for o in others])
    m = design.size
    if clusters is None:
        root = np.sqrt(ww)
        sums_a, pair_value, pair_level, pair_group, factor = rows_a * root[:, None], g * root, design.codes, \
            np.arange(g.size), 1.0
    else:
        _, group = np.unique(clusters, return_inverse=True)
        count = int(group.max()) + 1
        sums_a = np.column_stack([np.bincount(group, weights=rows_a[:, j] * ww, minlength=count)
                                  for j in range(rows_a.shape[1])]) if rows_a.shape[1] else np.zeros((count, 0))
        pair, where = np.unique(group * (m + 1) + design.codes, return_inverse=True)
        pair_value = np.bincount(where, weights=g * ww)
        pair_level, pair_group, factor = pair % (m + 1), pair // (m + 1), count / (count - 1.0)
    keep = pair_level < m  # the reference level has no coefficient
    pair_value, pair_level, pair_group = pair_value[keep], pair_level[keep], pair_group[keep]
    bl = objective.blocks(vec, expected=cov.expected)
    D, s_inv = bl.D, cov.a
    C = bl.B / D
    c_s = np.column_stack([np.bincount(pair_group, weights=pair_value * C[r, pair_level], minlength=sums_a.shape[0])
                           for r in range(C.shape[0])]) if C.shape[0] else np.zeros_like(sums_a)
    u_a = (sums_a - c_s) @ s_inv
    a = u_a.T @ u_a
    scaled = pair_value / D[pair_level]
    t1 = np.bincount(pair_level, weights=scaled ** 2, minlength=m)
    t2 = np.bincount(pair_level, weights=scaled * np.einsum("ij,ji->i", u_a[pair_group], C[:, pair_level]),
                     minlength=m)
    t3 = np.einsum("im,ij,jm->m", C, a, C)
    cross_ad = np.stack([np.bincount(pair_level, weights=scaled * u_a[pair_group, r], minlength=m)
                         for r in range(u_a.shape[1])]) - a @ C if u_a.shape[1] else np.zeros((0, m))
    return SchurCovariance(a * factor, cross_ad * factor, (t1 - 2.0 * t2 + t3) * factor, cov.pd)
