"""laplace(mu, b): per-row log-density, tails and derivatives.

The log-likelihood has a kink in mu at every data value (its MLE is the median), so the
family is marked smooth=False: the generic path maximises without derivatives. derivs
covers the smooth part (the score away from the kinks, no curvature in mu), for shared
code that holds mu fixed or wants the score."""
import math
from types import SimpleNamespace

import numpy as np

from .. import numerics as nm
from ..io.chunks import InMemory, OnChunks
from .base import Family, Solution, scipy_stats
from .catalog import POSITIVE, REAL, Param, Regression, Spec
from .realline_common import check_tail
from .rowwise import Density, weighted_mean


SPEC = Spec("laplace",
            (Param("mu", REAL, "location (median)"), Param("b", POSITIVE, "scale (mean absolute deviation)")),
            "real", False, True, "exp(-|x-mu|/b) / (2b)", "laplace(loc=mu, scale=b)",
            "extraDistr::dlaplace(x, mu, sigma=b)", aliases=("double_exponential",),
            estimator="closed form: median, mean absolute deviation", listed=70, select_rank=20,
            regression=Regression(90, 0, "identity", ("identity",), mean_model=False))

LOG_2 = math.log(2.0)


def logpdf(y, mu, b):
    return -LOG_2 - np.log(b) - np.abs(y - mu) / b


def derivs(y, mu, b):
    """d/dmu = sign(y - mu)/b, d/db = (|y - mu|/b - 1)/b; d2/dmu2 = 0 away from y = mu,
    d2/dmu db = -sign(y - mu)/b^2, d2/db2 = (1 - 2 |y - mu|/b)/b^2."""
    u = y - mu
    sign, a = np.sign(u), np.abs(u) / b
    b2 = b * b
    h_mb = -sign / b2
    return (-LOG_2 - np.log(b) - a, (sign / b, (a - 1.0) / b),
            ((0.0 * a, h_mb), (h_mb, (1.0 - 2.0 * a) / b2)))


def start(y, w):
    """The weighted median and the mean absolute deviation from it."""
    y = np.asarray(y, dtype=np.float64)
    med = nm.weighted_median(y, w)
    return med, max(weighted_mean(np.abs(y - med), w), 1e-12 * (abs(med) + 1.0))


DENSITY = Density(
    name="laplace", params=("mu", "b"), domains=(REAL, POSITIVE),
    logpdf=logpdf,
    # the asymmetric Laplace's tails at tau = 1/2, sigma = b/2
    logcdf=lambda y, mu, b: check_tail(y, mu, 0.5 * b, 0.5),
    logsf=lambda y, mu, b: check_tail(y, mu, 0.5 * b, 0.5, upper=True),
    derivs=derivs, start=start, smooth=False,
    sample=lambda rng, size, mu, b: rng.laplace(mu, b, size),
    scipy=lambda mu, b: scipy_stats().laplace(mu, b),
    note="the log-likelihood has a kink in mu at each value: maximised without derivatives",
)


# ---------------------------------------------------------------- the fast path: the laplace
# fit from sufficient statistics (no covariates, no censoring, no prior); LAPLACE is
# the family's record (families.get)
def _laplace_stats(x, w):
    return SimpleNamespace(n=nm.total_weight(w, x.size), x=x, w=w, data=InMemory(x, w),
                           median=nm.weighted_median(x, w))


def _laplace_chunked(chunks):
    """The stats of values held in chunks (mlefit.io.chunks): the exact median and the
    absolute deviations about it in one pass (chunk_select)."""
    from ..chunk_select import quantile
    median, at_median = quantile(chunks, 0.5, lambda u: np.abs(u))
    return SimpleNamespace(n=float(chunks.n), data=OnChunks(chunks), median=median, at_median=at_median)


def _abs_dev(s, mu):
    """sum w |x - mu|, kept for the median (the estimate, its loglik and information);
    summed block by block (chunks.InMemory.sum: no two temporaries as large as the data,
    160 MB at 1e7 values), or chunk by chunk."""
    if mu == s.median and getattr(s, "at_median", None) is not None:
        return s.at_median
    total = s.data.sum(lambda x, w: nm.wsum(np.abs(x - mu), w))
    if mu == s.median:
        s.at_median = total
    return total


def _laplace_estimate(s, controls):
    return Solution((s.median, _abs_dev(s, s.median) / s.n),
                    "closed form: mu = median, b = mean absolute deviation from it")


def _laplace_given(s, fixed, start, controls):
    """The closed form given the fixed value (--fix): b = the mean absolute deviation
    about the fixed mu, or mu = the median whatever the fixed b (one pass over chunks, not
    an optimiser's many)."""
    if 0 in fixed:
        mu = float(fixed[0])
        return Solution((mu, _abs_dev(s, mu) / s.n), "closed form given mu: b = mean absolute deviation from it")
    return Solution((s.median, float(fixed[1])), "closed form given b: mu = median")


def _laplace_observed(s, theta):
    mu, b = theta
    return np.array([[s.n / b ** 2, 0.0], [0.0, -s.n / b ** 2 + 2.0 * _abs_dev(s, mu) / b ** 3]])


LAPLACE = Family(
    spec=SPEC,
    stats=_laplace_stats,
    chunked_stats=_laplace_chunked,
    estimate=_laplace_estimate,
    given=_laplace_given,
    loglik=lambda s, t: -s.n * math.log(2.0 * t[1]) - _abs_dev(s, t[0]) / t[1],
    logpdf=lambda x, t: -math.log(2.0 * t[1]) - np.abs(x - t[0]) / t[1],
    observed_information=_laplace_observed,
    expected_information=lambda s, t: np.diag([s.n / t[1] ** 2, s.n / t[1] ** 2]),
    scipy=lambda t: scipy_stats().laplace(t[0], t[1]),
    cdf=lambda x, t: np.where(x < t[0], 0.5 * np.exp((x - t[0]) / t[1]), 1.0 - 0.5 * np.exp((t[0] - x) / t[1])),
    sample=lambda rng, n, t: rng.laplace(t[0], t[1], n),
    min_n=2,
    needs_spread=True,
    info_note="the Laplace log-likelihood has no second derivative in mu; "
              "its information is the expected n/b^2",
    rescale=lambda s: ((s, s), (0.0, 0.0)),
)
