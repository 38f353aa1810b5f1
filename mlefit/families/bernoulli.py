"""bernoulli(p): the binomial with one trial per row. Its log-mass and derivatives are
written out (no log C(1, y) to take, which the binomial's would spend most of a
regression's time on); the tails are the binomial's."""
import math
from types import SimpleNamespace

import numpy as np

from .. import numerics as nm
from . import binomial
from .base import Family, Solution, scipy_stats
from .catalog import UNIT, Param, Regression, Spec
from .counts_common import masked, upper_exact
from .rowwise import Density


SPEC = Spec("bernoulli", (Param("p", UNIT, "P(X = 1)"),), "binary", True, True,
            "p^x (1-p)^(1-x)", "bernoulli(p)", "dbinom(x, 1, p)",
            estimator="closed form: the mean", listed=10, select_rank=10,
            regression=Regression(20, 0, "logit", ("logit", "probit", "cloglog"), edges="both"))


def logpdf(y, p):
    """y log p + (1 - y) log(1 - p); -inf off {0, 1}."""
    from scipy.special import xlog1py, xlogy
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = xlogy(y, p) + xlog1py(1.0 - y, -p)
    return masked((y == 0) | (y == 1), value)


def derivs(y, p):
    y = np.asarray(y, dtype=np.float64)
    q = 1.0 - p
    with np.errstate(divide="ignore", invalid="ignore"):
        score = y / p - (1.0 - y) / q
        hess = -y / (p * p) - (1.0 - y) / (q * q)
    return logpdf(y, p), (score,), ((hess,),)


def logit_terms(y, eta, trials=1.0):
    """l = y eta - t log(1 + e^eta) (+ log C(t, y), which the caller adds), with its
    derivatives y - t p and -t p (1 - p), p = expit(eta): one exp and one log1p of
    e = exp(-|eta|), with log(1 + e^eta) = log1p(e) + max(eta, 0), p (1 - p) = e/(1 + e)^2."""
    e = np.exp(-np.abs(eta))
    r = 1.0 / (1.0 + e)
    p = np.where(eta >= 0, r, e * r)
    return y * eta - trials * (np.log1p(e) + np.maximum(eta, 0.0)), y - trials * p, -trials * (e * r * r)


DENSITY = Density(
    name="bernoulli", params=("p",), domains=(UNIT,), discrete=True,
    logpdf=logpdf, derivs=derivs,
    logcdf=lambda y, p: binomial.logcdf(y, p, 1.0),
    logsf=lambda y, p: binomial.logsf(y, p, 1.0),
    start=lambda y, w: binomial.start(y, w, 1.0),
    sample=lambda rng, size, p: binomial.sample(rng, size, p, 1),
    scipy=lambda p: scipy_stats().bernoulli(p),
    note=binomial.DENSITY.note,
    canonical=("logit", lambda y, eta: logit_terms(y, eta), lambda y: 0.0),
    expected=lambda p: (1.0 / (p * (1.0 - p)),),
)


# ---------------------------------------------------------------- the fast path: the bernoulli
# fit from sufficient statistics (no covariates, no censoring, no prior); BERNOULLI is
# the family's record (families.get)
def _bern_stats(x, w):
    n = nm.total_weight(w, x.size)
    return SimpleNamespace(n=n, k=nm.wsum(x, w))


def _bern_loglik(s, theta):
    (p,) = theta
    out = 0.0
    if s.k > 0:
        out += s.k * math.log(p) if p > 0 else -math.inf
    if s.n - s.k > 0:
        out += (s.n - s.k) * math.log1p(-p) if p < 1 else -math.inf
    return out


def _bern_boundary(s, theta, confidence):
    alpha = 1.0 - confidence
    if s.k == 0:
        return {0: (0.0, 1.0 - upper_exact(alpha, s.n), "p = 0 (no ones): exact Clopper-Pearson interval")}
    if s.k == s.n:
        return {0: (upper_exact(alpha, s.n), 1.0, "p = 1 (no zeros): exact Clopper-Pearson interval")}
    return {}


BERNOULLI = Family(
    spec=SPEC,
    stats=_bern_stats,
    estimate=lambda s, c: Solution((s.k / s.n,), "closed form: p = mean"),
    loglik=_bern_loglik,
    logpdf=lambda x, t: np.where(x == 1, np.log(t[0]), np.log1p(-t[0])),
    observed_information=lambda s, t: np.array([[s.k / t[0] ** 2 + (s.n - s.k) / (1 - t[0]) ** 2]]),
    expected_information=lambda s, t: np.array([[s.n / (t[0] * (1 - t[0]))]]),
    scipy=lambda t: scipy_stats().bernoulli(t[0]),
    cdf=lambda x, t: np.where(x < 0, 0.0, np.where(x < 1, 1.0 - t[0], 1.0)),
    sample=lambda rng, n, t: rng.binomial(1, t[0], n).astype(np.float64),
    boundary=_bern_boundary,
)
