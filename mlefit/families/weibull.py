"""weibull(shape k, scale lambda): per-row log-density, tails and derivatives.

With L = log(y/lambda) and t = (y/lambda)^k = e^(kL):
    log f = log k - log lambda + (k - 1) L - t,   log S = -t,   log F = log(1 - e^-t);
    d/dk = 1/k + L (1 - t),                 d/dlambda = k (t - 1)/lambda;
    d2/dk2 = -1/k^2 - t L^2,                d2/dk dlambda = (t (1 + k L) - 1)/lambda,
    d2/dlambda2 = k (1 - (k + 1) t)/lambda^2.
"""
import math
from types import SimpleNamespace

import numpy as np

from .. import numerics as nm
from ..io.chunks import InMemory, LogsOnChunks
from ..errors import DataError
from . import closed_forms, survival_tails
from .base import Family, Solution, scipy_stats
from .catalog import POSITIVE, Param, Regression, Spec
from .positive_common import exp_tails, floats, inside_or, masked_derivs, one_tail, quiet
from .rowwise import Density, weighted_mean


SPEC = Spec("weibull", (Param("shape", POSITIVE, "shape k"), Param("scale", POSITIVE, "scale lambda")),
            "positive", False, False, "(k/lambda) (x/lambda)^(k-1) exp(-(x/lambda)^k)",
            "weibull_min(c=shape, scale=scale)", "dweibull(x, shape, scale)",
            aliases=("weibull_min",),
            estimator="Newton on the profile equation in the shape", listed=110, select_rank=110,
            nests=(("exponential", "weibull with shape = 1", 1, False, 20),
                   ("rayleigh", "weibull with shape = 2", 1, False, 30)),
            regression=Regression(120, 1, "log", ("log",), aft=True, censored=True))

EULER_GAMMA = 0.57721566490153286061


def _power(y, shape, scale):
    """(y, y/lambda, t = (y/lambda)^k)."""
    y = floats(y)
    u = y / scale
    return y, u, u ** shape


@quiet
def logpdf(y, shape, scale):
    from scipy.special import xlogy
    y, u, t = _power(y, shape, scale)
    # xlogy: at y = 0 the term (k - 1) log 0 is 0 for k = 1 (the exponential's density)
    return inside_or(y >= 0, (np.log(shape) - np.log(scale)) + xlogy(shape - 1.0, u) - t, -np.inf)


@quiet
def derivs(y, shape, scale):
    y, u, t = _power(y, shape, scale)
    big_l = np.log(u)
    tl = t * big_l
    ll = (np.log(shape) - np.log(scale)) + (shape - 1.0) * big_l - t
    d_k = 1.0 / shape + big_l - tl
    d_s = shape * (t - 1.0) / scale
    h_kk = -1.0 / (shape * shape) - tl * big_l
    h_ks = (t + shape * tl - 1.0) / scale
    h_ss = shape * (1.0 - (shape + 1.0) * t) / scale / scale
    return masked_derivs(y > 0, ll, (d_k, d_s), ((h_kk, h_ks), (h_ks, h_ss)))


@quiet
def tails(y, shape, scale):
    y, u, t = _power(y, shape, scale)
    return exp_tails(t, y >= 0, shape * np.log(u))


def start(y, w):
    """From the moments of log y (a Gumbel for the minimum): sd = pi/(k sqrt 6) and
    mean = log lambda - gamma/k."""
    logy = np.log(floats(y))
    mean = weighted_mean(logy, w)
    sd = math.sqrt(max(weighted_mean((logy - mean) ** 2, w), 1e-300))
    shape = math.pi / (math.sqrt(6.0) * sd)
    return shape, math.exp(mean + EULER_GAMMA / shape)


def right_censored(seen, w_seen, everything, w_all, controls):
    """The fast path's estimator on right-censored rows (weibull_right_censored, below)."""
    return weibull_right_censored(seen, w_seen, everything, w_all, controls)


DENSITY = Density(
    right_censored=right_censored,
    sf_derivs=survival_tails.weibull,
    name="weibull", params=("shape", "scale"), domains=(POSITIVE, POSITIVE),
    logpdf=logpdf,
    logcdf=one_tail(tails, 0), logsf=one_tail(tails, 1),
    derivs=derivs, start=start,
    sample=lambda rng, size, shape, scale: scale * rng.weibull(shape, size),
    scipy=lambda shape, scale: scipy_stats().weibull_min(shape, scale=scale),
)


