"""beta(a, b) on (0, 1), in one file: the fast path (Newton on the two shapes from the
mean logs, its sufficient statistics), then the per-row
record DENSITY.

Per row:
    log f = (a - 1) log y + (b - 1) log(1 - y) - log B(a, b);
    d/da = log y - psi(a) + psi(a + b),     d/db = log(1 - y) - psi(b) + psi(a + b);
    d2/da2 = psi'(a + b) - psi'(a),  d2/da db = psi'(a + b),  d2/db2 = psi'(a + b) - psi'(b).

The tails are the regularised incomplete beta I_y(a, b) and its complement
I_{1-y}(b, a) (never 1 - I; each in logs where it is below 1/2, log1p of minus the other
above); where either is below TINY (it may underflow), its log is
taken from the series I_x(a, b) = x^a (1-x)^b / (a B(a, b)) 2F1(a + b, 1; a + 1; x).
"""
import math
from types import SimpleNamespace

import numpy as np

from .. import numerics as nm
from .. import special_series as ss
from ..errors import DataError
from ..inference.information import inverse_rows
from . import merge
from .base import Family, Solution, scipy_special as _special, scipy_stats
from .catalog import POSITIVE, Param, Spec
from .positive_common import floats, inside_or, log_complements, masked_derivs, one_tail, quiet
from .rowwise import Density, weighted_mean
from .tails import TINY


SPEC = Spec("beta", (Param("a", POSITIVE, "first shape (alpha)"), Param("b", POSITIVE, "second shape (beta)")),
            "unit_open", False, False, "x^(a-1) (1-x)^(b-1) / B(a, b)", "beta(a, b)",
            "dbeta(x, shape1=a, shape2=b)",
            estimator="Newton on (a, b), from the means of log x and log(1-x)", listed=150, select_rank=170)


# ---------------------------------------------------------------- beta
BETA_BLOCK_MIN = 1e-3  # |mean log| from which the sums of logs by blocks are kept
BETA_MIN_GAP = 1e-13  # 1 - G1 - G2 below which the shapes are beyond double precision
BETA_ULPS = 4.0  # the score and the NLL are within their rounding noise below this many ulp of their terms
EPS = 2.0 ** -52


@nm.takes_span
def _beta_stats(x, w, span=None):
    """n and the mean logs l1 = mean log x, l2 = mean log(1 - x): the sufficient
    statistics, and all the fit needs. Without weights the logs are summed by blocks
    (numerics.sum_log, sum_log1m: within 2u per value, absolute, plus what the direct
    sums make); that is kept where it is at most 2.2e-13 of the mean log
    (|mean log| >= BETA_BLOCK_MIN: every log has one sign), else (values all near 0 or
    all near 1) the direct sum of log x or log1p(-x) is taken."""
    n = nm.total_weight(w, x.size)
    if w is not None:
        return SimpleNamespace(n=n, l1=nm.wsum(np.log(x), w) / n, l2=nm.wsum(np.log1p(-x), w) / n)
    l1, l2 = nm.sum_log(x, span) / n, nm.sum_log1m(x, span) / n
    if not abs(l1) >= BETA_BLOCK_MIN:
        l1 = float(np.sum(np.log(x))) / n
    if not abs(l2) >= BETA_BLOCK_MIN:
        l2 = float(np.sum(np.log1p(-x))) / n
    return SimpleNamespace(n=n, l1=l1, l2=l2)


def _beta_gap(s):
    """1 - G1 - G2 for the geometric means G1 = e^l1 of x and G2 = e^l2 of 1 - x: > 0
    (G1 <= mean, G2 <= 1 - mean), about var/(2 mean (1 - mean)) for values close
    together, so about 1/(2 (a + b)) at the fit."""
    return -math.expm1(s.l1) - math.exp(s.l2)


def _beta_check(s):
    if not _beta_gap(s) > BETA_MIN_GAP:
        raise DataError("the values are (numerically) all equal: their spread is below what double "
                        "precision resolves in the mean logs; the beta shapes would be infinite")


def _beta_start(s):
    """The shapes at which digamma(c) ~ log(c - 1/2) solves the likelihood equations:
    a = 1/2 + G1/(2 gap), b = 1/2 + G2/(2 gap), from the sufficient statistics alone."""
    gap = _beta_gap(s)
    return 0.5 + 0.5 * math.exp(s.l1) / gap, 0.5 + 0.5 * math.exp(s.l2) / gap


def _beta_nll1(s, a, b):
    return ss.log_beta(a, b) - (a - 1.0) * s.l1 - (b - 1.0) * s.l2


