"""exponential(rate): per-row log-density, tails and derivatives."""
import math
from types import SimpleNamespace

import numpy as np

from .. import numerics as nm
from ..errors import DataError
from . import closed_forms, merge, survival_tails
from .base import Family, Solution, scipy_stats
from .catalog import POSITIVE, Param, Regression, Spec
from .positive_common import exp_tails, floats, inside_or, masked_derivs, one_tail, quiet
from .rowwise import Density, weighted_mean


SPEC = Spec("exponential", (Param("rate", POSITIVE, "1/mean"),), "nonnegative", False, True,
            "rate e^(-rate x)", "expon(scale=1/rate)", "dexp(x, rate)", aliases=("expon", "exp"),
            estimator="closed form: 1/mean", listed=80, select_rank=80,
            regression=Regression(150, 0, "log_mean", ("log_mean",), aft=True, censored=True))


@quiet
def logpdf(y, rate):
    y = floats(y)
    return inside_or(y >= 0, np.log(rate) - rate * y, -np.inf)


@quiet
def derivs(y, rate):
    y = floats(y)
    return masked_derivs(y >= 0, np.log(rate) - rate * y, (1.0 / rate - y,),
                         ((-1.0 / (rate * rate) + 0.0 * y,),))


@quiet
def tails(y, rate):
    """(log F, log S): S = exp(-rate y) for y >= 0."""
    y = floats(y)
    return exp_tails(rate * y, y >= 0, np.log(rate) + np.log(y))


def start(y, w):
    """rate = 1/mean."""
    return (1.0 / max(weighted_mean(y, w), 1e-300),)


def right_censored(seen, w_seen, everything, w_all, controls):
    """Rows seen and right-censored: the rate is the events over the total time at risk,
    d / sum x, in closed form (the log-likelihood d log rate - rate sum x)."""
    d = float(seen.size if w_seen is None else np.sum(w_seen))
    exposure = float(np.sum(everything) if w_all is None else np.dot(w_all, everything))
    return right_censored_sums(d, exposure)


def right_censored_sums(d, exposure):
    """The rate's closed form from the events d and the total time at risk."""
    import math

    from .base import Solution
    rate = d / exposure
    return Solution((rate,), "closed form: events over the total time at risk", 0, True,
                    at=(d * math.log(rate) - d, np.array([[d / (rate * rate)]])))


DENSITY = Density(
    right_censored=right_censored,
    sf_derivs=survival_tails.exponential,
    name="exponential", params=("rate",), domains=(POSITIVE,),
    logpdf=logpdf,
    logcdf=one_tail(tails, 0), logsf=one_tail(tails, 1),
    derivs=derivs, start=start,
    sample=lambda rng, size, rate: rng.exponential(1.0 / rate, size),
    scipy=lambda rate: scipy_stats().expon(scale=1.0 / rate),
)


# ---------------------------------------------------------------- the fast path: the exponential
# fit from sufficient statistics (no covariates, no censoring, no prior); EXPONENTIAL is
# the family's record (families.get)
def _exp_stats(x, w):
    n = nm.total_weight(w, x.size)
    return SimpleNamespace(n=n, total=nm.wsum(x, w))


def _exp_check(s):
    if not s.total > 0:
        raise DataError("all values are 0: the exponential rate MLE (1/mean) is infinite; "
                        "a point mass at 0 is not an exponential distribution")


def _exp_vouches(s, x):
    """min x >= 0 and a finite total vouch for finite values in the support; not all 0s
    and 1s where min x > 0 or the mean is above 1; max x lies between the mean and the
    total, so both within VOUCHED_MAGNITUDE need no rescaling."""
    big = nm.VOUCHED_MAGNITUDE
    if not (s.total <= big and s.total >= s.n / big):
        return False
    lo = float(x.min())
    return lo >= 0.0 and (lo > 0.0 or s.total > s.n)


EXPONENTIAL = Family(
    spec=SPEC,
    vouches=_exp_vouches,
    stats=_exp_stats,
    merge=merge.sums("total"),
    estimate=lambda s, c: Solution((s.n / s.total,), "closed form: rate = 1/mean"),
    loglik=lambda s, t: s.n * math.log(t[0]) - t[0] * s.total,
    logpdf=lambda x, t: math.log(t[0]) - t[0] * x,
    observed_information=lambda s, t: np.array([[s.n / t[0] ** 2]]),
    expected_information=lambda s, t: np.array([[s.n / t[0] ** 2]]),
    scipy=lambda t: scipy_stats().expon(scale=1.0 / t[0]),
    closed=closed_forms.EXPONENTIAL,
    cdf=lambda x, t: -np.expm1(-t[0] * np.maximum(x, 0.0)),
    sample=lambda rng, n, t: rng.exponential(1.0 / t[0], n),
    check=_exp_check,
    rescale=lambda s: ((1.0 / s,), (0.0,)),
)
