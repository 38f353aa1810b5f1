"""asymmetric_laplace:TAU(mu, sigma): per-row log-density, tails and derivatives, with
the fixed shape tau as the trailing argument: logpdf(y, mu, sigma, tau), where
log f = log(tau (1 - tau)/sigma) - rho_tau((y - mu)/sigma), rho_tau(u) = u (tau - [u < 0]).

The log-likelihood has a kink in mu at every data value (its MLE is the tau-quantile,
quantile regression's), so the family is marked smooth=False: the generic path
maximises without derivatives. derivs covers the smooth part (no curvature in mu)."""
import math

import numpy as np

from .. import numerics as nm
from .base import scipy_stats
from .catalog import POSITIVE, REAL, Param, Regression, Spec
from .realline_common import check_tail
from .robust import check_loss
from .rowwise import Density, weighted_mean


SPEC = Spec("asymmetric_laplace",
            (Param("mu", REAL, "the tau-quantile"), Param("sigma", POSITIVE, "scale: the mean check loss")),
            "real", False, True, "tau (1-tau)/sigma exp(-rho_tau((x-mu)/sigma)), rho_tau(u) = u (tau - [u<0])",
            "laplace_asymmetric(kappa=sqrt(tau/(1-tau)), loc=mu, scale=sigma/sqrt(tau (1-tau)))",
            "ald::dALD(x, mu, sigma, p=tau)", aliases=("ald", "quantile"), shape="tau",
            not_selected="a loss's likelihood with a quantile chosen by the user (tau); laplace is tau = 0.5",
            estimator="closed form: the tau-quantile, the mean check loss", listed=160, same_as=(("0.5", "laplace"),),
            shape_example="0.9", shape_rule="strictly between 0 and 1",
            shape_range=(0.0, False, 1.0, False, False),
            regression=Regression(100, 0, "identity", ("identity",), mean_model=False))


def logpdf(y, mu, sigma, tau):
    return np.log(tau * (1.0 - tau) / sigma) - check_loss((y - mu) / sigma, tau)


def derivs(y, mu, sigma, tau):
    """With u = (y - mu)/sigma, psi = tau - [u < 0] and rho = u psi: d/dmu = psi/sigma,
    d/dsigma = (rho - 1)/sigma; d2/dmu2 = 0 away from y = mu, d2/dmu dsigma = -psi/sigma^2,
    d2/dsigma2 = (1 - 2 rho)/sigma^2."""
    u = (y - mu) / sigma
    psi = tau - (u < 0)
    rho = u * psi
    s2 = sigma * sigma
    h_ms = -psi / s2
    return (np.log(tau * (1.0 - tau) / sigma) - rho, (psi / sigma, (rho - 1.0) / sigma),
            ((0.0 * u, h_ms), (h_ms, (1.0 - 2.0 * rho) / s2)))


def start(y, w, tau):
    """The weighted tau-quantile and the mean check loss about it."""
    y = np.asarray(y, dtype=np.float64)
    q = nm.weighted_quantile(y, w, float(np.mean(tau)))  # a tau per row: their mean
    return q, max(weighted_mean(check_loss(y - q, tau), w), 1e-12 * (abs(q) + 1.0))


def sample(rng, size, mu, sigma, tau):
    """Below mu with probability tau, by Exp(1 - tau) there, and above by Exp(tau)."""
    e = rng.standard_exponential(size)
    return mu + sigma * np.where(rng.random(size) < tau, -e / (1.0 - tau), e / tau)


def scipy(mu, sigma, tau):
    return scipy_stats().laplace_asymmetric(math.sqrt(tau / (1.0 - tau)), loc=mu,
                                            scale=sigma / math.sqrt(tau * (1.0 - tau)))


DENSITY = Density(
    name="asymmetric_laplace", params=("mu", "sigma"), domains=(REAL, POSITIVE), shapes=("tau",),
    logpdf=logpdf,
    logcdf=lambda y, mu, sigma, tau: check_tail(y, mu, sigma, tau),
    logsf=lambda y, mu, sigma, tau: check_tail(y, mu, sigma, tau, upper=True),
    derivs=derivs, start=start, sample=sample, scipy=scipy, smooth=False,
    note="the log-likelihood has a kink in mu at each value: maximised without derivatives",
)


def build(value):
    """asymmetric_laplace with its fixed shape: the fast path's record (robust.py)."""
    from .robust import build
    return build("asymmetric_laplace", value)
