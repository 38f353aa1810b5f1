"""zero_inflated_poisson(pi, rate): pi [y = 0] + (1 - pi) poisson(rate): per-row log-mass,
tails and derivatives. scipy.stats has no equivalent (tests/cases.py builds one)."""
import math
from types import SimpleNamespace

import numpy as np

from .. import numerics as nm
from .. import special_series as ss
from ..errors import DataError
from .base import Family, Solution, scipy_special
from .catalog import POSITIVE, UNIT, Param, Spec
from .counts_common import inside_unit, masked, on_support, tail
from .poisson import logpdf as poisson_logpdf
from .rowwise import Density, weighted_mean
from .tails import log_gammainc, log_gammaincc


SPEC = Spec("zero_inflated_poisson",
            (Param("pi", UNIT, "probability of an extra (structural) zero"), Param("rate", POSITIVE, "Poisson mean")),
            "count", True, False, "pi [x=0] + (1-pi) rate^x e^-rate / x!",
            "none (pi [x=0] + (1-pi) poisson(rate))", "VGAM::dzipois(x, lambda=rate, pstr0=pi)",
            aliases=("zip", "zipoisson", "zero_inflated_pois"),
            estimator="Newton on rate = mean of positive counts x (1 - e^-rate)", listed=300, select_rank=50,
            nests=(("poisson", "zero_inflated_poisson with pi = 0", 1, True, 60),))


def _log_zero(pi, rate):
    """log P(Y = 0) = log(pi + (1 - pi) e^-rate), without underflow."""
    with np.errstate(divide="ignore"):
        return np.logaddexp(np.log(pi), np.log1p(-pi) - rate)


def logpdf(y, pi, rate):
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        positive = np.log1p(-pi) + poisson_logpdf(y, rate)
    return masked(on_support(y), np.where(y == 0, _log_zero(pi, rate), positive))


def derivs(y, pi, rate):
    """At y = 0, with q = P(Y = 0) and e = e^-rate: d/dpi = (1 - e)/q, d/drate =
    -(1 - pi) e/q, and the Hessian (-(1 - e)^2, e, pi (1 - pi) e) / q^2 (e/q and e/q^2
    on the log scale, so a large rate neither overflows nor divides 0 by 0). At y > 0 the
    poisson's terms in rate and -1/(1 - pi) in pi."""
    y = np.asarray(y, dtype=np.float64)
    zero = y == 0
    log_q = _log_zero(pi, rate)
    e_q = np.exp(-rate - log_q)  # e / q
    e_q2 = e_q * np.exp(-log_q)  # e / q^2
    one_e_q = -np.expm1(-rate) * np.exp(-log_q)  # (1 - e) / q
    q_pi = 1.0 - pi
    d_pi = np.where(zero, one_e_q, -1.0 / q_pi)
    d_rate = np.where(zero, -q_pi * e_q, y / rate - 1.0)
    h_pp = np.where(zero, -one_e_q * one_e_q, -1.0 / (q_pi * q_pi))
    h_pr = np.where(zero, e_q2, 0.0)
    h_rr = np.where(zero, pi * q_pi * e_q2, -(y / rate) / rate)
    return logpdf(y, pi, rate), (d_pi, d_rate), ((h_pp, h_pr), (h_pr, h_rr))


def logcdf(y, pi, rate):
    """log P(Y <= k) = log(pi + (1 - pi) Q(k+1, rate))."""
    return tail(y, lambda k: np.logaddexp(np.log(pi), np.log1p(-pi) + log_gammaincc(k + 1.0, rate)), -np.inf)


def logsf(y, pi, rate):
    """log P(Y > k) = log(1 - pi) + log P(k+1, rate): the poisson's tail, far out too."""
    return tail(y, lambda k: np.log1p(-pi) + log_gammainc(k + 1.0, rate), 0.0)


def start(y, w):
    """The method of moments: mean = (1 - pi) rate and var / mean = 1 + pi rate, so
    rate = mean + var/mean - 1 and pi = 1 - mean/rate (pi kept in [0.001, 0.999])."""
    mean = max(weighted_mean(y, w), 1e-3)
    var = weighted_mean((y - mean) ** 2, w)
    rate = max(mean + var / mean - 1.0, mean)
    return inside_unit(1.0 - mean / rate, 1e-3), rate


