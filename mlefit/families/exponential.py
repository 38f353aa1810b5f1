"""exponential(rate): per-row log-density, tails and derivatives."""
import numpy as np

from .catalog import POSITIVE
from .base import scipy_stats
from .positive_common import exp_tails, floats, inside_or, masked_derivs, one_tail, quiet
from .rowwise import Density, weighted_mean
from . import survival_tails


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
