"""EM and Newton for normal_mixture:K (see mixture.py for the family), on data reduced to
distinct values y (centred, divided by a power of two near the sd) with summed weights c.

Parameters here are K x 3 arrays p (w, mu, sigma), in those standardized units.

Starts, from a fixed seed (the same data always give the same fit): K equal-weight
quantile groups; k-means++ seeds refined by 1-d Lloyd iterations; tail partitions, one
component on the 2, 5 or 10% of the weight at either end (outliers, small clusters);
random quantile partitions; a nested-scale start (common mean, spread-out sds) for scale
mixtures; random weights, means and sds. Each runs SCREEN_STEPS EM steps (on a
SKETCH-quantile sketch when there are many distinct values); the best KEEP distinct runs
go on to convergence (with a sketch, the best two of those again on all the data; with
over 2 x MID distinct values, first on a MID-quantile sketch, where the slow part of the
climb costs ~1/15 of a pass over a million values), and the best log-likelihood wins.
Every pass over the data is summed block by block (BLOCK values at a time: no array as
large as the data is made, and each block's K x BLOCK arrays stay in cache). EM works in log space (responsibilities by log-sum-exp, so
far-out points do not underflow); it alternates with Newton steps on the 3K-1 free
parameters (analytic Hessian; where that is not negative definite, the absolute values of
its eigenvalues; step halving keeps weights and sds valid and the likelihood from
falling; an EM step where no Newton step helps), until the gain a step promises is below
tol x |loglik|. A run in which a sigma falls below the floor (FLOOR x the data's spread)
or a weight to ~0 is discarded: the component is collapsing onto a single value, where
the likelihood has an infinite spike.
"""
import math

import numpy as np

from .. import numerics as nm
from ..errors import DataError
from .base import Solution

FLOOR = 1e-3      # a sigma below FLOOR x the data's spread: a component collapsing onto a value
MIN_WEIGHT = 1e-10
SEED = 20240613   # fixed: the random starts, hence the fit, are reproducible
KMEANS_STARTS, PARTITION_STARTS, RANDOM_STARTS = 5, 5, 20
SCREEN_STEPS, SCREEN_TOL, KEEP = 30, 1e-9, 8
TAILS = (0.02, 0.05, 0.1)  # weight of the end groups of the tail starts
NEWTON_RETRY = 5  # EM steps between Newton attempts where the Hessian was not negative definite
SKETCH = 2048     # screening runs on this many quantiles when there are over twice as many values
MID = 1 << 16     # the best two are polished on this many quantiles first, when there are over twice as many values
BLOCK = 1 << 14   # values per block of a pass (K x BLOCK arrays stay in a core's cache)
HALF_LOG_2PI = nm.HALF_LOG_2PI
NO_MLE = "no MLE"  # the method of the placeholder a MAP fit starts from when every run collapsed


# ---------------------------------------------------------------- the likelihood, inside
def _posterior(y, p):
    """For parameters p (K x 3: w, mu, sigma): z (K x m), log f without -log sqrt(2 pi)
    (m), responsibilities r (K x m), all by log-sum-exp over the components."""
    w, mu, sig = p.T
    z = (y - mu[:, None]) / sig[:, None]
    lp = z * z
    lp *= -0.5
    lp += (np.log(w) - np.log(sig))[:, None]
    top = lp.max(axis=0)
    lp -= top
    r = np.exp(lp, out=lp)
    total = r.sum(axis=0)
    r /= total
    return z, top + np.log(total), r


def _sums(y, c, fn):
    """fn(y, c) over blocks of BLOCK values, summed (chunks.InMemory.sum): the K x m
    arrays of a block stay in cache, and none as large as the data is ever made."""
    from ..io.chunks import InMemory
    return InMemory(y, c).sum(fn, BLOCK)


def _total(c, logf):
    """sum c log f over one block, from the per-value log f of _posterior."""
    return float(np.einsum("i,i->", c, logf))


def _log_c(c, summed):
    """The log-likelihood from the summed c log f (without -log sqrt(2 pi))."""
    return summed - float(c.sum()) * HALF_LOG_2PI


