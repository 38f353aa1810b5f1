"""Discrete families: bernoulli, categorical, poisson, geometric, negative_binomial."""
import math
from types import SimpleNamespace

import numpy as np

from .. import gamma_arrays as ga, numerics as nm
from ..errors import BoundaryError
from .base import Family, Solution, scipy_special as _special, scipy_stats
from .catalog import BY_NAME


def _upper_exact(alpha, n):
    """Exact one-sided bound when every trial went one way: (alpha/2)^(1/n)."""
    return (alpha / 2.0) ** (1.0 / n)


# ---------------------------------------------------------------- bernoulli
def _bern_stats(x, w):
    n = nm.total_weight(w, x.size)
    return SimpleNamespace(n=n, k=nm.wsum(x, w))


def _bern_loglik(s, theta):
    (p,) = theta
    out = 0.0
    if s.k > 0:
        out += s.k * math.log(p) if p > 0 else -math.inf
    if s.n - s.k > 0:
        out += (s.n - s.k) * math.log1p(-p) if p < 1 else -math.inf
    return out


def _bern_boundary(s, theta, confidence):
    alpha = 1.0 - confidence
    if s.k == 0:
        return {0: (0.0, 1.0 - _upper_exact(alpha, s.n), "p = 0 (no ones): exact Clopper-Pearson interval")}
    if s.k == s.n:
        return {0: (_upper_exact(alpha, s.n), 1.0, "p = 1 (no zeros): exact Clopper-Pearson interval")}
    return {}


BERNOULLI = Family(
    spec=BY_NAME["bernoulli"],
    stats=_bern_stats,
    estimate=lambda s, c: Solution((s.k / s.n,), "closed form: p = mean"),
    loglik=_bern_loglik,
    logpdf=lambda x, t: np.where(x == 1, np.log(t[0]), np.log1p(-t[0])),
    observed_information=lambda s, t: np.array([[s.k / t[0] ** 2 + (s.n - s.k) / (1 - t[0]) ** 2]]),
    expected_information=lambda s, t: np.array([[s.n / (t[0] * (1 - t[0]))]]),
    scipy=lambda t: scipy_stats().bernoulli(t[0]),
    cdf=lambda x, t: np.where(x < 0, 0.0, np.where(x < 1, 1.0 - t[0], 1.0)),
    sample=lambda rng, n, t: rng.binomial(1, t[0], n).astype(np.float64),
    boundary=_bern_boundary,
)


# ---------------------------------------------------------------- categorical
def _cat_stats(x, w):
    labels, inverse = np.unique(np.asarray(x).astype(str), return_inverse=True)
    counts = np.bincount(inverse.ravel(), weights=w, minlength=labels.size).astype(np.float64)
    order = sorted(range(labels.size), key=lambda i: _label_key(str(labels[i])))
    return SimpleNamespace(n=float(counts.sum()), labels=tuple(str(labels[i]) for i in order),
                           counts=counts[order])


def _label_key(label):
    """Numeric labels in numeric order, then the others alphabetically."""
    try:
        return (0, float(label), "")
    except ValueError:
        return (1, 0.0, label)


def _cat_loglik(s, theta):
    p = np.asarray(theta)
    mask = s.counts > 0
    return float(np.sum(s.counts[mask] * np.log(p[mask])))


def _cat_covariance(s, theta):
    """The variances p(1-p)/n, the diagonal of the multinomial covariance
    (diag(p) - p p^T)/n: only the diagonal is needed, and K labels would make the full
    matrix K^2."""
    p = np.asarray(theta)
    return p * (1.0 - p) / s.n


def _cat_observed(s, theta):
    """Information for the K-1 free probabilities (the last is 1 minus the others)."""
    p = np.asarray(theta)
    c = s.counts
    return np.diag(c[:-1] / p[:-1] ** 2) + c[-1] / p[-1] ** 2


def _cat_expected(s, theta):
    p = np.asarray(theta)
    return s.n * (np.diag(1.0 / p[:-1]) + 1.0 / p[-1])


def _cat_boundary(s, theta, confidence):
    if len(s.labels) == 1:
        return {0: (1.0, 1.0, "only one label observed: its probability is 1 by construction")}
    return {}


