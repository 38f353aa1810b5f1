"""binomial(p) with trials t per row (a trailing argument): per-row log-mass, tails and
derivatives."""
import numpy as np

from .. import gamma_arrays as ga

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
    """log C(t, y) + y log p + (t - y) log(1 - p); -inf off 0..t. Where both y and t - y
    are ga.STIRLING_FROM or more, in Stirling's form (no term near t log t, which the direct
    form cancels: at t = 1e12 it kept four decimals of log P, at 1e15 none): with
    u = t p / y and v = t (1 - p)/(t - y), whose linear terms y (u - 1) + (t - y)(v - 1) sum to 0,
        y (log u - u + 1) + (t - y)(log v - v + 1) - log(2 pi y (t - y)/t)/2
        + mu(t) - mu(y) - mu(t - y)   (mu: Stirling's remainder)."""
    from scipy.special import xlog1py, xlogy
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        fails = trials - y
        big = np.minimum(y, fails) >= ga.STIRLING_FROM
        if np.any(big):
            value = _stirling_mass(y, fails, trials, p, 1.0 - p, lambda: np.log(p), lambda: np.log1p(-p))
        if not np.all(big):
            direct = log_choose(trials, y) + xlogy(y, p) + xlog1py(fails, -p)
            value = np.where(big, value, direct) if np.any(big) else direct
    return masked(on_support(y, trials), value)


def _stirling_mass(y, fails, trials, p, q, log_p, log_q):
    """logpdf's Stirling form (y and t - y both ga.STIRLING_FROM or more), with q = 1 - p
    given (a regression has it from its logit without the rounding of 1 - p), and log_p(),
    log_q() for where u or v is not a normal float."""
    u, v = trials * p / y, trials * q / fails
    lu = ga.log_of(u, lambda: np.log(trials) + log_p() - np.log(y))
    lv = ga.log_of(v, lambda: np.log(trials) + log_q() - np.log(fails))
    top = np.maximum(trials, ga.STIRLING_FROM)
    return (y * ga.log_minus_linear(u, lu) + fails * ga.log_minus_linear(v, lv)
            - 0.5 * (np.log(2.0 * np.pi * y) + np.log(fails / trials))
            + ga.stirling_remainder(top) - ga.stirling_remainder(np.maximum(y, ga.STIRLING_FROM))
            - ga.stirling_remainder(np.maximum(fails, ga.STIRLING_FROM)))


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
    """The log-mass less _logit_constant(y, trials), with its derivatives in eta: y eta -
    t log(1 + e^eta), and the whole log-mass (Stirling's form) where y and t - y are both
    ga.LINK_STIRLING_FROM or more: there y eta - t log(1 + e^eta) and log C(t, y) are each near
    t log t, and their sum kept a few decimals at t = 1e12. Where eta > 0 the terms are
    -(t - y) eta - t log(1 + e^-eta) and the score (t (1 - p) - (t - y)), never y eta - t eta
    or y - t p (bernoulli.logit_terms' forms, exact for one trial): at t = 1e12 and p near 1
    those subtract numbers near t eta and t, and kept 1e-2 of the term and 1e-4 of the score
    (Newton then never settled). Where every row has fewer than ga.LINK_STIRLING_FROM
    trials, those forms lose no more than eps t |eta| and bernoulli.logit_terms' cheaper
    ones are taken."""
    if np.max(trials, initial=0.0) < ga.LINK_STIRLING_FROM:
        from .bernoulli import logit_terms
        return logit_terms(y, eta, trials)
    e = np.exp(-np.abs(eta))
    r = 1.0 / (1.0 + e)
    q = e * r  # the smaller of p and 1 - p
    up = eta >= 0
    fails = trials - y
    value = np.where(up, -fails * eta, y * eta) - trials * np.log1p(e)
    d1 = np.where(up, trials * q - fails, y - trials * q)
    d2 = -trials * (q * r)
    big = _stirling_rows(y, trials)
    if np.any(big):
        t = np.broadcast_to(trials, np.shape(y))
        yb, tb, eb = y[big], t[big], eta[big]
        e = np.exp(-np.abs(eb))
        lower = np.log1p(e)  # log(1 + e^eta) = lower + max(eta, 0); log p = -(lower + max(-eta, 0))
        r = 1.0 / (1.0 + e)
        p, q = np.where(eb >= 0, r, e * r), np.where(eb >= 0, e * r, r)
        value[big] = _stirling_mass(yb, tb - yb, tb, p, q, lambda: -(lower + np.maximum(-eb, 0.0)),
                                    lambda: -(lower + np.maximum(eb, 0.0)))
    return value, d1, d2


def _stirling_rows(y, trials):
    """The rows whose log-mass _logit takes whole (Stirling's form)."""
    return np.minimum(y, np.subtract(trials, y)) >= ga.LINK_STIRLING_FROM


def _logit_constant(y, trials):
    """log C(t, y) where _logit leaves it out, 0 where it takes the whole log-mass."""
    return np.where(_stirling_rows(y, trials), 0.0, log_choose(trials, y))


DENSITY = Density(
    name="binomial", params=("p",), domains=(UNIT,), discrete=True, shapes=("trials",),
    logpdf=logpdf, logcdf=logcdf, logsf=logsf, derivs=derivs, start=start, sample=sample,
    scipy=lambda p, trials: scipy_stats().binom(trials, p),
    note="p = 0 or 1 (no successes, or no failures) is on the edge: no finite logit",
    canonical=("logit", _logit, _logit_constant),
    expected=lambda p, trials: (trials / (p * (1.0 - p)),),
)


def build(trials):
    """binomial:TRIALS (a whole number), or binomial with trials per row (None: its data are
    the rows (successes, trials)): the fast path's record (counts.py)."""
    from .counts import build
    return build("binomial", trials)