def loglik_inside(y, c, p):
    return _log_c(c, _sums(y, c, lambda yb, cb: _total(cb, _posterior(yb, p)[1])))


def _m_sums(y, c, z, r):
    """One block's sums for EM's update: sum c r, sum c r y and sum c r z^2 per component."""
    cr = r * c
    return cr.sum(axis=1), np.einsum("jm,m->j", cr, y), np.einsum("jm,jm->j", cr, z * z)


def _m_step(sums, p):
    """EM's update from _m_sums summed over the data: weights, means and sds weighted by
    the responsibilities times c."""
    nj, sy, szz = sums
    mu = sy / nj
    # sum cr (y - mu_new)^2 = sigma^2 sum cr z^2 - nj (mu_new - mu)^2, with z at the old mu
    ss = p[:, 2] ** 2 * szz - nj * (mu - p[:, 1]) ** 2
    return np.column_stack([nj / nj.sum(), mu, np.sqrt(np.maximum(ss, 0.0) / nj)])


def _e_pass(y, c, p):
    """One pass at p: (loglik, the summed _m_sums for EM's update)."""
    def block(yb, cb):
        z, logf, r = _posterior(yb, p)
        return (_total(cb, logf), *_m_sums(yb, cb, z, r))
    got = _sums(y, c, block)
    return _log_c(c, got[0]), got[1:]


def _valid(p, floor):
    return bool(np.all(np.isfinite(p)) and np.all(p[:, 0] > MIN_WEIGHT) and np.all(p[:, 2] > floor))


class _Collapse(Exception):
    """An EM step left a component with a sigma below the floor, or without weight."""

    def __init__(self, p):
        super().__init__()
        self.mu = float(p[np.argmin(p[:, 2]), 1])


def _em_step(sums, p, floor):
    q = _m_step(sums, p)
    if not _valid(q, floor):
        raise _Collapse(q)
    return q


def derivatives(y, c, p):
    """loglik, gradient and Hessian in the order w1, mu1, sigma1, w2, ... (weights free),
    and the summed _m_sums for EM's update at p: one pass, block by block. The score of
    a value is u / d with u = (r, r z, r (z^2 - 1)) per component and d = (w, sigma, sigma):
    the sums are taken of u, and divided by d once."""
    k = p.shape[0]
    d = np.column_stack([p[:, 0], p[:, 2], p[:, 2]]).ravel()

    def block(yb, cb):
        z, logf, r = _posterior(yb, p)
        z2 = z * z
        u = np.empty((k, 3, yb.size))
        u[:, 0] = r
        np.multiply(r, z, out=u[:, 1])
        np.multiply(r, z2, out=u[:, 2])
        u[:, 2] -= r
        u = u.reshape(3 * k, yb.size)
        uc = u * cb
        ucs = uc.reshape(k, 3, yb.size)
        more = np.array([np.einsum("jm,jm->j", ucs[:, 1], z2), np.einsum("jm,jm->j", ucs[:, 2], z2),
                         np.einsum("jm,m->j", ucs[:, 0], yb)])
        return _total(cb, logf), uc.sum(axis=1), uc @ u.T, more

    summed, gu, cross, more = _sums(y, c, block)
    grad, hess = gu / d, -cross / np.outer(d, d)
    t0, t1 = gu[0::3], gu[1::3]
    t2 = gu[2::3] + t0
    t3, t4 = more[0], more[1] + t2
    for j in range(k):
        s, v = p[j, 2], p[j, 0]
        hess[3 * j:3 * j + 3, 3 * j:3 * j + 3] += np.array([
            [0.0, t1[j] / (s * v), (t2[j] - t0[j]) / (s * v)],
            [t1[j] / (s * v), (t2[j] - t0[j]) / s ** 2, (t3[j] - 3.0 * t1[j]) / s ** 2],
            [(t2[j] - t0[j]) / (s * v), (t3[j] - 3.0 * t1[j]) / s ** 2,
             (t4[j] - 5.0 * t2[j] + 2.0 * t0[j]) / s ** 2]])
    return _log_c(c, summed), grad, hess, (t0, more[2], t2)


