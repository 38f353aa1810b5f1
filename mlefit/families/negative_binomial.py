"""negative_binomial(size, mu): per-row log-mass, tails and derivatives, with
var = mu + mu^2 / size."""
import math

import numpy as np

from .. import gamma_arrays as ga, numerics as nm, special_series as ss
from ..errors import BoundaryError
from .base import Family, Limit, Solution, scipy_special as _special, scipy_stats
from .beta_tails import log_betainc, log_betaincc
from .catalog import POSITIVE, Param, Regression, Spec
from .counts_common import count_stats, masked, on_support, tail
from .rowwise import Density, weighted_mean


SPEC = Spec("negative_binomial",
            (Param("size", POSITIVE, "dispersion; var = mu + mu^2/size"),
             Param("mu", POSITIVE, "mean")),
            "count", True, False,
            "G(x+size)/(G(size) x!) (size/(size+mu))^size (mu/(size+mu))^x",
            "nbinom(n=size, p=size/(size+mu))", "dnbinom(x, size, mu=mu)",
            aliases=("negbin", "nbinom", "nb"),
            estimator="Newton on the profile score in size; mu = the mean", listed=50, select_rank=40,
            nests=(("geometric", "negative_binomial with size = 1", 1, False, 40),
                   ("poisson", "negative_binomial as size -> infinity", 1, True, 50)),
            regression=Regression(50, 1, "log", ("log",), censored=True, edges="zero"))


STIRLING_FROM = 15.0  # the size from which log P and the size derivatives take Stirling's forms


SIZE_AT_INFINITY = 1e12  # a regression's size beyond which the fit is the poisson limit, converged or not


def size_runs_off(size, converged):
    """Whether a regression's size has run to the poisson limit: beyond 1e6 without
    converging, or beyond SIZE_AT_INFINITY at all (where the accurate size score is below
    its rounding, Newton stops: a variance above the mean by mu^2/1e12 is no evidence of
    overdispersion)."""
    return size > 1e6 and (not converged or size > SIZE_AT_INFINITY)


def _pieces(y, size, mu):
    """log-mass, written as the fast path writes it, -log(y+r) - log B(r, y+1) (0 at
    y = 0) - r log(1 + mu/r) - y log(1 + r/mu): huge counts or sizes do not cancel it away;
    from a size of STIRLING_FROM on (for y >= 1) in Stirling's form (_stirling_mass), whose
    terms no longer grow with the size and the count (they are near y log y or r log r
    above, which cost 5e-3 at size 1e12 and y = 1e6); and v = (y - mu)/(r + mu), r + mu."""
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r_mu = size + mu
        v = (y - mu) / r_mu
        big = (np.asarray(size) >= STIRLING_FROM) & (y >= 1)
        if np.all(big):
            value = _stirling_mass(y, size, mu, v)
        else:
            coef = np.where(y > 0, -np.log(y + size) - ga.log_beta(size, np.maximum(y, 0.0) + 1.0, scipy=True), 0.0)
            value = coef - size * np.log1p(mu / size) - y * np.log1p(size / mu)
            if np.any(big):
                value = np.where(big, _stirling_mass(y, size, mu, v), value)
    return y, masked(on_support(y), value), r_mu, v


def _stirling_mass(y, r, mu, v):
    """log P(y) = lgamma(y + r) - lgamma(r) - lgamma(y + 1) + r log(r/(r + mu)) + y log(mu/(r + mu))
    by Stirling (mu_S: its remainder) as y lml(mu/y) + (y + r) log1pmx(v) + (y - mu) v
    - log1p(y/r)/2 - log(2 pi y)/2 + mu_S(y + r) - mu_S(r) - mu_S(y), lml(x) = log x - (x - 1),
    the linear terms (mu - y) + (y + r) v summed exactly as (y - mu) v."""
    x = mu / y
    lml = ga.log_minus_linear(x, ga.log_of(x, lambda: np.log(mu) - np.log(y)))
    stirling = ga.stirling_remainder
    return (y * lml + (y + r) * _log1pmx(v) + (y - mu) * v - 0.5 * np.log1p(y / r)
            - 0.5 * np.log(2.0 * math.pi * y)
            + stirling(y + r) - stirling(np.maximum(r, STIRLING_FROM)) - stirling(np.maximum(y, 1.0), scipy=True))