def _drop_series(a, b):
    """(digamma(a) - digamma(a + b), trigamma(a) - trigamma(a + b)) for a >= 10, from
    D(c) = log(c) - digamma(c) (ss.log_minus_digamma) as -log1p(b/a) + D(a + b) -
    D(a) and b/(a (a + b)) + D'(a + b) - D'(a): the direct differences cancel nearly all
    their digits when the other shape is small (digamma(1e10) is 23, the drop 2e-12)."""
    (d, dp), (dab, dabp) = ss.log_minus_digamma(a), ss.log_minus_digamma(a + b)
    return -math.log1p(b / a) + (dab - d), b / (a * (a + b)) + (dabp - dp)


def _beta_derivs(a, b, digamma=None, zeta=None):
    """(the gradient of log B(a, b), the Hessian of the per-observation NLL as lists, and
    the size of the terms each gradient entry is the difference of, for its rounding).
    digamma and trigamma at a, b, a + b in one ufunc call each (a shape of 10 or more
    takes its drops from _drop_series instead); digamma, zeta: scipy.special's, where the
    caller has them at hand (a Newton loop: no import statement per step)."""
    if digamma is None:
        from scipy.special import digamma, zeta  # trigamma(c) = zeta(2, c)
    c = np.array([a, b, a + b])
    (da, db, dab), (ta, tb, tab) = digamma(c).tolist(), zeta(2.0, c).tolist()
    ga, ha = _drop_series(a, b) if a >= 10.0 else (da - dab, ta - tab)
    gb, hb = _drop_series(b, a) if b >= 10.0 else (db - dab, tb - tab)
    sizes = [abs(ga) if a >= 10.0 else abs(da) + abs(dab), abs(gb) if b >= 10.0 else abs(db) + abs(dab)]
    return [ga, gb], [[ha, -tab], [-tab, hb]], sizes


def _beta_hessian_rows(a, b):
    """The Hessian of the per-observation NLL in (a, b), as lists."""
    return _beta_derivs(a, b)[1]


def _beta_hessian1(a, b):
    return np.array(_beta_hessian_rows(a, b))


BETA_METHOD = "Newton on (a, b) from the mean-logs"


def _beta_estimate(s, controls):
    """Newton on (a, b) for the per-observation NLL log B(a,b) - (a-1) mean log x -
    (b-1) mean log(1-x), which is convex; steps are halved to stay positive and
    downhill. Starts from the geometric means (_beta_start).

    Converged, at a point whose score says so, when the Newton decrement g'H^-1 g
    (scale-free: the squared step in standard errors per observation) is below tol^2,
    or the score is within its rounding noise (a few ulp of the terms it is the
    difference of); or when the decrement (twice the gain Newton promises) is below the
    rounding noise of the NLL at two points in a row, the second reached by an
    undamped Newton step: the likelihood is flat to rounding there (a small beside a
    large b: a ridge along which a and b grow together). A relative step tolerance
    does not do: with a small and b large the steps oscillate at rounding level above it.

    In Python floats (two parameters: numpy's small arrays would cost more than the
    arithmetic); the converged Solution carries the log-likelihood and the observed
    information at the estimate (Solution.at), both already computed by the last step."""
    from scipy.special import betaln, digamma, zeta  # trigamma(c) = zeta(2, c)
    l1, l2 = s.l1, s.l2

    def nll(a, b):  # _beta_nll1, with scipy's betaln at hand where ss.log_beta takes it
        log_b = float(betaln(a, b)) if a < 10.0 and b < 10.0 else ss.log_beta(a, b)
        return log_b - (a - 1.0) * l1 - (b - 1.0) * l2

    start = a, b = _beta_start(s)
    f = nll(a, b)
    flat = False  # the decrement was below the NLL's rounding at the previous point
    tol2, noise = controls.tol ** 2, BETA_ULPS * EPS
    for it in range(1, controls.max_iter + 1):
        (ga, gb), h, (size_a, size_b) = _beta_derivs(a, b, digamma, zeta)
        g0, g1 = ga - l1, gb - l2
        inverse = inverse_rows(h)  # the Hessian is positive definite (log B is convex)
        if inverse is not None:
            (i00, i01), (i10, i11) = inverse
            step0, step1 = i00 * g0 + i01 * g1, i10 * g0 + i11 * g1
        else:
            step0, step1 = np.linalg.solve(np.array(h), np.array([g0, g1])).tolist()
        decrement = g0 * step0 + g1 * step1
        t1, t2 = (a - 1.0) * l1, (b - 1.0) * l2  # f = log B - t1 - t2
        f_noise = noise * (abs(f + t1 + t2) + abs(t1) + abs(t2))
        below = decrement <= 2.0 * f_noise
        if decrement <= tol2 or (abs(g0) <= noise * (size_a + abs(l1)) and abs(g1) <= noise * (size_b + abs(l2))) \
                or (below and flat):
            return Solution((a, b), BETA_METHOD, it, True, start=start, at=(-s.n * f, s.n * np.array(h)))
        if below and a > step0 and b > step1:  # no line search: f cannot tell the step
            a, b, flat = a - step0, b - step1, True
            f = nll(a, b)
            continue
        flat = False
        lam = 1.0
        for _ in range(60):
            na, nb = a - lam * step0, b - lam * step1
            if na > 0 and nb > 0:
                nf = nll(na, nb)
                if nf <= f + 1e-12 * max(1.0, abs(f)):  # downhill, up to rounding
                    break
            lam /= 2.0
        else:  # no downhill step left: at the optimum to rounding precision, or stuck
            ok = max(abs(step0) / a, abs(step1) / b) < 1e-8
            return Solution((a, b), BETA_METHOD, it, ok, "" if ok else "line search failed", start)
        a, b, f = na, nb, nf
    return Solution((a, b), BETA_METHOD, controls.max_iter, False,
                    f"did not converge in {controls.max_iter} iteration(s)", start)