def free_map(k):
    """A: free parameters (all but w[K]) -> all 3K, w[K] = 1 - the other weights."""
    last = 3 * (k - 1)
    a = np.delete(np.eye(3 * k), last, axis=1)
    a[last, 0:last:3] = -1.0
    return a


# ---------------------------------------------------------------- estimation
def _em(y, c, p, steps, rtol, floor):
    """Plain EM from p: (loglik, p, steps); _Collapse when a component collapses."""
    before = -math.inf
    for it in range(1, steps + 1):
        loglik, sums = _e_pass(y, c, p)
        p = _em_step(sums, p, floor)
        if abs(loglik - before) <= rtol * max(abs(loglik), 1.0):
            break
        before = loglik
    return loglik, p, it


def _polish(y, c, p, floor, controls):
    """Newton on the free parameters, EM steps where Newton cannot go (Newton is tried
    again every NEWTON_RETRY EM steps): (loglik, p, iterations, converged); _Collapse when
    a component collapses. Converged when the gain a step promises is below tol x |loglik|
    (the last Newton step is then taken too: it is nearly free and ends at full precision).
    A full Newton step is tried with the derivatives at its end (one pass): when it is
    taken, the next iteration starts from them without another pass."""
    a = free_map(p.shape[0])
    loglik, hess_ok, ahead = None, True, None
    for it in range(1, controls.max_iter + 1):
        if hess_ok or it % NEWTON_RETRY == 0:
            loglik, grad, hess, sums = ahead if ahead is not None else derivatives(y, c, p)
            enough = controls.tol * max(abs(loglik), 1.0)
            q = _newton(y, c, p, loglik, grad, hess, a, floor, enough)
            hess_ok = q is not None
            if hess_ok:
                p, ahead = q[0], q[3]
                if q[2]:
                    return q[1], p, it, True
                continue
        q = _em_step(sums, p, floor)
        new, sums = _e_pass(y, c, q)
        ahead = None
        if loglik is not None and new - loglik <= controls.tol * max(abs(loglik), 1.0):
            return (new, q, it, True) if new >= loglik else (loglik, p, it, True)
        p, loglik = q, new
    return loglik, p, controls.max_iter, False


def _newton(y, c, p, loglik, grad, hess, a, floor, enough):
    """A Newton step on the free parameters, halved until the weights and sds are valid
    and the likelihood does not fall: (p, loglik, converged, derivatives at p or None),
    or None when no step length helps. Where the Hessian is not negative definite (a
    ridge or a saddle between components), its eigenvalues are replaced by their
    absolute values: still a direction of ascent, and one that leaves the saddle. The
    full step of an unconverged fit is tried with all the derivatives at its end (one
    pass; the next iteration needs them), a halved or final one with the likelihood only."""
    m, g = -(a.T @ hess @ a), a.T @ grad
    d = np.abs(np.diag(m))
    if not (np.all(np.isfinite(m)) and np.all(np.isfinite(g))):
        return None
    s = 1.0 / np.sqrt(np.where(d > 0, d, 1.0))
    lam, v = np.linalg.eigh(m * np.outer(s, s))
    exact = lam[0] > 0
    lam = np.maximum(np.abs(lam), 1e-12 * np.abs(lam).max())
    u = s * (v @ ((v.T @ (s * g)) / lam))
    small = exact and float(u @ g) <= 2.0 * enough
    step, t = (a @ u).reshape(p.shape), 1.0
    for _ in range(1 if small else 40):
        q = p + t * step
        if _valid(q, floor):
            there = derivatives(y, c, q) if t == 1.0 and not small else None
            new = there[0] if there is not None else loglik_inside(y, c, q)
            if new >= loglik:
                return q, new, small, there
        t *= 0.5
    return (p, loglik, True, None) if small else None


