"""Link functions: a parameter theta = inverse link of the linear predictor eta = x'b.
Each gives (theta, d theta / d eta, d2 theta / d eta2) for an array eta, and the link
itself (theta -> eta) for starting values."""
import math

import numpy as np

SQRT_2PI = math.sqrt(2.0 * math.pi)


def _identity(eta):
    return eta, np.ones_like(eta), np.zeros_like(eta)


def _log(eta):
    t = np.exp(eta)
    return t, t, t


def _logit(eta):
    from scipy.special import expit
    p = expit(eta)
    q = expit(-eta)  # 1 - p without cancellation
    d1 = p * q
    return p, d1, d1 * (q - p)


def _probit(eta):
    from scipy.special import ndtr
    d1 = np.exp(-0.5 * eta * eta) / SQRT_2PI
    return ndtr(eta), d1, -eta * d1


def _cloglog(eta):
    e = np.exp(eta)
    d1 = np.exp(eta - e)
    return -np.expm1(-e), d1, d1 * (1.0 - e)


def _inverse(eta):
    t = 1.0 / eta
    return t, -t * t, 2.0 * t * t * t


def _log_mean(eta):
    """theta = exp(-eta): a rate whose mean 1/theta is exp(eta) (the exponential's AFT link)."""
    t = np.exp(-eta)
    return t, -t, t


def _logit_of(p):
    return math.log(p) - math.log1p(-p)


def _probit_of(p):
    from statistics import NormalDist
    return NormalDist().inv_cdf(p)


# name -> (inverse link with derivatives, link of a scalar, the domain it maps onto)
LINKS = {
    "identity": (_identity, lambda t: t, "real"),
    "log": (_log, math.log, "positive"),
    "inverse": (_inverse, lambda t: 1.0 / t, "positive"),
    "log_mean": (_log_mean, lambda t: -math.log(t), "positive"),
    "logit": (_logit, _logit_of, "unit"),
    "probit": (_probit, _probit_of, "unit"),
    "cloglog": (_cloglog, lambda p: math.log(-math.log1p(-p)), "unit"),
}


def inverse(name):
    return LINKS[name][0]


def link_of(name, theta):
    return LINKS[name][1](theta)
