"""Continuous families: normal, laplace, exponential, gamma, lognormal, weibull, beta."""
import math
from types import SimpleNamespace

import numpy as np

from .. import numerics as nm
from ..chunks import InMemory, LogsOnChunks, OnChunks
from ..errors import DataError
from . import closed_forms, merge
from .base import Family, Solution, scipy_special as _special, scipy_stats
from .beta import BETA, BETA_BLOCK_MIN, _beta_start, _beta_stats  # noqa: F401 (re-exported)
from .catalog import BY_NAME

LOG_2PI = math.log(2.0 * math.pi)
EULER_GAMMA = 0.57721566490153286061


# ---------------------------------------------------------------- normal and lognormal
def _moments(y, w):
    mean, m2 = nm.mean_and_m2(y, w)
    return SimpleNamespace(n=nm.total_weight(w, y.size), mean=mean, m2=m2, jacobian=0.0)


def _spread_check(s):
    if not s.m2 > 0:
        raise DataError("the values are (numerically) all equal: zero variance; "
                        "this family needs spread to estimate its scale")


def _normal_loglik(s, theta):
    mu, sigma = theta
    return (-0.5 * s.n * LOG_2PI - s.n * math.log(sigma)
            - s.n * (s.m2 + (s.mean - mu) ** 2) / (2.0 * sigma ** 2) - s.jacobian)


def _normal_observed(s, theta):
    mu, sigma = theta
    dev = s.mean - mu
    ss = s.n * (s.m2 + dev * dev)
    return np.array([[s.n / sigma ** 2, 2.0 * s.n * dev / sigma ** 3],
                     [2.0 * s.n * dev / sigma ** 3, -s.n / sigma ** 2 + 3.0 * ss / sigma ** 4]])


def _normal_expected(s, theta):
    return np.diag([s.n / theta[1] ** 2, 2.0 * s.n / theta[1] ** 2])


def _normal_logpdf(x, theta):
    mu, sigma = theta
    return -0.5 * LOG_2PI - math.log(sigma) - (x - mu) ** 2 / (2.0 * sigma ** 2)


