"""maxwell(a): the Maxwell-Boltzmann distribution of speeds, an example of a family in one
file. Copied into mlefit/families/, it is fitted by `fit --dist maxwell` (and with priors,
censoring, --robust), by `regress --dist maxwell`, listed by `mlefit families` and --help,
and tried by `select`."""
import math
from types import SimpleNamespace

import numpy as np

from .base import Family, Solution, scipy_stats
from .catalog import POSITIVE, Param, Regression, Spec
from .rowwise import Density
from .tails import log_gammainc, log_gammaincc

SPEC = Spec("maxwell", (Param("a", POSITIVE, "scale"),), "positive", False, True,
            "sqrt(2/pi) x^2 exp(-x^2/(2 a^2)) / a^3", "maxwell(scale=a)", "none",
            estimator="closed form: a = sqrt(mean(x^2) / 3)",
            regression=Regression(200, 0, "log", ("log",)))  # regress: log a = x'b
C = 0.5 * math.log(2.0 / math.pi)


def logpdf(y, a):  # per row: y and a broadcast
    return C + 2.0 * np.log(y) - 3.0 * np.log(a) - y * y / (2.0 * a * a)


def derivs(y, a):  # log f, its score and Hessian in a
    u = (y / a) ** 2
    return logpdf(y, a), ((u - 3.0) / a,), (((3.0 - 3.0 * u) / (a * a),),)


DENSITY = Density(  # the per-row record: regressions, censored rows, priors
    name="maxwell", params=("a",), domains=(POSITIVE,), logpdf=logpdf, derivs=derivs,
    logcdf=lambda y, a: log_gammainc(1.5, (y / a) ** 2 / 2.0),  # a chi with 3 df, scaled
    logsf=lambda y, a: log_gammaincc(1.5, (y / a) ** 2 / 2.0),
    start=lambda y, w: (float(np.mean(y)) * math.sqrt(math.pi / 8.0),),  # E Y = 2 a sqrt(2/pi)
    sample=lambda rng, size, a: a * np.sqrt(rng.chisquare(3.0, size)),
    scipy=lambda a: scipy_stats().maxwell(scale=a))


def _stats(x, w):  # the fast path's sufficient statistics
    w = np.ones_like(x) if w is None else w
    return SimpleNamespace(n=float(w.sum()), ss=float(w @ (x * x)), sumlog=float(w @ np.log(x)))


MAXWELL = Family(  # the fast path: the closed form from the sums
    spec=SPEC, stats=_stats,
    estimate=lambda s, c: Solution((math.sqrt(s.ss / (3.0 * s.n)),), SPEC.estimator),
    loglik=lambda s, t: s.n * (C - 3.0 * math.log(t[0])) + 2.0 * s.sumlog - s.ss / (2.0 * t[0] ** 2),
    logpdf=lambda x, t: logpdf(x, t[0]),
    observed_information=lambda s, t: np.array([[-3.0 * s.n / t[0] ** 2 + 3.0 * s.ss / t[0] ** 4]]),
    scipy=lambda t: scipy_stats().maxwell(scale=t[0]), sample=lambda rng, n, t: DENSITY.sample(rng, n, t[0]))