def _log1pmx(v):
    """log1p(v) - v over an array (v > -1): its series near 0 (special_series)."""
    return ss.log1pmx_array(np.asarray(v, dtype=np.float64))


def logpdf(y, size, mu):
    return _pieces(y, size, mu)[1]


def derivs(y, size, mu):
    """In mu: d/dmu = r v/mu, d2/dmu2 = -(r/(mu (r + mu))) (y/mu + v), d2/dmu dr = v/(r + mu);
    in the size: d/dr = psi(y + r) - psi(r) - log1p(mu/r) + (mu - y)/(r + mu)
    = log1pmx(v) + (L(r) - L(y + r)) and d2/dr2 = v^2/(y + r) + (L'(r) - L'(y + r)),
    L(a) = log a - psi(a) (ga.log_minus_digamma_fall: no cancellation at large r, where the digamma
    differences kept two digits at r = 1e9)."""
    y, ll, r_mu, v = _pieces(y, size, mu)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rise, rise_deriv = ga.log_minus_digamma_fall(y, size)
        d_size = _log1pmx(v) + rise
        d_mu = size * v / mu
        h_ss = v * v / (y + size) + rise_deriv
        h_sm = v / r_mu
        h_mm = -(size / (mu * r_mu)) * (y / mu + v)
    return ll, (d_size, d_mu), ((h_ss, h_sm), (h_sm, h_mm))


def logcdf(y, size, mu):
    """log P(Y <= k) = log(1 - I_q(k+1, size)), q = mu/(size+mu), by betaincc (no 1 - F),
    on the log scale where that underflows."""
    return tail(y, lambda k: log_betaincc(k + 1.0, size, mu / (size + mu), size / (size + mu)), -np.inf)


def logsf(y, size, mu):
    """log P(Y > k) = log I_q(k+1, size), accurate however far in the upper tail."""
    return tail(y, lambda k: log_betainc(k + 1.0, size, mu / (size + mu), size / (size + mu)), 0.0)


def start(y, w):
    """The method of moments: mu = mean, size = mean^2 / (var - mean), with the excess
    variance floored at 1e-3 of the mean (not overdispersed data have no finite size)."""
    mean = max(weighted_mean(y, w), 1e-3)
    var = weighted_mean((y - mean) ** 2, w)
    return mean * mean / max(var - mean, 1e-3 * mean), mean


# ---------------------------------------------------------------- the poisson limit: one record for the
# fast path (the bootstrap's resamples at the limit, the check) and the per-row density (censored fits)
def _nb_resampled(fitted, s, near):
    """A bootstrap resample of counts that are not overdispersed (families.base.Limit):
    the poisson limit, size =
    inf with mu = the mean. With size fixed there is no limit to reach: mu's MLE given
    any size is the mean. With mu = mu0 fixed the limit is the MLE when the score of
    1/size at 0, sum (x - mu0)^2 - x, is not positive; otherwise size has a finite MLE
    given mu0 (the check that raised looks at the mean, not at mu0) and is fitted."""
    fixed = fitted.fixed
    if 0 in fixed:
        return (fixed[0], float(s.mean)), None
    if 1 not in fixed:
        return (math.inf, float(s.mean)), (near * (1.0 + s.mean), float(s.mean))
    mu0 = fixed[1]
    spread = float(s.counts @ ((s.values - mu0) ** 2 - s.values))
    if spread <= 0.0:
        return (math.inf, mu0), (near * (1.0 + mu0), mu0)
    from ..constrained import fit_fixed
    size0 = mu0 * mu0 * s.n / spread  # moments about mu0: var = mu0 + mu0^2 / size
    sol = fit_fixed(fitted.family, s, fixed, (size0, mu0), fitted.controls)
    if not sol.converged or not all(math.isfinite(t) for t in sol.theta):
        raise ArithmeticError("negative_binomial refit with mu fixed did not converge")
    return tuple(float(t) for t in sol.theta), None


LIMIT = Limit(family=lambda: "poisson", going=("size",),
              why="the counts are not overdispersed, so the fit tends to the poisson limit (size -> "
                  "infinity); use --dist poisson", text="the poisson limit: size = inf, mu = the resample mean",
              near=lambda theta: theta[0] > 1e4, inside=lambda theta: (1.0, theta[1]),
              start=lambda theta: (1.0, theta[0]), resampled=_nb_resampled)


