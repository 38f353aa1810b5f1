"""The distribution function of a user's own model (mlefit.own.model), which has only a
log-density or log-mass expression: P(lo < X <= hi) by numerical integration of the
density (adaptive Gauss-Kronrod 7-15, vectorised over every piece at once), or by
summing the masses, with the score and Hessian in the parameters taken under the
integral from the expression's exact derivatives:

    d P / d t_j        = integral of f g_j,
    d2 P / d t_i d t_j = integral of f (h_ij + g_i g_j),

g and h the symbolic gradient and Hessian of log f. The probabilities are ratios to the
integral Z over the whole support, P = A / Z, so F + S = 1 exactly, and the same code
gives the normalising constant of an unnormalised density (--normalize).

All the bounds of a call are sorted once: the support is cut at them into pieces, each
piece integrated (the infinite end pieces on t in [0, 1) through x = a +- s t/(1 - t)),
and F and S at every bound are the running sums of the pieces from the left and from
the right, so neither tail is ever 1 minus the other and an interval's probability is
taken from the side where it is small (no cancellation of two numbers near 1)."""
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import UsageError

# QUADPACK's 15-point Kronrod rule and the 7-point Gauss rule inside it (dqk15)
_XK = np.array([0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
                0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
                0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
                0.207784955007898467600689403773245, 0.0])
_WK = np.array([0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
                0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
                0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
                0.204432940075298892414161999234649, 0.209482141084727828012999174891714])
_WG = np.array([0.0, 0.129484966168869693270611432679082, 0.0, 0.279705391489276667901467771423780,
                0.0, 0.381830050505118944950369775488975, 0.0, 0.417959183673469387755102040816327])
NODES = np.concatenate([-_XK[:-1], _XK[::-1]])  # 15 nodes on [-1, 1]
WK15 = np.concatenate([_WK[:-1], _WK[::-1]])
WG7 = np.concatenate([_WG[:-1], _WG[::-1]])
REL = 1e-13  # each piece's error estimate, relative to its segment's absolute integral
ROUNDS = 120  # bisections at most (an integrable singularity at an end needs many)
MAX_COUNTS = 10 ** 7  # whole numbers summed explicitly at most
METHOD = "numerical integration of the density (adaptive Gauss-Kronrod 7-15, relative 1e-13 per piece)"
SUM_METHOD = "sums of the mass over the whole numbers of the support"
FISHER = 3  # the components' order of the expected information (Tails.fisher)


@dataclass(frozen=True)
class Tails:
    """components(x, theta, order) -> (m, len(x)) array: f, then (order 2) f g_j and
    f (h_ij + g_i g_j) for i >= j, at the values x; support: own_spec.Support;
    anchors: values always among the cut points (where the data lie)."""

    components: Callable
    k: int
    support: object
    discrete: bool
    anchors: tuple = ()
    cost: dict | None = None  # counts "unconverged": integrations that ran out of halvings

    def between(self, lo, hi, *theta, order=0):
        """log P(lo < X <= hi) per row (and with order=2 its score and Hessian lists)."""
        return between(self, lo, hi, theta, order)

    def logcdf(self, y, *theta):
        y = np.asarray(y, dtype=np.float64)
        return between(self, np.full(y.shape, -math.inf), y, theta, 0)

    def logsf(self, y, *theta):
        y = np.asarray(y, dtype=np.float64)
        return between(self, y, np.full(y.shape, math.inf), theta, 0)

    def log_total(self, theta, order=0):
        """log Z, the integral (sum) over the whole support (with order=2: its gradient
        and Hessian lists)."""
        F, _, _ = _running(self, np.array([], dtype=np.float64), theta, order)
        return _ratio(F[:, -1], None, self.k, order)

    def fisher(self, theta):
        """The expected information of one observation, the variance of the score under
        the model: E[g g'] - E[g] E[g]' (E[g] = 0 for a normalised density; with
        --normalize g is the unnormalised expression's score, whose mean is d log Z)."""
        F, _, _ = _running(self, np.array([], dtype=np.float64), theta, FISHER)
        z = F[:, -1]
        k = self.k
        mean = z[1:1 + k] / z[0]
        out = np.empty((k, k))
        c = 1 + k
        for i in range(k):
            for j in range(i + 1):
                out[i, j] = out[j, i] = z[c] / z[0] - mean[i] * mean[j]
                c += 1
        return out

    @property
    def method(self):
        return SUM_METHOD if self.discrete else METHOD