CATEGORICAL = Family(
    spec=BY_NAME["categorical"],
    stats=_cat_stats,
    estimate=lambda s, c: Solution(tuple((s.counts / s.n).tolist()), "closed form: p = count / n"),
    loglik=_cat_loglik,
    logpdf=None,  # the log-mass needs the labels: see categorical_logpmf
    observed_information=_cat_observed,
    expected_information=_cat_expected,
    scipy=None,
    boundary=_cat_boundary,
    covariance=_cat_covariance,
    param_names=lambda s: [f"p[{lab}]" for lab in s.labels],
)


def categorical_logpmf(x, labels, theta):
    """log P(X = x) for each x, given the labels and their probabilities."""
    index = {lab: i for i, lab in enumerate(labels)}
    logp = np.log(np.asarray(theta, dtype=float))
    return np.array([logp[index[str(v)]] if str(v) in index else -np.inf for v in x])


# ---------------------------------------------------------------- poisson
@nm.takes_span
def _count_stats(x, w, span=None):
    values, counts = nm.value_counts(x, w, hi=None if span is None else span[1])
    n = float(counts.sum())
    mean, m2 = nm.mean_and_m2(values, counts)
    return SimpleNamespace(n=n, total=float(values @ counts), mean=mean, m2=m2,
                           values=values, counts=counts)


def _pois_loglik(s, theta):
    (lam,) = theta
    if lam == 0:
        return 0.0 if s.total == 0 else -math.inf
    return nm.poisson_loglik_terms(s.values, s.counts, lam)


def _pois_logpdf(x, theta):
    from scipy.special import gammaln, xlogy
    return xlogy(x, theta[0]) - theta[0] - gammaln(x + 1)


def _pois_boundary(s, theta, confidence):
    if s.total == 0:
        upper = -math.log((1.0 - confidence) / 2.0) / s.n
        return {0: (0.0, upper, "rate = 0 (all counts zero): exact interval")}
    return {}


POISSON = Family(
    spec=BY_NAME["poisson"],
    stats=_count_stats,
    estimate=lambda s, c: Solution((s.mean,), "closed form: rate = mean"),
    loglik=_pois_loglik,
    logpdf=_pois_logpdf,
    observed_information=lambda s, t: np.array([[s.total / t[0] ** 2]]),
    expected_information=lambda s, t: np.array([[s.n / t[0]]]),
    scipy=lambda t: scipy_stats().poisson(t[0]),
    cdf=lambda x, t: np.where(x < 0, 0.0, _special().pdtr(np.floor(np.maximum(x, 0.0)), t[0])),
    sample=lambda rng, n, t: rng.poisson(t[0], n).astype(np.float64),
    boundary=_pois_boundary,
)


# ---------------------------------------------------------------- geometric
def _geom_loglik(s, theta):
    (p,) = theta
    if p == 1:
        return 0.0 if s.total == 0 else -math.inf
    return s.n * math.log(p) + s.total * math.log1p(-p)


def _geom_logpdf(x, theta):
    from scipy.special import xlog1py
    return math.log(theta[0]) + xlog1py(x, -theta[0])


def _geom_boundary(s, theta, confidence):
    if s.total == 0:
        lower = _upper_exact(1.0 - confidence, s.n)
        return {0: (lower, 1.0, "p = 1 (all counts zero): exact interval")}
    return {}


GEOMETRIC = Family(
    spec=BY_NAME["geometric"],
    stats=_count_stats,
    estimate=lambda s, c: Solution((1.0 / (1.0 + s.mean),), "closed form: p = 1/(1 + mean)"),
    loglik=_geom_loglik,
    logpdf=_geom_logpdf,
    observed_information=lambda s, t: np.array([[s.n / t[0] ** 2 + s.total / (1 - t[0]) ** 2]]),
    expected_information=lambda s, t: np.array([[s.n / (t[0] ** 2 * (1 - t[0]))]]),
    scipy=lambda t: scipy_stats().geom(t[0], loc=-1),
    cdf=lambda x, t: np.where(x < 0, 0.0, -np.expm1((np.floor(x) + 1.0) * np.log1p(-t[0]))),
    sample=lambda rng, n, t: (rng.geometric(t[0], n) - 1).astype(np.float64),
    boundary=_geom_boundary,
)


# ---------------------------------------------------------------- negative binomial
def _nb_check(s):
    if s.m2 <= s.mean:
        raise BoundaryError(
            f"the negative_binomial size has no finite MLE here: the variance "
            f"({s.m2:.6g}) does not exceed the mean ({s.mean:.6g}), so the fit tends to "
            f"the poisson limit; use --dist poisson", limit="poisson", going=("size",), start=(1.0, s.mean))


