"""log_logistic(shape b, scale a): per-row log-density, tails and derivatives.

log y is logistic with location m = log a and scale s = 1/b, so every function here is
the logistic one of log y (the density less log y, the Jacobian), with the derivatives
carried from (m, s) to (b, a): dm/da = 1/a, d2m/da2 = -1/a^2, ds/db = -1/b^2,
d2s/db2 = 2/b^3."""
import math

import numpy as np

from .. import numerics as nm
from ..io.chunks import InMemory, LogsOnChunks
from . import locscale as ls, logistic, survival_tails
from .base import Family, Solution, scipy_special as _special, scipy_stats
from .catalog import POSITIVE, Param, Regression, Spec
from .logistic import logistic_parts
from .realline_common import locscale_derivs, locscale_logpdf
from .rowwise import Density


SPEC = Spec("log_logistic",
            (Param("shape", POSITIVE, "shape beta"), Param("scale", POSITIVE, "scale alpha (the median)")),
            "positive", False, False, "(b/a) (x/a)^(b-1) / (1 + (x/a)^b)^2, a = scale, b = shape",
            "fisk(c=shape, scale=scale)", "actuar::dllogis(x, shape, scale=scale)",
            aliases=("fisk", "loglogistic"),
            estimator="Newton: the logistic fit of log x", listed=220, select_rank=120,
            regression=Regression(140, 1, "log", ("log",), aft=True, censored=True))