def between(tails, lo, hi, theta, order):
    lo, hi = np.broadcast_arrays(np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64))
    shape = lo.shape
    a, b = _edges(tails)
    lo, hi = np.clip(lo.reshape(-1), a, b), np.clip(hi.reshape(-1), a, b)
    if tails.discrete:
        lo, hi = np.floor(lo), np.floor(hi)
    finite = np.concatenate([lo[np.isfinite(lo)], hi[np.isfinite(hi)]])
    F, S, points = _running(tails, finite, theta, order)
    # positions: 0 is -inf, 1..P the sorted points, P + 1 is +inf
    ilo = _position(points, lo)
    ihi = _position(points, hi)
    left = F[0, ihi] <= S[0, ilo]  # the smaller side: no difference of two numbers near 1
    mass = np.where(left[None, :], F[:, ihi] - F[:, ilo], S[:, ilo] - S[:, ihi])
    out = _ratio(mass, F[:, -1], tails.k, order)
    if order == 0:
        return out.reshape(shape)
    value, score, hess = out
    return value.reshape(shape), [s.reshape(shape) for s in score], [[h.reshape(shape) for h in r] for r in hess]


def _edges(tails):
    """The lowest and highest points that matter: the support's ends (for a mass, the
    whole number below the first and the last one)."""
    s = tails.support
    if not tails.discrete:
        return s.lo, s.hi
    first, last = _counts(s)
    return first - 1.0, last


def _counts(s):
    first = math.floor(s.lo) + 1 if s.lo_open or s.lo != math.floor(s.lo) else s.lo
    last = s.hi if not math.isfinite(s.hi) else \
        math.ceil(s.hi) - 1 if s.hi_open or s.hi != math.ceil(s.hi) else s.hi
    return float(first), float(last)


def _position(points, v):
    i = np.searchsorted(points, v) + 1
    return np.where(v == -math.inf, 0, np.where(v == math.inf, points.size + 1, i))


def _ratio(mass, z, k, order):
    """log(mass / z) per column (z None: log mass), and with order 2 its derivatives
    from the components (rows of mass and z)."""
    with np.errstate(all="ignore"):
        value = np.log(mass[0]) - (0.0 if z is None else np.log(z[0]))
        if order == 0:
            return value
        m0 = mass[0]
        a = [mass[1 + j] / m0 for j in range(k)]
        b = [0.0] * k if z is None else [z[1 + j] / z[0] for j in range(k)]
        score = [a[j] - b[j] for j in range(k)]
        hess = [[None] * k for _ in range(k)]
        c = 1 + k
        for i in range(k):
            for j in range(i + 1):
                h = mass[c] / m0 - a[i] * a[j]
                if z is not None:
                    h = h - (z[c] / z[0] - b[i] * b[j])
                hess[i][j] = hess[j][i] = h
                c += 1
    return value, score, hess


def _running(tails, finite, theta, order):
    """(F, S, points): the sorted distinct points (the finite bounds and the anchors,
    inside the support) and the running integrals (sums) of each component from the
    left (F) and from the right (S) at -inf, each point and +inf: arrays (m, P + 2)."""
    a, b = _edges(tails)
    pts = np.concatenate([finite, np.asarray(tails.anchors, dtype=np.float64)])
    pts = np.unique(np.clip(pts, a, b))
    if tails.discrete:
        return (*_sums(tails, np.floor(pts), theta, order), np.unique(np.floor(pts)))
    if pts.size == 0:
        pts = np.array([_inside(tails.support)])
    pieces = _integrals(tails, pts, theta, order)
    F = np.concatenate([np.zeros((pieces.shape[0], 1)), np.cumsum(pieces, axis=1)], axis=1)
    S = np.concatenate([np.cumsum(pieces[:, ::-1], axis=1)[:, ::-1], np.zeros((pieces.shape[0], 1))], axis=1)
    return F, S, pts


def _inside(s):
    if math.isfinite(s.lo) and math.isfinite(s.hi):
        return 0.5 * (s.lo + s.hi)
    return s.lo + 1.0 if math.isfinite(s.lo) else s.hi - 1.0 if math.isfinite(s.hi) else 0.0