def sample(rng, size, pi, rate):
    return np.where(rng.random(size) < pi, 0.0, rng.poisson(rate, size)).astype(np.float64)


DENSITY = Density(
    name="zero_inflated_poisson", params=("pi", "rate"), domains=(UNIT, POSITIVE), discrete=True,
    logpdf=logpdf, logcdf=logcdf, logsf=logsf, derivs=derivs, start=start, sample=sample,
    scipy=None,
    note="pi = 0 (no excess zeros: the poisson fit) is on the edge: no finite logit",
)


# ---------------------------------------------------------------- the fast path: the zero_inflated_poisson
# fit from sufficient statistics (no covariates, no censoring, no prior); ZERO_INFLATED_POISSON is
# the family's record (families.get)
def _zip_stats(x, w):
    values, counts = nm.value_counts(x, w)
    zero = values == 0
    pos, cpos = values[~zero], counts[~zero]
    return SimpleNamespace(n=float(counts.sum()), n0=float(counts[zero].sum()), npos=float(cpos.sum()),
                           total=float(pos @ cpos), values=pos, counts=cpos)


def _zip_check(s):
    if s.npos == 0:
        raise DataError("all values are 0: the zero_inflated_poisson cannot tell extra zeros from "
                        "poisson zeros (any pi fits as the rate goes to 0); use --dist poisson, "
                        "whose rate then has an exact interval")


def _log_zero_scalar(pi, rate):
    """log P(X = 0) = log(pi + (1-pi) e^-rate) for scalars, without underflow."""
    b = math.log1p(-pi) - rate
    if pi == 0:
        return b
    a = math.log(pi)
    return max(a, b) + math.log1p(math.exp(-abs(a - b)))


def _zip_loglik(s, theta):
    pi, rate = theta
    if pi >= 1 or rate == 0:  # a point mass at 0
        return 0.0 if s.npos == 0 else -math.inf
    out = s.n0 * _log_zero_scalar(pi, rate) if s.n0 else 0.0
    return out + s.npos * math.log1p(-pi) + ss.poisson_loglik_terms(s.values, s.counts, rate)


def _zip_logpdf(x, theta):
    from scipy.special import gammaln, xlogy
    pi, rate = theta
    return np.where(x == 0, _log_zero_scalar(pi, rate), math.log1p(-pi) + xlogy(x, rate) - rate - gammaln(x + 1.0))


ZIP_METHOD = "Newton on the zero-truncated mean equation rate = m+ (1 - e^-rate); pi from the share of zeros"
ZIP_EDGE = "closed form: pi = 0 (no excess zeros), rate = mean"


def _zip_estimate(s, controls):
    """Setting the score to zero gives P(X = 0) = z (the share of zeros) and
    rate / (1 - e^-rate) = m+ (the mean of the positive counts): one equation in the
    rate, h(rate) = 1 - m+ (1 - e^-rate)/rate = 0, increasing with its root in
    [m+ - 1, m+], solved by safeguarded Newton. Its solution has pi > 0 exactly when
    z > e^-mean (the score in pi at the poisson fit is positive); otherwise the MLE is
    the boundary pi = 0 with rate = mean."""
    mean, z, m = s.total / s.n, s.n0 / s.n, s.total / max(s.npos, 1e-300)
    edge = Solution((0.0, mean), ZIP_EDGE, start=(0.0, mean))
    if s.n0 == 0 or not z > math.exp(-mean) or not m > 1.0:
        return edge

    def h(rate):
        e1 = -math.expm1(-rate)
        return 1.0 - m * e1 / rate, m * (e1 - rate * math.exp(-rate)) / rate ** 2

    rate, it, ok = nm.solve_increasing(h, m - 1.0, m, m, max_iter=controls.max_iter, tol=controls.tol)
    pi = 1.0 - (s.npos / s.n) / -math.expm1(-rate)
    if not pi > 0:
        return edge
    return Solution((pi, rate), ZIP_METHOD, it, ok, "" if ok else f"rate did not converge in {it} iteration(s)",
                    (z, m))