def _beta_logpdf(x, theta):
    a, b = theta
    return (a - 1.0) * np.log(x) + (b - 1.0) * np.log1p(-x) - ss.log_beta(a, b)


BETA = Family(
    spec=SPEC,
    stats=_beta_stats,
    merge=merge.beta,
    estimate=_beta_estimate,
    loglik=lambda s, t: -s.n * _beta_nll1(s, t[0], t[1]),
    logpdf=_beta_logpdf,
    observed_information=lambda s, t: s.n * _beta_hessian1(t[0], t[1]),
    expected_information=lambda s, t: s.n * _beta_hessian1(t[0], t[1]),
    scipy=lambda t: scipy_stats().beta(t[0], t[1]),
    cdf=lambda x, t: _special().betainc(t[0], t[1], np.clip(x, 0.0, 1.0)),
    sample=lambda rng, n, t: rng.beta(t[0], t[1], n),
    check=_beta_check,
    min_n=2,
    needs_spread=True,
)


# ---------------------------------------------------------------- per row
STABLE_FROM = 20.0  # a + b from which log f and the score are taken in the stable form


def _stirling(x):
    """mu(x) = lgamma(x) - ((x - 1/2) log x - x + log(2 pi)/2), per row: the asymptotic
    series from 15 on (ss.stirling_remainder, vectorised)."""
    from scipy.special import gammaln
    r = 1.0 / (x * x)
    series = (1.0 / 12 - r * (1.0 / 360 - r * (1.0 / 1260 - r * (1.0 / 1680 - r / 1188)))) / x
    return np.where(x >= 15.0, series, gammaln(x) - ((x - 0.5) * np.log(x) - x + nm.HALF_LOG_2PI))


def _log_minus_digamma(x):
    """log x - psi(x), per row: the asymptotic series from 10 on (special_series.SERIES_VALUE)."""
    from scipy.special import digamma
    r = 1.0 / (x * x)
    v = 0.0
    for c in ss.SERIES_VALUE[::-1]:
        v = c + r * v
    return np.where(x >= 10.0, 0.5 / x + r * v, np.log(x) - digamma(x))


def _log1p_pair(t, log_num, log_den):
    """(log(1 + t), log(1 + t) - t) for 1 + t = num/den: from the logs of num and den
    where t is near -1 (1 + t would keep no digits), log1p and log1pmx elsewhere."""
    near = t < -0.5
    log1p = np.where(near, log_num - log_den, np.log1p(t))
    return log1p, np.where(near, log1p - t, ss.log1pmx_array(t))


def _stable(y, a, b):
    """(log f, d/da, d/db) without the cancellation of the direct form, where its terms
    (a - 1) log y, (b - 1) log(1 - y) and log B(a, b) grow with a + b while log f does
    not. With p = a/s, q = b/s (s = a + b; the larger rounded, the other as 1 minus it,
    exactly), y/p = 1 + d and (1 - y)/q = 1 + e, Stirling's series gives
        log f = a log1pmx(d) + b log1pmx(e) + (y - p)(a/p - b/q) - log y - log(1 - y)
                + log(a b/s)/2 - log(2 pi)/2 + mu(s) - mu(a) - mu(b),
    the linear terms a d + b e = (y - p)(a/p - b/q) vanishing but for rounding (an error
    in p, or in a + b, moves a log p + b log q only to second order, as p + q = 1
    exactly). The score: psi(s) - psi(a) = -log(a/s) + L(a) - L(s), L(x) = log x - psi(x),
    with log(a/s) = log p - (p - a/s)/(a/s) (p - a/s is exact: the smaller of p and q
    has lost digits to 1 minus the other)."""
    s = a + b
    pa, qa = a / s, b / s
    q = np.where(a >= b, 1.0 - pa, qa)
    p = 1.0 - q
    logy, log1my = np.log(y), np.log1p(-y)
    log_d, lpm_d = _log1p_pair((y - p) / p, logy, np.log(p))
    log_e, lpm_e = _log1p_pair((p - y) / q, log1my, np.log(q))
    ll = (a * lpm_d + b * lpm_e + (y - p) * (a / p - b / q) - logy - log1my
          + 0.5 * np.log(a * b / s) - nm.HALF_LOG_2PI + _stirling(s) - _stirling(a) - _stirling(b))
    lms = _log_minus_digamma(s)
    return (ll, log_d + (p - pa) / pa + _log_minus_digamma(a) - lms,
            log_e + (q - qa) / qa + _log_minus_digamma(b) - lms)


