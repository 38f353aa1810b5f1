"""The per-row face of a family: the log-density of each row under that row's own
parameters, its distribution function in both tails, and its derivatives.

This is what every model is built from. An unconditional fit gives every row the same
parameters; a regression gives row i the parameters link^-1(x_i'b); a censored row
contributes log F or log S in place of log f; a prior adds one term. The family does not
know which of these is happening: every function here broadcasts over per-row parameter
arrays (a scalar is a parameter shared by all rows).

Conventions, for a family with parameters theta = (t_1, ..., t_k) and fixed shapes
s = (s_1, ...) (per-row trials, a quantile's tau, Huber's delta), all arguments broadcast:

    logpdf(y, *theta, *s)  -> log f(y): a density, or a mass for a discrete family
    logcdf(y, *theta, *s)  -> log P(Y <= y)
    logsf(y, *theta, *s)   -> log P(Y > y), accurate far in the upper tail
    derivs(y, *theta, *s)  -> (logpdf, score, hessian): score[j] = d logpdf / d t_j and
                              hessian[j][k] = d2 logpdf / d t_j d t_k, per row, on the
                              parameters' own (natural) scale; None for a family whose
                              log-density has no second derivative (laplace in mu)
    start(y, w, *s)        -> a starting theta from simple moments (never the fast path)
    sample(rng, size, *theta, *s) -> draws
    scipy(*theta, *s)      -> the frozen scipy.stats equivalent, for the tests (None if none)

Parameters whose MLE is a sample extreme (the bounds of a support: pareto's xm, uniform's
a and b) are not found by derivatives: `extreme` maps each such parameter's index to the
function (y, w) -> its MLE, and the estimator holds it there while it maximises over the
others.
"""
from types import MappingProxyType
from typing import Callable, NamedTuple, Optional

import numpy as np

from .base import Limit
from .catalog import POSITIVE, REAL, UNIT


class Density(NamedTuple):
    """A family's per-row record: its log-density, tails and derivatives, each broadcasting
    over per-row parameter arrays (the conventions above).

    Density is a typing.NamedTuple, immutable like a frozen dataclass (a changed copy:
    `_replace`) but defined in a tenth of the time: every family's file builds its Density
    at import, where a frozen dataclass of these 25 fields cost some 3 ms of each fit's start."""

    name: str
    params: tuple
    domains: tuple
    logpdf: Callable
    logcdf: Callable
    logsf: Callable
    start: Callable
    sample: Callable
    scipy: Callable
    derivs: Optional[Callable] = None
    discrete: bool = False
    shapes: tuple = ()  # names of the fixed, per-row or constant arguments after theta
    extreme: dict = MappingProxyType({})  # {param index: (y, w) -> MLE}: support bounds
    smooth: bool = True  # False: the log-likelihood has kinks in some parameter (laplace's mu)
    note: str = ""  # what the generic estimator should say about this family
    # (link, f, c): for a one-parameter family, its canonical link, f(y, eta, *shapes) ->
    # (logpdf - c, d/d eta, d2/d eta2) per row in the linear predictor itself (exact where
    # the parameter rounds to its bound, p = 1 at eta > 37, and cheaper than the chain
    # rule), and c(y, *shapes), the part of logpdf free of eta (-log y!), taken once
    canonical: Optional[tuple] = None
    # expected(*theta, *shapes) -> per-row expected (Fisher) information of each
    # parameter alone, E[-d2 logpdf / d t_j^2] (None where it has no closed form): what
    # `regress --information expected` uses for the parameter the covariates move
    expected: Optional[Callable] = None
    # sf_derivs(y, *theta, *shapes) -> (log S, score, hessian) per row, in closed form,
    # for the families of survival and Tobit models (censored rows' derivatives); the
    # others' are taken numerically from logsf/logcdf (mlefit.censored.tail_derivs)
    sf_derivs: Optional[Callable] = None
    # right_censored(seen, w_seen, all, w_all, controls) -> Solution (or None: not here):
    # the MLE from rows seen and rows right-censored (all: every row's value or
    # censoring time) by the family's own shortcut, which the estimator then confirms
    right_censored: Optional[Callable] = None
    # between(lo, hi, *theta, order=0|2) -> log P(lo < Y <= hi) per row (order 2: with its
    # score and Hessian lists): for a model whose tails are computed together from the
    # density itself (a user's own model: mlefit.own.tails); it then serves censored rows
    # of every kind in place of logcdf/logsf/sf_derivs
    between: Optional[Callable] = None
    limit: Optional[Limit] = None  # an edge where the family becomes a simpler one
    # threshold(rows, w, controls) -> Solution: a threshold family's start on censored rows
    # (censored_fit's (n, 4) array; families/threshold.py profiles the threshold), which the
    # censored estimator then polishes
    threshold: Optional[Callable] = None
    # False: its functions keep state between calls (a user's own model: the memo of its
    # normalising integral and the count of integrations), so the censored engine's passes
    # call them from one thread (censored_terms.each_block), not from every core
    threads: bool = True
    # {location index: scale index}: a location whose natural unit is a scale parameter
    # (student_t's mu and sigma): the censored tails' numeric derivatives step the location
    # by a fraction of that scale where it is below the data's spread (tail_derivs.steps)
    scale_of: dict = MappingProxyType({})

    @property
    def k(self):
        return len(self.params)


# ---------------------------------------------------------------- parameter scales
# The estimator works on an unconstrained scale: eta = log t for a positive parameter,
# logit t for a probability, t itself on the real line. For each domain: eta -> t, and
# the first and second derivatives of t in eta, as functions of t.
def _expit(eta):
    return 1.0 / (1.0 + np.exp(-eta)) if eta >= 0 else np.exp(eta) / (1.0 + np.exp(eta))


SCALES = {
    REAL: (lambda eta: eta, lambda t: t * 0.0 + 1.0, lambda t: t * 0.0, lambda t: t),
    POSITIVE: (np.exp, lambda t: t, lambda t: t, np.log),
    UNIT: (_expit, lambda t: t * (1.0 - t), lambda t: t * (1.0 - t) * (1.0 - 2.0 * t),
           lambda t: np.log(t) - np.log1p(-t)),
}


def to_free(theta, domains):
    """theta on the unconstrained scale (a float array)."""
    return np.array([float(SCALES[d][3](t)) for t, d in zip(theta, domains)])


def from_free(eta, domains):
    return tuple(float(SCALES[d][0](e)) for e, d in zip(eta, domains))


def chain(theta, domains, grad, hess):
    """The gradient and Hessian in eta from those in theta (summed over rows):
    d/d eta_j = g_j' l_j; d2/d eta_j d eta_k = g_j' g_k' l_jk + [j = k] g_j'' l_j."""
    d1 = np.array([SCALES[d][1](t) for t, d in zip(theta, domains)], dtype=float)
    d2 = np.array([SCALES[d][2](t) for t, d in zip(theta, domains)], dtype=float)
    g = grad * d1
    h = hess * np.outer(d1, d1) + np.diag(grad * d2)
    return g, h


def weighted_mean(y, w):
    return float(np.mean(y)) if w is None else float(np.sum(w * y) / np.sum(w))
