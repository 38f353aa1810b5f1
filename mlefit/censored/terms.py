"""The log-likelihood of censored and truncated rows: each row contributes log f(y) when
its value was seen, log F(hi) when it is known only to lie at or below hi (left-censored),
log S(lo) when only above lo (right-censored), log(F(hi) - F(lo)) when between the two
(interval-censored), and a truncated row loses log P(it could be recorded at all).

Rows are held in groups by kind, so that each kind is one vectorised call of the
family's per-row functions. Truncation is the same sum with negative weights: a row
recorded only above t (left truncation, an entry time) subtracts w log S(t), only below
t subtracts w log F(t), only inside (t1, t2] subtracts w log(F(t2) - F(t1)).

For a discrete family, the bounds are the points of F-differences (mlefit.censored.rows
makes them so): P(a <= Y <= b) = F(b) - F(a - 1), the row carrying lo = a - 1, hi = b.
"""
import math
from dataclasses import dataclass

import numpy as np

from ..cores import in_order
from ..likelihood import total
from ..maximize import EPS
from .tail_derivs import interval_derivs, interval_value, tail_derivs

KINDS = ("exact", "left", "right", "interval")


@dataclass(frozen=True)
class Group:
    """Rows of one kind: exact (y in lo), left (bound in hi), right (bound in lo),
    interval (lo, hi). w: each row's weight (negative for a truncation term; None:
    every weight 1). rows:
    the indexes of these rows among all rows, for per-row parameters and shapes (None:
    every row has the same parameters, or a term shared by all rows)."""

    kind: str
    lo: np.ndarray | None
    hi: np.ndarray | None
    w: np.ndarray | None
    rows: np.ndarray | None = None

    @property
    def size(self):
        for a in (self.w, self.rows, self.lo, self.hi):
            if a is not None:
                return a.size
        return 0


@dataclass(frozen=True)
class Terms:
    """The censored rows' log-likelihood terms, grouped by kind, and the data's spread."""

    groups: tuple
    spread: float  # the data's spread: the finite-difference unit of a location


def _pick(values, rows):
    if rows is None or np.ndim(values) == 0:
        return values
    return np.asarray(values)[rows]


def _args(group, theta, shapes):
    return [_pick(t, group.rows) for t in theta], [_pick(s, group.rows) for s in shapes]


def values(dens, group, theta, shapes=()):
    """Each row's log-probability term (unweighted)."""
    theta, shapes = _args(group, theta, shapes)
    with np.errstate(all="ignore"):
        if group.kind == "exact":
            return dens.logpdf(group.lo, *theta, *shapes)
        if group.kind == "left":
            return dens.logcdf(group.hi, *theta, *shapes)
        if group.kind == "right":
            return dens.logsf(group.lo, *theta, *shapes)
        return interval_value(dens, group.lo, group.hi, theta, shapes)


def derivs(dens, group, theta, shapes, spread):
    """(values, score, hessian, score noise) per row of one group."""
    theta, shapes = _args(group, theta, shapes)
    with np.errstate(all="ignore"):
        if group.kind == "exact":
            ll, score, hess = dens.derivs(group.lo, *theta, *shapes)
            return ll, score, hess, tuple(EPS * np.abs(s) for s in score)
        if group.kind == "left":
            return tail_derivs(dens, "left", group.hi, theta, shapes, spread)
        if group.kind == "right":
            return tail_derivs(dens, "right", group.lo, theta, shapes, spread)
        return interval_derivs(dens, group.lo, group.hi, theta, shapes, spread)


BLOCK = 1 << 16  # rows per call of a family's functions: their temporaries stay in cache and bounded


def blocks(g):
    """The group in pieces of BLOCK rows (itself when smaller): a family's per-row
    functions make a dozen temporaries of the rows' size, which for a million rows are
    fresh pages each call (and gigabytes at 1e7); in blocks they are reused memory."""
    if g.size <= BLOCK:
        yield g
        return
    for a in range(0, g.size, BLOCK):
        cut = slice(a, a + BLOCK)
        yield Group(g.kind, None if g.lo is None else g.lo[cut], None if g.hi is None else g.hi[cut],
                    None if g.w is None else g.w[cut], None if g.rows is None else g.rows[cut])


def each_block(dens, terms, fn):
    """[fn(block) for every block of every group], in that order, on every core
    (cores.in_order: a censored row costs a dozen transcendental functions, whose loops
    release the GIL; the same numbers as on one thread); on this thread alone for a
    density whose functions keep state (Density.threads False)."""
    pieces = [b for g in terms.groups for b in blocks(g)]
    return in_order(pieces, fn) if getattr(dens, "threads", True) else [fn(b) for b in pieces]


def loglik(dens, terms, theta, shapes=()):
    return math.fsum(each_block(dens, terms, lambda b: total(values(dens, b, theta, shapes), b.w, b.size)))


def sums(dens, terms, theta, shapes=()):
    """(loglik, gradient, Hessian, gradient noise) over every group (likelihood.sums' shape):
    each block's totals (each_block), added in block order."""
    k = dens.k

    def block_sums(g):
        ll, score, h, rounding = derivs(dens, g, theta, shapes, terms.spread)
        n, aw = g.size, None if g.w is None else np.abs(g.w)
        return (total(ll, g.w, n), [total(score[j], g.w, n) for j in range(k)],
                [total(rounding[j], aw, n) + EPS * total(np.abs(score[j]), aw, n) for j in range(k)],
                [[total(h[i][j], g.w, n) for i in range(j + 1)] for j in range(k)])

    value, grad, hess, noise = 0.0, np.zeros(k), np.zeros((k, k)), np.zeros(k)
    for ll, score, rounding, h in each_block(dens, terms, block_sums):
        value += ll
        for j in range(k):
            grad[j] += score[j]
            noise[j] += rounding[j]
            for i in range(j + 1):
                hess[i, j] += h[j][i]
                hess[j, i] = hess[i, j]
    return value, grad, hess, noise


def per_row(dens, terms, theta, shapes, n):
    """Each of the n rows' own term, unweighted, in row order (a censored row's
    log-probability, its truncation subtracted): what the sandwich and plots read per
    observation. A group without row indexes (a truncation shared by all rows) counts
    once in every row."""
    out = np.zeros(n)
    for g in terms.groups:
        v = values(dens, g, theta, shapes) * (1.0 if g.w is None else np.sign(g.w))
        if g.rows is None:
            out += v.reshape(-1)[0] if np.size(v) == 1 else v
        else:
            np.add.at(out, g.rows, v)
    return out
