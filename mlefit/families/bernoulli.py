"""bernoulli(p): the binomial with one trial per row. Its log-mass and derivatives are
written out (no log C(1, y) to take, which the binomial's would spend most of a
regression's time on); the tails are the binomial's."""
import numpy as np

from . import binomial
from .base import scipy_stats
from .catalog import UNIT
from .counts_common import masked
from .rowwise import Density


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