def _nb_estimate(s, controls):
    """mu-hat is the sample mean exactly; size solves the profile score equation
    g(size) = sum c[psi(x+size) - psi(size)] + n log(size/(size+mu)) = 0, found by
    safeguarded Newton in t = log(size). g runs from +inf (size -> 0) through its one
    root to 0- (size -> inf) when the counts are overdispersed."""
    mu, v, c, n = s.mean, s.values, s.counts, s.n
    seen = {}  # g at each t already tried: the bracket's ends and Newton's start coincide

    def g(t):
        if t not in seen:
            seen[t] = _g(t)
        return seen[t]

    def _g(t):
        r = math.exp(t)
        rise, rise_deriv = ga.digamma_rise(v, r)
        val = float(c @ rise) + n * (math.log(r) - math.log(r + mu))
        der = float(c @ rise_deriv) + n * (1.0 / r - 1.0 / (r + mu))
        return -val, -der * r  # negated so it increases in t

    t0 = math.log(mu * mu / (s.m2 - mu))
    lo = hi = t0
    for _ in range(200):
        if g(lo)[0] < 0:
            break
        lo -= 1.0
    for _ in range(200):
        if g(hi)[0] > 0:
            break
        hi += 1.0
    if not (g(lo)[0] < 0 < g(hi)[0]):
        return Solution((math.exp(t0), mu), "Newton on the profile score in size", 0, False,
                        "could not bracket the root of the size score equation", (math.exp(t0), mu))
    t, it, ok = nm.solve_increasing(g, lo, hi, t0, max_iter=controls.max_iter, tol=controls.tol)
    return Solution((math.exp(t), mu), "Newton on the profile score in size; mu = mean", it, ok,
                    "" if ok else f"size did not converge in {it} iteration(s)", (math.exp(t0), mu))


def _nb_loglik(s, theta):
    """sum c [lgamma(v+r) - lgamma(r) - lgamma(v+1) + r log(r/(r+mu)) + v log(mu/(r+mu))],
    written as -log(v+r) - betaln(r, v+1) - r log1p(mu/r) - v log1p(r/mu) so that huge
    counts do not cancel away the answer (gamma_arrays.log_beta: no scipy)."""
    r, mu = theta
    v, c = s.values, s.counts
    with np.errstate(divide="ignore"):
        log_coef = np.where(v > 0, -np.log(v + r) - ga.log_beta(r, v + 1.0), 0.0)
    return float(c @ (log_coef - v * math.log1p(r / mu))) - s.n * r * math.log1p(mu / r)


def _nb_logpdf(x, theta):
    from scipy.special import gammaln, xlogy
    r, mu = theta
    return (gammaln(x + r) - gammaln(r) - gammaln(x + 1) + r * math.log(r / (r + mu))
            + xlogy(x, mu / (r + mu)))


def _nb_observed(s, theta):
    r, mu = theta
    v, c = s.values, s.counts
    d_rr = float(c @ (ga.digamma_rise(v, r)[1] + 1 / r - 1 / (r + mu)
                      - (mu - v) / (r + mu) ** 2))
    d_mm = float(c @ (-v / mu ** 2 + (r + v) / (r + mu) ** 2))
    d_rm = float(c @ ((v - mu) / (r + mu) ** 2))
    return -np.array([[d_rr, d_rm], [d_rm, d_mm]])


NEGATIVE_BINOMIAL = Family(
    spec=BY_NAME["negative_binomial"],
    stats=_count_stats,
    estimate=_nb_estimate,
    loglik=_nb_loglik,
    logpdf=_nb_logpdf,
    observed_information=_nb_observed,
    scipy=lambda t: scipy_stats().nbinom(t[0], t[0] / (t[0] + t[1])),
    cdf=lambda x, t: np.where(x < 0, 0.0, _special().betainc(t[0], np.floor(np.maximum(x, 0)) + 1.0, t[0] / (t[0] + t[1]))),
    sample=lambda rng, n, t: rng.negative_binomial(t[0], t[0] / (t[0] + t[1]), n).astype(np.float64),
    check=_nb_check,
    min_n=2,
)

FAMILIES = (BERNOULLI, CATEGORICAL, POISSON, GEOMETRIC, NEGATIVE_BINOMIAL)