def _partition_start(y, c, cuts, spread, k):
    """Weights, means and sds of the K groups of sorted values between the cuts."""
    if np.any(np.diff(cuts) == 0):
        return None
    n0, n1, n2 = (np.add.reduceat(c * y ** e, cuts[:-1]) for e in (0, 1, 2))
    mu = n1 / n0
    var = np.maximum(n2 / n0 - mu * mu, 0.0)
    return np.column_stack([n0 / n0.sum(), mu, np.maximum(np.sqrt(var), spread / (4.0 * k))])


def _starts(y, c, k, spread, rng):
    cum = np.cumsum(c)
    m = y.size

    def at_levels(levels):
        inner = np.searchsorted(cum, np.asarray(levels) * cum[-1], side="right")
        return np.concatenate(([0], np.minimum(inner, m), [m]))

    def lloyd(centres):
        cuts = None
        for _ in range(100):
            centres = np.sort(centres)
            new = np.concatenate(([0], np.searchsorted(y, (centres[1:] + centres[:-1]) / 2, side="right"), [m]))
            if cuts is not None and np.array_equal(new, cuts) or np.any(np.diff(new) == 0):
                break
            cuts = new
            centres = np.add.reduceat(c * y, cuts[:-1]) / np.add.reduceat(c, cuts[:-1])
        return cuts if cuts is not None else new

    cut_sets = [at_levels(np.arange(1, k) / k)]
    for _ in range(KMEANS_STARTS):  # k-means++ seeds
        centres = [y[rng.choice(m, p=c / cum[-1])]]
        for _ in range(k - 1):
            d2 = c * np.min((y - np.array(centres)[:, None]) ** 2, axis=0)
            centres.append(y[rng.choice(m, p=d2 / d2.sum())])
        cut_sets.append(lloyd(np.array(centres)))
    for f in TAILS:  # one component on a few values at either end (outliers), the rest in quantiles
        inner = (1.0 - f) * np.arange(1, k - 1) / (k - 1)
        cut_sets += [at_levels(np.concatenate(([f], f + inner))), at_levels(np.append(inner, 1.0 - f))]
    for _ in range(PARTITION_STARTS):  # random partitions, no group below 1/(2K) of the weight
        cut_sets.append(at_levels(np.sort(0.5 * np.arange(1, k) / k + 0.5 * rng.random(k - 1))))
    starts, seen = [], set()
    for cuts in cut_sets:
        if tuple(cuts) not in seen:
            seen.add(tuple(cuts))
            p = _partition_start(y, c, cuts, spread, k)
            if p is not None:
                starts.append(p)
    mean, var = nm.mean_and_m2(y, c)
    sd = math.sqrt(var)
    starts.append(np.column_stack([np.full(k, 1.0 / k), np.full(k, mean), sd * np.geomspace(0.5, 2.0, k)]))
    for _ in range(RANDOM_STARTS):  # random weights, means at random values, random sds
        starts.append(np.column_stack([rng.dirichlet(np.ones(k)), y[rng.choice(m, k, p=c / cum[-1])],
                                       sd * np.exp(rng.normal(-0.7, 0.5, k))]))
    return starts


def _sketch(y, c, size=SKETCH):
    """`size` equally weighted quantiles of the data (for screening the starts)."""
    cum = np.cumsum(c)
    idx = np.searchsorted(cum, (np.arange(size) + 0.5) / size * cum[-1], side="left")
    idx, counts = np.unique(np.minimum(idx, y.size - 1), return_counts=True)
    return y[idx], counts * (cum[-1] / size)


def _order(p):
    return p[np.lexsort((p[:, 2], p[:, 1]))]


def _best(runs, limit):
    """The best `limit` runs (loglik, p, ...) that differ from each other, among those
    within reach of the best one."""
    runs = sorted(runs, key=lambda run: -run[0])
    chosen = []
    for run in runs:
        if len(chosen) == limit or run[0] < runs[0][0] - 10.0 - 1e-3 * abs(runs[0][0]):
            break
        if all(np.max(np.abs(_order(run[1]) - _order(o[1]))) > 0.05 for o in chosen):
            chosen.append(run)
    return chosen