def _integrals(tails, pts, theta, order):
    """(m, P + 1): the integral of each component over the support's pieces cut at pts."""
    s = tails.support

    def fn(x):
        return tails.components(x, theta, order)

    spread = float(pts[-1] - pts[0]) / 2.0 if pts.size > 1 else 0.0
    scale = spread if spread > 0 else max(abs(float(pts[0])), 1.0)
    miss = []
    inner = _adaptive(fn, pts[:-1], pts[1:], miss) if pts.size > 1 else None
    head = _end(fn, s.lo, float(pts[0]), -scale, miss)
    tail = _end(fn, float(pts[-1]), s.hi, scale, miss)
    if miss and tails.cost is not None:
        tails.cost["unconverged"] = tails.cost.get("unconverged", 0) + 1
    parts = [head[:, None]] + ([inner] if inner is not None else []) + [tail[:, None]]
    return np.concatenate(parts, axis=1)


def _end(fn, a, b, scale, miss=None):
    """The integral over [a, b] from a cut point to the support's end (a for scale < 0,
    else b): towards an infinite end x = b -+ |s| (e^u - 1) with u = t/(1-t), t in [0, 1)
    (a power-law tail x^-p becomes e^-(p-1)u: heavy tails are integrable smoothly);
    towards a finite one, where the density may have an integrable singularity
    or a kink (x^(k-1) at 0), x = end +- (b - a) t^4, which smooths it."""
    if math.isfinite(a) and math.isfinite(b):
        if a == b:
            return _adaptive(fn, np.array([a]), np.array([b]), miss)[:, 0]
        end, sign = (a, 1.0) if scale < 0 else (b, -1.0)
        width = b - a

        def power(t):
            with np.errstate(all="ignore"):
                return fn(end + sign * width * t ** 4) * (4.0 * width * t ** 3)

        return _adaptive(power, np.array([0.0]), np.array([1.0]), miss)[:, 0]
    if scale < 0:
        start, sign = b, -1.0
    else:
        start, sign = a, 1.0
    s = abs(scale)

    def mapped(t):
        with np.errstate(all="ignore"):
            u = t / (1.0 - t)
            x = start + sign * s * np.expm1(u)
            jacobian = s * np.exp(u) / (1.0 - t) ** 2
            ok = np.isfinite(x) & np.isfinite(jacobian)  # beyond the floats: nothing left there
            v = fn(np.where(ok, x, start)) * jacobian
        return np.where(ok[None, :], v, 0.0)

    return _adaptive(mapped, np.array([0.0]), np.array([1.0]), miss)[:, 0]


def _adaptive(fn, a, b, miss=None):
    """Adaptive Gauss-Kronrod 7-15 on the pieces [a_j, b_j]: (m, pieces) integrals. A
    piece is kept when QUADPACK's error estimate of every component is below REL times
    its segment's integral of |component|; the others are halved, all at once. Pieces
    left after ROUNDS halvings are counted into the list `miss`."""
    n = a.size
    wide = np.flatnonzero(a != b)  # a piece of no width holds nothing (even where f is infinite)
    owner = wide
    lo, hi = a[wide].astype(np.float64), b[wide].astype(np.float64)
    if not wide.size:
        return np.zeros((fn(np.asarray(a[:1], dtype=np.float64)).shape[0], n))
    out = None
    scale = None
    for _ in range(ROUNDS):
        if owner.size == 0:
            break
        c, h = 0.5 * (lo + hi), 0.5 * (hi - lo)
        x = c[None, :] + h[None, :] * NODES[:, None]
        with np.errstate(all="ignore"):
            v = fn(x.reshape(-1))
        m = v.shape[0]
        v = v.reshape(m, NODES.size, -1)
        if out is None:
            out, scale = np.zeros((m, n)), np.zeros((m, n))
        with np.errstate(all="ignore"):
            K = h * np.tensordot(WK15, v, axes=(0, 1))
            G = h * np.tensordot(WG7, v, axes=(0, 1))
            absK = np.abs(h) * np.tensordot(WK15, np.abs(v), axes=(0, 1))
            mean = np.where(h != 0, K / (2.0 * h), 0.0)
            asc = np.abs(h) * np.tensordot(WK15, np.abs(v - mean[:, None, :]), axes=(0, 1))
            ratio = np.where(asc > 0, 200.0 * np.abs(K - G) / asc, 0.0)
            err = np.where(asc > 0, asc * np.minimum(1.0, ratio ** 1.5), np.abs(K - G))
            err = np.maximum(err, 50.0 * np.finfo(float).eps * absK)
        seg = scale.copy()
        np.add.at(seg.T, owner, absK.T)  # this round's estimate of each segment's |integral|
        ok = np.all(err <= REL * seg[:, owner] + 1e-300, axis=0) | ~np.all(np.isfinite(K), axis=0)
        stuck = ((c == lo) | (c == hi)) & ~ok  # the piece cannot be halved any more
        if miss is not None and np.any(err[:, stuck] > 1e3 * REL * seg[:, owner[stuck]]):
            miss.append(int(stuck.sum()))  # and its error is far above the tolerance
        ok |= stuck
        np.add.at(out.T, owner[ok], K[:, ok].T)
        np.add.at(scale.T, owner[ok], absK[:, ok].T)
        bad = ~ok
        lo, hi, owner = np.concatenate([lo[bad], c[bad]]), np.concatenate([c[bad], hi[bad]]), \
            np.concatenate([owner[bad], owner[bad]])
    else:
        if owner.size:  # not converged: the last estimates stand, and `miss` hears of it
            if miss is not None:
                miss.append(int(owner.size))
            c, h = 0.5 * (lo + hi), 0.5 * (hi - lo)
            with np.errstate(all="ignore"):
                v = fn((c[None, :] + h[None, :] * NODES[:, None]).reshape(-1)).reshape(out.shape[0], NODES.size, -1)
                np.add.at(out.T, owner, (h * np.tensordot(WK15, v, axes=(0, 1))).T)
    return out


