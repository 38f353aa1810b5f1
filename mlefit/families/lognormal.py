"""lognormal(meanlog, sdlog): per-row log-density, tails and derivatives: the normal
family's on log y, less the Jacobian log y. log y is taken once, where y > 0 (0 is the
lower end of the support: log F = -inf and log S = 0 there, with no warning; a negative
y is outside it)."""
import math

import numpy as np

from .. import numerics as nm
from . import closed_forms, merge, normal, survival_tails
from .base import Family, Solution, scipy_special as _special, scipy_stats
from .catalog import POSITIVE, REAL, Param, Regression, Spec
from .normal import (_moments, _normal_expected, _normal_loglik, _normal_logpdf, _normal_observed,
                     _not_all_equal, _spread_check)
from .positive_common import floats, inside_or, masked_derivs, quiet
from .rowwise import Density
from .tails import log_ndtr


SPEC = Spec("lognormal",
            (Param("meanlog", REAL, "mean of log(x)"), Param("sdlog", POSITIVE, "sd of log(x) (divisor n)")),
            "positive", False, True, "normal density of log(x), divided by x",
            "lognorm(s=sdlog, scale=exp(meanlog))", "dlnorm(x, meanlog, sdlog)",
            aliases=("lognorm", "log_normal"),
            estimator="closed form on log x", listed=100, select_rank=100,
            regression=Regression(130, 0, "identity", ("identity",), aft=True, censored=True,
                                  on_log=True))


@quiet
def _log(y):
    """(log y, y > 0, y >= 0): log y is -inf at 0 and NaN below it."""
    y = floats(y)
    return np.log(y), y > 0, y >= 0


@quiet
def logpdf(y, meanlog, sdlog):
    logy, positive, _ = _log(y)
    return inside_or(positive, normal.logpdf(logy, meanlog, sdlog) - logy, -np.inf)


@quiet
def derivs(y, meanlog, sdlog):
    logy, positive, _ = _log(y)
    ll, score, hess = normal.derivs(logy, meanlog, sdlog)
    return masked_derivs(positive, ll - logy, score, hess)


@quiet
def logcdf(y, meanlog, sdlog):
    logy, _, nonnegative = _log(y)
    return inside_or(nonnegative, log_ndtr((logy - meanlog) / sdlog), -np.inf)


@quiet
def logsf(y, meanlog, sdlog):
    logy, _, nonnegative = _log(y)
    return inside_or(nonnegative, log_ndtr((meanlog - logy) / sdlog), 0.0)


def start(y, w):
    """The mean and sd (divisor n) of log y."""
    return normal.start(np.log(floats(y)), w)


DENSITY = Density(
    sf_derivs=survival_tails.lognormal,
    name="lognormal", params=("meanlog", "sdlog"), domains=(REAL, POSITIVE),
    logpdf=logpdf, logcdf=logcdf, logsf=logsf, derivs=derivs, start=start,
    sample=lambda rng, size, meanlog, sdlog: rng.lognormal(meanlog, sdlog, size),
    scipy=lambda meanlog, sdlog: scipy_stats().lognorm(s=sdlog, scale=np.exp(meanlog)),
)


# ---------------------------------------------------------------- the fast path: the lognormal
# fit from sufficient statistics (no covariates, no censoring, no prior); LOGNORMAL is
# the family's record (families.get)


def _lognormal_stats(x, w):
    s = _moments(np.log(x), w)
    if nm.logs_lose_digits(s.mean, math.sqrt(s.m2)):  # clustered far from 1: logs about a centre
        c = math.exp(s.mean)
        mean, s.m2 = nm.mean_and_m2(nm.log_ratio(x, c), w)
        s.mean = math.log(c) + mean
    s.jacobian = s.n * s.mean  # sum of log x (weighted), from its mean: no further pass
    return s


def _lognormal_vouches(s, x):
    """Finite moments of log x vouch for values that are finite and positive (log 0 =
    -inf, the log of a negative or NaN is NaN, log inf = inf: any of them makes the sums
    about a data value's log infinite or NaN), so not 0s and 1s; m2 > 0 and
    _not_all_equal for spread; lognormal needs no rescaling."""
    return math.isfinite(s.mean) and math.isfinite(s.m2) and s.m2 > 0 and _not_all_equal(x)


LOGNORMAL = Family(
    spec=SPEC,
    vouches=_lognormal_vouches,
    stats=_lognormal_stats,
    merge=merge.moments,
    estimate=lambda s, c: Solution((s.mean, math.sqrt(s.m2)), "closed form: mean and sd of log(x)"),
    loglik=_normal_loglik,
    logpdf=lambda x, t: _normal_logpdf(np.log(x), t) - np.log(x),
    observed_information=_normal_observed,
    expected_information=_normal_expected,
    scipy=lambda t: scipy_stats().lognorm(s=t[1], scale=math.exp(t[0])),
    closed=closed_forms.LOGNORMAL,
    cdf=lambda x, t: _special().ndtr((np.log(np.maximum(x, 0.0)) - t[0]) / t[1]),
    sample=lambda rng, n, t: rng.lognormal(t[0], t[1], n),
    check=_spread_check,
    min_n=2,
    needs_spread=True,
)