def estimate(s, controls):
    """The fit for K >= 2 from the statistics s of mixture.py (y, counts, floor, centre,
    scale): a Solution in the data's units, components in increasing mu; DataError when
    every run collapses."""
    k, full = s.k, (s.y, s.counts)
    sketched = s.y.size > 2 * SKETCH
    work = _sketch(*full) if sketched else full
    starts = _starts(*work, k, s.spread, np.random.default_rng(SEED))
    runs, spikes = [], []  # runs: (loglik, p, iterations, converged, start); spikes: where runs collapsed
    with np.errstate(all="ignore"):
        for p0 in starts:
            try:
                runs.append((*_em(*work, p0, SCREEN_STEPS, SCREEN_TOL, s.floor), True, p0))
            except _Collapse as spike:
                spikes.append(spike.mu)
        # the best few to convergence (on the sketch, if any), then the best two of those on all data
        stages = [(work, KEEP)] + ([(_sketch(*full, MID), 2)] if s.y.size > 2 * MID else []) + \
            ([(full, 2)] if sketched else [])
        for data, limit in stages:
            chosen, runs = _best(runs, limit), []
            for _, p, its, _, p0 in chosen:
                try:
                    done = _polish(*data, p, s.floor, controls)
                except _Collapse as spike:
                    spikes.append(spike.mu)
                    continue
                runs.append((done[0], done[1], its + done[2], done[3], p0))
    if not runs:
        said = (f"in every one of the {len(starts)} EM runs a component collapsed onto a single value (last at "
                f"{s.centre + s.scale * spikes[-1]:.6g}: its sigma fell below {FLOOR:g} x the data's spread, where "
                f"the likelihood has an infinite spike, not a maximum)")
        if controls.mle_optional:  # a MAP fit (mlefit.priors.mixture) goes on from the first start
            return Solution(outside(s, _order(starts[0])), f"{NO_MLE}: every EM run collapsed", 0, True, said)
        raise DataError(f"the data do not support {k} normal components: {said}; use fewer components, e.g. "
                        f"normal_mixture:{k - 1}")
    _, p, its, ok, p0 = max(runs, key=lambda run: run[0])
    method = (f"EM in log space from {len(starts)} seeded starts"
              + (f" (first on a {SKETCH}-quantile sketch" + (f", the best two then on a {MID}-quantile one"
                                                               if s.y.size > 2 * MID else "") + ")" if sketched else "")
              + ", the best continued with Newton steps (analytic Hessian); components in increasing mu")
    if spikes:
        method += (f"; {len(spikes)} run(s) discarded: a component collapsed onto a single value "
                   f"(sigma < {FLOOR:g} x spread)")
    return Solution(outside(s, _order(p)), method, its, ok,
                    "" if ok else f"the Newton/EM polish did not converge in {controls.max_iter} iteration(s)",
                    outside(s, _order(p0)))


def refine(s, theta, controls):
    """The fit from one start, theta (data units): EM then Newton, for the bootstrap's
    refits of samples drawn at theta, where a full multistart search is ~30 times the
    work. Falls back to the multistart estimate if the run collapses."""
    with np.errstate(all="ignore"):
        try:
            _, p, its = _em(s.y, s.counts, inside(s, theta), SCREEN_STEPS, SCREEN_TOL, s.floor)
            _, p, more, ok = _polish(s.y, s.counts, p, s.floor, controls)
        except _Collapse:
            return estimate(s, controls)
    return Solution(outside(s, _order(p)), "EM and Newton from the given start", its + more, ok)


def inside(s, theta):
    """theta (3K numbers, data units) -> p in the standardized units of the stats s."""
    p = np.array(theta, dtype=np.float64).reshape(-1, 3)
    p[:, 1] = (p[:, 1] - s.centre) / s.scale
    p[:, 2] /= s.scale
    return p


def outside(s, p):
    """p (standardized units) -> theta, a tuple in the data's units."""
    return tuple(np.column_stack([p[:, 0], s.centre + s.scale * p[:, 1], s.scale * p[:, 2]]).ravel().tolist())
