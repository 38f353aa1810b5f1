"""binomial(p) with trials t per row (a trailing argument): per-row log-mass, tails and
derivatives."""
import numpy as np

from .base import scipy_stats
from .beta_tails import log_betainc, log_betaincc
from .catalog import UNIT, Param, Regression, Spec
from .counts_common import inside_unit, log_choose, masked, on_support, tail, wsum
from .rowwise import Density


SPEC = Spec("binomial", (Param("p", UNIT, "success probability per trial"),),
            "count", True, True, "C(trials, x) p^x (1-p)^(trials-x), x = 0..trials",
            "binom(n=trials, p=p)", "dbinom(x, size=trials, prob=p)", aliases=("binom",), shape="trials",
            estimator="closed form: sum x / sum trials", listed=280, select_rank=60, same_as=(("1", "bernoulli"),),
            shape_example="10", shape_rule="a positive whole number",
            shape_range=(1, True, 9007199254740992, False, True),
            regression=Regression(30, 0, "logit", ("logit", "probit", "cloglog"), edges="both"))


def logpdf(y, p, trials):
    """log C(t, y) + y log p + (t - y) log(1 - p); -inf off 0..t."""
    from scipy.special import xlog1py, xlogy
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = log_choose(trials, y) + xlogy(y, p) + xlog1py(trials - y, -p)
    return masked(on_support(y, trials), value)


def derivs(y, p, trials):
    y = np.asarray(y, dtype=np.float64)
    fails = trials - y
    q = 1.0 - p
    score = y / p - fails / q
    hess = -y / (p * p) - fails / (q * q)
    return logpdf(y, p, trials), (score,), ((hess,),)


def logcdf(y, p, trials):
    """log P(Y <= k) = log(1 - I_p(k+1, t-k)), by betaincc (no 1 - F), on the log scale
    where that underflows."""
    return tail(y, lambda k: log_betaincc(k + 1.0, trials - k, p), -np.inf, trials, 0.0)


def logsf(y, p, trials):
    """log P(Y > k) = log I_p(k+1, t-k), accurate however far in the upper tail."""
    return tail(y, lambda k: log_betainc(k + 1.0, trials - k, p), 0.0, trials, -np.inf)


def start(y, w, trials):
    """p = sum w y / sum w t."""
    return (inside_unit(wsum(y, y, w) / wsum(trials, y, w)),)


def sample(rng, size, p, trials):
    return rng.binomial(np.asarray(trials).astype(np.int64), p, size).astype(np.float64)


def _logit(y, eta, trials):
    from .bernoulli import logit_terms
    return logit_terms(y, eta, trials)


DENSITY = Density(
    name="binomial", params=("p",), domains=(UNIT,), discrete=True, shapes=("trials",),
    logpdf=logpdf, logcdf=logcdf, logsf=logsf, derivs=derivs, start=start, sample=sample,
    scipy=lambda p, trials: scipy_stats().binom(trials, p),
    note="p = 0 or 1 (no successes, or no failures) is on the edge: no finite logit",
    canonical=("logit", _logit, lambda y, trials: log_choose(trials, y)),
    expected=lambda p, trials: (trials / (p * (1.0 - p)),),
)


def build(trials):
    """binomial:TRIALS (a whole number, or an array of one per value): the fast path's record
    (counts.py)."""
    from .counts import build
    return build("binomial", trials)