DENSITY = Density(
    name="negative_binomial", params=("size", "mu"), domains=(POSITIVE, POSITIVE), discrete=True,
    logpdf=logpdf, logcdf=logcdf, logsf=logsf, derivs=derivs, start=start,
    sample=lambda rng, size_, r, mu: rng.negative_binomial(r, r / (r + mu), size_).astype(np.float64),
    scipy=lambda size, mu: scipy_stats().nbinom(size, size / (size + mu)),
    note="size has no finite MLE when the variance does not exceed the mean (the poisson limit)",
    expected=lambda size, mu: (None, size / (mu * (size + mu))),
    limit=LIMIT,
)


# ---------------------------------------------------------------- the fast path: the negative_binomial
# fit from sufficient statistics (no covariates, no censoring, no prior); NEGATIVE_BINOMIAL is
# the family's record (families.get)
def _nb_check(s):
    if s.m2 <= s.mean:
        raise BoundaryError(
            f"the negative_binomial size has no finite MLE here: the variance "
            f"({s.m2:.6g}) does not exceed the mean ({s.mean:.6g}), so the fit tends to "
            f"the poisson limit; use --dist poisson", limit=LIMIT.family(), going=LIMIT.going,
            start=LIMIT.start((s.mean,)))


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
    f0 = g(t0)[0]
    failed = Solution((math.exp(t0), mu), "Newton on the profile score in size", 0, False,
                      "could not bracket the root of the size score equation", (math.exp(t0), mu))

    def bracket(lo, hi):  # the far end, a unit of t at a time, once a step needs it (solve_increasing's verify)
        for _ in range(200):
            if (g(hi)[0] > 0) if f0 < 0 else (g(lo)[0] < 0):
                return lo, hi
            lo, hi = (lo, hi + 1.0) if f0 < 0 else (lo - 1.0, hi)
        raise _NoBracket

    if f0 != f0:  # NaN: no bracket
        return failed
    if f0 == 0.0:  # the root itself
        return Solution((math.exp(t0), mu), NB_METHOD, 1, True, "", (math.exp(t0), mu))
    try:  # the end beyond t0 is tentative: a Newton step inside it costs no evaluation there
        t, it, ok = nm.solve_increasing(g, *((t0, t0 + 1.0) if f0 < 0 else (t0 - 1.0, t0)), t0,
                                        max_iter=controls.max_iter, tol=controls.tol, verify=bracket)
    except _NoBracket:
        return failed
    return Solution((math.exp(t), mu), NB_METHOD, it, ok,
                    "" if ok else f"size did not converge in {it} iteration(s)", (math.exp(t0), mu))


NB_METHOD = "Newton on the profile score in size; mu = mean"


class _NoBracket(Exception):
    """The size score keeps one sign over 200 units of log size (bracket, in _nb_estimate)."""


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
    """Minus the Hessian of the log-likelihood in (size, mu). The terms in mu sum in closed
    form (sum c v = s.total, sum c = s.n); the size's term by value, psi'(v + r) - psi'(r)
    beside the rest of its row, which it nearly cancels for a large size."""
    r, mu = theta
    v, c = s.values, s.counts
    d_rr = float(c @ (ga.digamma_rise(v, r)[1] + 1 / r - 1 / (r + mu)
                      - (mu - v) / (r + mu) ** 2))
    d_mm = -s.total / mu ** 2 + (s.n * r + s.total) / (r + mu) ** 2
    d_rm = (s.total - s.n * mu) / (r + mu) ** 2
    return -np.array([[d_rr, d_rm], [d_rm, d_mm]])


NEGATIVE_BINOMIAL = Family(
    spec=SPEC,
    stats=count_stats,
    estimate=_nb_estimate,
    loglik=_nb_loglik,
    logpdf=_nb_logpdf,
    observed_information=_nb_observed,
    scipy=lambda t: scipy_stats().nbinom(t[0], t[0] / (t[0] + t[1])),
    cdf=lambda x, t: np.where(x < 0, 0.0, _special().betainc(t[0], np.floor(np.maximum(x, 0)) + 1.0, t[0] / (t[0] + t[1]))),
    sample=lambda rng, n, t: rng.negative_binomial(t[0], t[0] / (t[0] + t[1]), n).astype(np.float64),
    check=_nb_check,
    min_n=2,
    limit=LIMIT,
)