# ---------------------------------------------------------------- the fast path: the weibull
# fit from sufficient statistics (no covariates, no censoring, no prior); WEIBULL is
# the family's record (families.get)
# The sums run over y = log x - max log x (ys), held as chunks.InMemory (an array and its
# weights) or, for a file fitted in chunks, chunks.LogsOnChunks (y = log(x / max x), from
# the logs the chunks hold or take chunk by chunk at each pass); the stats also hold n,
# top = max log x, sum log x, mean y and the sd of log x, and hi: max x where the logs
# are taken about it (values clustered far from 1, where plain logs would round y by a
# sizeable part of its spread: numerics.logs_lose_digits; and always in chunks), else None.
# log(x / scale) = y + log(hi / scale) then keeps full precision too (_shift).
@nm.takes_span
def _weibull_stats(x, w, span=None):
    y = np.log(x)
    n = nm.total_weight(w, x.size)
    top = float(y.max())
    sumlog, sd = nm.wsum(y, w), math.sqrt(nm.mean_and_m2(y, w)[1])
    hi = None
    if nm.logs_lose_digits(top, sd):
        hi = span[1] if span is not None else float(x.max())
        top, y = math.log(hi), nm.log_ratio(x, hi)  # y = log(x / hi) <= 0, to full precision
        ysum = nm.wsum(y, w)
        sumlog, sd = n * top + ysum, math.sqrt(nm.mean_and_m2(y, w)[1])
    else:
        y -= top  # in place: y = log x - max log x, the only array the stats keep
    return SimpleNamespace(n=n, ys=InMemory(y, w, n), top=top, hi=hi, ybar=nm.wsum(y, w) / n,
                           sumlog=sumlog, sd=sd)


def _weibull_chunked(chunks):
    """The stats of values held in chunks (mlefit.io.chunks): y = log(x / max x) to full
    precision (numerics.log_about), from logs the chunks hold (LocalChunks(logs=True),
    taken once as the file was read) or take at each visit; the mean and spread of y from
    the sums the chunks kept as the file was read (LocalChunks(moments=True)), else in one pass."""
    hi = float(chunks.hi)
    ys = LogsOnChunks(chunks, hi)
    n = ys.n
    ybar, m2 = ys.mean_and_m2()
    top = math.log(hi)
    return SimpleNamespace(n=n, ys=ys, top=top, hi=hi, ybar=ybar, sumlog=n * (top + ybar), sd=math.sqrt(m2))


def _shift(s, lam):
    """log(max x / lam): y + _shift = log(x / lam)."""
    return s.top - math.log(lam) if s.hi is None else nm.log_ratio_scalar(s.hi, lam)


def _weibull_check(s):
    if not s.sd > 1e-13 * max(1.0, abs(s.top)):
        raise DataError("the values are (numerically) all equal: zero variance; "
                        "the weibull family needs spread to estimate its shape")


MAX_K_SHIFT = 300.0  # sums of e^{k (y + shift)}, y <= 0, with k shift up to this cannot overflow
# The solution's shape is a Newton step of at most tol from the last evaluated one: its
# sums follow from that pass's by Taylor in k (to second order for the sums of e^{k u} and
# u e^{k u}, first for u^2 e^{k u}: error (step)^2, 1e-16 at most) instead of another pass.
EXTRAPOLATE = 1e-8


def _weibull_power_sums(s, k, terms=3, shift=0.0):
    """Weighted sums of u^j e^{k u}, j = 0 .. terms - 1 (up to 4), with u = y + shift,
    y = log x - max log x <= 0 (so with shift 0 nothing overflows whatever the scale of x);
    one buffer for e^{k u} and its products."""
    def sums(y, w):
        u = y if shift == 0.0 else np.add(y, shift)
        e = np.multiply(u, k)
        np.exp(e, out=e)
        if w is not None:
            e *= w
        out = [float(np.sum(e))]
        if terms > 1:
            e *= u
            out.append(float(np.sum(e)))
        if terms > 2:
            out.append(nm.dot(e, u))
        if terms > 3:
            e *= u
            out.append(nm.dot(e, u))
        return tuple(out)
    return s.ys.sum(sums)