def _direct(y, a, b):
    """(log f, d/da, d/db) as written above."""
    from scipy.special import betaln, digamma, xlog1py, xlogy
    d_ab = digamma(a + b)
    ll = xlogy(a - 1.0, y) + xlog1py(b - 1.0, -y) - betaln(a, b)
    return ll, np.log(y) - digamma(a) + d_ab, np.log1p(-y) - digamma(b) + d_ab


def _parts(y, a, b):
    """(y, a, b broadcast, (log f, d/da, d/db)): the stable form where a + b >= STABLE_FROM."""
    y, a, b = np.broadcast_arrays(floats(y), floats(a), floats(b))
    big = a + b >= STABLE_FROM
    if not np.any(big):
        return y, a, b, _direct(y, a, b)
    if np.all(big):
        return y, a, b, _stable(y, a, b)
    return y, a, b, tuple(np.where(big, u, v) for u, v in zip(_stable(y, a, b), _direct(y, a, b)))


@quiet
def logpdf(y, a, b):
    y, a, b, (ll, _, _) = _parts(y, a, b)
    return inside_or((y >= 0) & (y <= 1), ll, -np.inf)


@quiet
def derivs(y, a, b):
    from scipy.special import polygamma
    y, a, b, (ll, d_a, d_b) = _parts(y, a, b)
    t_ab = polygamma(1, a + b)
    hess = ((t_ab - polygamma(1, a), t_ab), (t_ab, t_ab - polygamma(1, b)))
    return masked_derivs((y > 0) & (y < 1), ll, (d_a, d_b), hess)


def _log_lower_series(a, b, x):
    """log I_x(a, b) by the series above, for 0 < x < 1."""
    from scipy.special import betaln, hyp2f1, xlog1py, xlogy
    return xlogy(a, x) + xlog1py(b, -x) - np.log(a) - betaln(a, b) + np.log(hyp2f1(a + b, 1.0, a + 1.0, x))


def _log_tail(p, a, b, x):
    """log p, with the rows where p < TINY (0 < x < 1) recomputed as log I_x(a, b)."""
    out = np.log(p)
    redo = (p < TINY) & (x > 0) & (x < 1)
    if np.any(redo):
        out = np.array(out, dtype=np.float64)
        out[redo] = _log_lower_series(a[redo], b[redo], x[redo])
    return out


@quiet
def tails(y, a, b):
    """(log F, log S): each the log of its own regularised incomplete beta (refined
    where it underflows) where that is below 1/2, log1p of minus the other above."""
    from scipy.special import betainc, betaincc
    y, a, b = np.broadcast_arrays(floats(y), floats(a), floats(b))
    x = np.clip(y, 0.0, 1.0)
    p, q = betainc(a, b, x), betaincc(a, b, x)
    # the complement is I_{1-y}(b, a); 1 - y is exact where the upper tail is small
    log_f, log_s = log_complements(p, q, _log_tail(p, a, b, x), _log_tail(q, b, a, 1.0 - x))
    return inside_or(y >= 0, log_f, -np.inf), inside_or(y >= 0, log_s, 0.0)


def start(y, w):
    """The method of moments: a + b = mean (1 - mean)/var - 1."""
    mean = weighted_mean(y, w)
    var = weighted_mean((floats(y) - mean) ** 2, w)
    total = mean * (1.0 - mean) / var - 1.0 if var > 0 else 0.0
    total = max(total, 1e-3)
    return mean * total, (1.0 - mean) * total


DENSITY = Density(
    name="beta", params=("a", "b"), domains=(POSITIVE, POSITIVE),
    logpdf=logpdf,
    logcdf=one_tail(tails, 0), logsf=one_tail(tails, 1),
    derivs=derivs, start=start,
    sample=lambda rng, size, a, b: rng.beta(a, b, size),
    scipy=lambda a, b: scipy_stats().beta(a, b),
)