def _zip_terms(s, pi, rate):
    """e^-rate, P(X = 0) and n0 / P(X = 0)^2 (0 without zeros)."""
    e = math.exp(-rate)
    q = pi + (1.0 - pi) * e
    return e, q, (s.n0 / (q * q) if s.n0 else 0.0)


def _zip_observed(s, theta):
    pi, rate = theta
    e, _, r0 = _zip_terms(s, pi, rate)
    cross = -r0 * e
    return np.array([[r0 * (1.0 - e) ** 2 + s.npos / (1.0 - pi) ** 2, cross],
                     [cross, s.total / rate ** 2 - r0 * (1.0 - pi) * e * pi]])


def _zip_expected(s, theta):
    pi, rate = theta
    e, q, _ = _zip_terms(s, pi, rate)
    cross = -e / q
    return s.n * np.array([[(1.0 - e) ** 2 / q + (1.0 - e) / (1.0 - pi), cross],
                           [cross, (1.0 - pi) / rate - pi * (1.0 - pi) * e / q]])


def _zip_profile(s, pi, rate):
    """The log-likelihood maximised over the rate at this pi, its derivative in pi, and
    that rate (its score decreases through one root between mean/2 and 2 m+)."""
    def minus_score(lam):
        e, q, r0 = _zip_terms(s, pi, lam)
        return (r0 * q * (1.0 - pi) * e - s.total / lam + s.npos,
                s.total / lam ** 2 - r0 * (1.0 - pi) * e * pi)

    lam, _, _ = nm.solve_increasing(minus_score, 0.5 * s.total / s.n, 2.0 * s.total / s.npos, rate,
                                    max_iter=200, tol=1e-14)
    e, q, r0 = _zip_terms(s, pi, lam)
    return _zip_loglik(s, (pi, lam)), r0 * q * (1.0 - e) - s.npos / (1.0 - pi), lam


def _zip_boundary(s, theta, confidence):
    """pi = 0: the upper end of the interval is where twice the profile log-likelihood
    has dropped by z^2 (the signed root of the likelihood ratio reaches -z)."""
    if theta[0] > 0:
        return {}
    from ..inference.information import z_value
    z2 = z_value(confidence) ** 2
    top, state = _zip_loglik(s, theta), {"rate": theta[1]}

    def drop(pi):
        value, slope, state["rate"] = _zip_profile(s, pi, state["rate"])
        return 2.0 * (top - value) - z2, -2.0 * slope

    start = -math.expm1(-z2 / (2.0 * s.npos))  # exact without zeros
    upper, _, _ = nm.solve_increasing(drop, 0.0, 1.0 - 1e-12, start, max_iter=200, tol=1e-12)
    note = ("pi = 0 (no excess zeros: their share does not exceed the poisson's e^-rate, so this "
            "is the poisson fit): one-sided profile likelihood interval")
    return {0: (0.0, upper, note, "profile likelihood")}


ZERO_INFLATED_POISSON = Family(
    spec=SPEC, stats=_zip_stats, estimate=_zip_estimate,
    loglik=_zip_loglik, logpdf=_zip_logpdf, observed_information=_zip_observed,
    expected_information=_zip_expected, scipy=lambda theta: None,
    cdf=lambda x, th: np.where(x < 0, 0.0, th[0] + (1.0 - th[0]) * scipy_special().pdtr(
        np.floor(np.maximum(x, 0.0)), th[1])),
    sample=lambda rng, n, th: np.where(rng.random(n) < th[0], 0.0, rng.poisson(th[1], n)).astype(np.float64),
    check=_zip_check, boundary=_zip_boundary, closed={
        "mean": lambda th: (1.0 - th[0]) * th[1],
        "var": lambda th: (1.0 - th[0]) * th[1] * (1.0 + th[0] * th[1]),
        "ppf": lambda p, th: _zip_quantile(p, *th),
        "sf": lambda x, th: 1.0 if x < 0 else float((1.0 - th[0]) * scipy_special().pdtrc(math.floor(x), th[1]))},
)


def _zip_quantile(p, pi, rate):
    if p <= pi:
        return 0.0
    from scipy.stats import poisson
    return float(poisson.ppf((p - pi) / (1.0 - pi), rate))