def _log(y):
    """log y, -inf at 0 and nan below (those rows are set apart by the callers)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(y)


def logpdf(y, shape, scale):
    x = _log(y)
    with np.errstate(invalid="ignore"):
        out = locscale_logpdf(logistic_parts, x, np.log(scale), 1.0 / shape) - x
    return np.where(np.asarray(y) > 0, out, -np.inf)


def derivs(y, shape, scale):
    x = _log(y)
    lp, (g_m, g_s), ((h_mm, h_ms), (_, h_ss)) = locscale_derivs(logistic_parts, x, np.log(scale), 1.0 / shape)
    b2 = shape * shape
    h_ba = -h_ms / (b2 * scale)
    a2 = scale * scale
    return (lp - x, (-g_s / b2, g_m / scale),
            ((h_ss / (b2 * b2) + 2.0 * g_s / (b2 * shape), h_ba), (h_ba, (h_mm - g_m) / a2)))


def _z(y, shape, scale):
    return shape * (_log(y) - np.log(scale))


def logcdf(y, shape, scale):
    with np.errstate(invalid="ignore"):
        return np.where(np.asarray(y) > 0, logistic.log_expit(_z(y, shape, scale)), -np.inf)


def logsf(y, shape, scale):
    with np.errstate(invalid="ignore"):
        return np.where(np.asarray(y) > 0, logistic.log_expit(-_z(y, shape, scale)), 0.0)


def start(y, w):
    """The logistic start on log y: scale = e^median, shape = 2 log 3 / IQR of log y."""
    m, s = logistic.start(_log(y), w)
    return 1.0 / s, float(np.exp(m))


DENSITY = Density(
    sf_derivs=survival_tails.log_logistic,
    name="log_logistic", params=("shape", "scale"), domains=(POSITIVE, POSITIVE),
    logpdf=logpdf, logcdf=logcdf, logsf=logsf, derivs=derivs, start=start,
    sample=lambda rng, size, shape, scale: scale * np.exp(rng.logistic(0.0, 1.0 / shape, size)),
    scipy=lambda shape, scale: scipy_stats().fisk(shape, scale=scale),
)


# ---------------------------------------------------------------- the fast path: the log_logistic
# fit from sufficient statistics (no covariates, no censoring, no prior); LOG_LOGISTIC is
# the family's record (families.get)
# Parameters (shape b, scale a): y = log x is logistic with location mu = log a and
# scale 1/b, so the fit is the logistic family's on y (locscale.py: Newton in
# (mu, log(1/b)) from the median and half the interquartile range / log 3) and the
# log-likelihood is the logistic one of y minus sum log x (the Jacobian). A file is
# fitted chunk by chunk (chunked_stats) on the logs its chunks hold (chunked_logs).
# Values clustered far from 1 (where plain logs round y by a sizeable part of its spread:
# numerics.logs_lose_digits) are fitted on y = log(x / c) about c = e^(median log x),
# taken to full precision, with mu = log(a / c); s.c is c there, else 1.

LL_METHOD = "Newton on the logistic score equations of log(x)"
LL_LOG_SCALE0 = -math.log(math.log(3.0))  # logistic scale = half the IQR / log 3


def _ll_stats(x, w):
    s = _ll_from(InMemory(np.log(x), w))
    if nm.logs_lose_digits(s.centre, s.spread):
        c = math.exp(s.centre)
        s = _ll_from(InMemory(nm.log_ratio(x, c), w), c)
    return s


def _ll_chunked(chunks):
    """The stats of values held in chunks (mlefit.io.chunks) through their logs: chunks
    that hold log x already (LocalChunks(logs=True): chunked_logs) only shift them."""
    s = _ll_from(LogsOnChunks(chunks, 1.0))
    if nm.logs_lose_digits(s.centre, s.spread):
        c = math.exp(s.centre)
        s = _ll_from(LogsOnChunks(chunks, c), c)
    return s


def _ll_from(logs, c=1.0):
    """The location-scale stats of y = log(x / c) (the logs given), c and sum log x."""
    s = ls.from_data(logs)
    s.c = c
    s.sumlog = logs.total() + s.n * math.log(c)  # (in chunks: summed as the file was read)
    return s


def _ll_mu(s, a):
    """mu = log(a / c), the location of y = log(x / c)."""
    return math.log(a) if s.c == 1.0 else nm.log_ratio_scalar(a, s.c)


def _ll_estimate(s, controls):
    """The logistic fit of y = log(x / c); its last Newton step's log-likelihood and
    derivatives carried to (b, a) as _ll_loglik and _ll_observed take them (no pass more)."""
    (mu, scale), it, ok, message, at = ls.newton_fit(logistic_parts, s, LL_LOG_SCALE0, controls, LL_METHOD,
                                                     derivs=True)
    start = (1.0 / (s.spread * math.exp(LL_LOG_SCALE0)), s.c * math.exp(s.centre))
    theta = (1.0 / scale, s.c * math.exp(mu))
    if at is not None:
        value, g, h = at
        at = (value - s.sumlog, _ll_information(g, h, theta))
    return Solution(theta, LL_METHOD, it, ok, message, start, at)


def _ll_loglik(s, theta):
    b, a = theta
    return ls.sums(logistic_parts, s.data, s.n, _ll_mu(s, a), 1.0 / b, False) - s.sumlog


def _ll_observed(s, theta):
    """Minus the Hessian in (b, a), from the logistic one in (mu, tau) = (log a, -log b)
    (reordered to (tau, mu)): dtau/db = -1/b, d2tau/db2 = 1/b^2; dmu/da = 1/a,
    d2mu/da2 = -1/a^2."""
    b, a = theta
    _, g, h = ls.sums(logistic_parts, s.data, s.n, _ll_mu(s, a), 1.0 / b, True)
    return _ll_information(g, h, theta)


def _ll_information(g, h, theta):
    """Minus the Hessian in (b, a) from the logistic gradient and Hessian in (mu, tau)."""
    b, a = theta
    return -ls.natural_hessian(g[::-1], h[::-1, ::-1], (-1.0 / b, 1.0 / a), (1.0 / b ** 2, -1.0 / a ** 2))


def _ll_expected(s, theta):
    """n diag((pi^2 + 3)/(9 b^2), b^2/(3 a^2)): the logistic's n diag(1/3, (pi^2 + 3)/9)/s^2
    in (mu, s), carried to (b, a) by s = 1/b and mu = log a."""
    b, a = theta
    return s.n * np.diag([(math.pi ** 2 + 3.0) / (9.0 * b * b), b * b / (3.0 * a * a)])


def _ll_logpdf(x, theta):
    b, a = theta
    y = np.log(x)
    return logistic_parts(b * (y - math.log(a)), 0)[0] + math.log(b) - y


LOG_LOGISTIC = Family(
    spec=SPEC,
    moments=(0, "shape", 1, 2),
    stats=_ll_stats,
    chunked_stats=_ll_chunked,
    chunked_logs=True,
    chunked_moments=True,
    estimate=_ll_estimate,
    loglik=_ll_loglik,
    logpdf=_ll_logpdf,
    observed_information=_ll_observed,
    expected_information=_ll_expected,
    scipy=lambda t: scipy_stats().fisk(t[0], scale=t[1]),
    cdf=lambda x, t: _special().expit(t[0] * (np.log(np.maximum(x, 0.0)) - math.log(t[1]))),
    sample=lambda rng, n, t: t[1] * np.exp(rng.logistic(0.0, 1.0 / t[0], n)),
    min_n=2,
    needs_spread=True,
    rescale=lambda c: ((1.0, c), (0.0, 0.0)),
)
