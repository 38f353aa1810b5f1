"""maxwell(a): the Maxwell-Boltzmann distribution of speeds, an example of a family in one
file. Copied into mlefit/families/, it is fitted by `fit --dist maxwell`, listed by
`mlefit families` and --help, and tried by `select` (tests/test_family_records.py)."""
import math
from types import SimpleNamespace

import numpy as np

from .base import Family, Solution, scipy_stats
from .catalog import POSITIVE, Param, Spec

SPEC = Spec("maxwell", (Param("a", POSITIVE, "scale"),), "positive", False, True,
            "sqrt(2/pi) x^2 exp(-x^2/(2 a^2)) / a^3", "maxwell(scale=a)", "none",
            estimator="closed form: a = sqrt(mean(x^2) / 3)")
C = 0.5 * math.log(2.0 / math.pi)


def _stats(x, w):
    w = np.ones_like(x) if w is None else w
    return SimpleNamespace(n=float(w.sum()), ss=float(w @ (x * x)), sumlog=float(w @ np.log(x)))


MAXWELL = Family(
    spec=SPEC, stats=_stats,
    estimate=lambda s, c: Solution((math.sqrt(s.ss / (3.0 * s.n)),), SPEC.estimator),
    loglik=lambda s, t: s.n * (C - 3.0 * math.log(t[0])) + 2.0 * s.sumlog - s.ss / (2.0 * t[0] ** 2),
    logpdf=lambda x, t: C + 2.0 * np.log(x) - 3.0 * math.log(t[0]) - x * x / (2.0 * t[0] ** 2),
    observed_information=lambda s, t: np.array([[-3.0 * s.n / t[0] ** 2 + 3.0 * s.ss / t[0] ** 4]]),
    scipy=lambda t: scipy_stats().maxwell(scale=t[0]))