def _weibull_estimate(s, controls):
    """The shape k solves the profile equation
    h(k) = sum x^k log x / sum x^k - 1/k - mean(log x) = 0, increasing in k; solved by
    safeguarded Newton in log k from the moments start t0, within a bracket that has t0
    at one end (Newton's first step goes that way; the other end is evaluated only if a
    step needs it, and needs only the value of h). Each pass over the data is made once
    per shape (memo), its sums about an estimate of log(max x / scale) (_weibull_at). The
    last pass's sums, carried to the solution's shape (EXTRAPOLATE), give the scale =
    (mean x^k)^(1/k), the log-likelihood and the observed information: no further
    passes. Stats with power_sums(k, a) (the sums of u^j e^{k u}, j = 0, 1, 2, u = y + a,
    made without a pass: weibull_taylor) and a start t0 take no pass at all."""
    memo = {}
    shift = [0.0]  # c = log(max x / scale) at the latest shape: the next pass's sums are about it
    power = getattr(s, "power_sums", None)
    full = 4 if power is None else 3  # the terms h needs (and one more for EXTRAPOLATE, from passes)

    def sums(k, terms):
        got = memo.get(k)
        if got is None or len(got[1]) < min(terms, full):
            a = shift[0] if 0.0 <= k * shift[0] <= MAX_K_SHIFT else 0.0
            got = memo[k] = (a, _weibull_power_sums(s, k, terms, a) if power is None else power(k, a))
            shift[0] = a - math.log(got[1][0] / s.n) / k
        return got

    def h_value(t):
        k = math.exp(t)
        a, got = sums(k, 2)
        return got[1] / got[0] - a - 1.0 / k - s.ybar

    def h(t):
        k = math.exp(t)
        a, got = sums(k, 4)
        s0, s1, s2 = got[:3]
        m = s1 / s0
        return m - a - 1.0 / k - s.ybar, k * (s2 / s0 - m * m + 1.0 / (k * k))

    def bracket(lo, hi):
        if f0 < 0:
            while h_value(hi) <= 0:
                hi += 1.0
        else:
            while h_value(lo) >= 0:
                lo -= 1.0
        return lo, hi

    t0 = getattr(s, "t0", None)
    if t0 is None:
        t0 = math.log(math.pi / (math.sqrt(6.0) * s.sd))
        if not s.ys.in_memory:  # values in chunks: from the shape on their sample (two or three passes, not four)
            t0 = _sample_shape(s, controls, t0)
    f0 = h(t0)[0]
    lo, hi = (t0, t0 + 1.0) if f0 < 0 else (t0 - 1.0, t0)  # (where h(t0) is NaN, the solver says what it finds)
    if f0 == 0:
        t, it, ok = t0, 1, True
    elif f0 != f0:
        t, it, ok = nm.solve_increasing(h, t0 - 1.0, t0 + 1.0, t0, max_iter=controls.max_iter, tol=controls.tol)
    else:
        t, it, ok = nm.solve_increasing(h, lo, hi, t0, max_iter=controls.max_iter, tol=controls.tol,
                                        verify=bracket)
    k = math.exp(t)
    near = min(memo, key=lambda kk: abs(math.log(kk) - t))
    if abs(math.log(near) - t) <= EXTRAPOLATE and len(memo[near][1]) == 4:
        a, (s0, s1, s2, s3) = memo[near]
        d = k - near  # Taylor in k: d/dk sum u^j e^{k u} = sum u^(j+1) e^{k u}
        theta, at = _weibull_at(s, k, a, (s0 + d * (s1 + 0.5 * d * s2), s1 + d * (s2 + 0.5 * d * s3), s2 + d * s3))
    elif power is not None:
        a = shift[0] if 0.0 <= k * shift[0] <= MAX_K_SHIFT else 0.0
        theta, at = _weibull_at(s, k, a, power(k, a))
    else:
        theta, at = _weibull_at(s, k, shift[0], None)
    k0 = math.exp(t0)
    a0, s00 = memo[k0][0], memo[k0][1][0]
    return Solution(theta, "Newton on the profile equation in the shape",
                    it, ok, "" if ok else f"shape did not converge in {it} iteration(s)",
                    (k0, math.exp(s.top - a0 + math.log(s00 / s.n) / k0)), at=at)


def _sample_shape(s, controls, t0):
    """log k of the fit to the sample of the chunks' values (the logs y of the sample, with
    the same top), or t0 where that does not converge: within sampling error of the
    shape on all of them."""
    ys = np.array(s.ys.sample()[0])
    n = float(ys.size)
    if n < 2:
        return t0
    ybar, m2 = nm.mean_and_m2(ys)
    if not m2 > 0:
        return t0
    sample = SimpleNamespace(n=n, ys=InMemory(ys, None, n), top=s.top, hi=s.hi, ybar=ybar,
                             sumlog=n * (s.top + ybar), sd=math.sqrt(m2))
    fit = _weibull_estimate(sample, controls)
    return math.log(fit.theta[0]) if fit.converged else t0