def _not_all_equal(x):
    """Whether x holds two different values: O(1) where its first, middle and last differ,
    else one comparison pass. (m2 > 0 shows it where the one shifted pass gave m2, as the
    differences from a data value are then not all 0; the two-pass form of a constant
    non-dyadic sample could leave a rounding above 0.)"""
    first = x[0]
    return bool(first != x[-1] or first != x[x.size // 2] or np.any(x != first))


def _normal_vouches(s, x):
    """Finite moments vouch for finite values (a NaN or an inf would make the sum of
    squares about a data value NaN or inf), m2 > 0 and _not_all_equal for spread; max |x|
    is at most |mean| + sqrt(n m2) and at least sqrt(mean^2 + m2), the root mean square;
    a column of 0s and 1s has its mean p in [0, 1] and m2 = p (1 - p) <= 1/4, so moments
    outside that leave no binary note to make."""
    m, v = s.mean, s.m2
    if not (math.isfinite(m) and math.isfinite(v) and v > 0):
        return False
    if -1e-9 <= m <= 1.0 + 1e-9 and v <= 0.25 * (1.0 + 1e-9):
        return False
    big = nm.VOUCHED_MAGNITUDE
    return abs(m) + math.sqrt(s.n * v) <= big and math.sqrt(m * m + v) >= 1.0 / big and _not_all_equal(x)


NORMAL = Family(
    spec=BY_NAME["normal"],
    vouches=_normal_vouches,
    stats=_moments,
    merge=merge.moments,
    estimate=lambda s, c: Solution((s.mean, math.sqrt(s.m2)), "closed form: mean, sd with divisor n"),
    loglik=_normal_loglik,
    logpdf=_normal_logpdf,
    observed_information=_normal_observed,
    expected_information=_normal_expected,
    scipy=lambda t: scipy_stats().norm(t[0], t[1]),
    closed=closed_forms.NORMAL,
    cdf=lambda x, t: _special().ndtr((x - t[0]) / t[1]),
    sample=lambda rng, n, t: rng.normal(t[0], t[1], n),
    check=_spread_check,
    min_n=2,
    needs_spread=True,
    rescale=lambda s: ((s, s), (0.0, 0.0)),
)


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
    spec=BY_NAME["lognormal"],
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


# ---------------------------------------------------------------- laplace
def _laplace_stats(x, w):
    return SimpleNamespace(n=nm.total_weight(w, x.size), x=x, w=w, data=InMemory(x, w),
                           median=nm.weighted_median(x, w))


def _laplace_chunked(chunks):
    """The stats of values held in chunks (mlefit.chunks): the exact median and the
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
    spec=BY_NAME["laplace"],
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


# ---------------------------------------------------------------- exponential
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
    spec=BY_NAME["exponential"],
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


# ---------------------------------------------------------------- gamma
GAMMA_DIRECT_REL = 1e-11  # the direct d is kept where its error bound is below this, relative


@nm.takes_span
def _gamma_stats(x, w, span=None):
    """n, mean, mean(log x) and d = log(mean) - mean(log x) > 0, the statistic of the
    shape. d is first taken directly, from a plain mean and the sum of logs (by blocks,
    numerics.sum_log); that is kept where its error bound (_gamma_direct_error) is below
    GAMMA_DIRECT_REL d. Otherwise (tightly clustered data, where the difference cancels)
    the careful form below, which keeps any d to full precision."""
    n = nm.total_weight(w, x.size)
    mean = nm.wsum(x, w) / n
    meanlog = (nm.sum_log(x, span) if w is None else nm.wsum(np.log(x), w)) / n
    d = math.log(mean) - meanlog if mean > 0 and math.isfinite(mean) else math.nan
    if d > 0 and _gamma_direct_error(n, mean, d) <= GAMMA_DIRECT_REL * d:
        return SimpleNamespace(n=n, mean=mean, d=d, meanlog=meanlog)
    mean = nm.mean(x, w)
    # d = log(mean) - mean(log x). With t = (x - m)/m for the computed mean m, this is
    # log1p(mean(t)) - mean(log1p(t)) = log1pmx(mean(t)) - mean(log1pmx(t)): no term is
    # cancelled away, so tightly clustered data keep their tiny, positive d
    t = np.subtract(x, mean)
    t /= mean
    small_all = None
    if span is not None:  # t is monotonic in x, so its extremes are those of the span
        ends = [(v - mean) / mean for v in span]
        small_all = True if max(abs(ends[0]), abs(ends[1])) < 1e-3 else None
    d = nm.log1pmx(nm.wsum(t, w) / n) - nm.wsum(nm.log1pmx_array(t, small_all), w) / n
    return SimpleNamespace(n=n, mean=mean, d=d, meanlog=nm.wsum(np.log(x), w) / n)


def _gamma_direct_error(n, mean, d):
    """A bound on the error of the direct d = log(mean) - mean(log x) (first order,
    u = 2^-53, g = numerics.sum_bound(n), weights allowed):
    - the mean (a sum of positive terms): relative g + 3u, so log(mean) within
      g + 3u + u |log mean|;
    - mean(log x): within (LOG_ERROR + g + 3u) A + 2u, A = mean |log x| (the sum of logs,
      by blocks: u per value more);
    - A <= |log mean| + sqrt(3 d) + d: with v = log(x / mean), d = mean(e^v - 1 - v) >=
      mean(h(|v|)) >= h(mean |v|) for the convex h(s) = e^-s - 1 + s, and h(s) >= s^2/3
      below s = 1, h(s) >= s - 1 above (Jensen; d here is the direct one, to first order).
    """
    g = nm.sum_bound(n)
    big = abs(math.log(mean))
    a = big + math.sqrt(3.0 * d) + d
    return g + 5.0 * nm.U + nm.U * big + (nm.LOG_ERROR + g + 3.0 * nm.U) * a


def _gamma_check(s):
    if not s.d > 0:
        raise DataError("the values are (numerically) all equal: zero variance; "
                        "the gamma family needs spread to estimate its shape")


GAMMA_METHOD = "Newton on the shape (mean, mean-log)"


def _gamma_estimate(s, controls):
    """Shape solves log(a) - psi(a) = d: generalised Newton (Minka 2002) from the
    closed-form approximation; rate = shape / mean."""
    d = s.d
    a = (3.0 - d + math.sqrt((d - 3.0) ** 2 + 24.0 * d)) / (12.0 * d)
    start = (a, a / s.mean)
    for it in range(1, controls.max_iter + 1):
        value, deriv = nm.log_minus_digamma(a)
        f = value - d
        new = 1.0 / (1.0 / a + f / (a * a * deriv))
        if not new > 0:
            new = a / 2.0
        if abs(new - a) <= controls.tol * a or abs(f) <= 4e-16 * d:
            return Solution((new, new / s.mean), GAMMA_METHOD, it, True, start=start)
        a = new
    return Solution((a, a / s.mean), GAMMA_METHOD, controls.max_iter, False,
                    f"shape did not converge in {controls.max_iter} iteration(s)", start)


def _gamma_loglik(s, theta):
    """n [a log(rate) + (a-1) mean(log x) - rate mean - lgamma(a)], rearranged with
    u = rate mean / a as n [a (log u - u + 1) + log(a/2pi)/2 - mu(a) - a d - mean(log x)]
    (mu: the Stirling remainder), which keeps its precision for shapes up to 1e30."""
    a, rate = theta
    u = rate * s.mean / a
    return s.n * (a * nm.log1pmx(u - 1.0) + 0.5 * math.log(a) - nm.HALF_LOG_2PI
                  - nm.stirling_remainder(a) - a * s.d - s.meanlog)


def _gamma_information(s, theta):
    from scipy.special import polygamma
    a, rate = theta
    return s.n * np.array([[float(polygamma(1, a)), -1.0 / rate], [-1.0 / rate, a / rate ** 2]])


def _gamma_covariance(s, theta):
    """Inverse information via the orthogonal (shape, mean) parameterisation:
    var(shape) = 1/(n (trigamma(a) - 1/a)), var(mean) = mean^2/(n a), then the delta
    method to (shape, rate). trigamma(a) - 1/a comes from the cancellation-free series,
    so the standard errors stay right for shapes in the millions."""
    a, rate = theta
    mean = a / rate
    var_a = 1.0 / (-s.n * nm.log_minus_digamma(a)[1])
    var_rate = var_a / mean ** 2 + a / (s.n * mean ** 2)
    cov = var_a / mean
    return np.array([[var_a, cov], [cov, var_rate]])


def _gamma_logpdf(x, theta):
    from scipy.special import gammaln, xlogy
    a, rate = theta
    return a * math.log(rate) - gammaln(a) + xlogy(a - 1.0, x) - rate * x


GAMMA = Family(
    spec=BY_NAME["gamma"],
    stats=_gamma_stats,
    merge=merge.gamma,
    estimate=_gamma_estimate,
    loglik=_gamma_loglik,
    logpdf=_gamma_logpdf,
    observed_information=_gamma_information,
    expected_information=_gamma_information,
    scipy=lambda t: scipy_stats().gamma(t[0], scale=1.0 / t[1]),
    cdf=lambda x, t: _special().gammainc(t[0], t[1] * np.maximum(x, 0.0)),
    sample=lambda rng, n, t: rng.gamma(t[0], 1.0 / t[1], n),
    check=_gamma_check,
    covariance=_gamma_covariance,
    min_n=2,
    needs_spread=True,
    rescale=lambda s: ((1.0, 1.0 / s), (0.0, 0.0)),
    closed=closed_forms.GAMMA,
)


# ---------------------------------------------------------------- weibull
# The sums run over y = log x - max log x (ys), held as chunks.InMemory (an array and its
# weights) or, for a file fitted in chunks, chunks.LogsOnChunks (y = log(x / max x), from
# the logs the chunks hold or take chunk by chunk at each pass); the stats also hold n,
# top = max log x, sum log x, mean y and the sd of log x, and hi: max x where the logs
# are taken about it (values clustered far from 1, where plain logs would round y by a
# sizeable part of its spread: numerics.logs_lose_digits; and always in chunks), else None. log(x / scale) = y + log(hi / scale) then keeps full precision too (_shift).
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
    """The stats of values held in chunks (mlefit.chunks): y = log(x / max x) to full
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
    spec=BY_NAME["weibull"],
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


FAMILIES = (NORMAL, LAPLACE, EXPONENTIAL, GAMMA, LOGNORMAL, WEIBULL, BETA)