def _sums(tails, pts, theta, order):
    """(F, S) of the masses at -inf, each point p (F: the sum over x <= p; S: over
    x > p) and +inf, each a running sum of its own side (no 1 - F is formed)."""
    first, last = _counts(tails.support)
    pts = np.unique(pts)
    top = max(float(pts[-1]), first) if pts.size else first
    if top - first + 1 > MAX_COUNTS:
        raise UsageError(f"the bounds reach {top:g}: summing the mass over {top - first + 1:.3g} whole numbers "
                         f"is more than mlefit does (at most {MAX_COUNTS:.0e}); rescale the counts")
    xs = np.arange(first, top + 1.0, dtype=np.float64)
    v = tails.components(xs, theta, order)
    m = v.shape[0]
    upper = _upper_sum(tails, top + 1.0, last, theta, order, m)
    fwd = np.concatenate([np.zeros((m, 1)), np.cumsum(v, axis=1)], axis=1)
    rev = np.concatenate([np.cumsum(v[:, ::-1], axis=1)[:, ::-1], np.zeros((m, 1))], axis=1) + upper[:, None]
    idx = (pts - first + 1.0).astype(np.int64)  # fwd[idx]: the sum over x <= p
    z = fwd[:, -1] + upper
    F = np.concatenate([np.zeros((m, 1)), fwd[:, idx], z[:, None]], axis=1)
    S = np.concatenate([rev[:, :1], rev[:, idx], np.zeros((m, 1))], axis=1)
    return F, S


def _upper_sum(tails, start, last, theta, order, m):
    """The sum of each component over start, start + 1, ... (to last), in growing blocks
    until the mass left is negligible."""
    total = np.zeros(m)
    at, block = start, 4096
    while at <= last:
        end = min(at + block - 1, last)
        part = np.sum(tails.components(np.arange(at, end + 1, dtype=np.float64), theta, order), axis=1)
        total += part
        at = end + 1
        if not np.all(np.isfinite(total)) or abs(part[0]) <= 1e-17 * max(abs(total[0]), 1e-300):
            break
        if at - start > MAX_COUNTS:
            break
        block = min(2 * block, 1 << 18)
    return total


def components(evaluate, k):
    """The components callable of Tails from evaluate(x, theta, order) -> (log f, g, h)
    (g: k arrays; h: the lower triangle, row by row, i >= j). order 0: f; 2: f, f g_j,
    f (h_ij + g_i g_j); FISHER: f, f g_j, f g_i g_j."""

    def fn(x, theta, order):
        logf, g, h = evaluate(x, theta, order)
        with np.errstate(all="ignore"):
            f = np.exp(logf) + np.zeros(np.shape(x))
            rows = [f]
            if order:
                def times(v):
                    return np.where(f > 0, f * v, 0.0)
                rows += [times(gj) for gj in g]
                c = 0
                for i in range(k):
                    for j in range(i + 1):
                        rows.append(times((h[c] if order == 2 else 0.0) + g[i] * g[j]))  # FISHER: f g_i g_j
                        c += 1
        return np.vstack(rows)

    return fn