def weibull_right_censored(seen, w_seen, all_x, w_all, controls):
    """The MLE of (shape, scale) from rows seen (values `seen`, weights w_seen) and rows
    right-censored, `all_x` holding every row's value or censoring time (weights w_all):
    the log-likelihood is d log k - d k log lam + (k - 1) sum_seen log x - sum_all (x/lam)^k
    with d the weight of the rows seen, so the estimator of uncensored data applies with
    its power sums over all rows and its counts and mean log over the rows seen (the
    profile equation sum_all x^k log x / sum_all x^k - 1/k - mean_seen log x = 0).
    None where the logs would lose digits (values clustered far from 1): the generic
    path then fits."""
    y = np.log(all_x)
    top = float(y.max())
    logs_seen = np.log(seen)
    d = nm.total_weight(w_seen, seen.size)
    sd = math.sqrt(nm.mean_and_m2(logs_seen, w_seen)[1])
    if nm.logs_lose_digits(top, sd) or not sd > 0:
        return None
    y -= top
    return weibull_censored_estimate(d, nm.wsum(logs_seen, w_seen), sd,
                                     InMemory(y, w_all, nm.total_weight(w_all, y.size)), top, None, controls)


def weibull_censored_estimate(d, sumlog, sd, ys, top, hi, controls, t0=None):
    """weibull_right_censored's estimator from its statistics: d the weight of the rows
    seen, sumlog and sd the sum and spread of their logs; ys every row's log(x) - top
    (InMemory, or LogsOnChunks about hi = max x for rows read in chunks; hi None in
    memory), top = max log x; t0: log k to start from (None: from sd, or the chunks' sample)."""
    s = SimpleNamespace(n=d, ys=ys, top=top, hi=hi, ybar=sumlog / d - top, sumlog=sumlog, sd=sd, t0=t0)
    return _weibull_estimate(s, controls)


def _weibull_at(s, k, shift, sums):
    """((k, scale), (log-likelihood, observed information)) at shape k and the scale that
    maximises the likelihood there, from the power sums about u = y + shift (sums; None:
    made here, in one pass), shift an estimate of c = log(max x / scale). Then u is
    log(x / scale) but for a small delta = c - shift, and the sums of e^{k u'}, u' e^{k u'}
    and u'^2 e^{k u'} about the c of the scale as rounded (u' = y + c: the scale's
    rounding matters where k is large) follow without cancellation."""
    if sums is None:
        if not 0.0 <= k * shift <= MAX_K_SHIFT:
            shift = 0.0
        sums = _weibull_power_sums(s, k, 3, shift)
    s0, s1, s2 = sums[:3]
    n = s.n
    lam = math.exp(s.top - shift + math.log(s0 / n) / k)
    c = _shift(s, lam)
    delta = c - shift
    grow = math.exp(k * delta)
    sz = grow * s0
    szu = grow * (s1 + delta * s0)
    szuu = grow * (s2 + delta * (2.0 * s1 + delta * s0))
    loglik = n * (math.log(k) - math.log(lam)) + (k - 1.0) * n * (s.ybar + c) - sz
    return (k, lam), (loglik, _weibull_information(n, k, lam, sz, szu, szuu))


def _weibull_information(n, k, lam, sz, szu, szuu):
    """The observed information from the sums of z = (x/lam)^k, z log(x/lam), z log^2(x/lam)."""
    d_kk = n / k ** 2 + szuu
    d_ll = -n * k / lam ** 2 + k * (k + 1.0) * sz / lam ** 2
    d_kl = n / lam - sz / lam - k * szu / lam
    return np.array([[d_kk, d_kl], [d_kl, d_ll]])


def _weibull_loglik(s, theta):
    """n log(k/scale) + (k - 1) sum log(x/scale) - sum (x/scale)^k, with log(x/scale) =
    y + c: no large terms cancel (k log scale against (k - 1) sum log x did, losing 8e-6
    of the log-likelihood for values clustered at 1e9, where k is about 1e9)."""
    k, scale = theta
    c = _shift(s, scale)  # log x - log scale = y + c

    def zsum(y, w):
        z = np.add(y, c)
        z *= k
        np.exp(z, out=z)
        return nm.wsum(z, w)
    return (s.n * (math.log(k) - math.log(scale)) + (k - 1.0) * s.n * (s.ybar + c) - s.ys.sum(zsum))


def _weibull_scaled_sums(s, k, c):
    """Weighted sums of z, z u, z u^2 with u = y + c = log(x / lam) and z = e^{k u}, in
    one pass."""
    def sums(y, w):
        u = np.add(y, c)  # log x - log lam
        z = np.multiply(u, k)
        np.exp(z, out=z)
        if w is not None:
            z *= w
        sz = float(np.sum(z))
        z *= u
        return sz, float(np.sum(z)), nm.dot(z, u)
    return s.ys.sum(sums)


def _weibull_profile(s, index, value, start, controls):
    """(log-likelihood, theta) maximised over the other parameter with parameter `index`
    held at `value`, from the power sums of the data at one shape per evaluation:
    - shape k held: the scale has its closed form (mean x^k)^(1/k), and the log-likelihood
      is n log k - n log(s0/n) + k n ybar - sum log x - n, s0 = sum e^{k y}: one pass;
    - scale lam held: the shape solves n/k + sum u - sum e^{k u} u = 0 (u = log(x/lam)),
      decreasing in k, by bracketed Newton in log k from start's shape: a pass a step.
    (The profile interval made ~1,400 passes over the data by Brent's method on each
    inner fit; this makes a few per profile point.)"""
    n = s.n
    if index == 0:
        k = float(value)
        s0 = _weibull_power_sums(s, k, 1)[0]
        ll = n * (math.log(k) - math.log(s0 / n) + k * s.ybar) - s.sumlog - n
        return ll, (k, math.exp(s.top + math.log(s0 / n) / k))
    lam = float(value)
    c = _shift(s, lam)
    memo = {}

    def minus_score(t):  # -(d loglik / dk) and its derivative in t = log k: increasing in k
        k = math.exp(t)
        sz, szu, szuu = memo[t] = _weibull_scaled_sums(s, k, c)
        return szu - n / k - n * (s.ybar + c), n / k + k * szuu

    t0 = math.log(start[0])
    lo, hi = t0 - 1.0, t0 + 1.0
    while minus_score(lo)[0] > 0 and lo > -50.0:
        lo -= 2.0
    while minus_score(hi)[0] < 0 and hi < 50.0:
        hi += 2.0
    t = nm.solve_increasing(minus_score, lo, hi, t0, max_iter=controls.max_iter, tol=controls.tol)[0]
    k = math.exp(t)
    sz = memo[t][0] if t in memo else _weibull_scaled_sums(s, k, c)[0]
    return n * (math.log(k) - math.log(lam)) + (k - 1.0) * n * (s.ybar + c) - sz, (k, lam)


def _weibull_observed(s, theta):
    k, lam = theta
    sz, szu, szuu = _weibull_scaled_sums(s, k, _shift(s, lam))
    return _weibull_information(s.n, k, lam, sz, szu, szuu)


def _weibull_expected(s, theta):
    k, lam = theta
    c = 1.0 - EULER_GAMMA
    return s.n * np.array([[(math.pi ** 2 / 6.0 + c * c) / k ** 2, -c / lam],
                           [-c / lam, k * k / lam ** 2]])


def _weibull_logpdf(x, theta):
    k, lam = theta
    return math.log(k / lam) + (k - 1.0) * np.log(x / lam) - (x / lam) ** k


WEIBULL = Family(
    spec=SPEC,
    stats=_weibull_stats,
    chunked_stats=_weibull_chunked,
    chunked_logs=True,
    chunked_moments=True,
    estimate=_weibull_estimate,
    loglik=_weibull_loglik,
    logpdf=_weibull_logpdf,
    observed_information=_weibull_observed,
    expected_information=_weibull_expected,
    scipy=lambda t: scipy_stats().weibull_min(t[0], scale=t[1]),
    closed=closed_forms.WEIBULL,
    profile=_weibull_profile,
    cdf=lambda x, t: -np.expm1(-((np.maximum(x, 0.0) / t[1]) ** t[0])),
    sample=lambda rng, n, t: t[1] * rng.weibull(t[0], n),
    check=_weibull_check,
    min_n=2,
    needs_spread=True,
    rescale=lambda s: ((1.0, s), (0.0, 0.0)),
)
